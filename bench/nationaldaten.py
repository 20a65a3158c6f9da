"""National-scale data for the coverage benchmarks: all 16 Länder committed to all seven
services, every responsible authority with an onboarding record and a year of history.

    python -m bench.nationaldaten            # on the database of DATABASE_URL (migrated,
                                             # territory + programme imported), prints JSON

Steps (deterministic: the same database content on every run, apart from ids of
auto-increment sequences and wall-clock columns such as ``geaendert_am``):

1. Checklist template, a system user ``national-rollin`` (Administration) who confirms.
2. For every Land × service without one: a ``ZustaendigkeitsRegel`` (Ummeldung at
   ``verband`` level, i.e. the Gemeinde or its Verwaltungsgemeinschaft/Amt; BImSchG at the
   Regierungsbezirk where the Land has real ones, else the Land; all others at the Kreis)
   and a ``Zusage`` (deadline 31.12.2026, given on :data:`VON`). The programme's own rules
   and commitments (Bayern, Hessen, Niedersachsen) are kept as they are.
3. ``zustaendigkeiten_aufloesen`` and ``onboardings_abgleichen`` (the real services).
4. A year of history per record (until :data:`BIS`), drawn from a random generator seeded
   by the authority's key and the OZG-ID: in Klärung → geplant (with a planned go-live
   date) → phase 0 items done → phase 1 → phase 1 items done (automatic step to phase 2)
   → phase 2 items done (automatic step to phase 3) → go-live confirmed → phase 3 items →
   betriebsfähig; each record stops somewhere on that path, Länder at different speeds.

   Going through the services one call at a time would take about 40 minutes for the
   ~150,000 changes, so :class:`_Verlauf` replays exactly what those services write
   (``onboarding_aktualisieren``, ``checklistenpunkt_setzen`` with its automatic phase
   step, ``golive_bestaetigen``): the same field values, the same audit events (built with
   the same ``audit.services.ereignis_bauen``, same ``aenderungen``, ``beschreibung``,
   ``zeitpunkt``, user and source), the same version counters; then writes them in bulk,
   events in time order. ``tests/abdeckung/test_nationaldaten.py`` runs the same plan through
   the real services for a sample of records and asserts identical results.
5. Open blocking hurdles for some Land × service pairs, through the real
   ``huerde_erfassen`` service (backdated).

Coverage scheduling is suspended while generating (``vormerken_ausgesetzt``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import random
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: Bump when the generated content changes (the benchmark then rebuilds its database).
VERSION = 1
BIS = dt.date(2026, 11, 15)  # last day of generated history
VON = BIS - dt.timedelta(days=365)
FRIST = dt.date(2026, 12, 31)
QUELLE = "import"
USERNAME = "national-rollin"


def fingerabdruck() -> str:
    """Changes when this generator, the fixtures or the migrations change."""
    root = Path(__file__).resolve().parent.parent
    h = hashlib.sha256(f"v{VERSION}".encode())
    dateien = [Path(__file__), root / "fixtures" / "programm.json"]
    dateien += [root / "fixtures" / "checkliste.json"]
    for app in ("kommunen", "leistungen", "onboarding", "audit", "abdeckung"):
        dateien += sorted((root / app / "migrations").glob("0*.py"))
    for datei in dateien:
        if datei.exists():
            h.update(datei.name.encode())
            h.update(datei.read_bytes())
    return h.hexdigest()[:16]


# --- history plan --------------------------------------------------------------------------


@dataclass
class Schritt:
    """One service call of the plan: ``art`` is "status" (onboarding_aktualisieren with
    ``daten``), "punkte" (checklistenpunkt_setzen "erledigt" for every item of ``phase``,
    one minute apart) or "golive" (golive_bestaetigen on the day of ``zeitpunkt``)."""

    zeitpunkt: dt.datetime
    art: str
    daten: dict[str, Any] = field(default_factory=dict)
    phase: int | None = None


def _land_tempo(kurz: str) -> float:
    return random.Random(f"tempo:{kurz}").uniform(0.55, 1.5)


def plan(*, schluessel: str, ozg_id: str, land: str, beginn: dt.datetime) -> list[Schritt]:
    """The deterministic history of one record from its creation ``beginn`` until the end
    of :data:`BIS` (steps after that are dropped)."""
    from django.utils import timezone

    rng = random.Random(f"{schluessel}|{ozg_id}")
    tempo = _land_tempo(land)
    ende = timezone.make_aware(dt.datetime.combine(BIS + dt.timedelta(days=1), dt.time.min))
    if rng.random() < 0.08:
        return []  # nothing known yet
    t = beginn + dt.timedelta(days=rng.uniform(0, 200) * tempo)

    def weiter(tage_von: float, tage_bis: float) -> dt.datetime:
        nonlocal t
        t = t + dt.timedelta(days=rng.uniform(tage_von, tage_bis) * tempo)
        # a working hour between 08:00 and 17:59, local time
        lokal = timezone.localtime(t)
        lokal = lokal.replace(hour=8 + rng.randrange(10), minute=rng.randrange(60), second=0)
        t = max(t, lokal.replace(microsecond=0))
        return t

    schritte = [Schritt(weiter(0, 2), "status", {"status": "in_klaerung"})]
    geplant_am = weiter(5, 40)
    golive = (geplant_am + dt.timedelta(days=rng.uniform(60, 200) * tempo)).date()
    schritte.append(
        Schritt(geplant_am, "status", {"status": "geplant", "geplant_golive": golive.isoformat()})
    )
    schritte.append(Schritt(weiter(5, 40), "punkte", phase=0))
    schritte.append(Schritt(weiter(1, 10), "status", {"status": "phase_1"}))
    schritte.append(Schritt(weiter(10, 60), "punkte", phase=1))
    schritte.append(Schritt(weiter(10, 60), "punkte", phase=2))
    schritte.append(Schritt(weiter(3, 30), "golive"))
    if rng.random() < 0.6:
        schritte.append(Schritt(weiter(10, 60), "punkte", phase=3))
        schritte.append(Schritt(weiter(1, 20), "status", {"status": "betriebsfaehig"}))
    # "punkte" ticks its items one minute apart: the whole step must end before the end.
    return [s for s in schritte if s.zeitpunkt + dt.timedelta(minutes=10) < ende]


# --- exact replay of the services ----------------------------------------------------------


class _Verlauf:
    """Applies plans to records in memory exactly as the onboarding services would, and
    collects the rows to write."""

    def __init__(self, user: Any) -> None:
        self.user = user
        self.ereignisse: list[Any] = []
        self.onboardings: dict[int, Any] = {}
        self.punkte: dict[int, Any] = {}

    def _schreiben(
        self, o: Any, neu: dict[str, Any], zeitpunkt: dt.datetime, beschreibung: str = ""
    ) -> None:
        # onboarding.services.bearbeiten.datensatz.onboarding_schreiben
        from audit.models import Aktion
        from audit.services import aenderungen_ermitteln, ereignis_bauen
        from onboarding.models import Status
        from onboarding.services._basis import STATUS_RANG, onboarding_werte, tag_von
        from onboarding.services.bearbeiten._gemeinsam import status_label

        heute = tag_von(zeitpunkt)
        vorher = onboarding_werte(o)
        nachher = dict(vorher)
        nachher.update(neu)
        alt_status, neuer_status = o.status, nachher["status"]
        if neuer_status != alt_status and STATUS_RANG[neuer_status] > STATUS_RANG[alt_status]:
            for feld, ab in (("ist_phase_1", Status.PHASE_2), ("ist_phase_2", Status.PHASE_3)):
                if (
                    STATUS_RANG[neuer_status] >= STATUS_RANG[ab]
                    and nachher[feld] is None
                    and feld not in neu
                ):
                    nachher[feld] = heute
            if neuer_status in (Status.LIVE, Status.BETRIEBSFAEHIG):
                if nachher["ist_golive"] is None:
                    nachher["ist_golive"] = heute
                if o.golive_bestaetigt_von_id is None or neuer_status == Status.LIVE:
                    nachher["golive_bestaetigt_von"] = self.user
                    nachher["golive_bestaetigt_am"] = zeitpunkt
        aenderungen = aenderungen_ermitteln(vorher, nachher)
        if not aenderungen:
            return
        version = o.version
        for feld in aenderungen:
            setattr(o, feld, nachher[feld])
        o.version = version + 1
        aenderungen["version"] = [version, version + 1]
        if not beschreibung:
            if "status" in aenderungen:
                beschreibung = f"Status: {status_label(alt_status)} → {status_label(neuer_status)}"
                if neuer_status in (Status.LIVE, Status.BETRIEBSFAEHIG):
                    beschreibung += f" (bestätigt von {self.user})"
            else:
                raise AssertionError("the plan only changes statuses")
        self.ereignisse.append(
            ereignis_bauen(
                user=self.user,
                quelle=QUELLE,
                aktion=Aktion.GEAENDERT,
                objekt=o,
                aenderungen=aenderungen,
                onboarding_id=o.pk,
                beschreibung=beschreibung,
                zeitpunkt=zeitpunkt,
            )
        )
        self.onboardings[o.pk] = o

    def _punkt(self, o: Any, punkt: Any, zeitpunkt: dt.datetime, punkte: list[Any]) -> None:
        # onboarding.services.bearbeiten.checklistenpunkt_setzen(stand="erledigt")
        from audit.models import Aktion
        from audit.services import aenderungen_ermitteln, ereignis_bauen
        from onboarding.services._basis import tag_von

        heute = tag_von(zeitpunkt)
        neu = {"stand": "erledigt", "verzicht_grund": "", "erledigt_am": heute}
        if punkt.stand == "erledigt":
            neu["erledigt_am"] = punkt.erledigt_am
        vorher = {f: getattr(punkt, f) for f in neu}
        aenderungen = aenderungen_ermitteln(vorher, neu)
        if not aenderungen:
            return
        version = punkt.version
        for feld, wert in neu.items():
            setattr(punkt, feld, wert)
        punkt.geaendert_von = self.user
        punkt.version = version + 1
        aenderungen["version"] = [version, version + 1]
        self.ereignisse.append(
            ereignis_bauen(
                user=self.user,
                quelle=QUELLE,
                aktion=Aktion.GEAENDERT,
                objekt=punkt,
                aenderungen=aenderungen,
                onboarding_id=o.pk,
                beschreibung=f"Phase {punkt.phase}: „{punkt.text}“ erledigt",
                zeitpunkt=zeitpunkt,
            )
        )
        self.punkte[punkt.pk] = punkt
        self._weiterschalten(o, zeitpunkt, punkte)

    def _weiterschalten(self, o: Any, zeitpunkt: dt.datetime, punkte: list[Any]) -> None:
        from onboarding.models import Status
        from onboarding.services._basis import VORAUSSETZUNGEN, fehlende_pflichtpunkte
        from onboarding.services.bearbeiten._gemeinsam import status_label

        naechster = {Status.PHASE_1: Status.PHASE_2, Status.PHASE_2: Status.PHASE_3}
        while o.status in naechster:
            ziel = naechster[o.status]
            if fehlende_pflichtpunkte(punkte, VORAUSSETZUNGEN[ziel]):
                break
            phase = int(o.status[-1])
            self._schreiben(
                o,
                {"status": ziel},
                zeitpunkt,
                beschreibung=(
                    f"Phase {phase} abgeschlossen (alle Pflichtpunkte erledigt oder "
                    f"verzichtet): Status automatisch {status_label(o.status)} → "
                    f"{status_label(ziel)}"
                ),
            )

    def anwenden(self, o: Any, punkte: list[Any], schritte: list[Schritt]) -> None:
        from onboarding.models import Status
        from onboarding.services._basis import datum
        from onboarding.services.bearbeiten import datum_lesen

        for s in schritte:
            if s.art == "status":
                neu = {
                    k: (datum_lesen(v, k) if k == "geplant_golive" else v)
                    for k, v in s.daten.items()
                }
                self._schreiben(o, neu, s.zeitpunkt)
            elif s.art == "punkte":
                eigene = sorted(
                    (p for p in punkte if p.phase == s.phase), key=lambda p: (p.reihenfolge, p.pk)
                )
                for n, p in enumerate(eigene):
                    self._punkt(o, p, s.zeitpunkt + dt.timedelta(minutes=n), punkte)
            elif s.art == "golive":
                from django.utils import timezone

                tag = timezone.localdate(s.zeitpunkt)
                self._schreiben(
                    o,
                    {"status": Status.LIVE, "ist_golive": tag},
                    s.zeitpunkt,
                    beschreibung=f"Go-live am {datum(tag)} bestätigt von {self.user}",
                )

    def speichern(self) -> int:
        from django.utils import timezone

        from audit.services import ereignisse_anlegen
        from onboarding.models import Checklistenpunkt, Onboarding

        jetzt = timezone.now()
        for o in self.onboardings.values():
            o.geaendert_am = jetzt
        _massen_update(
            Onboarding,
            list(self.onboardings.values()),
            [
                "status",
                "geplant_golive",
                "ist_phase_1",
                "ist_phase_2",
                "ist_golive",
                "golive_bestaetigt_von_id",
                "golive_bestaetigt_am",
                "version",
                "geaendert_am",
            ],
        )
        _massen_update(
            Checklistenpunkt,
            list(self.punkte.values()),
            ["stand", "verzicht_grund", "erledigt_am", "geaendert_von_id", "version"],
        )
        # Time order, as the services would have written them one by one.
        self.ereignisse.sort(key=lambda e: e.zeitpunkt)
        return ereignisse_anlegen(ereignisse=self.ereignisse)


def _massen_update(model: Any, objekte: list[Any], spalten: list[str]) -> None:
    """Write the given columns of many rows in three statements (``bulk_update`` builds a
    CASE per row and takes minutes here): a temporary table filled with COPY, then one
    ``UPDATE … FROM``. On other databases (SQLite in tests) ``bulk_update``."""
    from django.db import connection

    if not objekte:
        return
    if connection.vendor != "postgresql":
        felder = [c.removesuffix("_id") if c.endswith("_von_id") else c for c in spalten]
        model.objects.bulk_update(objekte, felder, batch_size=500)
        return
    tabelle = model._meta.db_table
    liste = ", ".join(f'"{c}"' for c in spalten)
    with connection.cursor() as cursor:
        cursor.execute('DROP TABLE IF EXISTS "_massen_update"')
        cursor.execute(
            f'CREATE TEMP TABLE "_massen_update" AS SELECT "id", {liste} FROM "{tabelle}" '
            "WITH NO DATA"
        )
        with cursor.copy(f'COPY "_massen_update" ("id", {liste}) FROM STDIN') as copy:
            for o in objekte:
                copy.write_row([o.pk, *(getattr(o, c) for c in spalten)])
        zuweisung = ", ".join(f'"{c}" = u."{c}"' for c in spalten)
        cursor.execute(
            f'UPDATE "{tabelle}" t SET {zuweisung} FROM "_massen_update" u WHERE t."id" = u."id"'
        )
        cursor.execute('DROP TABLE "_massen_update"')


def verlauf_erzeugen(*, onboarding_ids: list[int] | None = None) -> dict[str, int]:
    """Replay the plans of the given open records (default: all) and write the result."""
    from django.db import transaction

    from audit.models import Aktion, Ereignis
    from onboarding.models import Checklistenpunkt, Onboarding

    user = _user()
    qs = Onboarding.objects.filter(geschlossen_am__isnull=True).select_related(
        "behoerde", "leistung", "zusage__land", "team", "vorlage", "golive_bestaetigt_von"
    )
    if onboarding_ids is not None:
        qs = qs.filter(pk__in=onboarding_ids)
    onboardings = list(qs.order_by("pk"))
    angelegt = dict(
        Ereignis.objects.filter(
            onboarding_id__in=[o.pk for o in onboardings],
            aktion=Aktion.ANGELEGT,
            objekt_typ="onboarding.onboarding",
        ).values_list("onboarding_id", "zeitpunkt")
    )
    punkte: dict[int, list[Any]] = {}
    for p in Checklistenpunkt.objects.filter(onboarding__in=onboardings).order_by("pk"):
        punkte.setdefault(p.onboarding_id, []).append(p)
    verlauf = _Verlauf(user)
    for o in onboardings:
        schritte = plan(
            schluessel=o.behoerde.schluessel,
            ozg_id=o.leistung.ozg_id,
            land=o.zusage.land.kurz,
            beginn=angelegt[o.pk],
        )
        verlauf.anwenden(o, punkte.get(o.pk, []), schritte)
    with transaction.atomic():
        anzahl = verlauf.speichern()
    return {"onboardings": len(onboardings), "ereignisse": anzahl}


def verlauf_ueber_dienste(*, onboarding_ids: list[int]) -> None:
    """The slow path: the same plans, one real service call per step (used by the test
    that proves :func:`verlauf_erzeugen` writes exactly the same)."""
    from django.utils import timezone

    from audit.models import Aktion, Ereignis
    from onboarding.models import Checklistenpunkt, Onboarding
    from onboarding.services import (
        checklistenpunkt_setzen,
        golive_bestaetigen,
        onboarding_aktualisieren,
    )

    user = _user()
    for o in Onboarding.objects.filter(pk__in=onboarding_ids).select_related(
        "behoerde", "leistung", "zusage__land"
    ):
        beginn = Ereignis.objects.get(
            onboarding_id=o.pk, aktion=Aktion.ANGELEGT, objekt_typ="onboarding.onboarding"
        ).zeitpunkt
        schritte = plan(
            schluessel=o.behoerde.schluessel,
            ozg_id=o.leistung.ozg_id,
            land=o.zusage.land.kurz,
            beginn=beginn,
        )
        for s in schritte:
            version = Onboarding.objects.get(pk=o.pk).version
            if s.art == "status":
                onboarding_aktualisieren(
                    onboarding_id=o.pk,
                    user=user,
                    version=version,
                    daten=s.daten,
                    quelle=QUELLE,
                    zeitpunkt=s.zeitpunkt,
                )
            elif s.art == "golive":
                golive_bestaetigen(
                    onboarding_id=o.pk,
                    user=user,
                    version=version,
                    datum=timezone.localdate(s.zeitpunkt),
                    quelle=QUELLE,
                    zeitpunkt=s.zeitpunkt,
                )
            else:
                assert s.phase is not None
                punkte = Checklistenpunkt.objects.filter(onboarding=o, phase=s.phase)
                for n, p in enumerate(punkte.order_by("reihenfolge", "pk")):
                    checklistenpunkt_setzen(
                        punkt_id=p.pk,
                        user=user,
                        version=p.version,
                        stand="erledigt",
                        quelle=QUELLE,
                        zeitpunkt=s.zeitpunkt + dt.timedelta(minutes=n),
                    )


def _user() -> Any:
    from accounts.models import Rolle, User

    user, _ = User.objects.get_or_create(
        username=USERNAME,
        defaults={"rolle": Rolle.ADMINISTRATION, "first_name": "Roll-in", "last_name": "Import"},
    )
    return user


def _ebene(land: Any, ozg_id: str) -> str:
    from kommunen.models import Regierungsbezirk
    from leistungen.models import Ebene

    if ozg_id == "10124":
        return Ebene.VERBAND
    if ozg_id == "10462":
        echte = Regierungsbezirk.objects.filter(
            land=land, typ=Regierungsbezirk.Typ.REGIERUNGSBEZIRK, gueltig_bis__isnull=True
        )
        return Ebene.REGIERUNGSBEZIRK if echte.exists() else Ebene.LAND
    return Ebene.KREIS


def zusagen_anlegen() -> dict[str, int]:
    from kommunen.models import Land
    from leistungen.models import Leistung, Programmteilnahme, Zusage, ZustaendigkeitsRegel

    zaehler = {"regeln": 0, "zusagen": 0}
    for land in Land.objects.order_by("code"):
        Programmteilnahme.objects.get_or_create(land=land, defaults={"beigetreten_am": VON})
        for leistung in Leistung.objects.order_by("ozg_id"):
            if not ZustaendigkeitsRegel.objects.filter(land=land, leistung=leistung).exists():
                ZustaendigkeitsRegel.objects.create(
                    land=land,
                    leistung=leistung,
                    ebene=_ebene(land, leistung.ozg_id),
                    angenommen=True,
                    quelle="Benchmark (bench/nationaldaten.py)",
                )
                zaehler["regeln"] += 1
            _, neu = Zusage.objects.get_or_create(
                land=land,
                leistung=leistung,
                defaults={"frist": FRIST, "zugesagt_am": VON, "quelle": "Benchmark"},
            )
            zaehler["zusagen"] += int(neu)
    return zaehler


def huerden_erfassen() -> int:
    """A few open blocking hurdles per Land × service for some pairs, via the service."""
    from django.utils import timezone

    from abdeckung.regeln import ABGEDECKT
    from leistungen.models import Zusage
    from onboarding.models import Huerde, Onboarding
    from onboarding.services import huerde_erfassen

    user = _user()
    anzahl = 0
    for zusage in Zusage.objects.select_related("land", "leistung").order_by("pk"):
        rng = random.Random(f"huerden:{zusage.land.kurz}:{zusage.leistung.ozg_id}")
        offene = list(
            Onboarding.objects.filter(zusage=zusage, geschlossen_am__isnull=True)
            .exclude(status__in=ABGEDECKT)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        if not offene or rng.random() < 0.5:
            continue
        for n in range(rng.randint(1, 3)):
            tag = BIS - dt.timedelta(days=rng.randrange(5, 120))
            ids = rng.sample(offene, min(len(offene), rng.randint(3, max(3, len(offene) // 4))))
            huerde_erfassen(
                user=user,
                daten={
                    "titel": f"Hürde {n + 1} ({zusage.land.kurz}, {zusage.leistung.kurzname})",
                    "kategorie": rng.choice(Huerde.Kategorie.values),
                    "verantwortlich": rng.choice(Huerde.Verantwortlich.values),
                    "blockierend": True,
                    "erfasst_am": tag,
                },
                onboarding_ids=ids,
                quelle=QUELLE,
                zeitpunkt=timezone.make_aware(dt.datetime.combine(tag, dt.time(10, 0))),
            )
            anzahl += 1
    return anzahl


def _statistik() -> None:
    """Planner statistics for the freshly loaded tables: without them PostgreSQL guesses
    one row per table and the coverage aggregate runs for a minute instead of 0.4 s."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def erzeugen() -> dict[str, Any]:
    """Fill the (migrated, territory + programme imported) database; returns counts and
    seconds per step."""
    from abdeckung.tasks import vormerken_ausgesetzt
    from leistungen.services import zustaendigkeiten_aufloesen
    from onboarding.services import checklisten_vorlage_import, onboardings_abgleichen

    zeiten: dict[str, float] = {}
    ergebnis: dict[str, Any] = {}

    def schritt(name: str, fn: Any) -> Any:
        start = time.perf_counter()
        wert = fn()
        zeiten[name] = round(time.perf_counter() - start, 2)
        return wert

    with vormerken_ausgesetzt():
        schritt("vorlage", checklisten_vorlage_import)
        _user()
        ergebnis.update(schritt("zusagen", zusagen_anlegen))
        schritt("aufloesen", zustaendigkeiten_aufloesen)
        ergebnis["abgleich"] = schritt("abgleich", onboardings_abgleichen)
        ergebnis["verlauf"] = schritt("verlauf", verlauf_erzeugen)
        ergebnis["huerden"] = schritt("huerden", huerden_erfassen)
    schritt("analyze", _statistik)
    ergebnis["sekunden"] = zeiten
    return ergebnis


def main() -> None:
    import django

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rollout.settings")
    django.setup()
    print(json.dumps(erzeugen(), default=str))  # noqa: T201


if __name__ == "__main__":
    main()
