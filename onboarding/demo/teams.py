"""The demo teams (one per group of Regierungsbezirke) and which team covers a record."""

from __future__ import annotations

from dataclasses import dataclass

from kommunen.models import Land
from onboarding.demo.vorgaben import DEMO_LAENDER
from onboarding.models import Team


@dataclass(frozen=True)
class DemoTeam:
    name: str
    land_kurz: str
    # Regierungsbezirke (first three digits of the Regionalschlüssel) the team covers.
    bezirke: tuple[str, ...]
    beschreibung: str


DEMO_TEAMS: tuple[DemoTeam, ...] = (
    DemoTeam("Demo-Team Bayern Süd", "BY", ("091", "097"), "Oberbayern und Schwaben (Demo)"),
    DemoTeam("Demo-Team Bayern Ost", "BY", ("092", "093"), "Niederbayern und Oberpfalz (Demo)"),
    DemoTeam("Demo-Team Bayern Nord", "BY", ("094", "095", "096"), "Franken (Demo)"),
    DemoTeam("Demo-Team Hessen Süd", "HE", ("064",), "Regierungsbezirk Darmstadt (Demo)"),
    DemoTeam("Demo-Team Hessen Nord", "HE", ("065", "066"), "Gießen und Kassel (Demo)"),
)


def demo_teams_anlegen() -> dict[str, Team]:
    """Create the demo teams (idempotent); return them by name."""
    laender = {land.kurz: land for land in Land.objects.filter(kurz__in=DEMO_LAENDER)}
    teams: dict[str, Team] = {}
    for vorlage in DEMO_TEAMS:
        team, _ = Team.objects.update_or_create(
            name=vorlage.name,
            defaults={"land": laender.get(vorlage.land_kurz), "beschreibung": vorlage.beschreibung},
        )
        teams[team.name] = team
    return teams


def demo_team_fuer(land_kurz: str, bezirk: str) -> str | None:
    for team in DEMO_TEAMS:
        if team.land_kurz == land_kurz and bezirk in team.bezirke:
            return team.name
    candidates = [team.name for team in DEMO_TEAMS if team.land_kurz == land_kurz]
    return candidates[0] if candidates else None
