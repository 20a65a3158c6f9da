"""Onboarding of one authority for one committed service: status, phases, checklist,
hurdles.

Every committed Land x service gives each responsible authority one ``Onboarding`` record
(kept in step with the responsibility by ``onboarding.services.onboardings_abgleichen``).
Its checklist items are copied from the service's checklist template version at creation,
so later template changes do not rewrite history. Hurdles link to one or many records; an
open blocking hurdle marks every linked record as blocked.

Concurrent edits: ``Onboarding``, ``Checklistenpunkt`` and ``Huerde`` carry a ``version``
that every write checks and increments in one conditional UPDATE (see services).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from leistungen.models import Behoerde, Land, Leistung, Zusage


class Status(models.TextChoices):
    NICHT_ZUSTAENDIG = "nicht_zustaendig", "nicht zuständig"
    UNBEKANNT = "unbekannt", "unbekannt"
    IN_KLAERUNG = "in_klaerung", "in Klärung"
    GEPLANT = "geplant", "geplant"
    PHASE_1 = "phase_1", "in Phase 1 (technische Integration)"
    PHASE_2 = "phase_2", "in Phase 2 (organisatorisches Onboarding)"
    PHASE_3 = "phase_3", "in Phase 3 (Betriebsfähigkeit)"
    LIVE = "live", "live"
    BETRIEBSFAEHIG = "betriebsfaehig", "betriebsfähig"


STATUS_VALUES = [value for value, _ in Status.choices]


class Phase(models.IntegerChoices):
    VORBEREITUNG = 0, "Phase 0 – Vorbereitung"
    TECHNISCHE_INTEGRATION = 1, "Phase 1 – Technische Integration"
    ORGANISATORISCHES_ONBOARDING = 2, "Phase 2 – Organisatorisches Onboarding"
    BETRIEBSFAEHIGKEIT = 3, "Phase 3 – Betriebsfähigkeit"


class Team(models.Model):
    """A roll-in team of the Generalunternehmer."""

    name = models.CharField(max_length=100, unique=True)
    land = models.ForeignKey(
        Land, on_delete=models.PROTECT, null=True, blank=True, related_name="teams"
    )
    beschreibung = models.TextField(blank=True)

    class Meta:
        verbose_name = "Roll-in-Team"
        verbose_name_plural = "Roll-in-Teams"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ChecklistenVorlage(models.Model):
    """A versioned checklist template for a service (``leistung`` empty: for all services
    without a template of their own). A new version is a new row; the newest active one is
    used for new onboarding records."""

    leistung = models.ForeignKey(
        Leistung, on_delete=models.PROTECT, null=True, blank=True, related_name="vorlagen"
    )
    version = models.PositiveIntegerField()
    bezeichnung = models.CharField(max_length=200)
    erstellt_am = models.DateTimeField(auto_now_add=True)
    aktiv = models.BooleanField(default=True)

    class Meta:
        verbose_name = "Checklisten-Vorlage"
        verbose_name_plural = "Checklisten-Vorlagen"
        ordering = ["leistung", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["leistung", "version"], name="vorlage_unique_version"),
        ]

    def __str__(self) -> str:
        ziel = self.leistung.kurzname if self.leistung else "alle Leistungen"
        return f"{self.bezeichnung} ({ziel}, Version {self.version})"


class VorlagePunkt(models.Model):
    vorlage = models.ForeignKey(ChecklistenVorlage, on_delete=models.CASCADE, related_name="punkte")
    phase = models.PositiveSmallIntegerField(choices=Phase.choices)
    code = models.CharField(max_length=40)
    text = models.CharField(max_length=300)
    verantwortlich = models.CharField("typisch verantwortlich", max_length=100, blank=True)
    pflicht = models.BooleanField(default=True)
    reihenfolge = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = "Vorlagenpunkt"
        verbose_name_plural = "Vorlagenpunkte"
        ordering = ["vorlage", "phase", "reihenfolge"]
        constraints = [
            models.UniqueConstraint(fields=["vorlage", "code"], name="vorlagepunkt_unique_code"),
            models.CheckConstraint(
                condition=Q(phase__in=[0, 1, 2, 3]), name="vorlagepunkt_phase_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.phase}: {self.text}"


#: The planned and actual dates of an onboarding (forms, services and the bulk sheet read
#: and write them alike).
DATUMSFELDER = (
    "geplant_phase_1",
    "geplant_phase_2",
    "geplant_golive",
    "ist_phase_1",
    "ist_phase_2",
    "ist_golive",
)


class Onboarding(models.Model):
    behoerde = models.ForeignKey(Behoerde, on_delete=models.PROTECT, related_name="onboardings")
    leistung = models.ForeignKey(Leistung, on_delete=models.PROTECT, related_name="onboardings")
    zusage = models.ForeignKey(Zusage, on_delete=models.PROTECT, related_name="onboardings")
    vorlage = models.ForeignKey(
        ChecklistenVorlage, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.UNBEKANNT)
    # True while at least one open blocking hurdle is linked (kept by the hurdle services).
    blockiert = models.BooleanField(default=False)
    team = models.ForeignKey(
        Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="onboardings"
    )
    welle = models.CharField("Welle", max_length=40, blank=True)
    baseline = models.BooleanField(
        "bereits vor dem Programm live",
        default=False,
        help_text="Baseline: die Behörde bot die Leistung schon vor dem Programm an.",
    )
    geplant_phase_1 = models.DateField("Phase 1 geplant bis", null=True, blank=True)
    geplant_phase_2 = models.DateField("Phase 2 geplant bis", null=True, blank=True)
    geplant_golive = models.DateField("Go-live geplant am", null=True, blank=True)
    ist_phase_1 = models.DateField("Phase 1 abgeschlossen am", null=True, blank=True)
    ist_phase_2 = models.DateField("Phase 2 abgeschlossen am", null=True, blank=True)
    ist_golive = models.DateField("live seit", null=True, blank=True)
    golive_bestaetigt_von = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    golive_bestaetigt_am = models.DateTimeField(null=True, blank=True)
    geschlossen_am = models.DateField(null=True, blank=True)
    geschlossen_grund = models.CharField(max_length=300, blank=True)
    version = models.PositiveIntegerField(default=1)
    erstellt_am = models.DateTimeField(auto_now_add=True)
    geaendert_am = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "Onboarding"
        verbose_name_plural = "Onboardings"
        ordering = ["behoerde__name", "leistung__ozg_id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=STATUS_VALUES), name="onboarding_status_valid"
            ),
            # One open record per authority and service; closed ones stay as history.
            models.UniqueConstraint(
                fields=["behoerde", "leistung"],
                condition=Q(geschlossen_am__isnull=True),
                name="onboarding_unique_offen",
            ),
        ]
        indexes = [
            # Work queue: a team's open records; Land pages: records per commitment.
            models.Index(fields=["team", "status"], name="onboarding_team_idx"),
            models.Index(fields=["zusage", "status"], name="onboarding_zusage_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.behoerde} · {self.leistung.kurzname}"


class Checklistenpunkt(models.Model):
    class Stand(models.TextChoices):
        OFFEN = "offen", "offen"
        ERLEDIGT = "erledigt", "erledigt"
        VERZICHTET = "verzichtet", "verzichtet"

    onboarding = models.ForeignKey(Onboarding, on_delete=models.CASCADE, related_name="punkte")
    vorlage_punkt = models.ForeignKey(
        VorlagePunkt, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    phase = models.PositiveSmallIntegerField(choices=Phase.choices)
    code = models.CharField(max_length=40)
    text = models.CharField(max_length=300)
    pflicht = models.BooleanField(default=True)
    reihenfolge = models.PositiveSmallIntegerField(default=0)
    stand = models.CharField(max_length=12, choices=Stand.choices, default=Stand.OFFEN)
    verzicht_grund = models.CharField(max_length=300, blank=True)
    erledigt_am = models.DateField(null=True, blank=True)
    geaendert_von = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = "Checklistenpunkt"
        verbose_name_plural = "Checklistenpunkte"
        ordering = ["onboarding", "phase", "reihenfolge"]
        constraints = [
            models.UniqueConstraint(fields=["onboarding", "code"], name="punkt_unique_code"),
            models.CheckConstraint(
                condition=Q(stand__in=["offen", "erledigt", "verzichtet"]), name="punkt_stand_valid"
            ),
            models.CheckConstraint(
                condition=~Q(stand="verzichtet") | ~Q(verzicht_grund=""),
                name="punkt_verzicht_braucht_grund",
            ),
        ]

    def __str__(self) -> str:
        return self.text


class Huerde(models.Model):
    class Kategorie(models.TextChoices):
        SCHNITTSTELLE = "schnittstelle", "Schnittstelle / Fachverfahren nicht bereit"
        FORMULARE = "formulare", "uneinheitliche Formulare"
        RECHT_VERTRAG = "recht_vertrag", "Rechts- und Vertragsweg (Nachnutzung)"
        EPAYMENT = "epayment", "ePayment-Anbindung"
        PVOG = "pvog", "PVOG-Datenqualität / Synchronisation"
        PERSONAL = "personal", "zu wenig Personal"
        ZUSTAENDIGKEIT = "zustaendigkeit", "unklare Zuständigkeit"
        MEDIENBRUCH = "medienbruch", "verbleibende Medienbrüche"
        LANDESUNTERSTUETZUNG = "landesunterstuetzung", "Abhängigkeit von Landesunterstützung"
        SONSTIGES = "sonstiges", "Sonstiges"

    class Verantwortlich(models.TextChoices):
        KOMMUNE = "kommune", "Kommune"
        LAND = "land", "Land"
        FACHVERFAHREN = "fachverfahren", "Fachverfahrenshersteller"
        EFA_BETREIBER = "efa_betreiber", "EfA-Betreiber"
        GU = "gu", "Generalunternehmer"
        BUND = "bund", "Bund"

    class Schwere(models.TextChoices):
        NIEDRIG = "niedrig", "niedrig"
        MITTEL = "mittel", "mittel"
        HOCH = "hoch", "hoch"
        KRITISCH = "kritisch", "kritisch"

    class Stand(models.TextChoices):
        OFFEN = "offen", "offen"
        IN_BEARBEITUNG = "in_bearbeitung", "in Bearbeitung"
        GELOEST = "geloest", "gelöst"

    titel = models.CharField(max_length=200)
    beschreibung = models.TextField(blank=True)
    kategorie = models.CharField(max_length=30, choices=Kategorie.choices)
    verantwortlich = models.CharField(max_length=20, choices=Verantwortlich.choices)
    schwere = models.CharField(max_length=10, choices=Schwere.choices, default=Schwere.MITTEL)
    stand = models.CharField(max_length=20, choices=Stand.choices, default=Stand.OFFEN)
    blockierend = models.BooleanField(
        default=True, help_text="Blockiert die verknüpften Onboardings, solange offen."
    )
    erfasst_am = models.DateField()
    faellig_am = models.DateField("Lösung erwartet bis", null=True, blank=True)
    geloest_am = models.DateField(null=True, blank=True)
    loesung = models.TextField("Lösungsvermerk", blank=True)
    onboardings = models.ManyToManyField(Onboarding, related_name="huerden", blank=True)
    erfasst_von = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = "Hürde"
        verbose_name_plural = "Hürden"
        ordering = ["-erfasst_am", "titel"]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    kategorie__in=[
                        "schnittstelle",
                        "formulare",
                        "recht_vertrag",
                        "epayment",
                        "pvog",
                        "personal",
                        "zustaendigkeit",
                        "medienbruch",
                        "landesunterstuetzung",
                        "sonstiges",
                    ]
                ),
                name="huerde_kategorie_valid",
            ),
            models.CheckConstraint(
                condition=Q(
                    verantwortlich__in=[
                        "kommune",
                        "land",
                        "fachverfahren",
                        "efa_betreiber",
                        "gu",
                        "bund",
                    ]
                ),
                name="huerde_verantwortlich_valid",
            ),
            models.CheckConstraint(
                condition=Q(schwere__in=["niedrig", "mittel", "hoch", "kritisch"]),
                name="huerde_schwere_valid",
            ),
            models.CheckConstraint(
                condition=Q(stand__in=["offen", "in_bearbeitung", "geloest"]),
                name="huerde_stand_valid",
            ),
            models.CheckConstraint(
                condition=~Q(stand="geloest") | Q(geloest_am__isnull=False),
                name="huerde_geloest_braucht_datum",
            ),
        ]

    def __str__(self) -> str:
        return self.titel

    @property
    def ist_offen(self) -> bool:
        return self.stand != self.Stand.GELOEST


class Massenimport(models.Model):
    """An uploaded bulk-update file (CSV/XLSX), kept between its preview and applying it.

    The file's bytes are stored so that "apply" checks and writes exactly the file the user
    previewed; ``vorschau`` and ``ergebnis`` hold the per-row results (see
    ``onboarding.bulk.Ergebnis.als_dict``). The changes themselves are recorded in the audit
    history, not here."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    dateiname = models.CharField(max_length=255)
    inhalt = models.BinaryField()
    erstellt_am = models.DateTimeField(auto_now_add=True)
    vorschau = models.JSONField(default=dict)
    angewendet_am = models.DateTimeField(null=True, blank=True)
    ergebnis = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = "Massenimport"
        verbose_name_plural = "Massenimporte"
        ordering = ["-erstellt_am"]

    def __str__(self) -> str:
        return f"{self.dateiname} ({self.erstellt_am:%d.%m.%Y %H:%M})"
