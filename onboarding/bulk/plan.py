"""What checking a bulk-update file works on: the plan of one row (its record and the
changes it asks for), the things every row refers to (loaded once), and the texts shown
in the per-row result."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError

from leistungen.models import Behoerde, Leistung
from onboarding import permissions
from onboarding.bulk import format as fmt
from onboarding.bulk.ergebnis import ZeilenErgebnis
from onboarding.models import Huerde, Onboarding, Status, Team

UNVERAENDERT = object()


@dataclass
class Punkt:
    id: int
    code: str
    stand: str
    verzicht_grund: str
    version: int


@dataclass
class NeueHuerde:
    titel: str
    kategorie: str
    verantwortlich: str


@dataclass
class Plan:
    ergebnis: ZeilenErgebnis
    zeile: dict[str, str]
    onboarding: Onboarding | None = None
    felder: dict[str, Any] = field(default_factory=dict)
    team: Any = UNVERAENDERT
    punkte: list[tuple[Punkt, fmt.PunktWert]] = field(default_factory=list)
    huerden_neu: list[NeueHuerde] = field(default_factory=list)
    huerden_verknuepfen: list[Huerde] = field(default_factory=list)

    @property
    def hat_aenderungen(self) -> bool:
        return bool(
            self.felder
            or self.team is not UNVERAENDERT
            or self.punkte
            or self.huerden_neu
            or self.huerden_verknuepfen
        )


def wert_text(wert: Any) -> str:
    if wert is None or wert == "":
        return "–"
    if isinstance(wert, bool):
        return fmt.ja_nein_schreiben(wert)
    if isinstance(wert, dt.date):
        return fmt.datum_schreiben(wert)
    return str(wert)


def meldung(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(str(m) for m in exc.messages)
    return str(exc) or "Nicht erlaubt."


@dataclass
class Kontext:
    """Everything the rows of one file refer to, loaded once."""

    user: Any
    heute: dt.date
    behoerden: dict[str, Behoerde]
    leistungen: dict[str, Leistung]
    onboardings: dict[tuple[int, int], Onboarding]
    sichtbare_laender: set[int]
    sichtbar: set[int]
    bearbeitbar: set[int]
    punkte: dict[tuple[int, str], Punkt]
    codes: list[str]
    teams: dict[str, Team]
    offene_huerden: dict[str, list[Huerde]]
    sichtbare_huerden: set[int]
    verknuepft: dict[int, set[str]]
    erste_zeile: dict[tuple[str, str], int] = field(default_factory=dict)
    _team_recht: dict[int, bool] = field(default_factory=dict)

    def darf_team_zuweisen(self, onboarding: Onboarding) -> bool:
        # The right depends on the record's Land only: ask once per Land.
        land_id = onboarding.zusage.land_id
        if land_id not in self._team_recht:
            self._team_recht[land_id] = permissions.darf_team_zuweisen(self.user, onboarding)
        return self._team_recht[land_id]


def status_text(wert: Any) -> str:
    try:
        return str(Status(wert).label)
    except ValueError:
        return wert_text(wert)
