"""Helpers for the onboarding tests: a role cast and records in a known state."""

from __future__ import annotations

from typing import Any

from accounts.models import Rolle, User
from kommunen.models import Land
from leistungen.models import Behoerde
from onboarding.models import Checklistenpunkt, Onboarding, Team

PULLACH = "091840139139"  # Gemeinde Pullach i.Isartal: Meldebehörde (10124)
LRA_MUENCHEN = "09184"  # Landratsamt München: Führerschein (10169) and more
DACHAU = "091740115115"  # Große Kreisstadt Dachau: Bauaufsicht (10519) by exception
WIESBADEN = "064140000000"  # kreisfreie Stadt Wiesbaden (HE)


def onboarding(schluessel: str, ozg_id: str) -> Onboarding:
    return Onboarding.objects.select_related("zusage", "behoerde", "team").get(
        behoerde__schluessel=schluessel, leistung__ozg_id=ozg_id, geschlossen_am__isnull=True
    )


def team(name: str, land_kurz: str | None) -> Team:
    land = Land.objects.get(kurz=land_kurz) if land_kurz else None
    return Team.objects.get_or_create(name=name, defaults={"land": land})[0]


def user(name: str, rolle: str, **kwargs: Any) -> User:
    # No password: hashing one costs a noticeable fraction of a second per user.
    return User.objects.create(username=name, rolle=rolle, password="!", **kwargs)


def admin(name: str = "admin-g") -> User:
    return user(name, Rolle.ADMINISTRATION, is_staff=True, is_superuser=True)


def land(kurz: str) -> Land:
    return Land.objects.get(kurz=kurz)


def behoerde(schluessel: str) -> Behoerde:
    return Behoerde.objects.get(schluessel=schluessel)


def punkte(o: Onboarding, phase: int | None = None) -> list[Checklistenpunkt]:
    qs = Checklistenpunkt.objects.filter(onboarding=o).order_by("phase", "reihenfolge")
    if phase is not None:
        qs = qs.filter(phase=phase)
    return list(qs)


def phasen_erledigen(o: Onboarding, *phasen: int, user: Any) -> None:
    """Tick every item of the given phases through the service."""
    from audit.models import Quelle
    from onboarding.services import checklistenpunkt_setzen

    for phase in phasen:
        for p in punkte(o, phase):
            checklistenpunkt_setzen(
                punkt_id=p.pk, user=user, version=p.version, stand="erledigt", quelle=Quelle.UI
            )


def frisch(o: Onboarding) -> Onboarding:
    return Onboarding.objects.select_related("zusage", "behoerde", "team").get(pk=o.pk)
