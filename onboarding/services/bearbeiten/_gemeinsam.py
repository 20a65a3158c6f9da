"""Shared pieces of the per-record edit services: reading submitted values, loading a
record, version conflicts, scope questions, the validated change (``Schritt``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from onboarding import permissions
from onboarding.models import DATUMSFELDER, Onboarding, Status, Team
from onboarding.services._basis import STATUS_RANG, Konflikt, Ungueltig, datum, ereignisse_seit

BEARBEITBARE_FELDER = ("status", "team", "welle", "baseline", *DATUMSFELDER)
ONBOARDING_RELATED = (
    "behoerde",
    "leistung",
    "zusage__land",
    "team",
    "vorlage",
    "golive_bestaetigt_von",
)


def feld_label(feld: str) -> str:
    return str(getattr(Onboarding._meta.get_field(feld), "verbose_name", feld))


_STATUS_LABEL = dict(Status.choices)


def status_label(status: str) -> str:
    return str(_STATUS_LABEL.get(status, status))


def datum_lesen(wert: Any, feld: str) -> dt.date | None:
    """A date from a date, ``None``/"" or an ISO string ("2026-07-01")."""
    if wert in (None, ""):
        return None
    if isinstance(wert, dt.datetime):
        raise Ungueltig(f"„{feld_label(feld)}“: ein Datum ohne Uhrzeit erwartet.")
    if isinstance(wert, dt.date):
        return wert
    try:
        return dt.date.fromisoformat(str(wert).strip())
    except ValueError as exc:
        raise Ungueltig(
            f"„{feld_label(feld)}“: {wert!r} ist kein gültiges Datum (erwartet JJJJ-MM-TT)."
        ) from exc


def team_lesen(wert: Any) -> Team | None:
    if wert in (None, ""):
        return None
    if isinstance(wert, Team):
        return wert
    try:
        return Team.objects.get(pk=int(wert))
    except (ValueError, TypeError, Team.DoesNotExist) as exc:
        raise Ungueltig(f"Unbekanntes Roll-in-Team {wert!r}.") from exc


def _bool_lesen(wert: Any, feld: str) -> bool:
    if isinstance(wert, bool):
        return wert
    text = str(wert).strip().lower()
    if text in ("1", "true", "ja", "wahr", "x"):
        return True
    if text in ("0", "false", "nein", "falsch", ""):
        return False
    raise Ungueltig(f"„{feld_label(feld)}“: {wert!r} ist weder ja noch nein.")


def daten_lesen(daten: dict[str, Any]) -> dict[str, Any]:
    """The editable fields of ``daten`` as model values (``Ungueltig`` naming the problem)."""
    unbekannt = sorted(set(daten) - set(BEARBEITBARE_FELDER))
    if unbekannt:
        raise Ungueltig(f"Diese Felder können nicht geändert werden: {', '.join(unbekannt)}.")
    neu: dict[str, Any] = {}
    for feld, wert in daten.items():
        if feld in DATUMSFELDER:
            neu[feld] = datum_lesen(wert, feld)
        elif feld == "team":
            neu[feld] = team_lesen(wert)
        elif feld == "baseline":
            neu[feld] = _bool_lesen(wert, feld)
        elif feld == "welle":
            neu[feld] = str(wert or "").strip()
            if len(neu[feld]) > 40:
                raise Ungueltig("Die Welle darf höchstens 40 Zeichen lang sein.")
        elif feld == "status":
            if wert == Status.NICHT_ZUSTAENDIG:
                raise Ungueltig(
                    "Der Status „nicht zuständig“ wird nur vom System gesetzt, wenn die "
                    "Behörde laut Zuständigkeit nicht mehr zuständig ist."
                )
            if wert not in STATUS_RANG:
                raise Ungueltig(f"Unbekannter Status {wert!r}.")
            neu[feld] = str(wert)
    return neu


def onboarding_laden(onboarding_id: int) -> Onboarding:
    try:
        return Onboarding.objects.select_related(*ONBOARDING_RELATED).get(pk=onboarding_id)
    except Onboarding.DoesNotExist as exc:
        raise Ungueltig(f"Es gibt kein Onboarding mit der Nummer {onboarding_id}.") from exc


def onboarding_konflikt(onboarding_id: int, version: int) -> Konflikt:
    aktuell = onboarding_laden(onboarding_id)
    return Konflikt(aktuell=aktuell, ereignisse=ereignisse_seit(objekt=aktuell, version=version))


def nicht_geschlossen(onboarding: Onboarding) -> None:
    if onboarding.geschlossen_am is not None:
        raise Ungueltig(
            f"Das Onboarding ist seit {datum(onboarding.geschlossen_am)} geschlossen "
            f"({onboarding.geschlossen_grund}) und kann nicht mehr geändert werden."
        )


def team_passt(team: Team | None, onboarding: Onboarding) -> None:
    if team is not None and team.land_id and team.land_id != onboarding.zusage.land_id:
        raise Ungueltig(
            f"Das Team „{team}“ arbeitet in {team.land}, die Behörde {onboarding.behoerde} "
            f"liegt in {onboarding.zusage.land}."
        )


class Rechte:
    """The scope questions the edit services ask (``onboarding.permissions``), for one user.
    The batch path (``services.stapel``) uses :class:`GemerkteRechte` instead."""

    def __init__(self, user: Any) -> None:
        self.user = user

    def sehen(self, onboarding: Onboarding) -> bool:
        return permissions.darf_onboarding_sehen(self.user, onboarding)

    def bearbeiten(self, onboarding: Onboarding) -> bool:
        return permissions.darf_onboarding_bearbeiten(self.user, onboarding)

    def team_zuweisen(self, onboarding: Onboarding) -> bool:
        return permissions.darf_team_zuweisen(self.user, onboarding)


class GemerkteRechte(Rechte):
    """The same answers, asked once per (Land, team): the rights of a record depend on the
    Land of its commitment and (for roll-in teams) its team only."""

    def __init__(self, user: Any) -> None:
        super().__init__(user)
        self._antworten: dict[tuple[str, int, int | None], bool] = {}

    def _gemerkt(self, frage: Callable[[Onboarding], bool], onboarding: Onboarding) -> bool:
        schluessel = (frage.__name__, onboarding.zusage.land_id, onboarding.team_id)
        if schluessel not in self._antworten:
            self._antworten[schluessel] = frage(onboarding)
        return self._antworten[schluessel]

    def sehen(self, onboarding: Onboarding) -> bool:
        return self._gemerkt(super().sehen, onboarding)

    def bearbeiten(self, onboarding: Onboarding) -> bool:
        return self._gemerkt(super().bearbeiten, onboarding)

    def team_zuweisen(self, onboarding: Onboarding) -> bool:
        return self._gemerkt(super().team_zuweisen, onboarding)


@dataclass
class Schritt:
    """One validated change of a record or checklist item, not yet written: the new values
    of the changed fields (foreign keys as objects), the audit ``aenderungen`` (with the
    ``version`` entry) and the event text."""

    felder: dict[str, Any]
    aenderungen: dict[str, list[Any]]
    beschreibung: str
