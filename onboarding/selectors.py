"""Reads of the roll-in workflow: derived phase progress, the work queue "Meine Behörden",
one record with everything its page needs."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils import timezone

from onboarding import permissions
from onboarding.models import Checklistenpunkt, Huerde, Onboarding, Phase, Status
from onboarding.services._basis import aktuelle_phase

ANSICHTEN = {
    "alle": "Alle",
    "ueberfaellig": "Überfällig",
    "blockiert": "Blockiert",
    "naechster_schritt": "Nächster Schritt",
    "zuletzt_geaendert": "Zuletzt geändert",
}

# Statuses in which a phase is finished (the record has moved past it).
_NACH_PHASE_1 = [Status.PHASE_2, Status.PHASE_3, Status.LIVE, Status.BETRIEBSFAEHIG]
_NACH_PHASE_2 = [Status.PHASE_3, Status.LIVE, Status.BETRIEBSFAEHIG]
_LIVE = [Status.LIVE, Status.BETRIEBSFAEHIG]


@dataclass(frozen=True)
class PhasenStand:
    """How far one phase of a record is, derived from its checklist items."""

    phase: int
    bezeichnung: str
    gesamt_pflicht: int
    erledigt: int
    verzichtet: int
    offen: int
    abgeschlossen: bool
    text: str
    verzichtete_punkte: list[tuple[str, str]] = field(default_factory=list)
    offene_punkte: list[str] = field(default_factory=list)
    ist_aktuell: bool = False


def phasen_fortschritt(onboarding: Onboarding) -> list[PhasenStand]:
    """Progress per phase (0–3) with the visible derivation, e.g. "Phase 1 erledigt: 8 von
    8, davon 1 verzichtet: ePayment (keine Gebühren)" or "Phase 1: 5 von 8 erledigt".

    Uses ``onboarding.punkte.all()`` (prefetch it for lists)."""
    punkte = list(onboarding.punkte.all())
    aktuell = aktuelle_phase(onboarding.status)
    ergebnis = []
    for phase, bezeichnung in Phase.choices:
        eigene = sorted((p for p in punkte if p.phase == phase), key=lambda p: p.reihenfolge)
        pflicht = [p for p in eigene if p.pflicht]
        erledigt = [p for p in pflicht if p.stand == Checklistenpunkt.Stand.ERLEDIGT]
        verzichtet = [p for p in pflicht if p.stand == Checklistenpunkt.Stand.VERZICHTET]
        offen = [p for p in pflicht if p.stand == Checklistenpunkt.Stand.OFFEN]
        fertig = len(erledigt) + len(verzichtet)
        abgeschlossen = not offen
        if not pflicht:
            text = f"Phase {phase}: keine Pflichtpunkte"
        elif abgeschlossen:
            text = f"Phase {phase} erledigt: {fertig} von {len(pflicht)}"
        else:
            text = f"Phase {phase}: {fertig} von {len(pflicht)} erledigt"
        if verzichtet:
            gruende = ", ".join(f"{p.text} ({p.verzicht_grund})" for p in verzichtet)
            text += f", davon {len(verzichtet)} verzichtet: {gruende}"
        ergebnis.append(
            PhasenStand(
                phase=phase,
                bezeichnung=str(bezeichnung),
                gesamt_pflicht=len(pflicht),
                erledigt=len(erledigt),
                verzichtet=len(verzichtet),
                offen=len(offen),
                abgeschlossen=abgeschlossen,
                text=text,
                verzichtete_punkte=[(p.text, p.verzicht_grund) for p in verzichtet],
                offene_punkte=[p.text for p in offen],
                ist_aktuell=phase == aktuell,
            )
        )
    return ergebnis


def _aktuelle_phase_ausdruck() -> Case:
    return Case(
        When(status__in=[Status.UNBEKANNT, Status.IN_KLAERUNG, Status.GEPLANT], then=Value(0)),
        When(status=Status.PHASE_1, then=Value(1)),
        When(status=Status.PHASE_2, then=Value(2)),
        When(status__in=[Status.PHASE_3, Status.LIVE], then=Value(3)),
        default=Value(None),
        output_field=IntegerField(),
    )


def ueberfaellig_bedingung(stichtag: dt.date) -> Q:
    """A planned date has passed while its phase is not done."""
    return (
        Q(geplant_phase_1__lt=stichtag) & ~Q(status__in=_NACH_PHASE_1)
        | Q(geplant_phase_2__lt=stichtag) & ~Q(status__in=_NACH_PHASE_2)
        | Q(geplant_golive__lt=stichtag) & ~Q(status__in=_LIVE)
    )


def _mit_arbeitsspalten(qs: QuerySet[Onboarding], stichtag: dt.date) -> QuerySet[Onboarding]:
    naechster = Checklistenpunkt.objects.filter(
        onboarding_id=OuterRef("pk"),
        phase=OuterRef("aktuelle_phase"),
        pflicht=True,
        stand=Checklistenpunkt.Stand.OFFEN,
    ).order_by("reihenfolge", "pk")
    return qs.annotate(
        aktuelle_phase=_aktuelle_phase_ausdruck(),
    ).annotate(
        naechster_schritt=Subquery(naechster.values("text")[:1]),
        naechster_schritt_id=Subquery(naechster.values("pk")[:1]),
        ueberfaellig=Case(
            When(ueberfaellig_bedingung(stichtag), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
    )


def arbeitsliste(*, user: Any, filter: dict[str, Any]) -> QuerySet[Onboarding]:  # noqa: A002
    """The work queue "Meine Behörden": open records a user works on, with annotations
    ``aktuelle_phase``, ``naechster_schritt`` (first open required item of the current
    phase), ``naechster_schritt_id`` and ``ueberfaellig``.

    Scope: a roll-in team member gets the records of their team, everybody else the records
    they may see. ``filter`` keys (all optional): ``ansicht`` (one of ``ANSICHTEN``),
    ``leistung`` (OZG-ID), ``status``, ``land`` (Kürzel), ``q`` (authority name),
    ``stichtag`` (date for "overdue", default today).
    """
    from accounts.models import Rolle

    stichtag = filter.get("stichtag") or timezone.localdate()
    if getattr(user, "rolle", None) == Rolle.ROLLIN_TEAM and not user.is_superuser:
        qs = permissions.onboardings_bearbeitbar(user)
    else:
        qs = permissions.onboardings_sichtbar(user)
    qs = qs.filter(geschlossen_am__isnull=True).exclude(status=Status.NICHT_ZUSTAENDIG)
    if filter.get("leistung"):
        qs = qs.filter(leistung__ozg_id=filter["leistung"])
    if filter.get("status"):
        qs = qs.filter(status=filter["status"])
    if filter.get("land"):
        qs = qs.filter(zusage__land__kurz=str(filter["land"]).upper())
    if filter.get("q"):
        q = str(filter["q"]).strip()
        qs = qs.filter(Q(behoerde__name__icontains=q) | Q(behoerde__suchname__icontains=q))
    qs = _mit_arbeitsspalten(qs, stichtag).select_related(
        "behoerde__land", "leistung", "zusage__land", "team"
    )
    ansicht = filter.get("ansicht") or "alle"
    if ansicht == "ueberfaellig":
        return qs.filter(ueberfaellig_bedingung(stichtag)).order_by(
            "geplant_phase_1", "geplant_phase_2", "geplant_golive", "behoerde__name", "pk"
        )
    if ansicht == "blockiert":
        return qs.filter(blockiert=True).order_by("behoerde__name", "leistung__ozg_id", "pk")
    if ansicht == "naechster_schritt":
        return qs.filter(Q(naechster_schritt__isnull=False)).order_by(
            "aktuelle_phase", "behoerde__name", "leistung__ozg_id", "pk"
        )
    if ansicht == "zuletzt_geaendert":
        return qs.order_by("-geaendert_am", "-pk")
    return qs.order_by("behoerde__name", "leistung__ozg_id", "pk")


def onboarding_detail(*, onboarding_id: int) -> Onboarding:
    """One record with its authority, service, team, checklist and hurdles (open first).
    Raises ``Onboarding.DoesNotExist``; check the scope with
    ``permissions.onboarding_holen`` first."""
    return (
        Onboarding.objects.select_related(
            "behoerde__land",
            "behoerde__gemeinde",
            "behoerde__kreis",
            "leistung",
            "zusage__land",
            "team",
            "vorlage",
            "golive_bestaetigt_von",
        )
        .prefetch_related(
            Prefetch(
                "punkte",
                queryset=Checklistenpunkt.objects.select_related("geaendert_von").order_by(
                    "phase", "reihenfolge", "pk"
                ),
            ),
            Prefetch(
                "huerden",
                queryset=Huerde.objects.select_related("erfasst_von").order_by(
                    Case(When(stand=Huerde.Stand.GELOEST, then=Value(1)), default=Value(0)),
                    "-erfasst_am",
                    "pk",
                ),
            ),
        )
        .get(pk=onboarding_id)
    )


def hat_offene_blockierende_huerde(onboarding_id: int) -> bool:
    return (
        Huerde.objects.filter(onboardings=onboarding_id, blockierend=True)
        .exclude(stand=Huerde.Stand.GELOEST)
        .exists()
    )


__all__ = [
    "ANSICHTEN",
    "PhasenStand",
    "arbeitsliste",
    "onboarding_detail",
    "phasen_fortschritt",
    "ueberfaellig_bedingung",
]
