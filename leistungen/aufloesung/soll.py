"""Desired rows of one Land × service: the answer per Gemeinde and validity interval."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from leistungen.aufloesung.gebiet import LandDaten
from leistungen.aufloesung.zeit import (
    ANFANG,
    ENDE,
    TAG,
    ab_oder_anfang,
    gilt,
    intervalle,
)
from leistungen.models import ZustaendigkeitsAusnahme, ZustaendigkeitsRegel


@dataclass(frozen=True)
class _Antwort:
    behoerde: str  # the authority's key (Behoerde.schluessel)
    regel_id: int
    ausnahme_id: int | None
    hinweis: str


def soll_berechnen(
    daten: LandDaten,
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

    for start, ende in intervalle([*regeln, *ausnahmen, *daten.gemeinden]):
        regel = next(
            (r for r in sorted(regeln, key=lambda r: ab_oder_anfang(r.gueltig_ab), reverse=True)
             if gilt(r, start)),
            None,
        )  # fmt: skip
        ausnahme_fuer: dict[int, ZustaendigkeitsAusnahme] = {}
        if regel is not None:
            for ausnahme, _, gemeinde_ids in abdeckung:
                if gilt(ausnahme, start):
                    for gid in gemeinde_ids:
                        ausnahme_fuer[gid] = ausnahme
        for g in daten.gemeinden:
            if not gilt(g, start):
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
