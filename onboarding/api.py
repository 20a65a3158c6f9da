"""API router: onboarding records, checklist items, hurdles and bulk updates.

Same scope and validation as the browser: every operation goes through
``onboarding.permissions`` and the write services of ``onboarding.services`` (audit source
``api``). Errors: 401 not signed in, 404 not visible, 403 visible but not editable,
409 version conflict (with what the other person changed), 422 invalid (German messages).
"""

# No ``from __future__ import annotations``: ninja reads the parameter annotations of the
# paginated views at runtime, from the pagination wrapper's module.
import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse
from ninja import Field, File, Query, Router, Schema
from ninja import Status as Antwort
from ninja.errors import HttpError
from ninja.files import UploadedFile
from ninja.pagination import paginate

from audit.models import Ereignis, Quelle
from onboarding import permissions, services
from onboarding.bulk import massenimport_anwenden, massenimport_pruefen
from onboarding.bulk.format import MAX_DATEIGROESSE
from onboarding.models import Checklistenpunkt, Huerde, Onboarding, Status, Team
from rollout.api_common import (
    FEHLER_ANTWORTEN,
    BehoerdeRef,
    FehlerOut,
    LeistungRef,
    Seitenweise,
    land_aus_kuerzel,
)

router = Router(tags=["Onboarding"])

SCHREIB_FEHLER: dict[int, type[Schema]] = {
    **FEHLER_ANTWORTEN,
    403: FehlerOut,
    404: FehlerOut,
}

# --- Schemas ------------------------------------------------------------------------------


class TeamRef(Schema):
    id: int
    name: str


class ChecklistenpunktOut(Schema):
    id: int
    phase: int
    code: str
    text: str
    pflicht: bool
    stand: Checklistenpunkt.Stand
    verzicht_grund: str
    erledigt_am: dt.date | None
    version: int


class HuerdeRefOut(Schema):
    id: int
    titel: str
    kategorie: Huerde.Kategorie
    verantwortlich: Huerde.Verantwortlich
    schwere: Huerde.Schwere
    stand: Huerde.Stand
    blockierend: bool
    erfasst_am: dt.date
    faellig_am: dt.date | None
    geloest_am: dt.date | None
    version: int


class HuerdeOut(HuerdeRefOut):
    beschreibung: str
    loesung: str
    onboarding_ids: list[int]

    @staticmethod
    def resolve_onboarding_ids(obj: Huerde) -> list[int]:
        return sorted(obj.onboardings.values_list("pk", flat=True))


class OnboardingListeOut(Schema):
    id: int
    behoerde: BehoerdeRef
    leistung: LeistungRef
    land: str = Field(..., description="Kürzel des Landes, z. B. BY")
    status: Status
    blockiert: bool
    team: TeamRef | None
    welle: str
    baseline: bool
    geplant_phase_1: dt.date | None
    geplant_phase_2: dt.date | None
    geplant_golive: dt.date | None
    ist_phase_1: dt.date | None
    ist_phase_2: dt.date | None
    ist_golive: dt.date | None
    version: int

    @staticmethod
    def resolve_land(obj: Onboarding) -> str:
        return obj.zusage.land.kurz


class OnboardingOut(OnboardingListeOut):
    golive_bestaetigt_am: dt.datetime | None
    geschlossen_am: dt.date | None
    geschlossen_grund: str
    checkliste: list[ChecklistenpunktOut]
    huerden: list[HuerdeRefOut]

    @staticmethod
    def resolve_checkliste(obj: Onboarding) -> list[Checklistenpunkt]:
        return list(obj.punkte.all())

    @staticmethod
    def resolve_huerden(obj: Onboarding) -> list[Huerde]:
        return list(obj.huerden.all())


class OnboardingFilter(Schema):
    land: str | None = Field(None, description="Kürzel des Landes, z. B. BY")
    leistung: str | None = Field(None, description="OZG-ID, z. B. 10169")
    status: Status | None = None
    team: str | None = Field(None, description="Name des Roll-in-Teams")


class OnboardingPatch(Schema):
    """Only the given fields change; ``version`` is the version the caller loaded."""

    version: int = Field(..., ge=1)
    status: Status | None = None
    welle: str | None = Field(None, max_length=40)
    team: str | None = Field(None, description="Name des Roll-in-Teams; null entfernt es")
    baseline: bool | None = None
    geplant_phase_1: dt.date | None = None
    geplant_phase_2: dt.date | None = None
    geplant_golive: dt.date | None = None
    ist_phase_1: dt.date | None = None
    ist_phase_2: dt.date | None = None
    ist_golive: dt.date | None = None


class PunktIn(Schema):
    stand: Checklistenpunkt.Stand
    verzicht_grund: str = Field("", max_length=300)
    erledigt_am: dt.date | None = None
    version: int = Field(..., ge=1)


class HuerdeIn(Schema):
    titel: str = Field(..., min_length=1, max_length=200)
    beschreibung: str = ""
    kategorie: Huerde.Kategorie
    verantwortlich: Huerde.Verantwortlich
    schwere: Huerde.Schwere = Huerde.Schwere.MITTEL
    blockierend: bool = True
    erfasst_am: dt.date | None = Field(None, description="ohne: heute")
    faellig_am: dt.date | None = None
    onboarding_ids: list[int] = Field(..., min_length=1)


class LoesenIn(Schema):
    version: int = Field(..., ge=1)
    loesung: str = Field(..., min_length=1)
    datum: dt.date | None = Field(None, description="ohne: heute")


class KonfliktAenderung(Schema):
    zeitpunkt: dt.datetime
    user: str | None
    quelle: str
    beschreibung: str
    aenderungen: dict[str, Any]


class KonfliktOut(Schema):
    detail: str
    aktuelle_version: int
    aenderungen: list[KonfliktAenderung]


class ZeilenOut(Schema):
    zeile: int
    behoerde_schluessel: str
    behoerde_name: str
    ozg_id: str
    onboarding_id: int | None
    aenderungen: list[dict[str, str]]
    fehler: list[str]


class MassenimportOut(Schema):
    dateiname: str
    modus: str = Field(..., description="vorschau, alle oder fehlerfreie")
    angewendet: bool
    datei_fehler: str
    sekunden: float
    anzahl: dict[str, int]
    zeilen: list[ZeilenOut]


# --- Helpers ------------------------------------------------------------------------------


def _detail_qs() -> QuerySet[Onboarding]:
    return Onboarding.objects.select_related(
        "behoerde", "leistung", "zusage__land", "team"
    ).prefetch_related(
        Prefetch("punkte", queryset=Checklistenpunkt.objects.order_by("phase", "reihenfolge")),
        Prefetch("huerden", queryset=Huerde.objects.order_by("-erfasst_am", "id")),
    )


def _detail(user: Any, pk: int) -> Onboarding:
    permissions.onboarding_holen(user=user, pk=pk)  # 404 if not visible
    return _detail_qs().get(pk=pk)


def _ungueltig(exc: Exception) -> HttpError:
    messages = getattr(exc, "messages", None) or [str(exc)]
    return HttpError(422, " ".join(str(m) for m in messages))


def _konflikt_antwort(request: HttpRequest, exc: Any) -> HttpResponse:
    from rollout.api import api

    ereignisse: list[Ereignis] = list(exc.ereignisse)
    return api.create_response(
        request,
        {
            "detail": str(exc),
            "aktuelle_version": getattr(exc.aktuell, "version", 0),
            "aenderungen": [
                {
                    "zeitpunkt": e.zeitpunkt,
                    "user": str(e.user) if e.user_id else None,
                    "quelle": e.quelle,
                    "beschreibung": e.beschreibung,
                    "aenderungen": e.aenderungen,
                }
                for e in ereignisse
            ],
        },
        status=409,
    )


def _schreiben(request: HttpRequest, schreiben: Any) -> Any:
    """Run a write; map the services' errors to HTTP answers."""
    try:
        return schreiben()
    except services.Konflikt as exc:
        return _konflikt_antwort(request, exc)
    except PermissionDenied as exc:
        raise HttpError(403, str(exc) or "Keine Berechtigung.") from exc
    except services.Ungueltig as exc:
        raise _ungueltig(exc) from exc


# --- Onboardings --------------------------------------------------------------------------


@router.get(
    "/onboardings",
    response={200: list[OnboardingListeOut], **FEHLER_ANTWORTEN},
    summary="Onboardings (offene, im eigenen Bereich)",
)
@paginate(Seitenweise)
def onboardings_liste(
    request: HttpRequest,
    filters: OnboardingFilter = Query(...),  # noqa: B008
) -> QuerySet[Onboarding]:
    qs = (
        permissions.onboardings_sichtbar(request.user)
        .filter(geschlossen_am__isnull=True)
        .select_related("behoerde", "leistung", "zusage__land", "team")
        .order_by("zusage__land__kurz", "leistung__ozg_id", "behoerde__schluessel")
    )
    land = land_aus_kuerzel(filters.land)
    if land is not None:
        qs = qs.filter(zusage__land=land)
    if filters.leistung:
        qs = qs.filter(leistung__ozg_id=filters.leistung.strip())
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.team:
        qs = qs.filter(team__name__iexact=filters.team.strip())
    return qs


@router.get(
    "/onboardings/{int:onboarding_id}",
    response={200: OnboardingOut, 404: FehlerOut, **FEHLER_ANTWORTEN},
    summary="Onboarding mit Checkliste und Hürden",
)
def onboarding_detail(request: HttpRequest, onboarding_id: int) -> Onboarding:
    return _detail(request.user, onboarding_id)


@router.patch(
    "/onboardings/{int:onboarding_id}",
    response={200: OnboardingOut, 409: KonfliktOut, **SCHREIB_FEHLER},
    summary="Status, Team, Welle, Baseline und Termine ändern",
)
def onboarding_aendern(request: HttpRequest, onboarding_id: int, daten: OnboardingPatch) -> Any:
    user = request.user
    permissions.onboarding_holen(user=user, pk=onboarding_id)
    felder = daten.dict(exclude_unset=True)
    version = felder.pop("version")
    if "team" in felder and felder["team"] is not None:
        team = Team.objects.filter(name__iexact=felder["team"].strip()).first()
        if team is None:
            raise HttpError(422, f"Unbekanntes Roll-in-Team „{felder['team']}“.")
        felder["team"] = team
    if felder.get("status", "") is None or felder.get("baseline", False) is None:
        raise HttpError(422, "status und baseline dürfen nicht null sein.")
    antwort = _schreiben(
        request,
        lambda: services.onboarding_aktualisieren(
            onboarding_id=onboarding_id,
            user=user,
            version=version,
            daten=felder,
            quelle=Quelle.API,
        ),
    )
    if isinstance(antwort, HttpResponse):
        return antwort
    return _detail_qs().get(pk=onboarding_id)


@router.post(
    "/onboardings/{int:onboarding_id}/checkliste/{code}",
    response={200: OnboardingOut, 409: KonfliktOut, **SCHREIB_FEHLER},
    summary="Checklistenpunkt erledigen, öffnen oder mit Grund verzichten",
)
def checklistenpunkt_setzen(
    request: HttpRequest, onboarding_id: int, code: str, daten: PunktIn
) -> Any:
    user = request.user
    permissions.onboarding_holen(user=user, pk=onboarding_id)
    punkt = Checklistenpunkt.objects.filter(onboarding_id=onboarding_id, code=code).first()
    if punkt is None:
        raise HttpError(404, f"Dieses Onboarding hat keinen Checklistenpunkt „{code}“.")
    antwort = _schreiben(
        request,
        lambda: services.checklistenpunkt_setzen(
            punkt_id=punkt.pk,
            user=user,
            version=daten.version,
            stand=daten.stand,
            verzicht_grund=daten.verzicht_grund,
            erledigt_am=daten.erledigt_am,
            quelle=Quelle.API,
        ),
    )
    if isinstance(antwort, HttpResponse):
        return antwort
    return _detail_qs().get(pk=onboarding_id)


# --- Hürden -------------------------------------------------------------------------------


@router.post(
    "/huerden",
    response={201: HuerdeOut, **SCHREIB_FEHLER},
    summary="Hürde erfassen und mit Onboardings verknüpfen",
    tags=["Hürden"],
)
def huerde_anlegen(request: HttpRequest, daten: HuerdeIn) -> Any:
    user = request.user
    ids = sorted(set(daten.onboarding_ids))
    sichtbar = set(
        permissions.onboardings_sichtbar(user).filter(pk__in=ids).values_list("pk", flat=True)
    )
    if fehlen := [i for i in ids if i not in sichtbar]:
        raise HttpError(404, f"Keine sichtbaren Onboardings: {', '.join(map(str, fehlen))}.")
    felder = daten.dict(exclude={"onboarding_ids"})
    if felder.get("erfasst_am") is None:
        felder.pop("erfasst_am", None)
    huerde = _schreiben(
        request,
        lambda: services.huerde_erfassen(
            user=user, daten=felder, onboarding_ids=ids, quelle=Quelle.API
        ),
    )
    return Antwort(201, Huerde.objects.get(pk=huerde.pk))


@router.post(
    "/huerden/{int:huerde_id}/loesen",
    response={200: HuerdeOut, 409: KonfliktOut, **SCHREIB_FEHLER},
    summary="Hürde lösen (entblockt alle verknüpften Onboardings ohne weitere Hürde)",
    tags=["Hürden"],
)
def huerde_loesen(request: HttpRequest, huerde_id: int, daten: LoesenIn) -> Any:
    from django.utils import timezone

    user = request.user
    permissions.huerde_holen(user=user, pk=huerde_id)
    antwort = _schreiben(
        request,
        lambda: services.huerde_loesen(
            huerde_id=huerde_id,
            user=user,
            version=daten.version,
            loesung=daten.loesung,
            datum=daten.datum or timezone.localdate(),
            quelle=Quelle.API,
        ),
    )
    if isinstance(antwort, HttpResponse):
        return antwort
    return Huerde.objects.get(pk=huerde_id)


# --- Massenimport -------------------------------------------------------------------------


@router.post(
    "/massenimport",
    response={200: MassenimportOut, **FEHLER_ANTWORTEN},
    summary="Massenaktualisierung aus CSV/XLSX prüfen (dry_run) oder übernehmen",
    tags=["Massenimport"],
)
def massenimport(
    request: HttpRequest,
    datei: File[UploadedFile],
    dry_run: bool = Query(True, description="nur prüfen, nichts speichern"),  # noqa: B008
    nur_fehlerfreie: bool = Query(  # noqa: B008
        False, description="beim Übernehmen fehlerhafte Zeilen überspringen"
    ),
) -> dict[str, Any]:
    if datei.size and datei.size > MAX_DATEIGROESSE:
        raise HttpError(422, "Die Datei ist größer als 20 MB.")
    inhalt = datei.read()
    name = datei.name or ""
    if dry_run:
        ergebnis = massenimport_pruefen(
            user=request.user, inhalt=inhalt, dateiname=name, quelle=Quelle.API
        )
    else:
        ergebnis = massenimport_anwenden(
            user=request.user,
            inhalt=inhalt,
            dateiname=name,
            nur_fehlerfreie=nur_fehlerfreie,
            quelle=Quelle.API,
        )
    return ergebnis.als_dict()
