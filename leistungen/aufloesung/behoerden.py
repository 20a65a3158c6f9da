"""Key, name and kind of the authority of a territorial unit (pure, no writes)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kommunen.models import Gemeinde, Gemeindeverband, Kreis, Land, Regierungsbezirk
from kommunen.text import suchform
from leistungen.models import Behoerde

# Name prefix of a Gemeinde's administration by GV100AD type.
_GEMEINDE_PRAEFIX = {
    "60": "Markt",
    "61": "Stadt",
    "62": "Stadt",
    "63": "Stadt",
    "64": "Gemeinde",
    "67": "Stadt",
}
_GEMEINDE_ART = {
    "61": Behoerde.Art.KREISFREIE_STADT,
    "62": Behoerde.Art.KREISFREIE_STADT,
    "67": Behoerde.Art.GROSSE_KREISSTADT,
}
_VERBAND_PRAEFIX = {
    "51": "Amt",
    "52": "Samtgemeinde",
    "53": "Verbandsgemeinde",
    "54": "Verwaltungsgemeinschaft",
    "55": "Kirchspielslandgemeinde",
    "56": "Verwaltungsverband",
    "57": "Verwaltungsgemeinschaft",
    "58": "Erfüllende Gemeinde",
}
# Kreise whose administration carries the Kreis' own name (Region Hannover,
# Regionalverband Saarbrücken, Städteregion Aachen).
_EIGENNAME_PRAEFIXE = ("region ", "regionalverband ", "stadteregion ")
_REGBEZ_PRAEFIXE = ("Reg.-Bez. ", "Regierungsbezirk ")


def suchname(name: str) -> str:
    return suchform(name)


def _ohne_zusatz(name: str) -> str:
    """``"Emmerting (VGem)"`` → ``"Emmerting"``; ``"Gößnitz, Stadt"`` → ``"Gößnitz"``."""
    name = name.split(",")[0].strip()
    return name.removesuffix(" (VGem)").strip()


@dataclass(frozen=True)
class BehoerdeDaten:
    schluessel: str
    name: str
    art: str
    land_id: int
    gemeinde_id: int | None = None
    verband_id: int | None = None
    kreis_id: int | None = None
    regierungsbezirk_id: int | None = None

    def felder(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "art": self.art,
            "land_id": self.land_id,
            "gemeinde_id": self.gemeinde_id,
            "verband_id": self.verband_id,
            "kreis_id": self.kreis_id,
            "regierungsbezirk_id": self.regierungsbezirk_id,
            "suchname": suchname(self.name),
        }

    def behoerde(self) -> Behoerde:
        return Behoerde(schluessel=self.schluessel, **self.felder())


def behoerde_daten(
    einheit: Gemeinde | Gemeindeverband | Kreis | Regierungsbezirk | Land,
    land: Land | None = None,
) -> BehoerdeDaten:
    """Key, name and kind of the authority of a unit (pure; ``land`` avoids a query)."""
    if isinstance(einheit, Land):
        return BehoerdeDaten(
            einheit.code,
            f"Landesverwaltung {einheit.name}",
            Behoerde.Art.LANDESBEHOERDE,
            einheit.pk,
        )
    land = land if land is not None and land.pk == einheit.land_id else einheit.land
    if isinstance(einheit, Gemeinde):
        if einheit.ist_gemeindefrei:
            raise ValueError(f"{einheit.name} ist gemeindefrei und hat keine eigene Behörde.")
        name = f"{_GEMEINDE_PRAEFIX.get(einheit.typ, 'Gemeinde')} {einheit.name_kurz}"
        art = _GEMEINDE_ART.get(einheit.typ, Behoerde.Art.GEMEINDE)
        return BehoerdeDaten(einheit.ars, name, art, land.pk, gemeinde_id=einheit.pk)
    if isinstance(einheit, Gemeindeverband):
        if einheit.ist_verbandsfrei:
            raise ValueError(f"{einheit.ars} ist kein Gemeindeverband (verbandsfrei).")
        praefix = _VERBAND_PRAEFIX.get(einheit.typ, "Gemeindeverband")
        name = f"{praefix} {_ohne_zusatz(einheit.name)}"
        return BehoerdeDaten(
            einheit.ars, name, Behoerde.Art.GEMEINDEVERBAND, land.pk, verband_id=einheit.pk
        )
    if isinstance(einheit, Kreis):
        if einheit.typ == Kreis.Typ.REGIONALVERBAND or suchform(einheit.name_kurz).startswith(
            _EIGENNAME_PRAEFIXE
        ):
            name = einheit.name_kurz
        else:
            name = f"{land.kreisbehoerde_bezeichnung} {einheit.name_kurz}"
        return BehoerdeDaten(einheit.ars, name, Behoerde.Art.KREIS, land.pk, kreis_id=einheit.pk)
    if isinstance(einheit, Regierungsbezirk):
        kurz = einheit.name
        for praefix in _REGBEZ_PRAEFIXE:
            kurz = kurz.removeprefix(praefix)
        return BehoerdeDaten(
            einheit.code,
            f"{land.mittelbehoerde_bezeichnung} {kurz}",
            Behoerde.Art.MITTELBEHOERDE,
            land.pk,
            regierungsbezirk_id=einheit.pk,
        )
    raise TypeError(f"Keine Gebietseinheit: {einheit!r}")


def kreisfreie_gemeinde(kreis: Kreis) -> Gemeinde | None:
    """The single Gemeinde of a kreisfreie Stadt / Stadtkreis (the current one first)."""
    return (
        kreis.gemeinden.filter(typ__in=Gemeinde.KREISFREI_TYPEN)
        .order_by("-gueltig_bis", "ars")
        .first()
    )
