"""Territory of one Land in memory and the authority of each level for a Gemeinde."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from kommunen.models import Gemeinde, Gemeindeverband, Kreis, Land, Regierungsbezirk
from leistungen.aufloesung.behoerden import BehoerdeDaten, behoerde_daten
from leistungen.aufloesung.zeit import bis_oder_ende
from leistungen.models import Behoerde, Ebene

HINWEIS_GEMEINDEFREI = (
    "Gemeindefreies Gebiet ohne Gemeindeverwaltung: zuständig ist die Kreisebene."
)
HINWEIS_OHNE_KREIS = "Gebiet ohne Kreis: zuständig ist die Landesebene."
HINWEIS_OHNE_REGBEZ = "Kein Regierungsbezirk: zuständig ist die Landesebene."

# Specificity of an exception's unit: the most specific one wins.
_SPEZIFITAET = {"gemeinde": 4, "verband": 3, "kreis": 2, "regierungsbezirk": 1, "land": 0}


@dataclass(slots=True)
class _G:
    """The few fields of a Gemeinde the resolver needs (much cheaper than model rows)."""

    pk: int
    ars: str
    typ: str
    name_kurz: str
    land_id: int
    kreis_id: int | None
    verband_id: int
    regierungsbezirk_id: int | None
    gueltig_ab: dt.date | None
    gueltig_bis: dt.date | None

    @property
    def ist_gemeindefrei(self) -> bool:
        return self.typ in Gemeinde.GEMEINDEFREI_TYPEN

    def als_gemeinde(self) -> Gemeinde:
        return Gemeinde(
            id=self.pk, ars=self.ars, typ=self.typ, name_kurz=self.name_kurz, land_id=self.land_id
        )


class LandDaten:
    """Territory of one Land in memory, plus its authorities by key."""

    def __init__(self, land: Land) -> None:
        self.land = land
        felder = (
            "id", "ars", "typ", "name_kurz", "land_id", "kreis_id", "verband_id",
            "regierungsbezirk_id", "gueltig_ab", "gueltig_bis",
        )  # fmt: skip
        self.gemeinden = [
            _G(*row)
            for row in Gemeinde.objects.filter(land=land).order_by("ars").values_list(*felder)
        ]
        self.kreise = {k.pk: k for k in Kreis.objects.filter(land=land)}
        self.verbaende = {v.pk: v for v in Gemeindeverband.objects.filter(land=land)}
        self.regbez = {r.pk: r for r in Regierungsbezirk.objects.filter(land=land)}
        self.behoerden: dict[str, int] = dict(
            Behoerde.objects.filter(land=land).values_list("schluessel", "id")
        )
        self.fehlend: dict[str, BehoerdeDaten] = {}
        self._keys: dict[tuple[str, int], str] = {}
        self.gemeinde_by_id = {g.pk: g for g in self.gemeinden}
        # Kreisfreie Städte: Kreis id -> its Gemeinde (the current one wins).
        self.kreisfrei: dict[int, _G] = {}
        for g in sorted(self.gemeinden, key=lambda g: bis_oder_ende(g.gueltig_bis)):
            kreis = self.kreise.get(g.kreis_id) if g.kreis_id else None
            if kreis is not None and kreis.ist_kreisfrei and g.typ in Gemeinde.KREISFREI_TYPEN:
                self.kreisfrei[kreis.pk] = g
        # Members of each unit, for exceptions.
        self.mitglieder: dict[str, dict[int, list[int]]] = {
            "verband": defaultdict(list),
            "kreis": defaultdict(list),
            "regierungsbezirk": defaultdict(list),
        }
        for g in self.gemeinden:
            self.mitglieder["verband"][g.verband_id].append(g.pk)
            if g.kreis_id:
                self.mitglieder["kreis"][g.kreis_id].append(g.pk)
            if (regbez_id := self._regbez_id(g)) is not None:
                self.mitglieder["regierungsbezirk"][regbez_id].append(g.pk)

    def _regbez_id(self, g: _G) -> int | None:
        if g.regierungsbezirk_id:
            return g.regierungsbezirk_id
        kreis = self.kreise.get(g.kreis_id) if g.kreis_id else None
        return kreis.regierungsbezirk_id if kreis else None

    def behoerde_key(self, einheit: Any) -> str:
        """Key of the unit's authority; authorities not yet stored are created in bulk by
        :meth:`behoerden_sichern`."""
        if isinstance(einheit, _G):
            if einheit.ars in self.behoerden:
                return einheit.ars
            einheit = einheit.als_gemeinde()
        cache_key = (type(einheit).__name__, einheit.pk)
        schluessel = self._keys.get(cache_key)
        if schluessel is None:
            daten = behoerde_daten(einheit, self.land)
            schluessel = daten.schluessel
            self._keys[cache_key] = schluessel
            if schluessel not in self.behoerden:
                self.fehlend[schluessel] = daten
        return schluessel

    def behoerden_sichern(self) -> int:
        """Create the missing authorities (one query) and return how many were created."""
        if not self.fehlend:
            return 0
        Behoerde.objects.bulk_create(
            [d.behoerde() for d in self.fehlend.values()], ignore_conflicts=True
        )
        self.behoerden.update(
            Behoerde.objects.filter(schluessel__in=list(self.fehlend)).values_list(
                "schluessel", "id"
            )
        )
        anzahl = len(self.fehlend)
        self.fehlend.clear()
        return anzahl

    # -- unit of a level for one Gemeinde

    def kreis_behoerde(self, g: _G, hinweis: str = "") -> tuple[str, str]:
        kreis = self.kreise.get(g.kreis_id) if g.kreis_id else None
        if kreis is None:
            return self.behoerde_key(self.land), _verbinden(hinweis, HINWEIS_OHNE_KREIS)
        if kreis.ist_kreisfrei and kreis.pk in self.kreisfrei:
            return self.behoerde_key(self.kreisfrei[kreis.pk]), hinweis
        return self.behoerde_key(kreis), hinweis

    def einheit_behoerde(self, g: _G, ebene: str) -> tuple[str, str] | None:
        """The authority of the unit at ``ebene`` for Gemeinde ``g``, with a note; None
        where nobody is responsible (a Gemeinde task in an uninhabited gemeindefreies
        Gebiet: no one lives there to register, so no authority is counted for it)."""
        if ebene in (Ebene.GEMEINDE, Ebene.VERBAND):
            if g.typ == Gemeinde.Typ.GEMEINDEFREI_UNBEWOHNT:
                return None
            if g.ist_gemeindefrei:
                return self.kreis_behoerde(g, HINWEIS_GEMEINDEFREI)
            verband = self.verbaende.get(g.verband_id)
            if ebene == Ebene.VERBAND and verband is not None and not verband.ist_verbandsfrei:
                return self.behoerde_key(verband), ""
            return self.behoerde_key(g), ""
        if ebene == Ebene.KREIS:
            return self.kreis_behoerde(g)
        if ebene == Ebene.REGIERUNGSBEZIRK:
            regbez = self.regbez.get(self._regbez_id(g) or 0)
            if regbez is not None and regbez.typ == Regierungsbezirk.Typ.REGIERUNGSBEZIRK:
                return self.behoerde_key(regbez), ""
            return self.behoerde_key(self.land), HINWEIS_OHNE_REGBEZ
        return self.behoerde_key(self.land), ""

    def abgedeckt(self, behoerde: Behoerde) -> tuple[int, list[int]]:
        """(specificity, Gemeinde ids) an exception's authority covers."""
        if behoerde.gemeinde_id:
            return _SPEZIFITAET["gemeinde"], [behoerde.gemeinde_id]
        if behoerde.verband_id:
            return _SPEZIFITAET["verband"], self.mitglieder["verband"].get(behoerde.verband_id, [])
        if behoerde.kreis_id:
            return _SPEZIFITAET["kreis"], self.mitglieder["kreis"].get(behoerde.kreis_id, [])
        if behoerde.regierungsbezirk_id:
            return _SPEZIFITAET["regierungsbezirk"], self.mitglieder["regierungsbezirk"].get(
                behoerde.regierungsbezirk_id, []
            )
        return _SPEZIFITAET["land"], [g.pk for g in self.gemeinden]


def _verbinden(*teile: str) -> str:
    return " ".join(t for t in teile if t)
