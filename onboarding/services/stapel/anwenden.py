"""``onboardings_stapel_anwenden``: plan every change in memory, then write them all in one
transaction (see the package docstring)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from abdeckung.tasks import abdeckung_vormerken
from audit.models import Quelle
from onboarding.services._basis import Konflikt, Ungueltig, jetzt, tag_von
from onboarding.services.bearbeiten import GemerkteRechte
from onboarding.services.stapel._gemeinsam import StapelAenderung, StapelErgebnis, Zeile
from onboarding.services.stapel.laden import onboardings_laden, punkte_laden, teams_laden
from onboarding.services.stapel.planen import aenderung_planen, konflikt_von
from onboarding.services.stapel.schreiben import zeilen_schreiben


class _Zurueckrollen(Exception):
    """Leaves the write savepoint so nothing of it stays."""


def onboardings_stapel_anwenden(
    *,
    aenderungen: list[StapelAenderung],
    user: Any,
    quelle: str,
    zeitpunkt: dt.datetime | None = None,
    nur_fehlerfreie: bool = False,
) -> StapelErgebnis:
    """Apply many changes of onboarding records in one transaction, with exactly the rules,
    version checks and audit events of ``checklistenpunkt_setzen`` and
    ``onboarding_aktualisieren``. Each record may appear once. Without ``nur_fehlerfreie``
    nothing is written when any change is refused; with it, the refused ones are skipped
    and leave no trace."""
    zeitpunkt = jetzt(zeitpunkt)
    if quelle not in Quelle.values:
        raise ValueError(f"Unbekannte Quelle {quelle!r}.")
    ergebnis = StapelErgebnis()
    with transaction.atomic():
        onboardings = onboardings_laden({a.onboarding_id for a in aenderungen})
        punkte = punkte_laden(
            {a.onboarding_id for a in aenderungen if a.punkte or "status" in a.daten},
            {pa.punkt_id for a in aenderungen for pa in a.punkte},
        )
        teams = teams_laden(aenderungen)
        rechte = GemerkteRechte(user)
        heute = tag_von(zeitpunkt)
        gesehen: set[int] = set()
        zeilen: list[Zeile] = []
        for position, aenderung in enumerate(aenderungen):
            try:
                if aenderung.onboarding_id in gesehen:
                    raise Ungueltig(
                        f"Das Onboarding {aenderung.onboarding_id} kommt mehrfach vor; "
                        "jedes Onboarding darf nur einmal geändert werden."
                    )
                gesehen.add(aenderung.onboarding_id)
                zeile = aenderung_planen(
                    position=position,
                    aenderung=aenderung,
                    onboardings=onboardings,
                    punkte=punkte,
                    teams=teams,
                    rechte=rechte,
                    user=user,
                    quelle=quelle,
                    zeitpunkt=zeitpunkt,
                    heute=heute,
                )
            except (Ungueltig, ValidationError, Konflikt, PermissionDenied) as exc:
                ergebnis.fehler[position] = exc
                continue
            if zeile.ereignisse:
                zeilen.append(zeile)
            else:
                ergebnis.unveraendert.append(position)
        if ergebnis.fehler and not nur_fehlerfreie:
            return ergebnis
        while True:
            konflikte: list[Zeile] = []
            try:
                with transaction.atomic():
                    konflikte = zeilen_schreiben(zeilen)
                    if konflikte:
                        raise _Zurueckrollen
            except _Zurueckrollen:
                for zeile in konflikte:
                    ergebnis.fehler[zeile.position] = konflikt_von(zeile)
                if not nur_fehlerfreie:
                    return ergebnis
                weg = {z.position for z in konflikte}
                zeilen = [z for z in zeilen if z.position not in weg]
                continue
            break
        ergebnis.angewendet = True
        ergebnis.geaendert = [z.position for z in zeilen]
        ergebnis.ereignisse = [e for z in zeilen for e in z.ereignisse]
        if any("status" in z.felder for z in zeilen):
            abdeckung_vormerken()  # coverage recomputation after commit (abdeckung.tasks)
    return ergebnis
