"""The overview page: :func:`programm_uebersicht` (KPI cards and the matrix per Land) and
:func:`pilotkommunen`."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from abdeckung.prognose import GEFAEHRDET, NICHT_ERREICHBAR
from abdeckung.selectors import abdeckung_am
from abdeckung.services import Kennzahl, Zahl
from dashboard.selectors.uebersicht.modell import (
    Kpi,
    LandStand,
    LeistungSumme,
    Uebersicht,
    ZusageStand,
)
from dashboard.selectors.uebersicht.prognose_cache import _prognosen
from dashboard.selectors.uebersicht.trend import TREND_ABSTAND, trend_zeilen, zusage_trend
from leistungen.models import Behoerde
from leistungen.selectors import teilnehmende_laender, zusagen_liste
from onboarding.models import Huerde


def _huerden_blockierend(land_ids: set[int] | None) -> int:
    """Open blocking hurdles; for a Land-scoped user those linked to a record of their
    Länder (the hurdle list's visibility rule). One query."""
    qs = Huerde.objects.exclude(stand=Huerde.Stand.GELOEST).filter(blockierend=True)
    if land_ids is not None:
        verknuepft = Huerde.onboardings.through.objects.filter(
            huerde_id=OuterRef("pk"), onboarding__zusage__land_id__in=land_ids
        )
        qs = qs.filter(Exists(verknuepft))
    return qs.count()


def _je_leistung(kennzahlen: Iterable[Kennzahl]) -> list[LeistungSumme]:
    gruppen: dict[str, list[Kennzahl]] = defaultdict(list)
    for k in kennzahlen:
        gruppen[k.ozg_id].append(k)
    return [
        LeistungSumme(
            name=ks[0].leistung_name,
            laender=len(ks),
            behoerden=Zahl(sum(k.behoerden_live for k in ks), sum(k.behoerden_gesamt for k in ks)),
            bevoelkerung=Zahl(
                sum(k.einwohner_live for k in ks), sum(k.einwohner_gesamt for k in ks)
            ),
        )
        for _, ks in sorted(gruppen.items())
    ]


def programm_uebersicht(*, land_ids: set[int] | None = None) -> Uebersicht:
    """The overview now, for the Länder ``land_ids`` (None = all).

    At most ten queries regardless of the number of Länder and services: Länder,
    commitments, the stored figures (two), the trend rows, the forecasts (newest audit
    event, plus three for :func:`abdeckung.prognose.prognosen` when not cached) and the
    hurdle count."""
    jetzt = timezone.now()
    heute = timezone.localdate(jetzt)
    trend_bis = heute - TREND_ABSTAND
    laender_qs = teilnehmende_laender()
    if land_ids is not None:
        laender_qs = laender_qs.filter(pk__in=land_ids)
    laender = list(laender_qs)
    ids = {land.pk for land in laender}
    zusagen = (
        list(zusagen_liste().filter(land_id__in=ids).order_by("frist", "leistung__ozg_id"))
        if ids
        else []
    )
    kennzahlen = (
        {(k.land_id, k.leistung_id): k for k in abdeckung_am(land_ids=ids)} if zusagen else {}
    )
    trends = trend_zeilen(land_ids=ids, bis=trend_bis) if kennzahlen else {}
    vergleich_am = next((z.stichtag for z in trends.values()), None)
    prognose_je = (
        _prognosen(land_ids=ids, kennzahlen=kennzahlen, zusagen=zusagen, heute=heute)
        if kennzahlen
        else {}
    )

    ergebnis: list[LandStand] = []
    for land in laender:
        zeilen = []
        for zusage in zusagen:
            if zusage.land_id != land.pk:
                continue
            schluessel = (zusage.land_id, zusage.leistung_id)
            kennzahl = kennzahlen.get(schluessel)
            zeilen.append(
                ZusageStand(
                    zusage=zusage,
                    tage_bis_frist=(zusage.frist - heute).days,
                    kennzahl=kennzahl,
                    prognose=prognose_je.get(schluessel),
                    trend=zusage_trend(
                        zusage,
                        kennzahl,
                        trends.get(schluessel),
                        bis=trend_bis,
                        stichtag=vergleich_am,
                    ),
                )
            )
        ergebnis.append(
            LandStand(
                land=land,
                beigetreten_am=land.teilnahme.beigetreten_am,
                zusagen=zeilen,
            )
        )

    sichtbar = [k for k in kennzahlen.values() if k.land_id in ids]
    stand = [k.berechnet_am for k in sichtbar if k.berechnet_am]
    status = [p.status for p in prognose_je.values()]
    kpi = Kpi(
        behoerden=Zahl(
            sum(k.behoerden_live for k in sichtbar), sum(k.behoerden_gesamt for k in sichtbar)
        ),
        behoerden_stand=min(stand) if stand else None,
        blockiert=sum(k.blockiert for k in sichtbar),
        bevoelkerung=Zahl(
            sum(k.einwohner_live for k in sichtbar), sum(k.einwohner_gesamt for k in sichtbar)
        ),
        je_leistung=_je_leistung(sichtbar),
        huerden_blockierend=_huerden_blockierend(land_ids),
        huerden_stand=jetzt,
        zusagen=len(sichtbar),
        gefaehrdet=status.count(GEFAEHRDET),
        nicht_erreichbar=status.count(NICHT_ERREICHBAR),
        prognose_stand=min((p.berechnet_am for p in prognose_je.values()), default=None),
    )
    trends_gezeigt = [z.trend for s in ergebnis for z in s.zusagen if z.trend]
    vergleich = sorted({t.vergleich_am for t in trends_gezeigt if t.vergleich_am})
    return Uebersicht(
        heute=heute,
        laender=ergebnis,
        kpi=kpi,
        trend_bis=trend_bis,
        vergleich_tage=vergleich,
        alle_laender=land_ids is None,
    )


def pilotkommunen(*, land_ids: set[int] | None = None) -> QuerySet[Behoerde]:
    """Current pilot authorities (of the Länder ``land_ids``; None = all), by Land and name."""
    qs = Behoerde.objects.aktuell().filter(ist_pilot=True)
    if land_ids is not None:
        qs = qs.filter(land_id__in=land_ids)
    return qs.select_related("land").order_by("land__code", "name")
