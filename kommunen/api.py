"""API router: Gemeinden with their resolved responsibilities."""

# No ``from __future__ import annotations``: ninja reads the parameter annotations of the
# paginated views at runtime, from the pagination wrapper's module.
import datetime as dt

from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from kommunen.models import Gemeinde
from kommunen.selectors import gemeinden_fuer_seite
from kommunen.text import suchform
from leistungen.selectors import gemeinde_zustaendigkeiten
from rollout.api_common import (
    FEHLER_ANTWORTEN,
    AusnahmeOut,
    BehoerdeRef,
    FehlerOut,
    KreisRef,
    LeistungRef,
    RegelOut,
    Seitenweise,
    land_aus_kuerzel,
)

router = Router(tags=["Gemeinden"])


class VerbandRef(Schema):
    ars: str
    name: str
    typ: str


class GemeindeListeOut(Schema):
    ars: str
    ags: str
    name: str
    typ: str
    land: str = Field(..., description="Kürzel des Landes, z. B. BY")
    kreis: KreisRef | None
    einwohner: int

    @staticmethod
    def resolve_land(obj: Gemeinde) -> str:
        return obj.land.kurz


class ZustaendigkeitOut(Schema):
    leistung: LeistungRef
    frist: dt.date | None = Field(..., description="Frist der Zusage des Landes")
    behoerde: BehoerdeRef | None = Field(
        ..., description="Zuständige Behörde; null, wenn keine aufgelöst ist"
    )
    regel: RegelOut | None
    ausnahme: AusnahmeOut | None
    angenommen: bool = Field(..., description="Beruht auf einer Annahme (nicht amtlich belegt)")
    erklaerung: str


class GemeindeOut(Schema):
    ars: str
    ags: str
    name: str
    typ: str
    land: str = Field(..., description="Kürzel des Landes, z. B. BY")
    kreis: KreisRef | None
    verband: VerbandRef
    einwohner: int
    einwohner_stichtag: dt.date | None
    flaeche_km2: float
    plz: str
    gueltig_ab: dt.date | None
    gueltig_bis: dt.date | None
    stand: dt.date = Field(..., description="Stichtag der Zuständigkeiten")
    zustaendigkeiten: list[ZustaendigkeitOut]


class GemeindeFilter(Schema):
    land: str | None = Field(None, description="Kürzel des Landes, z. B. BY")
    kreis: str | None = Field(
        None, pattern=r"^\d{5}$", description="Kreisschlüssel (5 Stellen), z. B. 09184"
    )
    q: str | None = Field(
        None,
        max_length=100,
        description="Name (ohne Rücksicht auf Umlaute und Satzzeichen) oder Anfang von "
        "ARS, AGS oder Postleitzahl",
    )


def _gemeinden(filters: GemeindeFilter) -> QuerySet[Gemeinde]:
    gemeinden = Gemeinde.objects.aktuell().select_related("land", "kreis").order_by("ars")
    land = land_aus_kuerzel(filters.land)
    if land is not None:
        gemeinden = gemeinden.filter(land=land)
    if filters.kreis:
        gemeinden = gemeinden.filter(kreis__ars=filters.kreis)
    q = (filters.q or "").strip()
    if q.isdigit():
        gemeinden = gemeinden.filter(
            Q(ars__startswith=q) | Q(ags__startswith=q) | Q(plz__startswith=q)
        )
    elif q:
        gemeinden = gemeinden.filter(suchname__contains=suchform(q))
    return gemeinden


@router.get(
    "/gemeinden",
    response={200: list[GemeindeListeOut], **FEHLER_ANTWORTEN},
    summary="Gemeinden (aktueller Gebietsstand)",
)
@paginate(Seitenweise)
def gemeinden_liste(
    request: HttpRequest,
    filters: GemeindeFilter = Query(...),  # noqa: B008
) -> QuerySet[Gemeinde]:
    return _gemeinden(filters)


@router.get(
    "/gemeinden/{ars}",
    response={200: GemeindeOut, 404: FehlerOut, **FEHLER_ANTWORTEN},
    summary="Gemeinde mit ihren Zuständigkeiten",
)
def gemeinde_detail(
    request: HttpRequest,
    ars: str,
    stand: dt.date | None = Query(  # noqa: B008
        None, description="Stichtag (JJJJ-MM-TT) der Zuständigkeiten; ohne: heute"
    ),
) -> dict:
    gemeinde = gemeinden_fuer_seite().filter(ars=ars).first()
    if gemeinde is None:
        raise Http404(f"Keine Gemeinde mit dem Regionalschlüssel „{ars}“.")
    stichtag = stand or timezone.localdate()
    zeilen = gemeinde_zustaendigkeiten(gemeinde=gemeinde, stichtag=stichtag)
    return {
        "ars": gemeinde.ars,
        "ags": gemeinde.ags,
        "name": gemeinde.name,
        "typ": gemeinde.typ,
        "land": gemeinde.land.kurz,
        "kreis": gemeinde.kreis,
        "verband": gemeinde.verband,
        "einwohner": gemeinde.einwohner,
        "einwohner_stichtag": gemeinde.einwohner_stichtag,
        "flaeche_km2": gemeinde.flaeche_km2,
        "plz": gemeinde.plz,
        "gueltig_ab": gemeinde.gueltig_ab,
        "gueltig_bis": gemeinde.gueltig_bis,
        "stand": stichtag,
        "zustaendigkeiten": [
            {
                "leistung": zeile.leistung,
                "frist": zeile.zusage.frist if zeile.zusage else None,
                "behoerde": zeile.behoerde,
                "regel": zeile.zustaendigkeit.regel if zeile.zustaendigkeit else None,
                "ausnahme": zeile.zustaendigkeit.ausnahme if zeile.zustaendigkeit else None,
                "angenommen": zeile.angenommen,
                "erklaerung": zeile.erklaerung,
            }
            for zeile in zeilen
        ],
    }
