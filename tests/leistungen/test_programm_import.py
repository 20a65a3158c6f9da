"""Programme data import from fixtures/programm.json (the session DB already ran it once)."""

from __future__ import annotations

import csv
import datetime as dt
import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from kommunen.models import Gemeinde, Land
from leistungen.models import (
    Behoerde,
    LeikaSchluessel,
    Leistung,
    Programmteilnahme,
    Zusage,
    ZustaendigkeitsAusnahme,
    ZustaendigkeitsRegel,
)
from leistungen.services import ProgrammImportFehler, programm_import

pytestmark = pytest.mark.django_db

PROGRAMM = settings.FIXTURES_DIR / "programm.json"
KATALOG = Path("/work/shared/data/ozg_leika_katalog_2019.csv")
MODELLE = [
    Leistung,
    LeikaSchluessel,
    Behoerde,
    Programmteilnahme,
    Zusage,
    ZustaendigkeitsRegel,
    ZustaendigkeitsAusnahme,
    Land,
]


def _stand() -> dict[str, list[tuple[Any, ...]]]:
    return {
        m.__name__: sorted(
            tuple(row)
            for row in m.objects.values_list(*[f.attname for f in m._meta.concrete_fields])
        )
        for m in MODELLE
    }


def _programm() -> dict[str, Any]:
    return json.loads(PROGRAMM.read_text(encoding="utf-8"))


def _schreiben(tmp_path: Path, daten: dict[str, Any]) -> Path:
    pfad = tmp_path / "programm.json"
    pfad.write_text(json.dumps(daten, ensure_ascii=False), encoding="utf-8")
    return pfad


def test_zweiter_import_aendert_nichts() -> None:
    vorher = _stand()
    zaehler = programm_import()
    assert _stand() == vorher
    assert zaehler, "der Import meldet, was er geprüft hat"
    assert all(key.endswith("_unveraendert") for key in zaehler), zaehler
    assert zaehler["regeln_unveraendert"] == len(_programm()["regeln"])


def test_geaenderte_quelle_wird_uebernommen(tmp_path: Path) -> None:
    daten = _programm()
    daten["regeln"][0]["quelle"] = "Neu belegt durch Erlass vom 01.02.2026"
    zaehler = programm_import(pfad=_schreiben(tmp_path, daten))
    assert zaehler["regeln_geaendert"] == 1
    regel = ZustaendigkeitsRegel.objects.get(
        land__kurz=daten["regeln"][0]["land"],
        leistung__ozg_id=daten["regeln"][0]["leistung"],
        gueltig_ab=None,
    )
    assert regel.quelle == "Neu belegt durch Erlass vom 01.02.2026"


@pytest.mark.parametrize(
    ("abschnitt", "aendern", "meldung"),
    [
        ("ausnahmen", {"behoerde": "099999999999"}, "099999999999"),
        ("zusagen", {"leistung": "99999"}, "99999"),
        ("regeln", {"ebene": "bezirk"}, "bezirk"),
        ("regeln", {"land": "XX"}, "XX"),
        ("behoerden", {"schluessel": "09999"}, "09999"),
        ("ausnahmen", {"gueltig_ab": "31.12.2026"}, "31.12.2026"),
    ],
)
def test_fehlerhafter_eintrag_wird_benannt_und_nichts_geschrieben(
    tmp_path: Path, abschnitt: str, aendern: dict[str, str], meldung: str
) -> None:
    daten = _programm()
    daten["leistungen"][0]["name"] = "Darf nicht geschrieben werden"
    daten["laender"][0]["kreisbehoerde_bezeichnung"] = "Darf nicht geschrieben werden"
    daten[abschnitt][-1].update(aendern)
    vorher = _stand()
    with pytest.raises(ProgrammImportFehler, match=meldung) as fehler:
        programm_import(pfad=_schreiben(tmp_path, daten))
    assert abschnitt in str(fehler.value)
    assert _stand() == vorher


def test_ueberlappende_regeln_werden_abgelehnt(tmp_path: Path) -> None:
    daten = _programm()
    doppelt = dict(daten["regeln"][0], gueltig_ab="2026-01-01", ebene="gemeinde")
    daten["regeln"].append(doppelt)
    with pytest.raises(ProgrammImportFehler, match="überschneidet"):
        programm_import(pfad=_schreiben(tmp_path, daten))


def test_fehlende_datei_wird_abgelehnt(tmp_path: Path) -> None:
    with pytest.raises(ProgrammImportFehler, match="nicht lesbar"):
        programm_import(pfad=tmp_path / "fehlt.json")


def test_leistungen_tragen_leika_bezeichnungen_aus_dem_katalog() -> None:
    with KATALOG.open(encoding="utf-8", newline="") as handle:
        katalog = {row["leika_schluessel"]: row["leistung"] for row in csv.DictReader(handle)}
    assert Leistung.objects.count() == 7
    leika = LeikaSchluessel.objects.select_related("leistung")
    assert leika.count() == 12
    for eintrag in leika:
        assert eintrag.bezeichnung == katalog[eintrag.schluessel]
    assert Leistung.objects.get(ozg_id="10124").online_dienst.startswith("eWA")


def test_zusagen_und_teilnahme_von_bayern_hessen_und_niedersachsen() -> None:
    for kurz, zugesagt in (
        ("BY", {"10124", "10169", "10519", "10255", "10151"}),
        ("HE", {"10124", "10169", "10255", "10035", "10462"}),
        ("NI", set()),
    ):
        zusagen = Zusage.objects.filter(land__kurz=kurz)
        assert set(zusagen.values_list("leistung__ozg_id", flat=True)) == zugesagt
        assert all(z.frist == dt.date(2026, 12, 31) for z in zusagen)
        assert Programmteilnahme.objects.filter(land__kurz=kurz).exists()
    assert Programmteilnahme.objects.get(land__kurz="BY").beigetreten_am == dt.date(2026, 1, 21)
    assert Programmteilnahme.objects.get(land__kurz="HE").beigetreten_am == dt.date(2026, 1, 21)
    assert "Annahme" in Programmteilnahme.objects.get(land__kurz="NI").quelle
    assert ZustaendigkeitsRegel.objects.filter(land__kurz="NI", angenommen=False).count() == 0


def test_laender_benennen_ihre_kreis_und_mittelbehoerden() -> None:
    bezeichnung = dict(Land.objects.values_list("kurz", "kreisbehoerde_bezeichnung"))
    assert bezeichnung["BY"] == bezeichnung["BW"] == bezeichnung["SN"] == "Landratsamt"
    assert bezeichnung["HE"] == "Kreisausschuss"
    assert bezeichnung["NI"] == "Landkreis"
    assert bezeichnung["SH"] == "Kreisverwaltung"
    mittel = dict(Land.objects.values_list("kurz", "mittelbehoerde_bezeichnung"))
    assert (mittel["BY"], mittel["HE"], mittel["NW"]) == (
        "Regierung von",
        "Regierungspräsidium",
        "Bezirksregierung",
    )


def test_zwoelf_pilotkommunen_sechs_je_land() -> None:
    piloten = Behoerde.objects.filter(ist_pilot=True)
    assert sorted(piloten.values_list("name", flat=True)) == sorted(
        [
            "Stadt Aschaffenburg",
            "Stadt Augsburg",
            "Landratsamt Kelheim",
            "Landratsamt Regensburg",
            "Markt Meitingen",
            "Gemeinde Pullach i.Isartal",
            "Stadt Wiesbaden",
            "Stadt Kassel",
            "Stadt Hattersheim am Main",
            "Kreisausschuss Rheingau-Taunus-Kreis",
            "Kreisausschuss Wetteraukreis",
            "Gemeinde Heuchelheim a. d. Lahn",
        ]
    )
    assert piloten.filter(land__kurz="BY").count() == piloten.filter(land__kurz="HE").count() == 6


def test_grosse_kreisstaedte_bayerns_sind_bauaufsicht_laut_daten() -> None:
    gkst = set(
        Gemeinde.objects.filter(land__kurz="BY", typ=Gemeinde.Typ.GROSSE_KREISSTADT).values_list(
            "ars", flat=True
        )
    )
    ausnahmen = ZustaendigkeitsAusnahme.objects.filter(
        leistung__ozg_id="10519", behoerde__land__kurz="BY"
    )
    assert set(ausnahmen.values_list("behoerde__schluessel", flat=True)) == gkst
    assert len(gkst) == 29
    assert all("Art. 53 BayBO" in a.grund for a in ausnahmen)
    regel = ZustaendigkeitsRegel.objects.get(land__kurz="BY", leistung__ozg_id="10519")
    assert "Delegationsgemeinden" in regel.quelle


def test_hessische_sonderstatusstaedte_sind_markiert() -> None:
    staedte = Behoerde.objects.filter(land__kurz="HE", art=Behoerde.Art.SONDERSTATUSSTADT)
    assert staedte.count() == 7
    # Each has more than 50,000 inhabitants, so each is its own Ausländerbehörde.
    for stadt in staedte.select_related("gemeinde"):
        assert stadt.gemeinde.einwohner > 50_000
        assert ZustaendigkeitsAusnahme.objects.filter(
            behoerde=stadt, leistung__ozg_id="10255"
        ).exists()
        assert not ZustaendigkeitsAusnahme.objects.filter(
            behoerde=stadt, leistung__ozg_id="10151", gueltig_ab=None
        ).exists()


def test_import_befehl_meldet_zaehler_und_fehler(tmp_path: Path) -> None:
    out = StringIO()
    call_command("import_programm", stdout=out)
    assert "regeln_unveraendert" in out.getvalue()
    daten = _programm()
    daten["regeln"][0]["leistung"] = "77777"
    with pytest.raises(CommandError, match="77777"):
        call_command("import_programm", str(_schreiben(tmp_path, daten)), stdout=StringIO())
