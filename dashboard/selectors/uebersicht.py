"""Reads for the start page: the programme at a glance."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet, Sum

from abdeckung.selectors import abdeckung_am
from abdeckung.services import Kennzahl
from kommunen.models import Gemeinde, Land
from leistungen.models import Behoerde, Zusage, Zustaendigkeit
from leistungen.selectors import teilnehmende_laender, zusagen_liste


@dataclass(frozen=True)
class ZusageStand:
    """One commitment with the responsible authorities and what they serve at a date."""

    zusage: Zusage
    tage_bis_frist: int
    anzahl_behoerden: int
    anzahl_gemeinden: int
    einwohner: int
    kennzahl: Kennzahl | None = None

    @property
    def tage_ueberfaellig(self) -> int:
        return max(0, -self.tage_bis_frist)


@dataclass(frozen=True)
class LandStand:
    land: Land
    beigetreten_am: dt.date
    anzahl_gemeinden_land: int
    zusagen: list[ZusageStand] = field(default_factory=list)

    @property
    def abdeckung_stand(self) -> dt.datetime | None:
        """The "Stand" of the Land's coverage figures: the oldest among them (the card is no
        fresher than that)."""
        stand = [z.kennzahl.berechnet_am for z in self.zusagen if z.kennzahl]
        return min((s for s in stand if s is not None), default=None)


def programm_uebersicht(*, stichtag: dt.date) -> list[LandStand]:
    """Participating Länder, their commitments and the resolved responsibility behind each.

    Four queries regardless of the number of Länder: Länder, commitments, one
    aggregate over the resolved Zustaendigkeit (index zustaendigkeit_leistung_idx) and the
    number of Gemeinden per Land. Plus the current coverage figures of all commitments in
    one :func:`abdeckung.selectors.abdeckung_am` call (two queries when stored).
    """
    laender = list(teilnehmende_laender())
    if not laender:
        return []
    land_ids = [land.pk for land in laender]
    zusagen = list(
        zusagen_liste().filter(land_id__in=land_ids).order_by("frist", "leistung__ozg_id")
    )
    gemeindefrei = Q(gemeinde__typ__in=Gemeinde.GEMEINDEFREI_TYPEN)
    zahlen = {
        (row["gemeinde__land_id"], row["leistung_id"]): row
        for row in Zustaendigkeit.objects.gueltig_am(stichtag)
        .filter(
            gemeinde__land_id__in=land_ids,
            leistung_id__in={z.leistung_id for z in zusagen},
        )
        .values("gemeinde__land_id", "leistung_id")
        .annotate(
            behoerden=Count("behoerde_id", distinct=True),
            gemeinden=Count("gemeinde_id", filter=~gemeindefrei),
            einwohner=Sum("gemeinde__einwohner"),
        )
    }
    gemeinden_je_land = dict(
        Gemeinde.objects.gueltig_am(stichtag)
        .filter(land_id__in=land_ids)
        .exclude(typ__in=Gemeinde.GEMEINDEFREI_TYPEN)
        .values("land_id")
        .annotate(n=Count("id"))
        .values_list("land_id", "n")
    )
    kennzahlen = {(k.land_id, k.leistung_id): k for k in abdeckung_am(land_ids=set(land_ids))}
    ergebnis: list[LandStand] = []
    for land in laender:
        stand = LandStand(
            land=land,
            beigetreten_am=land.teilnahme.beigetreten_am,
            anzahl_gemeinden_land=gemeinden_je_land.get(land.pk, 0),
        )
        for zusage in zusagen:
            if zusage.land_id != land.pk:
                continue
            row = zahlen.get((zusage.land_id, zusage.leistung_id), {})
            stand.zusagen.append(
                ZusageStand(
                    zusage=zusage,
                    tage_bis_frist=(zusage.frist - stichtag).days,
                    anzahl_behoerden=row.get("behoerden", 0),
                    anzahl_gemeinden=row.get("gemeinden", 0),
                    einwohner=row.get("einwohner") or 0,
                    kennzahl=kennzahlen.get((zusage.land_id, zusage.leistung_id)),
                )
            )
        ergebnis.append(stand)
    return ergebnis


def pilotkommunen() -> QuerySet[Behoerde]:
    """Current pilot authorities, by Land and name."""
    return (
        Behoerde.objects.aktuell()
        .filter(ist_pilot=True)
        .select_related("land")
        .order_by("land__code", "name")
    )
