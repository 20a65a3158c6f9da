"""Reading a GV100AD file from disk: the bare ``GV100AD_*.txt`` or the official ZIP.

The ZIP must hold exactly one ``GV100AD_*.txt``; its ``Hinweise.txt`` (if any) supplies the
Stichtage of population and area.
"""

from __future__ import annotations

import hashlib
import re
import zipfile
from pathlib import Path, PurePosixPath

from kommunen.gv100ad.parser import parse
from kommunen.gv100ad.saetze import Gemeindeverzeichnis, GemeindeverzeichnisFehler, Zeilenfehler

_DATEINAME = re.compile(r"^GV100AD_.*\.txt$", re.IGNORECASE)


def lesen(path: Path) -> Gemeindeverzeichnis:
    """Read and validate a ``GV100AD_*.txt`` file or a ZIP holding exactly one of them."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise GemeindeverzeichnisFehler(
            [Zeilenfehler(None, f"Datei kann nicht gelesen werden: {exc.strerror or exc}")],
            datei=path.name,
        ) from exc
    sha256 = hashlib.sha256(data).hexdigest()
    hinweise = ""
    if path.suffix.lower() == ".zip" or zipfile.is_zipfile(path):
        data, hinweise = _aus_zip(path)
    return parse(data, datei=path.name, sha256=sha256, hinweise=hinweise)


def _aus_zip(path: Path) -> tuple[bytes, str]:
    try:
        with zipfile.ZipFile(path) as archive:
            names = [n for n in archive.namelist() if not n.endswith("/")]
            treffer = [n for n in names if _DATEINAME.match(PurePosixPath(n).name)]
            if not treffer:
                raise GemeindeverzeichnisFehler(
                    [Zeilenfehler(None, "ZIP-Datei enthält keine GV100AD-Datei (GV100AD_*.txt)")],
                    datei=path.name,
                )
            if len(treffer) > 1:
                raise GemeindeverzeichnisFehler(
                    [
                        Zeilenfehler(
                            None,
                            "ZIP-Datei enthält mehrere GV100AD-Dateien: " + ", ".join(treffer),
                        )
                    ],
                    datei=path.name,
                )
            data = archive.read(treffer[0])
            hinweise = ""
            for name in names:
                if PurePosixPath(name).name.lower() == "hinweise.txt":
                    hinweise = archive.read(name).decode("cp1252", errors="replace")
            return data, hinweise
    except zipfile.BadZipFile as exc:
        raise GemeindeverzeichnisFehler(
            [Zeilenfehler(None, f"keine gültige ZIP-Datei ({exc})")], datei=path.name
        ) from exc
