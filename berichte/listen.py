"""The lists of the steering report, built from the replayed history
(:mod:`berichte.historie`): changes of the reporting week, hurdles, overdue go-lives and the
pilots. Reads only; every list is sorted, so the same history gives the same text."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from abdeckung import regeln
from berichte.format import datum, status_text
from berichte.historie import DatensatzStand, HuerdeStand
from kommunen.models import Land
from leistungen.models import Behoerde, Zusage, Zustaendigkeit
from onboarding.models import Huerde, Onboarding

#: Longest list of authorities printed per table in a Land report, and in the national one
#: (whose lists cover every Land: the full lists are in the Land reports and the cockpit);
#: the rest is counted ("… und 12 weitere"), the totals stay exact.
LISTE_HOECHSTENS = 40
LISTE_HOECHSTENS_NATIONAL = 25
#: Oldest / widest hurdles shown.
HUERDEN_HOECHSTENS = 5

_KATEGORIE_TEXT = dict(Huerde.Kategorie.choices)
_VERANTWORTLICH_TEXT = dict(Huerde.Verantwortlich.choices)
_SCHWERE_TEXT = dict(Huerde.Schwere.choices)


@dataclass(frozen=True)
class BehoerdeZeile:
    """One authority × service in a list of the report."""

    land_kurz: str
    behoerde: str
    kreis: str
    leistung: str
    datum: dt.date | None
    vorher: str
    nachher: str
    hinweis: str = ""


@dataclass(frozen=True)
class Liste:
    titel: str
    #: What the table lists (its caption).
    beschreibung: str
    zeilen: tuple[BehoerdeZeile, ...]
    gesamt: int
    #: The sentence printed instead of an empty table.
    leer: str
    #: Where the rows left out are listed in full ("… und 12 weitere (vollständig …)").
    vollstaendig: str = "im Rollout-Cockpit"

    @property
    def weitere(self) -> int:
        return self.gesamt - len(self.zeilen)


@dataclass(frozen=True)
class Anzahl:
    """A count per commitment (for the at-risk list)."""

    land_kurz: str
    leistung_name: str
    anzahl: int


@dataclass(frozen=True)
class HuerdeZeile:
    titel: str
    kategorie: str
    verantwortlich: str
    schwere: str
    erfasst_am: dt.date
    geloest_am: dt.date | None
    tage_offen: int
    behoerden: int
    leistungen: str
    laender: str
    loesung: str


@dataclass(frozen=True)
class HuerdenAbschnitt:
    offen: int
    offen_blockierend: int
    behoerden_blockiert: int
    neu_in_woche: int
    spalten: tuple[str, ...]
    matrix: tuple[tuple[str, tuple[int, ...], int], ...]
    spaltensummen: tuple[int, ...]
    aelteste: tuple[HuerdeZeile, ...]
    breiteste: tuple[HuerdeZeile, ...]
    #: Resolved in the reporting week (the first ``Kappung.hoechstens``; all counted in
    #: ``geloest_gesamt``).
    geloest: tuple[HuerdeZeile, ...]
    geloest_gesamt: int = 0
    vollstaendig: str = "im Rollout-Cockpit"

    @property
    def geloest_weitere(self) -> int:
        return self.geloest_gesamt - len(self.geloest)


@dataclass(frozen=True)
class PilotZeile:
    behoerde: str
    art: str
    zellen: tuple[str, ...]
    abgedeckt: int
    zustaendig: int


@dataclass(frozen=True)
class PilotTabelle:
    land_kurz: str
    land_name: str
    leistungen: tuple[str, ...]
    zeilen: tuple[PilotZeile, ...]


@dataclass(frozen=True)
class Datensatz:
    """The fixed facts of a record (they never change): authority, service, Land."""

    behoerde_id: int
    leistung_id: int
    land_id: int
    land_kurz: str
    behoerde: str
    kreis: str
    leistung: str
    ozg_id: str


def datensaetze_laden(land_ids: Iterable[int]) -> dict[int, Datensatz]:
    zeilen = Onboarding.objects.filter(zusage__land_id__in=list(land_ids)).values_list(
        "pk",
        "behoerde_id",
        "leistung_id",
        "zusage__land_id",
        "zusage__land__kurz",
        "behoerde__name",
        "behoerde__kreis__name",
        "behoerde__gemeinde__kreis__name",
        "behoerde__verband__kreis__name",
        "leistung__kurzname",
        "leistung__ozg_id",
    )
    return {
        pk: Datensatz(b, leistung, land, kurz, name, k1 or k2 or k3 or "–", l_name, ozg)
        for pk, b, leistung, land, kurz, name, k1, k2, k3, l_name, ozg in zeilen
    }


@dataclass(frozen=True)
class Kappung:
    """How many rows a list of the report prints, and where the rest is listed."""

    hoechstens: int = LISTE_HOECHSTENS
    vollstaendig: str = "im Rollout-Cockpit"


LAND = Kappung()
NATIONAL = Kappung(LISTE_HOECHSTENS_NATIONAL, "in den Landesberichten und im Rollout-Cockpit")


def _liste(
    titel: str,
    beschreibung: str,
    eintraege: list[tuple[Any, BehoerdeZeile]],
    leer: str,
    kappung: Kappung,
) -> Liste:
    """The list sorted by its key (the most relevant rows first), cut to
    ``kappung.hoechstens`` rows; ``gesamt`` counts all."""
    eintraege = sorted(eintraege, key=lambda e: e[0])
    zeilen = tuple(z for _, z in eintraege[: kappung.hoechstens])
    return Liste(titel, beschreibung, zeilen, len(eintraege), leer, kappung.vollstaendig)


def _schluessel(d: Datensatz) -> tuple[str, str, str, str]:
    return (d.land_kurz, d.ozg_id, d.behoerde, d.kreis)


def _eintrag(
    d: Datensatz,
    tag: dt.date | None,
    vorher: str,
    nachher: str,
    hinweis: str = "",
    *,
    schluessel: tuple[Any, ...] | None = None,
) -> tuple[tuple[Any, ...], BehoerdeZeile]:
    zeile = BehoerdeZeile(
        d.land_kurz, d.behoerde, d.kreis, d.leistung, tag, vorher, nachher, hinweis
    )
    return (schluessel or _schluessel(d), zeile)


def _lokal(zeitpunkt: dt.datetime | None) -> dt.date | None:
    return timezone.localdate(zeitpunkt) if zeitpunkt else None


def aenderungen_der_woche(
    vorher: dict[int, DatensatzStand],
    jetzt: dict[int, DatensatzStand],
    datensaetze: dict[int, Datensatz],
    huerden_je_datensatz: dict[int, list[str]],
    woche_von: dt.date,
    stichtag: dt.date,
    kappung: Kappung = LAND,
) -> tuple[Liste, Liste, Liste, Liste]:
    """The changes of the reporting week. Most relevant first: the newest go-lives and
    fallbacks, blockages grouped by Land and service, removed go-live dates and the longest
    postponements before dates that lapsed."""
    neu_live, nicht_mehr, blockiert, verschoben = [], [], [], []
    for pk, s in jetzt.items():
        d = datensaetze.get(pk)
        if d is None or not s.offen:
            continue
        v = vorher.get(pk)
        abgedeckt = regeln.ist_abgedeckt(s.status)
        war_abgedeckt = v is not None and v.offen and regeln.ist_abgedeckt(v.status)
        v_status = status_text(v.status) if v is not None and v.offen else "–"
        seit = _lokal(s.status_seit)
        neueste = (-(seit or woche_von).toordinal(), *_schluessel(d))
        if abgedeckt and not war_abgedeckt:
            neu_live.append(_eintrag(d, seit, v_status, status_text(s.status), schluessel=neueste))
        if war_abgedeckt and not abgedeckt:
            nicht_mehr.append(
                _eintrag(d, seit, v_status, status_text(s.status), schluessel=neueste)
            )
        if s.blockiert and not (v is not None and v.offen and v.blockiert):
            titel = "; ".join(huerden_je_datensatz.get(pk, []))
            blockiert.append(_eintrag(d, None, v_status, status_text(s.status), titel))
        if abgedeckt or v is None or v.geplant_golive is None:
            continue
        p0, p1 = v.geplant_golive, s.geplant_golive
        hinweis, gewicht = "", 0
        if p1 is None:
            hinweis, gewicht = "Go-live-Termin entfernt", -100_000
        elif p1 > p0:
            hinweis, gewicht = f"verschoben um {(p1 - p0).days} Tage", -(p1 - p0).days
        elif p1 == p0 and woche_von <= p0 <= stichtag:
            hinweis = "Termin verstrichen, nicht live"
        if hinweis:
            verschoben.append(
                _eintrag(
                    d, p0, datum(p0), datum(p1), hinweis, schluessel=(gewicht, *_schluessel(d))
                )
            )
    return (
        _liste(
            "Neu live",
            "Behörden, die in der Berichtswoche live gegangen sind (je Leistung)",
            neu_live,
            "In der Berichtswoche ist keine Behörde neu live gegangen.",
            kappung,
        ),
        _liste(
            "Nicht mehr live",
            "Behörden, die in der Berichtswoche aus „live“ oder „betriebsfähig“ zurückfielen",
            nicht_mehr,
            "Keine Behörde ist in der Berichtswoche aus „live“ zurückgefallen.",
            kappung,
        ),
        _liste(
            "Neu blockiert",
            "Behörden, die in der Berichtswoche durch eine Hürde blockiert wurden",
            blockiert,
            "In der Berichtswoche wurde keine Behörde blockiert.",
            kappung,
        ),
        _liste(
            "Verschobene Go-live-Termine",
            "Geplante Go-live-Termine, die in der Berichtswoche verschoben, entfernt oder "
            "ohne Go-live verstrichen sind",
            verschoben,
            "Kein geplanter Go-live-Termin wurde verschoben oder ist ungenutzt verstrichen.",
            kappung,
        ),
    )


def _huerde_zeile(
    h: HuerdeStand,
    stichtag: dt.date,
    in_bereich: list[int],
    datensaetze: dict[int, Datensatz],
) -> HuerdeZeile:
    ds = [datensaetze[i] for i in in_bereich]
    return HuerdeZeile(
        titel=h.titel,
        kategorie=str(_KATEGORIE_TEXT.get(h.kategorie, h.kategorie)),
        verantwortlich=str(_VERANTWORTLICH_TEXT.get(h.verantwortlich, h.verantwortlich)),
        schwere=str(_SCHWERE_TEXT.get(h.schwere, h.schwere)),
        erfasst_am=h.erfasst_am,
        geloest_am=h.geloest_am,
        tage_offen=((h.geloest_am or stichtag) - h.erfasst_am).days,
        behoerden=len({d.behoerde_id for d in ds}),
        leistungen=", ".join(sorted({d.leistung for d in ds})),
        laender=", ".join(sorted({d.land_kurz for d in ds})),
        loesung=h.loesung,
    )


def huerden_abschnitt(
    huerden: list[HuerdeStand],
    datensaetze: dict[int, Datensatz],
    offen_am_stichtag: set[int],
    woche_von: dt.date,
    stichtag: dt.date,
    kappung: Kappung = LAND,
) -> tuple[HuerdenAbschnitt, dict[int, list[str]]]:
    offen, geloest = [], []
    je_datensatz: dict[int, list[str]] = defaultdict(list)
    for h in huerden:
        in_bereich = sorted(i for i in h.onboarding_ids if i in datensaetze)
        if not in_bereich:
            continue
        if h.offen_am(stichtag):
            offen.append((h, in_bereich))
            if h.blockierend:
                for i in in_bereich:
                    je_datensatz[i].append(h.titel)
        elif h.geloest_am is not None and woche_von <= h.geloest_am <= stichtag:
            geloest.append((h, in_bereich))
    blockierend = [(h, ids) for h, ids in offen if h.blockierend]
    spalten_werte = list(Huerde.Verantwortlich.values)
    zaehlung: dict[str, list[int]] = {}
    for h, _ in blockierend:
        zeile = zaehlung.setdefault(h.kategorie, [0] * len(spalten_werte))
        if h.verantwortlich in spalten_werte:
            zeile[spalten_werte.index(h.verantwortlich)] += 1
    matrix = tuple(
        (str(_KATEGORIE_TEXT.get(k, k)), tuple(zaehlung[k]), sum(zaehlung[k]))
        for k in Huerde.Kategorie.values
        if k in zaehlung
    )
    spaltensummen = tuple(sum(z[1][i] for z in matrix) for i in range(len(spalten_werte)))
    blockierte = {
        datensaetze[i].behoerde_id for _, ids in blockierend for i in ids if i in offen_am_stichtag
    }

    def zeilen(paare: list[tuple[HuerdeStand, list[int]]]) -> list[HuerdeZeile]:
        return [_huerde_zeile(h, stichtag, ids, datensaetze) for h, ids in paare]

    aelteste = sorted(zeilen(blockierend), key=lambda z: (z.erfasst_am, z.titel))
    breiteste = sorted(zeilen(blockierend), key=lambda z: (-z.behoerden, z.erfasst_am, z.titel))
    return (
        HuerdenAbschnitt(
            offen=len(offen),
            offen_blockierend=len(blockierend),
            behoerden_blockiert=len(blockierte),
            neu_in_woche=sum(1 for h, _ in offen if h.erfasst_am >= woche_von),
            spalten=tuple(str(_VERANTWORTLICH_TEXT[v]) for v in spalten_werte),
            matrix=matrix,
            spaltensummen=spaltensummen,
            aelteste=tuple(aelteste[:HUERDEN_HOECHSTENS]),
            breiteste=tuple(breiteste[:HUERDEN_HOECHSTENS]),
            # The widest resolved hurdles first (most authorities unblocked).
            geloest=tuple(
                sorted(zeilen(geloest), key=lambda z: (-z.behoerden, z.geloest_am, z.titel))[
                    : kappung.hoechstens
                ]
            ),
            geloest_gesamt=len(geloest),
            vollstaendig=kappung.vollstaendig,
        ),
        je_datensatz,
    )


def ueberfaellige_golives(
    jetzt: dict[int, DatensatzStand],
    datensaetze: dict[int, Datensatz],
    stichtag: dt.date,
    kappung: Kappung = LAND,
) -> tuple[Liste, tuple[Anzahl, ...]]:
    eintraege = []
    je_zusage: Counter[tuple[str, str, str]] = Counter()
    for pk, s in jetzt.items():
        d = datensaetze.get(pk)
        if d is None or not s.offen or regeln.ist_abgedeckt(s.status):
            continue
        if s.geplant_golive is None or s.geplant_golive > stichtag:
            continue
        tage = (stichtag - s.geplant_golive).days
        je_zusage[(d.land_kurz, d.ozg_id, d.leistung)] += 1
        eintraege.append(
            _eintrag(
                d,
                s.geplant_golive,
                status_text(s.status),
                f"{tage} Tage überfällig",
                "blockiert" if s.blockiert else "",
                schluessel=(s.geplant_golive, *_schluessel(d)),
            )
        )
    liste = _liste(
        "Geplanter Go-live verstrichen",
        "Behörden, deren geplanter Go-live am Stichtag verstrichen war, ohne dass sie live "
        "sind (die ältesten Termine zuerst)",
        eintraege,
        "Bei keiner Behörde ist ein geplanter Go-live-Termin verstrichen.",
        kappung,
    )
    anzahlen = tuple(Anzahl(k, name, n) for (k, _, name), n in sorted(je_zusage.items()))
    return liste, anzahlen


def piloten_tabellen(
    laender: list[Land],
    zusagen: list[Zusage],
    jetzt: dict[int, DatensatzStand],
    datensaetze: dict[int, Datensatz],
    stichtag: dt.date,
) -> tuple[PilotTabelle, ...]:
    piloten = list(
        Behoerde.objects.gueltig_am(stichtag)
        .filter(ist_pilot=True, land__in=laender)
        .order_by("land__code", "name")
        .values_list("pk", "land_id", "name", "art")
    )
    if not piloten:
        return ()
    zustaendig = set(
        Zustaendigkeit.objects.gueltig_am(stichtag)
        .filter(behoerde_id__in=[p[0] for p in piloten])
        .values_list("behoerde_id", "leistung_id")
        .distinct()
    )
    stand: dict[tuple[int, int], DatensatzStand] = {}
    for pk, s in jetzt.items():
        d = datensaetze.get(pk)
        if d is not None and s.offen:
            stand[(d.behoerde_id, d.leistung_id)] = s
    art_text = dict(Behoerde.Art.choices)
    tabellen = []
    for land in laender:
        eigene = [z for z in zusagen if z.land_id == land.pk]
        zeilen = []
        for pk, land_id, name, art in piloten:
            if land_id != land.pk:
                continue
            zellen, abgedeckt, n = [], 0, 0
            for z in eigene:
                if (pk, z.leistung_id) not in zustaendig:
                    zellen.append("nicht zuständig")
                    continue
                n += 1
                eigener = stand.get((pk, z.leistung_id))
                text = status_text(eigener.status if eigener else None)
                if eigener and eigener.blockiert:
                    text += " (blockiert)"
                if eigener and regeln.ist_abgedeckt(eigener.status):
                    abgedeckt += 1
                zellen.append(text)
            zeilen.append(
                PilotZeile(name, str(art_text.get(art, art)), tuple(zellen), abgedeckt, n)
            )
        if zeilen:
            tabellen.append(
                PilotTabelle(
                    land.kurz, land.name, tuple(z.leistung.kurzname for z in eigene), tuple(zeilen)
                )
            )
    return tuple(tabellen)
