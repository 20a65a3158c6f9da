"""Refresh the generated parts of ``fixtures/programm.json`` from the official data.

Two parts of the programme data are derived from reference files rather than typed by hand:

* the LeiKa names of each service's keys (from ``ozg_leika_katalog_2019.csv``), filled in
  where the fixture's ``bezeichnung`` is empty, and
* the Bavarian Große Kreisstädte (Gemeinde type 67 in Bayern, from ``gemeinden.csv``) as
  exceptions of the Bau rule: each is its own untere Bauaufsichtsbehörde (Art. 53 BayBO).

Everything else in the fixture stays as edited. Run from the repository root:

    python scripts/programm_json_aktualisieren.py [--daten /work/shared/data]
"""

from __future__ import annotations

import argparse
import csv
import json
from pathlib import Path

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "programm.json"
BAU_OZG_ID = "10519"
GKST_GRUND = "Große Kreisstadt: untere Bauaufsichtsbehörde (Art. 53 BayBO)"
GKST_QUELLE = "Gemeinde vom Typ 67 (Große Kreisstadt) in Bayern laut GV100AD, Stand {stand}."


def leika_namen(katalog: Path) -> dict[str, str]:
    with katalog.open(encoding="utf-8", newline="") as handle:
        return {
            row["leika_schluessel"]: row["leistung"]
            for row in csv.DictReader(handle)
            if row["leika_schluessel"].isdigit()
        }


def grosse_kreisstaedte_bayern(gemeinden: Path) -> list[dict[str, str]]:
    with gemeinden.open(encoding="utf-8", newline="") as handle:
        return sorted(
            (
                {"ars": row["ars"], "name": row["name_kurz"], "stand": row["gebietsstand"]}
                for row in csv.DictReader(handle)
                if row["land_kurz"] == "BY" and row["typ_code"] == "67"
            ),
            key=lambda row: row["ars"],
        )


def aktualisieren(daten: Path) -> tuple[int, int]:
    programm = json.loads(FIXTURE.read_text(encoding="utf-8"))

    namen = leika_namen(daten / "ozg_leika_katalog_2019.csv")
    gefuellt = 0
    for leistung in programm["leistungen"]:
        for eintrag in leistung["leika"]:
            if not eintrag.get("bezeichnung") and eintrag["schluessel"] in namen:
                eintrag["bezeichnung"] = namen[eintrag["schluessel"]]
                gefuellt += 1

    staedte = grosse_kreisstaedte_bayern(daten / "gemeinden.csv")
    gkst = [
        {
            "behoerde": stadt["ars"],
            "leistung": BAU_OZG_ID,
            "grund": GKST_GRUND,
            "gueltig_ab": None,
            "gueltig_bis": None,
            "angenommen": False,
            "quelle": GKST_QUELLE.format(stand=stadt["stand"]) + f" ({stadt['name']})",
        }
        for stadt in staedte
    ]
    andere = [a for a in programm["ausnahmen"] if a.get("grund") != GKST_GRUND]
    programm["ausnahmen"] = gkst + andere

    FIXTURE.write_text(json.dumps(programm, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return gefuellt, len(gkst)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--daten", type=Path, default=Path("/work/shared/data"))
    args = parser.parse_args()
    gefuellt, gkst = aktualisieren(args.daten)
    print(f"LeiKa-Bezeichnungen ergänzt: {gefuellt}; Große Kreisstädte (Bayern, Bau): {gkst}")


if __name__ == "__main__":
    main()
