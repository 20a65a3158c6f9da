"""The authority table of the Land page: open onboarding records with the work-queue
columns, filtered and sorted, and their open hurdles."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.db.models import (
    BooleanField,
    Case,
    Count,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from abdeckung import regeln
from kommunen.models import Land
from onboarding import permissions
from onboarding.models import Checklistenpunkt, Huerde, Onboarding, Status
from onboarding.selectors import (
    _aktuelle_phase_ausdruck,
    _mit_arbeitsspalten,
    ueberfaellig_bedingung,
)

# --- authority table ------------------------------------------------------------------------

#: Sort keys of the authority table → order_by fields (ascending).
SORTIERUNGEN: dict[str, tuple[str, ...]] = {
    "behoerde": ("behoerde__name", "leistung__ozg_id", "pk"),
    "leistung": ("leistung__ozg_id", "behoerde__name", "pk"),
    "status": ("status_rang", "behoerde__name", "leistung__ozg_id", "pk"),
    "phase": ("aktuelle_phase", "status_rang", "behoerde__name", "pk"),
    "golive": ("geplant_golive", "behoerde__name", "leistung__ozg_id", "pk"),
    "team": ("team__name", "behoerde__name", "leistung__ozg_id", "pk"),
    "huerden": ("anzahl_huerden", "behoerde__name", "leistung__ozg_id", "pk"),
}
STANDARD_SORTIERUNG = "behoerde"

#: The fields the page's table reads (of the record and its authority, service and team):
#: the page sorts all open records of a Land to show 50, and the narrower the rows, the
#: cheaper that sort (the export reads every field).
SEITEN_FELDER = (
    "id",
    "status",
    "blockiert",
    "geplant_phase_1",
    "geplant_phase_2",
    "geplant_golive",
    "behoerde__name",
    "behoerde__schluessel",
    "behoerde__ist_pilot",
    "leistung__ozg_id",
    "leistung__kurzname",
    "team__name",
)


def _status_rang() -> Case:
    return Case(
        *[When(status=s, then=Value(i)) for i, s in enumerate(regeln.TRICHTER)],
        default=Value(len(regeln.TRICHTER)),
        output_field=IntegerField(),
    )


def land_behoerden(
    *,
    user: Any,
    land: Land,
    filter: dict[str, Any],  # noqa: A002
    sortierung: str = STANDARD_SORTIERUNG,
    absteigend: bool = False,
    stichtag: dt.date | None = None,
    fuer: Literal["seite", "export"] = "seite",
) -> QuerySet[Onboarding]:
    """The open onboarding records of the Land that the user sees, with ``aktuelle_phase``,
    ``ueberfaellig``, ``status_rang``, ``anzahl_huerden`` (open hurdles) and the progress
    of the current phase (``phase_pflicht``, ``phase_fertig``), filtered and sorted.

    ``fuer`` "seite": only :data:`SEITEN_FELDER` are read; "export": every field and the
    work-queue column ``naechster_schritt`` (with ``naechster_schritt_id``) as well.

    ``filter`` keys (optional): ``leistung`` (OZG-ID), ``status``, ``team`` (id, or
    ``"ohne"``), ``blockiert`` and ``ueberfaellig`` (bools), ``q`` (authority name)."""
    tag = stichtag or timezone.localdate()
    qs = (
        permissions.onboardings_sichtbar(user)
        .filter(zusage__land=land, geschlossen_am__isnull=True)
        .exclude(status=Status.NICHT_ZUSTAENDIG)
    )
    if filter.get("leistung"):
        qs = qs.filter(leistung__ozg_id=filter["leistung"])
    if filter.get("status"):
        qs = qs.filter(status=filter["status"])
    team = filter.get("team")
    if team == "ohne":
        qs = qs.filter(team__isnull=True)
    elif team:
        qs = qs.filter(team_id=team)
    if filter.get("blockiert"):
        qs = qs.filter(blockiert=True)
    if filter.get("ueberfaellig"):
        qs = qs.filter(ueberfaellig_bedingung(tag))
    if filter.get("q"):
        text = str(filter["q"]).strip()
        qs = qs.filter(Q(behoerde__name__icontains=text) | Q(behoerde__suchname__icontains=text))
    offene = (
        Huerde.onboardings.through.objects.filter(onboarding_id=OuterRef("pk"))
        .exclude(huerde__stand=Huerde.Stand.GELOEST)
        .order_by()
        .values("onboarding_id")
        .annotate(n=Count("huerde_id"))
        .values("n")  # type: ignore[misc]  # "n" is the annotation above
    )

    def _punkte_der_phase(**bedingung: Any) -> Coalesce:
        zaehlung = (
            Checklistenpunkt.objects.filter(
                onboarding_id=OuterRef("pk"), phase=OuterRef("aktuelle_phase"), pflicht=True
            )
            .filter(**bedingung)
            .order_by()
            .values("onboarding_id")
            .annotate(n=Count("id"))
            .values("n")  # type: ignore[misc]  # "n" is the annotation above
        )
        return Coalesce(Subquery(zaehlung, output_field=IntegerField()), Value(0))

    if fuer == "export":
        qs = _mit_arbeitsspalten(qs, tag)
    else:
        qs = qs.annotate(aktuelle_phase=_aktuelle_phase_ausdruck()).annotate(
            ueberfaellig=Case(
                When(ueberfaellig_bedingung(tag), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
    qs = qs.annotate(
        status_rang=_status_rang(),
        anzahl_huerden=Coalesce(Subquery(offene, output_field=IntegerField()), Value(0)),
        # Progress of the current phase: required items done or waived / required items.
        phase_pflicht=_punkte_der_phase(),
        phase_fertig=_punkte_der_phase(
            stand__in=[Checklistenpunkt.Stand.ERLEDIGT, Checklistenpunkt.Stand.VERZICHTET]
        ),
    )
    felder = SORTIERUNGEN.get(sortierung, SORTIERUNGEN[STANDARD_SORTIERUNG])
    erstes, *rest = felder
    ordnung = [F(erstes).desc(nulls_last=True) if absteigend else F(erstes).asc(nulls_last=True)]
    qs = qs.select_related("behoerde", "leistung", "team").order_by(*ordnung, *rest)
    return qs if fuer == "export" else qs.only(*SEITEN_FELDER)


def mit_offenen_huerden(onboardings: list[Onboarding]) -> None:
    """Attach ``offene_huerden`` (open hurdles, newest first) to the rows of one page: one
    query."""
    from django.db.models import prefetch_related_objects

    prefetch_related_objects(
        onboardings,
        Prefetch(
            "huerden",
            queryset=Huerde.objects.exclude(stand=Huerde.Stand.GELOEST).order_by(
                "-erfasst_am", "pk"
            ),
            to_attr="offene_huerden",
        ),
    )


def phase_text(onboarding: Onboarding) -> str:
    """ "Phase 1: 5 von 8", "Phase 2 erledigt", "abgeschlossen" (betriebsfähig) from the
    annotations of :func:`land_behoerden`."""
    phase = getattr(onboarding, "aktuelle_phase", None)
    if phase is None:
        return "abgeschlossen" if onboarding.status == Status.BETRIEBSFAEHIG else "–"
    pflicht = getattr(onboarding, "phase_pflicht", 0)
    fertig = getattr(onboarding, "phase_fertig", 0)
    if fertig >= pflicht:
        return f"Phase {phase} erledigt"
    return f"Phase {phase}: {fertig} von {pflicht}"
