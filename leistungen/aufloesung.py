"""Resolution of responsibility rules into ``Zustaendigkeit`` rows (internal to services).

For one Land × service everything is loaded into memory once: the Land's Gemeinden (all
validity intervals), its Kreise, Verbände and Regierungsbezirke, the rules and the
exceptions. Time is cut at every date where a rule, an exception or a Gemeinde starts or
ends; within such an interval the answer cannot change, so it is computed once per
interval and Gemeinde. Consecutive intervals with the same answer are merged. The result
is compared with the stored rows and only the difference is written.

Precedence inside an interval: an exception whose authority covers the Gemeinde (its own
Gemeinde, the Gemeinden of its Verband, Kreis, Regierungsbezirk or Land; the most specific
unit wins), otherwise the authority of the unit at the rule's level.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Field, Q

from kommunen.models import Gemeinde, Gemeindeverband, Kreis, Land, Regierungsbezirk
from kommunen.text import suchform
from leistungen.models import (
    Behoerde,
    Ebene,
    Zustaendigkeit,
    ZustaendigkeitsAusnahme,
    ZustaendigkeitsRegel,
)

ANFANG = dt.date.min
ENDE = dt.date.max
TAG = dt.timedelta(days=1)

HINWEIS_GEMEINDEFREI = (
    "Gemeindefreies Gebiet ohne Gemeindeverwaltung: zuständig ist die Kreisebene."
)
HINWEIS_OHNE_KREIS = "Gebiet ohne Kreis: zuständig ist die Landesebene."
HINWEIS_OHNE_REGBEZ = "Kein Regierungsbezirk: zuständig ist die Landesebene."

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

# Specificity of an exception's unit: the most specific one wins.
_SPEZIFITAET = {"gemeinde": 4, "verband": 3, "kreis": 2, "regierungsbezirk": 1, "land": 0}


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


# --- the resolver ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Antwort:
    behoerde: str  # the authority's key (Behoerde.schluessel)
    regel_id: int
    ausnahme_id: int | None
    hinweis: str


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


class _LandDaten:
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
        for g in sorted(self.gemeinden, key=lambda g: _bis(g.gueltig_bis)):
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


def _von(datum: dt.date | None) -> dt.date:
    return datum or ANFANG


def _bis(datum: dt.date | None) -> dt.date:
    return datum or ENDE


def _gilt(obj: Any, tag: dt.date) -> bool:
    return _von(obj.gueltig_ab) <= tag <= _bis(obj.gueltig_bis)


def _intervalle(objekte: list[Any]) -> list[tuple[dt.date, dt.date]]:
    punkte = {ANFANG}
    for obj in objekte:
        if obj.gueltig_ab:
            punkte.add(obj.gueltig_ab)
        if obj.gueltig_bis and obj.gueltig_bis < ENDE:
            punkte.add(obj.gueltig_bis + TAG)
    starts = sorted(punkte)
    return [
        (start, (starts[i + 1] - TAG) if i + 1 < len(starts) else ENDE)
        for i, start in enumerate(starts)
    ]


def _soll(
    daten: _LandDaten,
    regeln: list[ZustaendigkeitsRegel],
    ausnahmen: list[ZustaendigkeitsAusnahme],
) -> dict[tuple[int, dt.date | None], tuple[dt.date | None, _Antwort]]:
    """Desired rows: (gemeinde_id, gueltig_ab) -> (gueltig_bis, answer)."""
    abdeckung = [(a, *daten.abgedeckt(a.behoerde)) for a in ausnahmen]
    abdeckung.sort(key=lambda t: t[1])  # less specific first, overwritten by more specific
    soll: dict[tuple[int, dt.date | None], tuple[dt.date | None, _Antwort]] = {}
    offen: dict[int, tuple[dt.date, dt.date, _Antwort]] = {}

    def abschliessen(gid: int) -> None:
        ab, bis, antwort = offen.pop(gid)
        soll[(gid, None if ab == ANFANG else ab)] = (None if bis == ENDE else bis, antwort)

    for start, ende in _intervalle([*regeln, *ausnahmen, *daten.gemeinden]):
        regel = next(
            (r for r in sorted(regeln, key=lambda r: _von(r.gueltig_ab), reverse=True)
             if _gilt(r, start)),
            None,
        )  # fmt: skip
        ausnahme_fuer: dict[int, ZustaendigkeitsAusnahme] = {}
        if regel is not None:
            for ausnahme, _, gemeinde_ids in abdeckung:
                if _gilt(ausnahme, start):
                    for gid in gemeinde_ids:
                        ausnahme_fuer[gid] = ausnahme
        for g in daten.gemeinden:
            if not _gilt(g, start):
                continue
            if regel is None:
                continue
            treffer = ausnahme_fuer.get(g.pk)
            if treffer is not None:
                antwort = _Antwort(treffer.behoerde.schluessel, regel.pk, treffer.pk, "")
            else:
                einheit = daten.einheit_behoerde(g, regel.ebene)
                if einheit is None:
                    if g.pk in offen:
                        abschliessen(g.pk)
                    continue
                schluessel, hinweis = einheit
                antwort = _Antwort(schluessel, regel.pk, None, hinweis)
            laufend = offen.get(g.pk)
            if laufend is not None and laufend[2] == antwort and laufend[1] + TAG == start:
                offen[g.pk] = (laufend[0], ende, antwort)
            else:
                if laufend is not None:
                    abschliessen(g.pk)
                offen[g.pk] = (start, ende, antwort)
        # A Gemeinde that ended before this interval closes its open row.
        for gid in [gid for gid, (_, bis, _) in offen.items() if bis < start]:
            abschliessen(gid)
    for gid in list(offen):
        abschliessen(gid)
    return soll


def _spalte(attname: str) -> str:
    feld = Zustaendigkeit._meta.get_field(attname.removesuffix("_id"))
    assert isinstance(feld, Field)
    return feld.column


def _einfuegen(spalten: tuple[str, ...], zeilen: list[tuple[Any, ...]]) -> None:
    """Insert new rows: ``COPY`` on PostgreSQL (about 5× faster), else ``bulk_create``."""
    if connection.vendor == "postgresql":
        tabelle = Zustaendigkeit._meta.db_table
        spalten_sql = ", ".join(f'"{_spalte(s)}"' for s in spalten)
        with (
            connection.cursor() as cursor,
            cursor.copy(f'COPY "{tabelle}" ({spalten_sql}) FROM STDIN') as copy,
        ):
            for zeile in zeilen:
                copy.write_row(zeile)
        return
    Zustaendigkeit.objects.bulk_create(
        [Zustaendigkeit(**dict(zip(spalten, z, strict=True))) for z in zeilen], batch_size=2000
    )


def _abgleichen(
    land_daten: _LandDaten, leistung_id: int, soll: dict[Any, Any], zaehler: dict[str, int]
) -> None:
    ids = land_daten.behoerden
    felder = ("gueltig_bis", "behoerde_id", "regel_id", "ausnahme_id", "hinweis")
    vorhanden = {
        (gemeinde_id, ab): (pk, rest)
        for pk, gemeinde_id, ab, *rest in Zustaendigkeit.objects.filter(
            leistung_id=leistung_id, gemeinde__land_id=land_daten.land.pk
        ).values_list("id", "gemeinde_id", "gueltig_ab", *felder)
    }
    weg = [pk for key, (pk, _) in vorhanden.items() if key not in soll]
    geaendert: list[Zustaendigkeit] = []
    neu: list[tuple[Any, ...]] = []
    for (gid, ab), (bis, a) in soll.items():
        werte = (bis, ids[a.behoerde], a.regel_id, a.ausnahme_id, a.hinweis)
        ist = vorhanden.get((gid, ab))
        if ist is None:
            neu.append((gid, leistung_id, ab, *werte))
        elif tuple(ist[1]) != werte:
            geaendert.append(Zustaendigkeit(pk=ist[0], **dict(zip(felder, werte, strict=True))))
        else:
            zaehler["unveraendert"] += 1
    if weg:
        Zustaendigkeit.objects.filter(pk__in=weg).delete()
    if geaendert:
        Zustaendigkeit.objects.bulk_update(geaendert, list(felder), batch_size=2000)
    if neu:
        _einfuegen(("gemeinde_id", "leistung_id", "gueltig_ab", *felder), neu)
    zaehler["geloescht"] += len(weg)
    zaehler["geaendert"] += len(geaendert)
    zaehler["neu"] += len(neu)


def aufloesen(*, land_id: int | None, leistung_id: int | None) -> dict[str, int]:
    """Resolve the selected pairs; returns counts (caller wraps it in a transaction)."""
    regel_filter = Q()
    zeilen_filter = Q()
    if land_id is not None:
        regel_filter &= Q(land_id=land_id)
        zeilen_filter &= Q(gemeinde__land_id=land_id)
    if leistung_id is not None:
        regel_filter &= Q(leistung_id=leistung_id)
        zeilen_filter &= Q(leistung_id=leistung_id)
    regeln_nach_paar: dict[tuple[int, int], list[ZustaendigkeitsRegel]] = defaultdict(list)
    for regel in ZustaendigkeitsRegel.objects.filter(regel_filter):
        regeln_nach_paar[(regel.land_id, regel.leistung_id)].append(regel)
    paare = set(regeln_nach_paar) | set(
        Zustaendigkeit.objects.filter(zeilen_filter)
        .values_list("gemeinde__land_id", "leistung_id")
        .distinct()
    )
    ausnahmen_nach_paar: dict[tuple[int, int], list[ZustaendigkeitsAusnahme]] = defaultdict(list)
    ausnahme_filter = Q(behoerde__land_id=land_id) if land_id is not None else Q()
    if leistung_id is not None:
        ausnahme_filter &= Q(leistung_id=leistung_id)
    for ausnahme in ZustaendigkeitsAusnahme.objects.filter(ausnahme_filter).select_related(
        "behoerde"
    ):
        ausnahmen_nach_paar[(ausnahme.behoerde.land_id, ausnahme.leistung_id)].append(ausnahme)

    zaehler = {"neu": 0, "geaendert": 0, "geloescht": 0, "unveraendert": 0}
    behoerden_neu = 0
    laender = {land.pk: land for land in Land.objects.filter(pk__in={p[0] for p in paare})}
    for lid in sorted(laender):
        land_daten = _LandDaten(laender[lid])
        ergebnisse = {
            pair: _soll(land_daten, regeln_nach_paar[pair], ausnahmen_nach_paar.get(pair, []))
            for pair in sorted(p for p in paare if p[0] == lid)
        }
        behoerden_neu += land_daten.behoerden_sichern()
        for pair, soll in ergebnisse.items():
            _abgleichen(land_daten, pair[1], soll, zaehler)
    return {**zaehler, "paare": len(paare), "behoerden_neu": behoerden_neu}
