"""Time the responsibility resolution on the current database (nothing is kept).

Needs the territory and the programme data (``import_programm``). Inside one transaction
that is rolled back at the end it measures:

1. the shipped rules (BY, HE, NI × their services) from scratch (resolved rows deleted,
   authorities kept) and a second, unchanged run;
2. the same after adding a rule for every Land × service that has none (Ummeldung at
   ``verband``, BImSchG at ``regierungsbezirk``, everything else at ``kreis``), i.e. all
   16 Länder × 7 services, from scratch (new authorities included) and unchanged.

    DATABASE_URL=postgres://… python scripts/bench_zustaendigkeiten.py
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rollout.settings")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402

from kommunen.models import Land  # noqa: E402
from leistungen.models import Ebene, Leistung, Zustaendigkeit, ZustaendigkeitsRegel  # noqa: E402
from leistungen.services import zustaendigkeiten_aufloesen  # noqa: E402

EBENE_JE_LEISTUNG = {"10124": Ebene.VERBAND, "10462": Ebene.REGIERUNGSBEZIRK}


class _Zurueckrollen(Exception):
    pass


def _lauf(titel: str) -> None:
    start = time.perf_counter()
    e = zustaendigkeiten_aufloesen()
    dauer = time.perf_counter() - start
    print(
        f"{titel:<48} {dauer:6.2f} s  Paare {e.paare:3}  neu {e.neu:6}  geändert {e.geaendert:6}"
        f"  unverändert {e.unveraendert:6}  Behörden neu {e.behoerden_neu:5}"
    )


def main() -> None:
    print(f"Datenbank: {connection.vendor} {connection.settings_dict['NAME']}")
    try:
        with transaction.atomic():
            Zustaendigkeit.objects.all().delete()
            _lauf("Ausgelieferte Regeln (BY, HE, NI), neu")
            _lauf("Ausgelieferte Regeln, unverändert")
            vorhanden = set(ZustaendigkeitsRegel.objects.values_list("land_id", "leistung_id"))
            neue = [
                ZustaendigkeitsRegel(
                    land=land,
                    leistung=leistung,
                    ebene=EBENE_JE_LEISTUNG.get(leistung.ozg_id, Ebene.KREIS),
                    angenommen=True,
                    quelle="Benchmark",
                )
                for land in Land.objects.all()
                for leistung in Leistung.objects.all()
                if (land.pk, leistung.pk) not in vorhanden
            ]
            ZustaendigkeitsRegel.objects.bulk_create(neue)
            Zustaendigkeit.objects.all().delete()
            _lauf(f"Alle 16 Länder × 7 Leistungen (+{len(neue)} Regeln), neu")
            _lauf("Alle 16 Länder × 7 Leistungen, unverändert")
            raise _Zurueckrollen
    except _Zurueckrollen:
        print("Zurückgerollt.")


if __name__ == "__main__":
    main()
