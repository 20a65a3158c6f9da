"""The weekly steering report archive (issue #6).

One row per scope × Stichtag holds the archived PDF together with the metadata that makes
it reproducible (Stichtag, scope, SHA-256, data version) and the state of the latest
generation run. The PDF bytes live in the database (``BinaryField``): the archive and its
metadata commit in one transaction, and a database backup contains both. A report is
~0.5–2 MB and there are a few per week, so the table stays small.

A re-run (after a failure, or on demand) replaces the archived PDF only when it succeeds;
a failed run sets ``status`` to ``fehler`` with its message and leaves the PDF that was
there before.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from kommunen.models import Land

#: Scope of the national report; a Land's report has the Land's ``kurz`` ("BY", "HE").
NATIONAL = "national"
#: Hard time limit of one generation run (seconds); the task uses it.
ERZEUGEN_ZEITLIMIT = 300
#: A run still "laeuft" after this long has lost its worker: it may be taken over.
LAUF_VERALTET = dt.timedelta(seconds=ERZEUGEN_ZEITLIMIT + 60)
#: A request no worker has started after this long (broker or worker down) may be re-sent.
ANFORDERUNG_VERALTET = dt.timedelta(minutes=10)


class Bericht(models.Model):
    class Status(models.TextChoices):
        ANGEFORDERT = "angefordert", "angefordert"
        LAEUFT = "laeuft", "wird erzeugt"
        FERTIG = "fertig", "fertig"
        FEHLER = "fehler", "Fehler"

    scope = models.CharField(
        "Geltungsbereich", max_length=8, help_text="„national“ oder das Kürzel eines Landes."
    )
    land = models.ForeignKey(
        Land,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Leer beim nationalen Bericht.",
    )
    stichtag = models.DateField("Stichtag")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.ANGEFORDERT)

    # The archived PDF (the last successful run) and its metadata.
    pdf = models.BinaryField("PDF", null=True, blank=True, editable=False)
    groesse = models.PositiveIntegerField("Größe (Bytes)", null=True, blank=True)
    sha256 = models.CharField("SHA-256", max_length=64, blank=True)
    datenstand = models.CharField("Datenstand", max_length=300, blank=True)
    titel = models.CharField(max_length=300, blank=True)
    erzeugt_am = models.DateTimeField(
        "erzeugt am",
        null=True,
        blank=True,
        help_text="Zeitpunkt, zu dem das archivierte PDF erzeugt wurde.",
    )

    # The latest run.
    fehler = models.TextField("Fehlermeldung des letzten Laufs", blank=True)
    angefordert_von = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Leer: wöchentlicher Lauf (Celery beat).",
    )
    angefordert_am = models.DateTimeField("angefordert am")
    begonnen_am = models.DateTimeField("begonnen am", null=True, blank=True)
    fertig_am = models.DateTimeField("beendet am", null=True, blank=True)
    task_id = models.CharField("Celery-Task", max_length=64, blank=True)
    laeufe = models.PositiveIntegerField(
        "Läufe", default=0, help_text="Wie oft die Erzeugung begonnen wurde."
    )

    class Meta:
        verbose_name = "Steuerungsbericht"
        verbose_name_plural = "Steuerungsberichte"
        ordering = ["scope", "-stichtag"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["angefordert", "laeuft", "fertig", "fehler"]),
                name="bericht_status_valid",
            ),
            # One archived report per scope and Stichtag; a re-run updates that row.
            models.UniqueConstraint(fields=["scope", "stichtag"], name="bericht_scope_stichtag"),
            # The national report has no Land, a Land's report has one.
            models.CheckConstraint(
                condition=(Q(scope=NATIONAL) & Q(land__isnull=True))
                | (~Q(scope=NATIONAL) & Q(land__isnull=False)),
                name="bericht_scope_land",
            ),
            # A finished run has an archived PDF with its checksum.
            models.CheckConstraint(
                condition=~Q(status="fertig") | (Q(pdf__isnull=False) & ~Q(sha256="")),
                name="bericht_fertig_mit_pdf",
            ),
        ]
        # The list page reads by (scope, stichtag): covered by the unique constraint's index.

    def __str__(self) -> str:
        return f"Steuerungsbericht {self.scope} {self.stichtag:%d.%m.%Y}"

    @property
    def dateiname(self) -> str:
        return f"steuerungsbericht-{self.scope}-{self.stichtag:%Y-%m-%d}.pdf"

    @property
    def berichtswoche(self) -> str:
        jahr, woche, _ = self.stichtag.isocalendar()
        return f"KW {woche:02d}/{jahr}"

    @property
    def laeuft_noch(self) -> bool:
        return self.status in (self.Status.ANGEFORDERT, self.Status.LAEUFT)

    @property
    def verloren(self) -> bool:
        """True if the run of a report still ``angefordert``/``laeuft`` was lost (worker
        died, broker down): it may be requested again."""
        jetzt = timezone.now()
        if self.status == self.Status.LAEUFT:
            return self.begonnen_am is None or self.begonnen_am < jetzt - LAUF_VERALTET
        if self.status == self.Status.ANGEFORDERT:
            return self.angefordert_am < jetzt - ANFORDERUNG_VERALTET
        return False

    @property
    def hat_pdf(self) -> bool:
        return bool(self.sha256)
