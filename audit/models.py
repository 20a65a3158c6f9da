"""The audit history: one immutable event per change of a tracked record.

Rows are only ever inserted. The application has no update or delete path, and the
database refuses UPDATE and DELETE on the table (trigger, see migration 0002), so the history
can be trusted for point-in-time questions ("what was the status on 1 July?").
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class Quelle(models.TextChoices):
    UI = "ui", "Oberfläche"
    IMPORT = "import", "Import"
    API = "api", "API"
    SYSTEM = "system", "System"


class Aktion(models.TextChoices):
    ANGELEGT = "angelegt", "angelegt"
    GEAENDERT = "geaendert", "geändert"
    GESCHLOSSEN = "geschlossen", "geschlossen"


class Ereignis(models.Model):
    zeitpunkt = models.DateTimeField(db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    quelle = models.CharField(max_length=10, choices=Quelle.choices)
    aktion = models.CharField(max_length=12, choices=Aktion.choices)
    # What changed: "onboarding.onboarding", "onboarding.checklistenpunkt", ...
    objekt_typ = models.CharField(max_length=60)
    objekt_id = models.BigIntegerField()
    # The onboarding record the change belongs to (for its timeline and point-in-time
    # replay); null for changes that belong to none (a commitment).
    onboarding_id = models.BigIntegerField(null=True, blank=True)
    beschreibung = models.CharField(max_length=300, blank=True)
    # {"field": [before, after], ...} with JSON-serialisable values.
    aenderungen = models.JSONField(default=dict)

    class Meta:
        verbose_name = "Ereignis"
        verbose_name_plural = "Ereignisse"
        ordering = ["-zeitpunkt", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quelle__in=Quelle.values),
                name="ereignis_quelle_valid",
            ),
            models.CheckConstraint(
                condition=Q(aktion__in=Aktion.values),
                name="ereignis_aktion_valid",
            ),
        ]
        indexes = [
            # Timeline of one record, newest first; point-in-time replay up to a date.
            models.Index(fields=["onboarding_id", "zeitpunkt"], name="ereignis_onboarding_idx"),
            models.Index(fields=["objekt_typ", "objekt_id"], name="ereignis_objekt_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.zeitpunkt:%d.%m.%Y %H:%M} {self.objekt_typ} #{self.objekt_id} {self.aktion}"
