"""Coverage: the status history as intervals, stored figure sets and the processing mark.

What counts as covered, and the definitions of the three numbers, are in
:mod:`abdeckung.regeln`; how they are computed is in :mod:`abdeckung.services`.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from kommunen.models import Kreis, Land
from leistungen.models import Behoerde, Leistung
from onboarding.models import STATUS_VALUES, Onboarding, Status


class Statusintervall(models.Model):
    """One stretch of time in which an onboarding record had one status and one
    ``blockiert`` value: from the event that set them (``von``) to the event that changed
    them or closed the record (``bis``, exclusive; ``None`` = still so).

    Derived from the audit events and rebuildable at any time
    (``abdeckung.services.statusintervalle_neu_aufbauen``). ``behoerde`` and ``leistung``
    are copied from the record so that "Stand am D" joins the responsibility directly.
    Intervals of the records of one authority × service never overlap: a later record's
    history starts no earlier than the end of the one before (see the service)."""

    onboarding = models.ForeignKey(
        Onboarding, on_delete=models.CASCADE, related_name="statusintervalle"
    )
    behoerde = models.ForeignKey(
        Behoerde, on_delete=models.CASCADE, related_name="statusintervalle"
    )
    leistung = models.ForeignKey(Leistung, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=20, choices=Status.choices)
    blockiert = models.BooleanField(default=False)
    von = models.DateTimeField()
    bis = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "Statusintervall"
        verbose_name_plural = "Statusintervalle"
        ordering = ["onboarding", "von"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=STATUS_VALUES), name="statusintervall_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(bis__isnull=True) | Q(bis__gt=models.F("von")),
                name="statusintervall_bis_nach_von",
            ),
        ]
        indexes = [
            # Rebuilding / reading the history of one record.
            models.Index(fields=["onboarding", "von"], name="statusintervall_onb_idx"),
            # "Stand am D": the interval of an authority × service that contains a moment.
            models.Index(fields=["behoerde", "leistung", "von"], name="statusintervall_stand_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.onboarding_id}: {self.status} ab {self.von:%d.%m.%Y %H:%M}"


class Abdeckungsstand(models.Model):
    """One stored figure set for a Land × service (``kreis`` empty) or a Kreis × service.

    ``aktuell`` rows are the live figures (kept current by ``abdeckung_aktualisieren``);
    ``taeglich`` rows freeze the end of each day; ``stichtag`` rows are the weekly frozen
    figures for the steering report (taken Monday 00:00 Europe/Berlin, i.e. the end of the
    Sunday, which is their ``stichtag``)."""

    class Art(models.TextChoices):
        AKTUELL = "aktuell", "aktuell"
        TAEGLICH = "taeglich", "täglich"
        STICHTAG = "stichtag", "Stichtag (wöchentlich)"

    art = models.CharField(max_length=10, choices=Art.choices)
    stichtag = models.DateField()
    land = models.ForeignKey(Land, on_delete=models.CASCADE, related_name="+")
    leistung = models.ForeignKey(Leistung, on_delete=models.CASCADE, related_name="+")
    kreis = models.ForeignKey(
        Kreis, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    behoerden_live = models.PositiveIntegerField()
    behoerden_gesamt = models.PositiveIntegerField()
    gemeinden_live = models.PositiveIntegerField()
    gemeinden_gesamt = models.PositiveIntegerField()
    einwohner_live = models.BigIntegerField()
    einwohner_gesamt = models.BigIntegerField()
    status_zaehlung = models.JSONField(default=dict)
    blockiert = models.PositiveIntegerField(default=0)
    berechnet_am = models.DateTimeField()
    ereignis_bis = models.BigIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = "Abdeckungsstand"
        verbose_name_plural = "Abdeckungsstände"
        ordering = ["art", "-stichtag", "land", "leistung", "kreis"]
        constraints = [
            models.CheckConstraint(
                condition=Q(art__in=["aktuell", "taeglich", "stichtag"]),
                name="abdeckungsstand_art_valid",
            ),
            models.UniqueConstraint(
                fields=["art", "stichtag", "land", "leistung"],
                condition=Q(kreis__isnull=True),
                name="abdeckungsstand_unique_land",
            ),
            models.UniqueConstraint(
                fields=["art", "stichtag", "land", "leistung", "kreis"],
                condition=Q(kreis__isnull=False),
                name="abdeckungsstand_unique_kreis",
            ),
            models.CheckConstraint(
                condition=Q(behoerden_live__lte=models.F("behoerden_gesamt"))
                & Q(gemeinden_live__lte=models.F("gemeinden_gesamt"))
                & Q(einwohner_live__lte=models.F("einwohner_gesamt")),
                name="abdeckungsstand_zaehler_le_nenner",
            ),
        ]
        indexes = [
            # abdeckung_am / reports: the figures of one art and day.
            models.Index(fields=["art", "stichtag", "land"], name="abdeckungsstand_tag_idx"),
        ]

    def __str__(self) -> str:
        wo = self.kreis_id and f"Kreis {self.kreis_id}" or f"Land {self.land_id}"
        return f"{self.get_art_display()} {self.stichtag:%d.%m.%Y} {wo} · {self.leistung_id}"


class Verarbeitungsstand(models.Model):
    """Single row: how far the incremental recomputation has read the audit history."""

    letzte_ereignis_id = models.BigIntegerField(default=0)
    # Event ids below the mark that were not visible yet (a transaction still open when
    # the run read the history): {"id": "first seen missing, ISO time"}; re-read next time.
    luecken = models.JSONField(default=dict, blank=True)
    # Fingerprint of the resolved responsibility; a change forces a full recomputation.
    zustaendigkeit_fingerabdruck = models.CharField(max_length=200, blank=True)
    aktualisiert_am = models.DateTimeField(null=True, blank=True)
    voll_berechnet_am = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "Verarbeitungsstand"
        verbose_name_plural = "Verarbeitungsstand"
        constraints = [
            models.CheckConstraint(condition=Q(id=1), name="verarbeitungsstand_eine_zeile"),
        ]

    def __str__(self) -> str:
        return f"Ereignisse bis #{self.letzte_ereignis_id}"
