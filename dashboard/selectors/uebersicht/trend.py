"""The trend of the overview: the change of each commitment's figures since the frozen
weekly Stichtag figures of a week ago."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Subquery

from abdeckung import regeln
from abdeckung.models import Abdeckungsstand
from abdeckung.services import Kennzahl, Zahl
from dashboard.selectors.uebersicht.modell import Trend
from leistungen.models import Zusage

#: The trend compares with the frozen weekly figures of at least this many days ago.
TREND_ABSTAND = dt.timedelta(days=7)


def _pp(jetzt: Zahl, damals: Zahl) -> Decimal | None:
    """Change of the (never rounded up) share in percentage points, as shown."""
    a, b = regeln.quote(jetzt.zaehler, jetzt.nenner), regeln.quote(damals.zaehler, damals.nenner)
    return None if a is None or b is None else a - b


def trend_zeilen(*, land_ids: set[int], bis: dt.date) -> dict[tuple[int, int], Abdeckungsstand]:
    """The Land rows of the latest frozen weekly Stichtag on or before ``bis`` (one per
    committed Land × service that counted then). One query: the day is an uncorrelated
    sub-select on the index ``abdeckungsstand_tag_idx``."""
    stichtage = Abdeckungsstand.objects.filter(
        art=Abdeckungsstand.Art.STICHTAG, kreis__isnull=True, land_id__in=land_ids
    )
    letzter = stichtage.filter(stichtag__lte=bis).order_by("-stichtag").values("stichtag")[:1]
    zeilen = (
        stichtage.filter(stichtag=Subquery(letzter))
        .order_by()
        .only(
            "stichtag",
            "land_id",
            "leistung_id",
            "behoerden_live",
            "behoerden_gesamt",
            "einwohner_live",
            "einwohner_gesamt",
        )
    )
    return {(z.land_id, z.leistung_id): z for z in zeilen}


def zusage_trend(
    zusage: Zusage,
    kennzahl: Kennzahl | None,
    zeile: Abdeckungsstand | None,
    *,
    bis: dt.date,
    stichtag: dt.date | None,
) -> Trend:
    """The change since the Stichtag row ``zeile`` (of the day ``stichtag``); without one,
    why not."""
    if kennzahl is None:
        return Trend(None, "noch keine Zahlen")
    if zeile is None:
        if stichtag is None:
            grund = f"kein Wochenstichtag bis {bis:%d.%m.%Y} gespeichert"
        elif zusage.zugesagt_am and zusage.zugesagt_am > stichtag:
            grund = f"zugesagt erst am {zusage.zugesagt_am:%d.%m.%Y}"
        else:
            grund = f"nicht im Wochenstichtag vom {stichtag:%d.%m.%Y}"
        return Trend(None, grund)
    behoerden_damals = Zahl(zeile.behoerden_live, zeile.behoerden_gesamt)
    bevoelkerung_damals = Zahl(zeile.einwohner_live, zeile.einwohner_gesamt)
    return Trend(
        vergleich_am=zeile.stichtag,
        behoerden=kennzahl.behoerden_live - zeile.behoerden_live,
        behoerden_pp=_pp(kennzahl.behoerden, behoerden_damals),
        einwohner=kennzahl.einwohner_live - zeile.einwohner_live,
        bevoelkerung_pp=_pp(kennzahl.bevoelkerung, bevoelkerung_damals),
    )
