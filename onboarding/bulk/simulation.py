"""Checking the planned rows against the services' rules in memory (preview), without
writing."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from onboarding.bulk.ergebnis import Aenderung
from onboarding.bulk.plan import UNVERAENDERT, Plan, meldung, status_text
from onboarding.models import Checklistenpunkt


@dataclass
class _SimPunkt:
    phase: int
    pflicht: bool
    stand: str
    text: str


@dataclass
class _SimOnboarding:
    status: str


def simulieren(plaene: list[Plan]) -> None:
    """Check every row with changes against the services' rules in memory, without
    writing: the status rule (``services.status_pruefen``, the function the services call
    themselves), the automatic advance of a finished phase, the team's Land, field lengths.
    So checking 10,000 rows costs one more query; applying runs the services' rules again
    and refuses (all or nothing) anything this check did not foresee."""
    from onboarding import services

    ids = [
        p.onboarding.pk
        for p in plaene
        if p.ergebnis.ok and p.onboarding and ("status" in p.felder or p.punkte)
    ]
    alle_punkte: dict[int, dict[int, _SimPunkt]] = defaultdict(dict)
    if ids:
        for pid, oid, phase, pflicht, stand, text in Checklistenpunkt.objects.filter(
            onboarding_id__in=ids
        ).values_list("id", "onboarding_id", "phase", "pflicht", "stand", "text"):
            alle_punkte[oid][pid] = _SimPunkt(phase, pflicht, stand, text)
    for plan in plaene:
        onboarding = plan.onboarding
        if not plan.ergebnis.ok or onboarding is None or not plan.hat_aenderungen:
            continue
        fehler = plan.ergebnis.fehler
        if len(plan.felder.get("welle", "")) > 40:
            fehler.append("welle: Die Welle darf höchstens 40 Zeichen lang sein.")
        team = plan.team
        if (
            team is not UNVERAENDERT
            and team is not None
            and team.land_id
            and team.land_id != onboarding.zusage.land_id
        ):
            fehler.append(
                f"team: Das Team „{team}“ arbeitet in einem anderen Land als die Behörde."
            )
        if any(len(wert.verzicht_grund) > 300 for _, wert in plan.punkte):
            fehler.append("Ein Verzichtsgrund darf höchstens 300 Zeichen lang sein.")
        if any(len(neu.titel) > 200 for neu in plan.huerden_neu):
            fehler.append("huerde: Der Titel darf höchstens 200 Zeichen lang sein.")
        punkte = alle_punkte.get(onboarding.pk, {})
        for punkt, wert in plan.punkte:
            if punkt.id in punkte:
                punkte[punkt.id].stand = wert.stand
        liste = list(punkte.values())
        status = onboarding.status
        if plan.punkte:
            status = _weiterschalten_simuliert(plan, status, liste, services)
        neuer_status = plan.felder.get("status")
        if neuer_status and neuer_status != status:
            try:
                services.status_pruefen(
                    _SimOnboarding(status),  # type: ignore[arg-type]
                    neuer_status,
                    baseline=plan.felder.get("baseline", onboarding.baseline),
                    punkte=liste,  # type: ignore[arg-type]
                )
            except services.Ungueltig as exc:
                fehler.append(meldung(exc))


def _weiterschalten_simuliert(
    plan: Plan, status: str, punkte: list[_SimPunkt], services: Any
) -> str:
    """What ``checklistenpunkt_setzen`` does after the items: phase_1 → phase_2 → phase_3
    while the phase is complete (never to live)."""
    while ziel := services.naechster_status(status, punkte):
        if "status" not in plan.felder:
            plan.ergebnis.aenderungen.append(
                Aenderung("status", "Status (automatisch)", status_text(status), status_text(ziel))
            )
        status = ziel
    return status
