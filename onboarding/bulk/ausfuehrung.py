"""Applying the planned rows through the services' batch path and the hurdle services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from audit.models import Ereignis
from onboarding.bulk.ergebnis import Aenderung
from onboarding.bulk.plan import UNVERAENDERT, NeueHuerde, Plan, meldung, status_text
from onboarding.models import Huerde


def _stapel_aenderung(plan: Plan, services: Any) -> Any:
    onboarding = plan.onboarding
    assert onboarding is not None
    daten = dict(plan.felder)
    if plan.team is not UNVERAENDERT:
        # The services check the separate right to assign teams for a team-only change.
        daten["team"] = plan.team
    return services.StapelAenderung(
        onboarding_id=onboarding.pk,
        version=onboarding.version,
        daten=daten,
        punkte=[
            services.PunktAenderung(
                punkt_id=punkt.id,
                stand=wert.stand,
                verzicht_grund=wert.verzicht_grund,
                version=punkt.version,
            )
            for punkt, wert in plan.punkte
        ],
    )


def ausfuehren(
    *, user: Any, plaene: list[Plan], quelle: str, zeitpunkt: dt.datetime, zeilenweise: bool
) -> None:
    """Apply the rows through the services' batch path. ``zeilenweise``: a row the services
    refuse leaves no trace while the others are kept; otherwise one refusal means nothing is
    written (the caller rolls everything back)."""
    from onboarding import services

    aktiv = [p for p in plaene if p.ergebnis.ok and p.hat_aenderungen]
    stapel_plaene = [p for p in aktiv if p.felder or p.team is not UNVERAENDERT or p.punkte]
    stapel = services.onboardings_stapel_anwenden(
        aenderungen=[_stapel_aenderung(p, services) for p in stapel_plaene],
        user=user,
        quelle=quelle,
        zeitpunkt=zeitpunkt,
        nur_fehlerfreie=zeilenweise,
    )
    for position, exc in sorted(stapel.fehler.items()):
        stapel_plaene[position].ergebnis.fehler.append(meldung(exc))
    if not stapel.angewendet:
        return
    neue_huerden: dict[str, tuple[NeueHuerde, list[Plan]]] = {}
    verknuepfen: dict[int, list[Plan]] = {}
    for plan in aktiv:
        if not plan.ergebnis.ok:
            continue
        for neu in plan.huerden_neu:
            neue_huerden.setdefault(neu.titel, (neu, []))[1].append(plan)
        for huerde in plan.huerden_verknuepfen:
            verknuepfen.setdefault(huerde.pk, []).append(plan)
    # A new hurdle named in several rows is recorded once, linked to all their records.
    for titel, (neu, zeilen_plaene) in neue_huerden.items():
        try:
            with transaction.atomic():
                services.huerde_erfassen(
                    user=user,
                    daten={
                        "titel": titel,
                        "kategorie": neu.kategorie,
                        "verantwortlich": neu.verantwortlich,
                        "erfasst_am": timezone.localdate(zeitpunkt),
                    },
                    onboarding_ids=[p.onboarding.pk for p in zeilen_plaene if p.onboarding],
                    quelle=quelle,
                    zeitpunkt=zeitpunkt,
                )
        except (services.Ungueltig, PermissionDenied, ValidationError) as exc:
            for p in zeilen_plaene:
                p.ergebnis.fehler.append(f"Hürde „{titel}“: {meldung(exc)}")
    # An existing open hurdle gets all rows' records linked in one change.
    for huerde_id, zeilen_plaene in verknuepfen.items():
        try:
            with transaction.atomic():
                huerde = Huerde.objects.get(pk=huerde_id)
                links = set(huerde.onboardings.values_list("pk", flat=True))
                links.update(p.onboarding.pk for p in zeilen_plaene if p.onboarding)
                services.huerde_aktualisieren(
                    huerde_id=huerde_id,
                    user=user,
                    version=huerde.version,
                    daten={"onboarding_ids": sorted(links)},
                    quelle=quelle,
                    zeitpunkt=zeitpunkt,
                )
        except (services.Ungueltig, services.Konflikt, PermissionDenied, ValidationError) as exc:
            for p in zeilen_plaene:
                p.ergebnis.fehler.append(f"Hürde „{huerde.titel}“: {meldung(exc)}")
    _automatische_aenderungen(plaene=stapel_plaene, ereignisse=stapel.ereignisse)


def _automatische_aenderungen(*, plaene: list[Plan], ereignisse: list[Ereignis]) -> None:
    """Status changes the services made on their own (a finished phase advances the record):
    shown in the result so it says everything that changed."""
    nach_onboarding = {p.onboarding.pk: p for p in plaene if p.onboarding and p.punkte}
    if not nach_onboarding:
        return
    for e in ereignisse:
        if e.objekt_typ != "onboarding.onboarding" or e.objekt_id not in nach_onboarding:
            continue
        plan = nach_onboarding[e.objekt_id]
        paar = e.aenderungen.get("status")
        if not paar or "status" in plan.felder or not plan.ergebnis.ok:
            continue
        schon = {(a.vorher, a.nachher) for a in plan.ergebnis.aenderungen if a.feld == "status"}
        if (status_text(paar[0]), status_text(paar[1])) in schon:
            continue
        plan.ergebnis.aenderungen.append(
            Aenderung(
                "status",
                "Status (automatisch)",
                status_text(paar[0]),
                status_text(paar[1]),
            )
        )
