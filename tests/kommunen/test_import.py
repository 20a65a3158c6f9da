"""The Gemeindeverzeichnis import: official figures, validation, territorial changes."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Sum

from kommunen.models import (
    Gebietsaenderung,
    Gebietsstand,
    Gemeinde,
    Gemeindeverband,
    Kreis,
    Land,
)
from kommunen.services import GemeindeverzeichnisFehler, gemeindeverzeichnis_import

SHIPPED = settings.FIXTURES_DIR / "gv100ad" / "GV100AD3108.zip"
STAND = "20250831"
NAECHSTER_STAND = "20251130"


def _shipped_lines() -> list[str]:
    with zipfile.ZipFile(SHIPPED) as archive:
        name = next(n for n in archive.namelist() if n.startswith("GV100AD_"))
        text = archive.read(name).decode("utf-8-sig")
    return text.split("\r\n")[:-1]


LINES = _shipped_lines()


def _write(tmp_path: Path, lines: list[str], name: str = "GV100AD_test.txt") -> Path:
    path = tmp_path / name
    path.write_bytes(b"\xef\xbb\xbf" + "".join(line + "\r\n" for line in lines).encode("utf-8"))
    return path


def _saarland() -> list[str]:
    """A small, valid file: the Saarland records of the shipped file."""
    return [line for line in LINES if line[10:12] == "10"]


def _zahl(line: str, start: int, ende: int) -> int:
    return int(line[start:ende])


def _mit_zahl(line: str, start: int, ende: int, wert: int) -> str:
    return line[:start] + str(wert).zfill(ende - start) + line[ende:]


def _mit_name(line: str, name: str) -> str:
    return line[:22] + name.ljust(50) + line[72:]


def _stand(line: str, stand: str) -> str:
    return line[:2] + stand + line[10:]


def _snapshot() -> tuple[int, ...]:
    return (
        Gemeinde.objects.count(),
        Gemeinde.objects.filter(gueltig_bis__isnull=False).count(),
        Gebietsstand.objects.count(),
        Gebietsaenderung.objects.count(),
        Gemeinde.objects.aggregate(s=Sum("einwohner"))["s"],
    )


def _ars(line: str) -> str:
    return line[10:15] + line[18:22] + line[15:18]


# --- The shipped file ---------------------------------------------------------------------


@pytest.mark.django_db
def test_shipped_file_holds_the_official_territory() -> None:
    gemeinden = Gemeinde.objects.aktuell()
    assert gemeinden.exclude(typ__in=Gemeinde.GEMEINDEFREI_TYPEN).count() == 10_751
    assert gemeinden.filter(typ__in=Gemeinde.GEMEINDEFREI_TYPEN).count() == 201
    assert Kreis.objects.aktuell().count() == 400
    assert Land.objects.count() == 16
    assert gemeinden.aggregate(s=Sum("einwohner"))["s"] == 83_577_140
    assert Land.objects.aggregate(s=Sum("einwohner"))["s"] == 83_577_140
    assert (
        Kreis.objects.get(ars="09184").einwohner
        == (Gemeinde.objects.filter(kreis__ars="09184").aggregate(s=Sum("einwohner"))["s"])
    )
    # The first file describes the territory as it is: nothing "started" with it.
    assert not Gemeinde.objects.filter(gueltig_ab__isnull=False).exists()
    pullach = Gemeinde.objects.get(ars="091840139139")
    assert pullach.ags == "09184139"
    assert pullach.verband.ars == "091840139"
    assert pullach.kreis.ars == "09184"
    assert pullach.regierungsbezirk.name == "Oberbayern"
    assert pullach.suchname == "pullach i isartal"
    assert pullach.einwohner_stichtag == dt.date(2024, 12, 31)
    stand = Gebietsstand.objects.get()
    assert stand.stichtag == dt.date(2025, 8, 31)
    assert stand.datei == "GV100AD3108.zip"


@pytest.mark.django_db
def test_regierungsbezirke_and_statistical_regions_are_told_apart() -> None:
    from kommunen.models import Regierungsbezirk

    assert Regierungsbezirk.objects.filter(typ="regierungsbezirk").count() == 19
    assert Regierungsbezirk.objects.get(code="031").typ == "statistisch"  # NI
    assert Regierungsbezirk.objects.get(code="071").typ == "statistisch"  # RP, früher
    assert Regierungsbezirk.objects.get(code="064").typ == "regierungsbezirk"  # Darmstadt


@pytest.mark.django_db
def test_importing_the_same_file_again_changes_nothing() -> None:
    vorher = _snapshot()
    ergebnis = gemeindeverzeichnis_import()
    assert ergebnis.anzahl_aenderungen == 0
    assert ergebnis.aenderungen == []
    assert ergebnis.ebenen["gemeinde"].unveraendert == 10_952
    assert _snapshot() == vorher


# --- Bad input: every problem with its line, nothing written --------------------------------


def _abgeschnitten() -> tuple[list[str], int, str]:
    lines = _saarland()
    lines[-1] = lines[-1][:100]
    return lines, len(lines), "Satzlänge 100 statt 220 Zeichen"


def _falsche_laenge() -> tuple[list[str], int, str]:
    lines = _saarland()
    lines[4] = lines[4][:30] + lines[4][31:]
    return lines, 5, "Satzlänge 219 statt 220 Zeichen"


def _doppelt() -> tuple[list[str], int, str]:
    lines = _saarland()
    index = next(i for i, line in enumerate(lines) if line.startswith("60"))
    lines.append(lines[index])
    return (
        lines,
        len(lines),
        f"Schlüssel {_ars(lines[index])} doppelt (zuerst in Zeile {index + 1})",
    )


def _ohne_verband() -> tuple[list[str], int, str]:
    lines = _saarland()
    index = next(i for i, line in enumerate(lines) if line.startswith("50"))
    verband = lines[index][10:15] + lines[index][18:22]
    del lines[index]
    gemeinde = next(
        i for i, line in enumerate(lines) if line.startswith("60") and _ars(line)[:9] == verband
    )
    return lines, gemeinde + 1, f"ohne Satz für Gemeindeverband {verband}"


def _ohne_kreis() -> tuple[list[str], int, str]:
    lines = _saarland()
    index = next(i for i, line in enumerate(lines) if line.startswith("40"))
    kreis = lines[index][10:15]
    del lines[index]
    return lines, index + 1, f"ohne Satz für Kreis {kreis}"


def _einwohner_keine_zahl() -> tuple[list[str], int, str]:
    lines = _saarland()
    index = next(i for i, line in enumerate(lines) if line.startswith("60"))
    lines[index] = lines[index][:139] + "0000000X123" + lines[index][150:]
    return lines, index + 1, "Einwohnerzahl '0000000X123' ist keine Zahl"


def _gemischter_stand() -> tuple[list[str], int, str]:
    lines = _saarland()
    lines[7] = _stand(lines[7], NAECHSTER_STAND)
    return lines, 8, "Gebietsstand 30.11.2025 weicht vom Gebietsstand 31.08.2025 (Zeile 1) ab"


def _unbekannte_satzart() -> tuple[list[str], int, str]:
    lines = _saarland()
    lines[3] = "70" + lines[3][2:]
    return lines, 4, "unbekannte Satzart '70'"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "build",
    [
        _abgeschnitten,
        _falsche_laenge,
        _doppelt,
        _ohne_verband,
        _ohne_kreis,
        _einwohner_keine_zahl,
        _gemischter_stand,
        _unbekannte_satzart,
    ],
)
def test_bad_file_is_refused_with_line_number_and_nothing_written(
    tmp_path: Path, build: Callable[[], tuple[list[str], int, str]]
) -> None:
    lines, zeile, grund = build()
    path = _write(tmp_path, lines)
    if build is _abgeschnitten:  # cut off in the middle of the last record: no CRLF either
        path.write_bytes(path.read_bytes().removesuffix(b"\r\n"))
    vorher = _snapshot()
    with pytest.raises(GemeindeverzeichnisFehler) as info:
        gemeindeverzeichnis_import(path=path)
    assert any(f.zeile == zeile and grund in f.grund for f in info.value.fehler), info.value.fehler
    assert f"Zeile {zeile}: " in "\n".join(str(f) for f in info.value.fehler)
    assert _snapshot() == vorher


@pytest.mark.django_db
def test_every_bad_line_is_reported_not_only_the_first(tmp_path: Path) -> None:
    lines = _saarland()
    lines[2] = lines[2][:200]
    lines[9] = lines[9] + "x"
    with pytest.raises(GemeindeverzeichnisFehler) as info:
        gemeindeverzeichnis_import(path=_write(tmp_path, lines))
    assert [str(f) for f in info.value.fehler] == [
        "Zeile 3: Satzlänge 200 statt 220 Zeichen",
        "Zeile 10: Satzlänge 221 statt 220 Zeichen",
    ]


@pytest.mark.django_db
def test_latin1_file_is_refused_as_not_utf8(tmp_path: Path) -> None:
    lines = _saarland()
    index, line = next((i, line) for i, line in enumerate(lines) if not line.isascii())
    position = next(i for i, ch in enumerate(line) if not ch.isascii()) + 1
    path = tmp_path / "GV100AD_latin1.txt"
    path.write_bytes("".join(line + "\r\n" for line in lines).encode("latin-1"))
    vorher = _snapshot()
    with pytest.raises(GemeindeverzeichnisFehler) as info:
        gemeindeverzeichnis_import(path=path)
    erster = info.value.fehler[0]
    byte = line[position - 1].encode("latin-1")[0]
    assert str(erster) == (
        f"Zeile {index + 1}: kein gültiges UTF-8 (Byte 0x{byte:02X} an Position {position})"
    )
    assert _snapshot() == vorher


@pytest.mark.django_db
@pytest.mark.parametrize("inhalt", [b"", b"\xef\xbb\xbf", b"\xef\xbb\xbf\r\n"])
def test_empty_file_is_refused(tmp_path: Path, inhalt: bytes) -> None:
    path = tmp_path / "GV100AD_leer.txt"
    path.write_bytes(inhalt)
    vorher = _snapshot()
    with pytest.raises(GemeindeverzeichnisFehler) as info:
        gemeindeverzeichnis_import(path=path)
    assert [str(f) for f in info.value.fehler] == ["Die Datei ist leer."]
    assert _snapshot() == vorher


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("namen", "grund"),
    [
        (["Hinweise.txt"], "enthält keine GV100AD-Datei"),
        (["GV100AD_1.txt", "GV100AD_2.txt"], "enthält mehrere GV100AD-Dateien"),
    ],
)
def test_zip_must_hold_exactly_one_gv100ad_file(
    tmp_path: Path, namen: list[str], grund: str
) -> None:
    path = tmp_path / "GV100AD.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for name in namen:
            archive.writestr(name, "\r\n".join(_saarland()) + "\r\n")
    with pytest.raises(GemeindeverzeichnisFehler, match=grund):
        gemeindeverzeichnis_import(path=path)


@pytest.mark.django_db
def test_command_prints_every_bad_line_and_fails(tmp_path: Path) -> None:
    lines = _saarland()
    lines[2] = lines[2][:200]
    lines[9] = lines[9][:210]
    stderr = io.StringIO()
    with pytest.raises(CommandError, match="2 Fehler"):
        call_command("import_gemeindeverzeichnis", str(_write(tmp_path, lines)), stderr=stderr)
    assert "Zeile 3: Satzlänge 200 statt 220 Zeichen" in stderr.getvalue()
    assert "Zeile 10: Satzlänge 210 statt 220 Zeichen" in stderr.getvalue()


# --- A newer file: territorial change -----------------------------------------------------


def _verband_mit_kleinen_gemeinden() -> tuple[int, int]:
    """Indexes of two Gemeinden (typ 64) of one Amt (SH) with further members."""
    gemeinden: dict[str, list[int]] = {}
    for i, line in enumerate(LINES):
        if line.startswith("60") and line[10:12] == "01" and line[122:124] == "64":
            gemeinden.setdefault(_ars(line)[:9], []).append(i)
    verband = next(v for v, members in gemeinden.items() if v[5] == "5" and len(members) >= 4)
    return gemeinden[verband][0], gemeinden[verband][1]


def _naechstes_quartal() -> tuple[list[str], str, str, str]:
    """The shipped file three months later: one merger and one renaming.

    Returns the lines and the ARS of the dissolved, the absorbing and the renamed Gemeinde.
    """
    lines = [_stand(line, NAECHSTER_STAND) for line in LINES]
    weg, bleibt = _verband_mit_kleinen_gemeinden()
    aufgeloest, nachfolger = lines[weg], lines[bleibt]
    for start, ende in ((128, 139), (139, 150), (150, 161)):
        summe = _zahl(aufgeloest, start, ende) + _zahl(nachfolger, start, ende)
        nachfolger = _mit_zahl(nachfolger, start, ende, summe)
    lines[bleibt] = nachfolger
    umbenannt = next(i for i, line in enumerate(lines) if _ars(line) == "091840139139")
    lines[umbenannt] = _mit_name(lines[umbenannt], "Pullach im Isartal")
    del lines[weg]
    return lines, _ars(aufgeloest), _ars(nachfolger), "091840139139"


@pytest.mark.django_db
def test_next_quarter_ends_dissolved_gemeinde_and_keeps_renamed_one(tmp_path: Path) -> None:
    lines, weg, bleibt, umbenannt = _naechstes_quartal()
    path = _write(tmp_path, lines, "GV100AD_30112025.txt")
    gueltige_einwohner = Gemeinde.objects.aktuell().aggregate(s=Sum("einwohner"))["s"]
    pullach_pk = Gemeinde.objects.get(ars=umbenannt).pk
    aenderungen_vorher = Gebietsaenderung.objects.count()

    ergebnis = gemeindeverzeichnis_import(path=path)

    assert ergebnis.gebietsstand == dt.date(2025, 11, 30)
    assert ergebnis.ebenen["gemeinde"].aufgeloest == 1
    assert ergebnis.ebenen["gemeinde"].geaendert == 2
    assert ergebnis.ebenen["gemeinde"].neu == 0
    assert ergebnis.ebenen["kreis"].geaendert == 0  # the merger stays inside the Kreis

    aufgeloest = Gemeinde.objects.get(ars=weg)
    assert aufgeloest.gueltig_bis == dt.date(2025, 11, 29)
    assert aufgeloest.nachfolger == Gemeinde.objects.get(ars=bleibt)
    assert not aufgeloest.ist_gueltig_am(dt.date(2025, 11, 30))
    assert aufgeloest.ist_gueltig_am(dt.date(2025, 11, 29))

    pullach = Gemeinde.objects.get(ars=umbenannt)
    assert pullach.pk == pullach_pk
    assert pullach.name == "Pullach im Isartal"
    assert pullach.suchname == "pullach im isartal"
    assert pullach.gueltig_bis is None

    stand = Gebietsstand.objects.get(stichtag=dt.date(2025, 11, 30))
    assert stand.datei == "GV100AD_30112025.txt"
    assert stand.zusammenfassung["ebenen"]["gemeinde"]["aufgeloest"] == 1
    rename = Gebietsaenderung.objects.get(gebietsstand=stand, art="umbenannt")
    assert (rename.ars, rename.vorher, rename.nachher) == (
        umbenannt,
        {"name": "Pullach i.Isartal"},
        {"name": "Pullach im Isartal"},
    )
    merger = Gebietsaenderung.objects.get(gebietsstand=stand, art="aufgeloest")
    assert merger.ars == weg
    assert merger.nachher["nachfolger"] == bleibt
    assert "Fläche" in merger.hinweis
    assert Gebietsaenderung.objects.count() == aenderungen_vorher + 2

    # Nobody was lost: the population of the valid Gemeinden is the same.
    assert Gemeinde.objects.aktuell().aggregate(s=Sum("einwohner"))["s"] == gueltige_einwohner
    assert Gemeinde.objects.aktuell().count() == 10_951

    vorher = _snapshot()
    nochmal = gemeindeverzeichnis_import(path=path)
    assert nochmal.anzahl_aenderungen == 0
    assert nochmal.aenderungen == []
    assert _snapshot() == vorher


@pytest.mark.django_db
def test_dry_run_reports_the_same_changes_and_writes_nothing(tmp_path: Path) -> None:
    lines, weg, _, umbenannt = _naechstes_quartal()
    path = _write(tmp_path, lines, "GV100AD_30112025.txt")
    vorher = _snapshot()

    probe = gemeindeverzeichnis_import(path=path, dry_run=True)

    assert _snapshot() == vorher
    assert Gemeinde.objects.get(ars=weg).gueltig_bis is None
    assert Gemeinde.objects.get(ars=umbenannt).name == "Pullach i.Isartal"
    assert not Gebietsstand.objects.filter(stichtag=dt.date(2025, 11, 30)).exists()
    assert probe.dry_run

    echt = gemeindeverzeichnis_import(path=path)
    assert probe.aenderungen == echt.aenderungen
    assert len(probe.aenderungen) == 2
    assert probe.zusammenfassung() == echt.zusammenfassung()


@pytest.mark.django_db
def test_command_dry_run_lists_the_changes(tmp_path: Path) -> None:
    lines, weg, bleibt, _ = _naechstes_quartal()
    path = _write(tmp_path, lines, "GV100AD_30112025.txt")
    out = io.StringIO()
    vorher = _snapshot()
    call_command("import_gemeindeverzeichnis", str(path), "--dry-run", stdout=out)
    text = out.getvalue()
    assert "Probelauf (nichts geschrieben)" in text
    assert "Gebietsstand 30.11.2025" in text
    assert "Pullach im Isartal: umbenannt (bisher „Pullach i.Isartal“)" in text
    assert f"Gemeinde {weg}" in text
    assert f"Nachfolger {bleibt}" in text
    assert _snapshot() == vorher


@pytest.mark.django_db
def test_command_reports_no_changes_for_the_shipped_file() -> None:
    out = io.StringIO()
    call_command("import_gemeindeverzeichnis", stdout=out)
    text = out.getvalue()
    assert "Eingespielt: GV100AD3108.zip, Gebietsstand 31.08.2025" in text
    assert "Keine Änderungen." in text
    assert "10.952" in text  # Gemeinden unverändert


@pytest.mark.django_db
def test_older_gebietsstand_is_refused(tmp_path: Path) -> None:
    lines, _, _, _ = _naechstes_quartal()
    gemeindeverzeichnis_import(path=_write(tmp_path, lines, "GV100AD_30112025.txt"))
    vorher = _snapshot()
    with pytest.raises(GemeindeverzeichnisFehler, match="älter als der bereits eingespielte"):
        gemeindeverzeichnis_import()
    assert _snapshot() == vorher


@pytest.mark.django_db
def test_new_gemeinde_and_verband_change_are_recorded(tmp_path: Path) -> None:
    """Two Gemeinden merge into a new one; a third moves to another Verband of its Kreis."""
    lines = [_stand(line, NAECHSTER_STAND) for line in LINES]
    weg1, weg2 = _verband_mit_kleinen_gemeinden()
    a, b = lines[weg1], lines[weg2]
    neu = a[:15] + "999" + a[18:]
    for start, ende in ((128, 139), (139, 150), (150, 161)):
        neu = _mit_zahl(neu, start, ende, _zahl(a, start, ende) + _zahl(b, start, ende))
    neu = _mit_name(neu, "Neugemeinde")
    lines[weg1] = neu
    # A Gemeinde of another Amt of the same Kreis moves to the Verband of the merger.
    verband = _ars(a)[:9]
    wechsel = next(
        i
        for i, line in enumerate(lines)
        if line.startswith("60")
        and _ars(line)[:5] == verband[:5]
        and _ars(line)[5] == "5"
        and _ars(line)[:9] != verband
    )
    alt_ars = _ars(lines[wechsel])
    lines[wechsel] = lines[wechsel][:18] + verband[5:] + lines[wechsel][22:]
    neu_ars = _ars(lines[wechsel])
    del lines[weg2]
    wechsel_pk = Gemeinde.objects.get(ars=alt_ars).pk

    ergebnis = gemeindeverzeichnis_import(path=_write(tmp_path, lines))

    assert ergebnis.ebenen["gemeinde"].neu == 1
    assert ergebnis.ebenen["gemeinde"].aufgeloest == 2
    neugemeinde = Gemeinde.objects.get(ars=_ars(neu))
    assert neugemeinde.gueltig_ab == dt.date(2025, 11, 30)
    for ars in (_ars(a), _ars(b)):
        alt = Gemeinde.objects.get(ars=ars)
        assert alt.gueltig_bis == dt.date(2025, 11, 29)
        assert alt.nachfolger == neugemeinde
    stand = Gebietsstand.objects.get(stichtag=dt.date(2025, 11, 30))
    assert Gebietsaenderung.objects.filter(gebietsstand=stand, art="neu", ars=_ars(neu)).exists()
    # The Gemeinde that changed its Verband keeps its row; its ARS follows the Verband.
    gewechselt = Gemeinde.objects.get(pk=wechsel_pk)
    assert gewechselt.ars == neu_ars
    assert gewechselt.verband == Gemeindeverband.objects.get(ars=verband)
    zuordnung = Gebietsaenderung.objects.get(gebietsstand=stand, art="zuordnung")
    assert zuordnung.vorher["ars"] == alt_ars
    assert zuordnung.nachher["verband"] == verband
    assert not Gemeinde.objects.filter(ars=alt_ars).exists()
