"""Users, their role and scope, and API tokens."""

from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q


class Rolle(models.TextChoices):
    MINISTERIUM = "ministerium", "Ministerium (lesend)"
    LAND_KOORDINATION = "land_koordination", "Landeskoordination"
    GU_PROGRAMMBUERO = "gu_programmbuero", "GU-Programmbüro"
    ROLLIN_TEAM = "rollin_team", "Roll-in-Team"
    ADMINISTRATION = "administration", "Administration"


class User(AbstractUser):
    rolle = models.CharField(max_length=30, choices=Rolle.choices, default=Rolle.MINISTERIUM)
    land = models.ForeignKey(
        "kommunen.Land",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Leer: bundesweit (Bund). Sonst nur dieses Land.",
    )
    team = models.ForeignKey(
        "onboarding.Team",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="mitglieder",
        help_text="Nur für Roll-in-Teams: das Team, dessen Behörden bearbeitet werden dürfen.",
    )
    ist_demo = models.BooleanField("Demo-Konto", default=False)

    class Meta(AbstractUser.Meta):  # type: ignore[name-defined]
        verbose_name = "Benutzer"
        verbose_name_plural = "Benutzer"
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    rolle__in=[
                        "ministerium",
                        "land_koordination",
                        "gu_programmbuero",
                        "rollin_team",
                        "administration",
                    ]
                ),
                name="user_rolle_valid",
            )
        ]

    @property
    def ist_administration(self) -> bool:
        return self.is_superuser or self.rolle == Rolle.ADMINISTRATION


class ApiToken(models.Model):
    """A bearer token for scripts. Only the SHA-256 of the token is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(max_length=8, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "API-Token"
        verbose_name_plural = "API-Tokens"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @staticmethod
    def generate_key() -> str:
        return "rc_" + secrets.token_urlsafe(32)
