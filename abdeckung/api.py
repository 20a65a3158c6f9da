"""API router: ``GET /api/v1/coverage``, the coverage figures with numerator and denominator.

Scope: a user sees the Länder of ``onboarding.permissions.sichtbare_laender``. Without
``land`` the answer holds only those Länder; asking for a Land (or a Kreis of a Land) the
user may not see answers 404, the same as for an unknown object, so the API does not reveal
what exists outside the user's scope. Errors: 401 not signed in, 404 not visible, 422
invalid parameter (German message).
"""

# No ``from __future__ import annotations``: ninja reads the annotations at runtime.
import datetime as dt

from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from abdeckung.regeln import DEFINITIONEN
from abdeckung.selectors import abdeckung_am
from kommunen.models import Kreis
from leistungen.models import Leistung
from onboarding.permissions import sichtbare_laender
from rollout.api_common import FEHLER_ANTWORTEN, FehlerOut, land_aus_kuerzel

router = Router(tags=["Abdeckung"])


class ZahlOut(Schema):
    zaehler: int = Field(..., description="Zähler (erreicht)")
    nenner: int = Field(..., description="Nenner (alle)")
    quote: float | None = Field(
        ..., description="Anteil in Prozent, auf zwei Stellen abgeschnitten (nie aufgerundet)"
    )
    text: str = Field(..., description="z. B. „99,96 %“ oder „100,00 % (flächendeckend)“")
    flaechendeckend: bool = Field(..., description="nur wenn Zähler = Nenner")


class LandOut(Schema):
    kurz: str
    name: str


class LeistungOut(Schema):
    ozg_id: str
    name: str


class KreisOut(Schema):
    ars: str
    name: str


class KennzahlOut(Schema):
    land: LandOut
    leistung: LeistungOut
    kreis: KreisOut | None = Field(..., description="leer: das ganze Land")
    stichtag: dt.date = Field(..., description="Stand am Ende dieses Tages (Europe/Berlin)")
    stand: dt.datetime | None = Field(..., description="wann die Zahlen berechnet wurden")
    quelle: str = Field(
        ..., description="berechnet, aktuell, taeglich oder stichtag (gespeicherter Stand)"
    )
    behoerden: ZahlOut = Field(..., description=DEFINITIONEN["behoerden"])
    gemeinden: ZahlOut = Field(..., description=DEFINITIONEN["gemeinden"])
    bevoelkerung: ZahlOut = Field(..., description=DEFINITIONEN["bevoelkerung"])
    status_zaehlung: dict[str, int] = Field(..., description="Behörden je Status")
    blockiert: int = Field(..., description="Behörden mit offener blockierender Hürde")


class AbdeckungFilter(Schema):
    land: str | None = Field(None, description="Kürzel des Landes, z. B. BY")
    leistung: str | None = Field(None, description="OZG-ID, z. B. 10124")
    kreis: str | None = Field(None, description="Kreisschlüssel (5 Stellen), z. B. 09184")
    stand: dt.date | None = Field(
        None, description="Stichtag JJJJ-MM-TT (Stand am Ende des Tages); ohne: jetzt"
    )


@router.get(
    "/coverage",
    response={200: list[KennzahlOut], 404: FehlerOut, **FEHLER_ANTWORTEN},
    summary="Abdeckung je Land (oder Kreis) und Leistung: Behörden, Gemeinden, Bevölkerung",
)
def coverage(request: HttpRequest, filters: AbdeckungFilter = Query(...)) -> list[dict]:  # noqa: B008
    user = request.auth  # type: ignore[attr-defined]  # set by ninja's authentication
    sichtbar = set(sichtbare_laender(user).values_list("pk", flat=True))
    land = land_aus_kuerzel(filters.land)
    if land is not None and land.pk not in sichtbar:
        raise Http404(f"Das Land „{land.kurz}“ liegt außerhalb Ihres Bereichs.")
    leistung = None
    if filters.leistung:
        leistung = Leistung.objects.filter(ozg_id=filters.leistung.strip()).first()
        if leistung is None:
            raise HttpError(422, f"Unbekannte Leistung „{filters.leistung}“ (OZG-ID erwartet).")
    kreis = None
    if filters.kreis:
        kreis = Kreis.objects.filter(ars=filters.kreis.strip()).first()
        if kreis is None:
            raise HttpError(422, f"Unbekannter Kreis „{filters.kreis}“ (5-stelliger Schlüssel).")
        if kreis.land_id not in sichtbar:
            raise Http404(f"Der Kreis „{kreis.ars}“ liegt außerhalb Ihres Bereichs.")
        if land is not None and kreis.land_id != land.pk:
            raise HttpError(422, f"Der Kreis {kreis} liegt nicht in {land}.")
    if filters.stand is not None and filters.stand > timezone.localdate():
        raise HttpError(422, f"Der Stand {filters.stand:%d.%m.%Y} liegt in der Zukunft.")
    kennzahlen = abdeckung_am(
        stichtag=filters.stand,
        land=land,
        leistung=leistung,
        kreis=kreis,
        land_ids=sichtbar,
    )
    return [k.als_dict() for k in kennzahlen]
