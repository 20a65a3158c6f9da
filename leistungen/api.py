"""API router: authorities with the Gemeinden they serve, services and commitments."""

# No ``from __future__ import annotations``: ninja reads the parameter annotations of the
# paginated views at runtime, from the pagination wrapper's module.
import datetime as dt

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from leistungen.models import Behoerde, Leistung, Zusage
from leistungen.selectors import behoerde_versorgung, leistungen_liste, zusagen_liste
from rollout.api_common import (
    FEHLER_ANTWORTEN,
    AusnahmeOut,
    FehlerOut,
    LeistungRef,
    RegelOut,
    Seitenweise,
    land_aus_kuerzel,
)

router = Router()

# --- Behörden -------------------------------------------------------------------------


class _BehoerdeBasis(Schema):
    schluessel: str
    name: str
    art: Behoerde.Art
    land: str = Field(..., description="Kürzel des Landes, z. B. BY")
    ist_pilot: bool
    gueltig_ab: dt.date | None
    gueltig_bis: dt.date | None


class BehoerdeListeOut(_BehoerdeBasis):
    @staticmethod
    def resolve_land(obj: Behoerde) -> str:
        return obj.land.kurz


class VersorgteGemeindeOut(Schema):
    ars: str
    name: str
    typ: str = Field(..., description="Gemeindetyp; 65/66 = gemeindefreies Gebiet")
    einwohner: int


class VersorgungOut(Schema):
    leistung: LeistungRef
    zugesagt: bool = Field(..., description="Das Land hat die Leistung zugesagt")
    regel: RegelOut | None = Field(..., description="Regel, auf der die Zuständigkeit beruht")
    ausnahme: AusnahmeOut | None = Field(..., description="oder die Ausnahme")
    anzahl_gemeinden: int = Field(..., description="versorgte Gemeinden (ohne gemeindefreie)")
    anzahl_gemeindefreie: int = Field(..., description="versorgte gemeindefreie Gebiete")
    einwohner: int
    gemeinden: list[VersorgteGemeindeOut] = Field(
        ..., description="alle versorgten Gemeinden und gemeindefreien Gebiete"
    )


class BehoerdeOut(_BehoerdeBasis):
    stand: dt.date = Field(..., description="Stichtag der Zuständigkeiten")
    leistungen: list[VersorgungOut]


class BehoerdeFilter(Schema):
    land: str | None = Field(None, description="Kürzel des Landes, z. B. BY")
    art: Behoerde.Art | None = None
    pilot: bool | None = Field(None, description="nur Pilotkommunen (true) oder keine (false)")


@router.get(
    "/behoerden",
    response={200: list[BehoerdeListeOut], **FEHLER_ANTWORTEN},
    summary="Behörden (derzeit bestehend)",
    tags=["Behörden"],
)
@paginate(Seitenweise)
def behoerden_liste(
    request: HttpRequest,
    filters: BehoerdeFilter = Query(...),  # noqa: B008
) -> QuerySet[Behoerde]:
    behoerden = (
        Behoerde.objects.aktuell()
        .select_related("land")
        .order_by("land__code", "name", "schluessel")
    )
    land = land_aus_kuerzel(filters.land)
    if land is not None:
        behoerden = behoerden.filter(land=land)
    if filters.art is not None:
        behoerden = behoerden.filter(art=filters.art)
    if filters.pilot is not None:
        behoerden = behoerden.filter(ist_pilot=filters.pilot)
    return behoerden


@router.get(
    "/behoerden/{schluessel}",
    response={200: BehoerdeOut, 404: FehlerOut, **FEHLER_ANTWORTEN},
    summary="Behörde mit den Gemeinden, für die sie je Leistung zuständig ist",
    tags=["Behörden"],
)
def behoerde_detail(
    request: HttpRequest,
    schluessel: str,
    stand: dt.date | None = Query(  # noqa: B008
        None, description="Stichtag (JJJJ-MM-TT) der Zuständigkeiten; ohne: heute"
    ),
) -> dict:
    behoerde = Behoerde.objects.select_related("land").filter(schluessel=schluessel).first()
    if behoerde is None:
        raise Http404(f"Keine Behörde mit dem Schlüssel „{schluessel}“.")
    stichtag = stand or timezone.localdate()
    zeilen = behoerde_versorgung(behoerde=behoerde, stichtag=stichtag)
    return {
        "schluessel": behoerde.schluessel,
        "name": behoerde.name,
        "art": behoerde.art,
        "land": behoerde.land.kurz,
        "ist_pilot": behoerde.ist_pilot,
        "gueltig_ab": behoerde.gueltig_ab,
        "gueltig_bis": behoerde.gueltig_bis,
        "stand": stichtag,
        "leistungen": [
            {
                "leistung": zeile.leistung,
                "zugesagt": zeile.zugesagt,
                "regel": zeile.regel,
                "ausnahme": zeile.ausnahme,
                "anzahl_gemeinden": zeile.anzahl_gemeinden,
                "anzahl_gemeindefreie": zeile.anzahl_gemeindefreie,
                "einwohner": zeile.einwohner,
                "gemeinden": zeile.gemeinden,
            }
            for zeile in zeilen
        ],
    }


# --- Leistungen und Zusagen -----------------------------------------------------------


class LeikaOut(Schema):
    schluessel: str
    bezeichnung: str


class LeistungOut(Schema):
    ozg_id: str
    name: str
    kurzname: str
    online_dienst: str
    betreiber: str
    leika: list[LeikaOut]

    @staticmethod
    def resolve_leika(obj: Leistung) -> list:
        return list(obj.leika.all())


class ZusageOut(Schema):
    land: str = Field(..., description="Kürzel des Landes, z. B. BY")
    leistung: LeistungRef
    frist: dt.date
    zugesagt_am: dt.date | None

    @staticmethod
    def resolve_land(obj: Zusage) -> str:
        return obj.land.kurz


@router.get(
    "/leistungen",
    response={200: list[LeistungOut], **FEHLER_ANTWORTEN},
    summary="Leistungen mit ihren LeiKa-Schlüsseln",
    tags=["Leistungen"],
)
def leistungen(request: HttpRequest) -> list[Leistung]:
    return list(leistungen_liste())


@router.get(
    "/zusagen",
    response={200: list[ZusageOut], **FEHLER_ANTWORTEN},
    summary="Zusagen (Leistungsversprechen) der Länder",
    tags=["Leistungen"],
)
def zusagen(
    request: HttpRequest,
    land: str | None = Query(None, description="Kürzel des Landes, z. B. BY"),  # noqa: B008
) -> list[Zusage]:
    return list(zusagen_liste(land=land_aus_kuerzel(land)))
