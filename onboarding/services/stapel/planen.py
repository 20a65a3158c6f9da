"""Working out one change of the bulk path in memory with the per-record services' rules
(``punkt_schritt``, ``onboarding_schritt``, ``naechster_status``), and the conflict of a change
whose conditional UPDATE found another version."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models

from audit.models import Aktion
from audit.services import ereignis_bauen
from onboarding.models import Checklistenpunkt, Onboarding, Team
from onboarding.services._basis import Konflikt, Ungueltig, ereignisse_seit, naechster_status
from onboarding.services.bearbeiten import (
    GemerkteRechte,
    Schritt,
    daten_lesen,
    felder_rechte_pruefen,
    geaendert_von,
    onboarding_schritt,
    punkt_schritt,
    weiterschalten_text,
)
from onboarding.services.bearbeiten._gemeinsam import onboarding_konflikt
from onboarding.services.stapel._gemeinsam import StapelAenderung, Zeile


def aenderung_planen(
    *,
    position: int,
    aenderung: StapelAenderung,
    onboardings: dict[int, Onboarding],
    punkte: dict[int, list[Any]],
    teams: dict[int, Team],
    rechte: GemerkteRechte,
    user: Any,
    quelle: str,
    zeitpunkt: dt.datetime,
    heute: dt.date,
) -> Zeile:
    onboarding = onboardings.get(aenderung.onboarding_id)
    if onboarding is None:
        raise Ungueltig(f"Es gibt kein Onboarding mit der Nummer {aenderung.onboarding_id}.")
    if aenderung.version is not None and aenderung.version != onboarding.version:
        # As the per-record services: the scope is checked before the version.
        if aenderung.punkte and not rechte.bearbeiten(onboarding):
            raise PermissionDenied("Sie dürfen dieses Onboarding nicht bearbeiten.")
        if aenderung.daten:
            neu = daten_lesen(_teams_einsetzen(aenderung.daten, teams))
            felder_rechte_pruefen(rechte=rechte, onboarding=onboarding, neu=neu)
        raise onboarding_konflikt(onboarding.pk, aenderung.version)
    zeile = Zeile(position=position, onboarding=onboarding, start_version=onboarding.version)
    eigene = punkte.get(onboarding.pk, [])
    nach_id = {p.pk: p for p in eigene if isinstance(p, Checklistenpunkt)}
    bearbeiter = geaendert_von(user)

    def schritt_merken(objekt: models.Model, schritt: Schritt) -> None:
        zeile.ereignisse.append(
            ereignis_bauen(
                user=user,
                quelle=quelle,
                aktion=Aktion.GEAENDERT,
                objekt=objekt,
                aenderungen=schritt.aenderungen,
                onboarding_id=onboarding.pk,
                beschreibung=schritt.beschreibung,
                zeitpunkt=zeitpunkt,
            )
        )

    def onboarding_schritt_anwenden(schritt: Schritt | None) -> None:
        if schritt is None:
            return
        for feld, wert in schritt.felder.items():
            setattr(onboarding, feld, wert)
        onboarding.version += 1
        zeile.felder.update(schritt.felder)
        schritt_merken(onboarding, schritt)

    for pa in aenderung.punkte:
        punkt = nach_id.get(pa.punkt_id)
        if punkt is None:
            raise Ungueltig(
                f"Es gibt keinen Checklistenpunkt mit der Nummer {pa.punkt_id} in diesem "
                "Onboarding."
            )
        schritt = punkt_schritt(
            punkt=punkt,
            onboarding=onboarding,
            rechte=rechte,
            version=punkt.version if pa.version is None else pa.version,
            stand=pa.stand,
            verzicht_grund=pa.verzicht_grund,
            erledigt_am=pa.erledigt_am,
            heute=heute,
        )
        if schritt is None:
            continue
        zeile.punkt_start_version.setdefault(punkt.pk, punkt.version)
        for feld, wert in schritt.felder.items():
            setattr(punkt, feld, wert)
        punkt.geaendert_von = bearbeiter
        punkt.version += 1
        zeile.punkte[punkt.pk] = punkt
        schritt_merken(punkt, schritt)
        # What checklistenpunkt_setzen does after each item: advance a finished phase.
        while ziel := naechster_status(onboarding.status, eigene):
            onboarding_schritt_anwenden(
                onboarding_schritt(
                    onboarding=onboarding,
                    user=user,
                    version=onboarding.version,
                    neu={"status": ziel},
                    zeitpunkt=zeitpunkt,
                    punkte=lambda: eigene,
                    beschreibung=weiterschalten_text(onboarding.status, ziel),
                )
            )
    if aenderung.daten:
        neu = daten_lesen(_teams_einsetzen(aenderung.daten, teams))
        felder_rechte_pruefen(rechte=rechte, onboarding=onboarding, neu=neu)
        onboarding_schritt_anwenden(
            onboarding_schritt(
                onboarding=onboarding,
                user=user,
                version=onboarding.version,
                neu=neu,
                zeitpunkt=zeitpunkt,
                punkte=lambda: eigene,
            )
        )
    return zeile


def _teams_einsetzen(daten: Mapping[str, Any], teams: dict[int, Team]) -> dict[str, Any]:
    """``daten`` with a team id replaced by the team loaded beforehand."""
    daten = dict(daten)
    team = daten.get("team")
    if isinstance(team, str) and team.strip().isdigit():
        team = int(team)
    if isinstance(team, int) and not isinstance(team, bool) and team in teams:
        daten["team"] = teams[team]
    return daten


def konflikt_von(zeile: Zeile) -> Konflikt:
    """The conflict of a change whose conditional UPDATE found another version."""
    aktuell = Onboarding.objects.filter(pk=zeile.onboarding.pk).values_list("version", flat=True)
    if zeile.felder and list(aktuell) != [zeile.start_version]:
        return onboarding_konflikt(zeile.onboarding.pk, zeile.start_version)
    for pk, version in zeile.punkt_start_version.items():
        punkt = Checklistenpunkt.objects.get(pk=pk)
        if punkt.version != version:
            return Konflikt(
                aktuell=punkt, ereignisse=ereignisse_seit(objekt=punkt, version=version)
            )
    return onboarding_konflikt(zeile.onboarding.pk, zeile.start_version)
