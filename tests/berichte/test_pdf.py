"""The steering report as a PDF: the figures of the frozen Stichtag in the text, the
sections and the attribution, reproducible text, an accessible (tagged) document, pages
that are not blank; kaleido failures fail the report.

Rendering needs kaleido (Chromium) and WeasyPrint; the two reports of the scenario are
rendered once for the module."""

from __future__ import annotations

import datetime as dt
import io
import re
import subprocess
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pikepdf
import pytest
from django.conf import settings
from PIL import Image, ImageStat

from abdeckung.selectors import abdeckung_am
from berichte import pdf as pdf_modul
from berichte.format import veraenderung, zahl
from berichte.grafiken import Grafik, Tabelle
from berichte.pdf import BerichtFehler, BerichtPdf, bericht_pdf
from tests.berichte.conftest import (
    HUERDE_ALT,
    HUERDE_DANACH,
    STICHTAG_1,
    STICHTAG_2,
    aenderungen_nach_stichtag_2,
)

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
ARTEFAKTE = Path(settings.BASE_DIR) / "test-artifacts" / "berichte"
ERSTELLT = dt.datetime(2026, 11, 16, 7, 30, tzinfo=BERLIN)

ABSCHNITTE = (
    "1 Zusammenfassung",
    "2 Karte, Verlauf und Phasen",
    "3 Änderungen in der Berichtswoche",
    "4 Hürden",
    "5 Gefährdet",
    "6 Pilotkommunen",
    "7 Methodik, Quellen und Datenstand",
)


def text(pdf: bytes, tmp: Path, *, layout: bool = False) -> str:
    datei = tmp / "bericht.pdf"
    datei.write_bytes(pdf)
    args = ["pdftotext", "-enc", "UTF-8", *(["-layout"] if layout else []), str(datei), "-"]
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def ohne_erstellzeit(inhalt: str) -> str:
    """The text without the generation time (the only line that may differ)."""
    return re.sub(r"\d\d\.\d\d\.\d{4}, \d\d:\d\d Uhr", "<erstellt>", inhalt)


def flach(inhalt: str) -> str:
    return " ".join(inhalt.split())


def kurz(quote: str) -> str:
    """A share as the summary table prints it (its header explains 100,00 %)."""
    return quote.removesuffix(" (flächendeckend)")


@pytest.fixture(scope="module")
def berichte(szenario: Any, django_db_blocker: Any) -> dict[str, BerichtPdf]:
    """Both reports of the scenario, rendered once (boundaries loaded for the maps)."""
    from kommunen.services import grenzen_import

    with django_db_blocker.unblock():
        grenzen_import()
        berichte = {
            scope: bericht_pdf(scope=scope, stichtag=STICHTAG_2, erstellt_am=ERSTELLT)
            for scope in ("BY", "national")
        }
    # Kept for a look by eye (pdftocairo -png -r 72 test-artifacts/berichte/BY.pdf …).
    ARTEFAKTE.mkdir(parents=True, exist_ok=True)
    for scope, bericht in berichte.items():
        (ARTEFAKTE / f"{scope}.pdf").write_bytes(bericht.pdf)
    return berichte


@pytest.mark.parametrize("scope", ["BY", "national"])
def test_text_has_the_engines_figures_sections_and_attribution(
    berichte: dict[str, BerichtPdf], tmp_path: Path, scope: str
) -> None:
    bericht = berichte[scope]
    assert bericht.pdf.startswith(b"%PDF-")
    assert (bericht.scope, bericht.stichtag) == (scope if scope == "BY" else "national", STICHTAG_2)
    inhalt = flach(text(bericht.pdf, tmp_path))
    kennzahlen = abdeckung_am(stichtag=STICHTAG_2, art="stichtag")
    if scope == "BY":
        kennzahlen = [k for k in kennzahlen if k.land_kurz == "BY"]
    assert {k.land_kurz for k in kennzahlen} == ({"BY"} if scope == "BY" else {"BY", "HE"})
    vorher = {(k.land_kurz, k.ozg_id): k for k in abdeckung_am(stichtag=STICHTAG_1, art="stichtag")}
    for k in kennzahlen:
        v = vorher[(k.land_kurz, k.ozg_id)]
        # The summary's row of the commitment: share · connected/responsible · change since
        # the previous Stichtag (the population: share · change), forecast.
        zeile = " ".join(
            (
                k.leistung_name,
                f"{kurz(k.behoerden.text)} · {zahl(k.behoerden_live)}/"
                f"{zahl(k.behoerden_gesamt)} · {veraenderung(k.behoerden_live - v.behoerden_live)}",
                f"{kurz(k.gemeinden.text)} · {zahl(k.gemeinden_live)}/"
                f"{zahl(k.gemeinden_gesamt)} · {veraenderung(k.gemeinden_live - v.gemeinden_live)}",
                f"{kurz(k.bevoelkerung.text)} · "
                f"{veraenderung(k.einwohner_live - v.einwohner_live)}",
            )
        )
        assert zeile in inhalt, zeile
    for abschnitt in ABSCHNITTE:
        assert abschnitt in inhalt
    assert "Statistisches Bundesamt (Destatis)" in inhalt
    assert "© GeoBasis-DE / BKG" in inhalt
    assert "Stichtag 15.11.2026" in inhalt
    assert "KW 46/2026 (09.11.–15.11.2026)" in inhalt
    assert "Erstellt am 16.11.2026, 07:30 Uhr" in inhalt
    assert bericht.datenstand in inhalt
    assert "Demo-Daten" not in inhalt
    # Lists and hurdles of the week.
    assert "Landratsamt München" in inhalt
    # The hurdle's title wraps at its hyphen in the table cell (pdftotext drops the hyphen).
    assert HUERDE_ALT.replace("-", "") in inhalt.replace("- ", "-")
    assert "3 Tage überfällig" in inhalt
    assert "Gemeinde Pullach i.Isartal" in inhalt
    if scope == "BY":
        assert "Wiesbaden" not in inhalt  # Hessen's authorities stay out of Bayern's report
        assert bericht.titel == "Steuerungsbericht Bayern – Stichtag 15.11.2026"
    else:
        assert "Stadt Wiesbaden" in inhalt
        assert "alle Leistungen" in inhalt  # the national totals


def test_same_stichtag_twice_gives_the_same_text_and_bytes(
    berichte: dict[str, BerichtPdf], tmp_path: Path
) -> None:
    erster = berichte["BY"]
    gleich = bericht_pdf(scope="BY", stichtag=STICHTAG_2, erstellt_am=ERSTELLT)
    # Same Stichtag, same generation time: byte-identical (the archive relies on it).
    assert gleich.pdf == erster.pdf
    spaeter = bericht_pdf(
        scope="BY", stichtag=STICHTAG_2, erstellt_am=dt.datetime(2026, 11, 20, 9, 5, tzinfo=BERLIN)
    )
    assert spaeter.pdf != erster.pdf
    assert "20.11.2026, 09:05 Uhr" in text(spaeter.pdf, tmp_path)
    assert ohne_erstellzeit(text(spaeter.pdf, tmp_path, layout=True)) == ohne_erstellzeit(
        text(erster.pdf, tmp_path, layout=True)
    )


def test_a_change_after_the_stichtag_does_not_change_last_weeks_pdf(
    berichte: dict[str, BerichtPdf], szenario: Any, tmp_path: Path
) -> None:
    aenderungen_nach_stichtag_2(szenario)
    nachher = bericht_pdf(scope="national", stichtag=STICHTAG_2, erstellt_am=ERSTELLT)
    neu = text(nachher.pdf, tmp_path, layout=True)
    assert HUERDE_DANACH not in neu
    assert neu == text(berichte["national"].pdf, tmp_path, layout=True)


@pytest.mark.parametrize("scope", ["BY", "national"])
def test_pdf_is_tagged_with_language_title_and_alt_texts(
    berichte: dict[str, BerichtPdf], scope: str
) -> None:
    bericht = berichte[scope]
    with pikepdf.open(io.BytesIO(bericht.pdf)) as pdf:
        root = pdf.Root
        assert bool(root.MarkInfo.Marked) is True
        assert str(root.Lang) == "de"
        assert "/StructTreeRoot" in root
        assert str(pdf.docinfo["/Title"]) == bericht.titel
        with pdf.open_metadata() as meta:
            assert meta.get("pdfuaid:part") == "1"
            assert meta.get("dc:title") == bericht.titel
        typen: dict[str, int] = {}
        alt: list[str] = []

        def besuchen(element: Any) -> None:
            if isinstance(element, pikepdf.Dictionary):
                if "/S" in element:
                    typ = str(element.S)
                    typen[typ] = typen.get(typ, 0) + 1
                    if typ == "/Figure" and "/Alt" in element:
                        alt.append(str(element.Alt))
                kinder = element.get("/K")
                if isinstance(kinder, pikepdf.Array):
                    for kind in kinder:
                        besuchen(kind)
                elif isinstance(kinder, pikepdf.Dictionary):
                    besuchen(kinder)

        besuchen(root.StructTreeRoot)
    assert typen.get("/Table", 0) >= 5
    assert typen.get("/TH", 0) > 0
    assert typen.get("/Caption", 0) > 0
    assert typen.get("/H1") == 1
    assert typen.get("/H2", 0) >= 7
    # Every chart carries its text alternative: the map, a burn-up per commitment (BY) or
    # per service summed over the Länder (national), the funnels (per commitment in BY,
    # one of all services nationally).
    # Bayern and Hessen commit five services each, seven distinct ones.
    anzahl = 1 + 5 + 5 if scope == "BY" else 1 + 1 + 7
    assert len(alt) == anzahl
    assert any(a.startswith("Karte ") for a in alt)
    assert all(len(a) > 60 for a in alt)


@pytest.mark.parametrize("scope", ["BY", "national"])
def test_every_page_renders_and_is_not_blank(
    berichte: dict[str, BerichtPdf], tmp_path: Path, scope: str
) -> None:
    datei = tmp_path / "bericht.pdf"
    datei.write_bytes(berichte[scope].pdf)
    subprocess.run(
        ["pdftocairo", "-png", "-r", "50", str(datei), str(tmp_path / "seite")], check=True
    )
    seiten = sorted(tmp_path.glob("seite-*.png"))
    anzahl = int(
        re.search(
            r"Pages:\s+(\d+)",
            subprocess.run(["pdfinfo", str(datei)], capture_output=True, text=True).stdout,
        ).group(1)  # type: ignore[union-attr]
    )
    assert len(seiten) == anzahl >= 10
    for seite in seiten:
        with Image.open(seite) as bild:
            grau = bild.convert("L")
            dunkel = sum(grau.histogram()[:200])
            assert dunkel / (grau.width * grau.height) > 0.005, seite.name
            assert ImageStat.Stat(grau).stddev[0] > 5, seite.name

    # The map is drawn: the "0 %" class is vermillion (#d55e00), strongly red, hardly blue.
    def rot(seite: Path) -> bool:
        with Image.open(seite) as bild:
            farben = bild.convert("RGB").getcolors(maxcolors=1 << 20) or []
        return any(rgb[0] - rgb[2] > 100 for _, rgb in farben)  # type: ignore[index]

    assert any(rot(seite) for seite in seiten)


class _Kaputt:
    def __init__(self, fehler: BaseException | None) -> None:
        self.fehler = fehler

    def zeichnen(self, auftraege: list[dict[str, Any]]) -> None:
        if self.fehler is not None:
            raise self.fehler


def test_a_chart_that_cannot_be_drawn_fails_the_report(
    szenario: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pdf_modul, "_zeichner_holen", lambda: _Kaputt(RuntimeError("tot")))
    monkeypatch.setattr(pdf_modul, "_zeichner_beenden", lambda: None)
    with pytest.raises(BerichtFehler, match=r"Diagramme.*nicht gezeichnet.*RuntimeError: tot"):
        bericht_pdf(scope="BY", stichtag=STICHTAG_2)
    # Kaleido answers without an image: no report with a chart missing.
    monkeypatch.setattr(pdf_modul, "_zeichner_holen", lambda: _Kaputt(None))
    with pytest.raises(BerichtFehler, match="kein Bild geliefert"):
        bericht_pdf(scope="BY", stichtag=STICHTAG_2)


def test_unknown_scope_and_missing_snapshot_are_bericht_fehler(szenario: Any) -> None:
    with pytest.raises(BerichtFehler, match="Unbekannter Berichtsbereich"):
        bericht_pdf(scope="Bayern", stichtag=STICHTAG_2)
    with pytest.raises(BerichtFehler, match="keinen eingefrorenen Wochenstand"):
        bericht_pdf(scope="HE", stichtag=dt.date(2026, 10, 25))


def _balken(i: int) -> Grafik:
    return Grafik(
        schluessel=f"balken-{i}",
        titel=f"Balken {i}",
        alt=f"Ein Balken der Höhe {i}",
        figur={"data": [{"type": "bar", "x": ["a"], "y": [i]}], "layout": {"title": str(i)}},
        tabelle=Tabelle(caption="", kopf=(), zeilen=()),
        breite=200,
        hoehe=150,
    )


def test_the_renderer_reloads_its_tabs_only_every_n_charts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Kaleido would reload a tab's page after every chart (half of a chart's time); ours
    reloads after ``NEU_LADEN_NACH`` charts per tab, and the charts stay right."""
    from kaleido._kaleido_tab._tab import _KaleidoTab

    neu_geladen = []
    original = _KaleidoTab.reload

    async def reload(tab: Any) -> None:
        neu_geladen.append(tab.tab.target_id)
        await original(tab)

    monkeypatch.setattr(_KaleidoTab, "reload", reload)
    pdf_modul.zeichner_starten()
    zaehler = pdf_modul._zeichner._kaleido.seit_neu_geladen  # type: ignore[union-attr]
    zaehler.clear()  # other tests of this process drew charts with these tabs
    bilder = pdf_modul._zeichnen([_balken(i) for i in range(1, 5)])
    assert neu_geladen == []  # 4 charts, far below NEU_LADEN_NACH
    assert len({b.inhalt for b in bilder.values()}) == 4
    assert all(b.inhalt.startswith(b"\xff\xd8\xff") for b in bilder.values())

    monkeypatch.setattr(pdf_modul, "NEU_LADEN_NACH", 2)
    zaehler.clear()
    wieder = pdf_modul._zeichnen([_balken(i) for i in range(1, 5)])
    # Four charts on two tabs, a reload after every second chart of a tab: one reload
    # (3 + 1 charts) or two (2 + 2, 4 + 0); Kaleido's own rule would have made four.
    assert 1 <= len(neu_geladen) <= 2
    # The same figures give the same images, with or without a reload in between.
    assert {k: b.inhalt for k, b in wieder.items()} == {k: b.inhalt for k, b in bilder.items()}


def test_the_report_draws_with_the_dashboards_plotly_js() -> None:
    """The report's Chromium loads the vendored custom bundle (the report's trace types),
    of the same plotly.js version as the dashboard's bundles."""
    vendor = Path(settings.BASE_DIR) / "static" / "vendor" / "plotly"

    def version(datei: Path) -> str:
        kopf = datei.read_text(encoding="utf-8")[:400]
        treffer = re.search(r"plotly\.js (?:\([a-z]+ - minified\) )?v(\d+\.\d+\.\d+)", kopf)
        assert treffer, kopf
        return treffer.group(1)

    bundle = Path(pdf_modul._plotly_js())
    assert bundle.parent == vendor
    assert version(bundle) == version(vendor / "plotly-geo.min.js") == "4.1.1"
    inhalt = bundle.read_text(encoding="utf-8")
    for spur in ("bar", "scatter", "scattergeo", "choropleth"):
        assert f'name:"{spur}"' in inhalt, spur
