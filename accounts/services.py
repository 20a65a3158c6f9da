"""Writes for accounts: API tokens and the demo accounts.

A token's plain key is shown exactly once, when it is created; only its SHA-256 is stored.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import ApiToken, Rolle, User

# How often ``last_used_at`` is written at most: a script that polls every second must not
# turn every read into a write.
LETZTE_NUTZUNG_INTERVALL = dt.timedelta(minutes=1)


@transaction.atomic
def api_token_erstellen(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a token for ``user``; return it with its plain key (never stored)."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Bitte einen Namen für das Token angeben."})
    if not user.is_active:
        raise ValidationError("Für ein deaktiviertes Konto kann kein Token erstellt werden.")
    key = ApiToken.generate_key()
    token = ApiToken.objects.create(
        user=user,
        name=name[: ApiToken._meta.get_field("name").max_length],
        key_hash=ApiToken.hash_key(key),
        prefix=key[: ApiToken._meta.get_field("prefix").max_length],
    )
    return token, key


@transaction.atomic
def api_token_widerrufen(*, token: ApiToken) -> ApiToken:
    """Revoke a token; revoking twice keeps the first date."""
    if token.revoked_at is None:
        ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        token.refresh_from_db(fields=["revoked_at"])
    return token


def api_token_nutzung_vermerken(*, token: ApiToken, jetzt: dt.datetime | None = None) -> bool:
    """Record that ``token`` was used, at most once per ``LETZTE_NUTZUNG_INTERVALL``.

    A single conditional UPDATE, so concurrent requests write at most once. Returns whether
    a row was written.
    """
    jetzt = jetzt or timezone.now()
    if token.last_used_at is not None and jetzt - token.last_used_at < LETZTE_NUTZUNG_INTERVALL:
        return False
    geschrieben = (
        ApiToken.objects.filter(pk=token.pk)
        .filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lte=jetzt - LETZTE_NUTZUNG_INTERVALL)
        )
        .update(last_used_at=jetzt)
    )
    if geschrieben:
        token.last_used_at = jetzt
    return bool(geschrieben)


# --- Demo accounts ----------------------------------------------------------------------

# One documented password for every demo account (README, `make demo`). Demo accounts are
# marked ``ist_demo`` so that a production instance can find and remove them.
DEMO_PASSWORT = "demo-2026!"


@dataclass(frozen=True)
class DemoKonto:
    username: str
    rolle: Rolle
    land_kurz: str | None  # None: bundesweit (Bund)
    beschreibung: str
    ist_admin: bool = False
    team: str | None = None  # roll-in teams: the demo team (``onboarding.demo.DEMO_TEAMS``)


DEMO_KONTEN: tuple[DemoKonto, ...] = (
    DemoKonto("demo-bund", Rolle.MINISTERIUM, None, "Ministerium, bundesweit"),
    DemoKonto("demo-land-by", Rolle.MINISTERIUM, "BY", "Ministerium, Bayern"),
    DemoKonto("demo-land-he", Rolle.MINISTERIUM, "HE", "Ministerium, Hessen"),
    DemoKonto("demo-koordination-by", Rolle.LAND_KOORDINATION, "BY", "Landeskoordination Bayern"),
    DemoKonto("demo-gu", Rolle.GU_PROGRAMMBUERO, None, "GU-Programmbüro, alle Länder"),
    DemoKonto(
        "demo-team-by",
        Rolle.ROLLIN_TEAM,
        "BY",
        "Roll-in-Team Bayern Süd",
        team="Demo-Team Bayern Süd",
    ),
    DemoKonto(
        "demo-team-he",
        Rolle.ROLLIN_TEAM,
        "HE",
        "Roll-in-Team Hessen Nord",
        team="Demo-Team Hessen Nord",
    ),
    DemoKonto(
        "demo-admin", Rolle.ADMINISTRATION, None, "Administration (Django-Admin)", ist_admin=True
    ),
)


@transaction.atomic
def demo_benutzer_anlegen() -> list[tuple[User, bool]]:
    """Create or reset the demo accounts of ``DEMO_KONTEN``; return ``(user, created)`` pairs.

    Idempotent: a second run changes nothing, except that it restores role, scope and the
    documented password if someone changed them. Roll-in team accounts are members of a demo
    team (created here too). Needs the Länder (``import_gemeindeverzeichnis``).
    """
    from kommunen.models import Land
    from onboarding.demo import demo_teams_anlegen

    kuerzel = {konto.land_kurz for konto in DEMO_KONTEN if konto.land_kurz}
    laender = {land.kurz: land for land in Land.objects.filter(kurz__in=kuerzel)}
    fehlend = sorted(kuerzel - laender.keys())
    if fehlend:
        raise ValidationError(
            f"Länder fehlen ({', '.join(fehlend)}): zuerst das Gemeindeverzeichnis importieren."
        )

    teams = demo_teams_anlegen()
    ergebnis: list[tuple[User, bool]] = []
    for konto in DEMO_KONTEN:
        user, created = User.objects.get_or_create(
            username=konto.username, defaults={"ist_demo": True}
        )
        if not created and not user.ist_demo:
            raise ValidationError(
                f"Das Konto {konto.username} existiert bereits und ist kein Demo-Konto."
            )
        user.rolle = konto.rolle
        user.land = laender[konto.land_kurz] if konto.land_kurz else None
        user.team = teams[konto.team] if konto.team else None
        user.first_name = "Demo"
        user.last_name = konto.beschreibung
        user.ist_demo = True
        user.is_active = True
        user.is_staff = konto.ist_admin
        user.is_superuser = konto.ist_admin
        if created or not user.check_password(DEMO_PASSWORT):
            user.set_password(DEMO_PASSWORT)
        user.save()
        ergebnis.append((user, created))
    return ergebnis
