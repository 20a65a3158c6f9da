"""``manage.py steering_report``: operators build a report by hand."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from django.core.management import CommandError, call_command

from tests.berichte.conftest import STICHTAG_2

pytestmark = pytest.mark.django_db


def test_writes_the_pdf_and_reports_title_data_version_and_checksum(
    szenario: Any, tmp_path: Path
) -> None:
    ziel = tmp_path / "steuerung-by.pdf"
    ausgabe = io.StringIO()
    call_command(
        "steering_report",
        "--scope",
        "BY",
        "--stichtag",
        STICHTAG_2.isoformat(),
        "--output",
        str(ziel),
        stdout=ausgabe,
    )
    daten = ziel.read_bytes()
    assert daten.startswith(b"%PDF-")
    with pikepdf.open(io.BytesIO(daten)) as pdf:
        assert str(pdf.docinfo["/Title"]) == "Steuerungsbericht Bayern – Stichtag 15.11.2026"
    text = ausgabe.getvalue()
    assert "Steuerungsbericht Bayern – Stichtag 15.11.2026" in text
    assert "Datenstand: Stichtag-Stand 15.11.2026" in text
    assert f"SHA-256: {hashlib.sha256(daten).hexdigest()}" in text
    assert not list(tmp_path.glob("*.teil"))


@pytest.mark.parametrize(
    ("argumente", "meldung"),
    [
        (["--scope", "XY", "--stichtag", "2026-11-15"], "Unbekannter Berichtsbereich „XY“"),
        (["--scope", "BY", "--stichtag", "15.11.2026"], "kein Datum"),
        (["--scope", "BY", "--stichtag", "2026-11-14"], "kein Stichtag"),
        (["--scope", "national", "--stichtag", "2026-10-04"], "keinen eingefrorenen Wochenstand"),
    ],
)
def test_clear_german_errors_and_no_file(
    szenario: Any, tmp_path: Path, argumente: list[str], meldung: str
) -> None:
    ziel = tmp_path / "bericht.pdf"
    with pytest.raises(CommandError, match=meldung):
        call_command("steering_report", *argumente, "--output", str(ziel))
    assert not ziel.exists()


def test_output_must_be_a_file_in_an_existing_directory(szenario: Any, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="ist ein Verzeichnis"):
        call_command(
            "steering_report",
            "--scope",
            "BY",
            "--stichtag",
            "2026-11-15",
            "--output",
            str(tmp_path),
        )
    with pytest.raises(CommandError, match="gibt es nicht"):
        call_command(
            "steering_report",
            "--scope",
            "BY",
            "--stichtag",
            "2026-11-15",
            "--output",
            str(tmp_path / "fehlt" / "b.pdf"),
        )
