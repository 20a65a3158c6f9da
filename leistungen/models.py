"""Services, authorities, responsibility and the programme's commitments.

The unit that gets connected is an authority (Behörde) for one service. Which authority
is responsible for a Gemeinde is decided by a rule per Land × service (the level that is
responsible) plus exceptions per authority, each with validity dates. The resolved result
is materialised in ``Zustaendigkeit`` (one row per Gemeinde × service × validity interval)
by ``leistungen.services.zustaendigkeiten_aufloesen``.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from kommunen.models import (
    Gemeinde,
    Gemeindeverband,
    Gueltigkeit,
    Kreis,
    Land,
    Regierungsbezirk,
)


class Leistung(models.Model):
    ozg_id = models.CharField("OZG-ID", max_length=10, unique=True)
    name = models.CharField(max_length=200)
    kurzname = models.CharField(max_length=60)
    online_dienst = models.CharField("bestehender Online-Dienst", max_length=200, blank=True)
    betreiber = models.CharField("Betreiber / entwickelndes Land", max_length=200, blank=True)
    beschreibung = models.TextField(blank=True)

    class Meta:
        verbose_name = "Leistung"
        verbose_name_plural = "Leistungen"
        ordering = ["ozg_id"]

    def __str__(self) -> str:
        return f"{self.kurzname} (OZG {self.ozg_id})"


class LeikaSchluessel(models.Model):
    leistung = models.ForeignKey(Leistung, on_delete=models.CASCADE, related_name="leika")
    schluessel = models.CharField("LeiKa-Schlüssel", max_length=14)
    bezeichnung = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = "LeiKa-Schlüssel"
        verbose_name_plural = "LeiKa-Schlüssel"
        ordering = ["leistung", "schluessel"]
        constraints = [
            models.UniqueConstraint(
                fields=["leistung", "schluessel"], name="leikaschluessel_unique_per_leistung"
            )
        ]

    def __str__(self) -> str:
        return self.schluessel


class Behoerde(Gueltigkeit):
    """An authority that can be responsible for services: the administration of a
    Gemeinde, Gemeindeverband, Kreis, Regierungsbezirk, or a Land authority."""

    class Art(models.TextChoices):
        GEMEINDE = "gemeinde", "Gemeinde / Stadt / Markt"
        GROSSE_KREISSTADT = "grosse_kreisstadt", "Große Kreisstadt"
        SONDERSTATUSSTADT = "sonderstatusstadt", "Sonderstatusstadt"
        KREISFREIE_STADT = "kreisfreie_stadt", "Kreisfreie Stadt"
        GEMEINDEVERBAND = "gemeindeverband", "Verwaltungsgemeinschaft / Samtgemeinde / Amt"
        KREIS = "kreis", "Landratsamt / Kreisverwaltung"
        MITTELBEHOERDE = "mittelbehoerde", "Regierung / Regierungspräsidium"
        LANDESBEHOERDE = "landesbehoerde", "Landesbehörde"

    schluessel = models.CharField(
        "Schlüssel",
        max_length=20,
        unique=True,
        help_text="Regionalschlüssel der Gebietskörperschaft (12 Stellen Gemeinde, 9 Verband, "
        "5 Kreis, 3 Regierungsbezirk, 2 Land).",
    )
    name = models.CharField(max_length=200)
    art = models.CharField(max_length=20, choices=Art.choices)
    land = models.ForeignKey(Land, on_delete=models.PROTECT, related_name="behoerden")
    gemeinde = models.ForeignKey(
        Gemeinde, on_delete=models.PROTECT, null=True, blank=True, related_name="behoerden"
    )
    verband = models.ForeignKey(
        Gemeindeverband, on_delete=models.PROTECT, null=True, blank=True, related_name="behoerden"
    )
    kreis = models.ForeignKey(
        Kreis, on_delete=models.PROTECT, null=True, blank=True, related_name="behoerden"
    )
    regierungsbezirk = models.ForeignKey(
        Regierungsbezirk,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="behoerden",
    )
    ist_pilot = models.BooleanField("Pilotkommune", default=False)
    suchname = models.CharField(max_length=250, editable=False, db_index=True)

    class Meta:
        verbose_name = "Behörde"
        verbose_name_plural = "Behörden"
        ordering = ["land", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    art__in=[
                        "gemeinde",
                        "grosse_kreisstadt",
                        "sonderstatusstadt",
                        "kreisfreie_stadt",
                        "gemeindeverband",
                        "kreis",
                        "mittelbehoerde",
                        "landesbehoerde",
                    ]
                ),
                name="behoerde_art_valid",
            ),
            # An authority belongs to at most one territorial unit.
            models.CheckConstraint(
                condition=(
                    Q(gemeinde__isnull=True, verband__isnull=True, kreis__isnull=True)
                    | Q(gemeinde__isnull=True, verband__isnull=True, regierungsbezirk__isnull=True)
                    | Q(gemeinde__isnull=True, kreis__isnull=True, regierungsbezirk__isnull=True)
                    | Q(verband__isnull=True, kreis__isnull=True, regierungsbezirk__isnull=True)
                ),
                name="behoerde_one_unit",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Ebene(models.TextChoices):
    """The territorial level that handles a service."""

    GEMEINDE = "gemeinde", "Gemeinde"
    VERBAND = "verband", "Gemeinde, in einem Gemeindeverband der Verband"
    KREIS = "kreis", "Kreis / kreisfreie Stadt"
    REGIERUNGSBEZIRK = "regierungsbezirk", "Regierungsbezirk (Mittelbehörde)"
    LAND = "land", "Land"


EBENE_VALUES = [value for value, _ in Ebene.choices]


class ZustaendigkeitsRegel(Gueltigkeit):
    """Default rule: in Land L, service S is handled at level E."""

    land = models.ForeignKey(Land, on_delete=models.PROTECT, related_name="zustaendigkeitsregeln")
    leistung = models.ForeignKey(
        Leistung, on_delete=models.PROTECT, related_name="zustaendigkeitsregeln"
    )
    ebene = models.CharField(max_length=20, choices=Ebene.choices)
    angenommen = models.BooleanField(
        "Annahme",
        default=False,
        help_text="Nicht amtlich belegt; die Oberfläche weist darauf hin.",
    )
    quelle = models.TextField("Quelle / Begründung", blank=True)

    class Meta:
        verbose_name = "Zuständigkeitsregel"
        verbose_name_plural = "Zuständigkeitsregeln"
        ordering = ["land", "leistung", "gueltig_ab"]
        constraints = [
            models.CheckConstraint(condition=Q(ebene__in=EBENE_VALUES), name="regel_ebene_valid"),
            models.UniqueConstraint(
                fields=["land", "leistung", "gueltig_ab"], name="regel_unique_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.land.kurz} · {self.leistung.kurzname}: {self.get_ebene_display()}"


class ZustaendigkeitsAusnahme(Gueltigkeit):
    """Exception: this authority handles the service for its own territory."""

    behoerde = models.ForeignKey(Behoerde, on_delete=models.PROTECT, related_name="ausnahmen")
    leistung = models.ForeignKey(Leistung, on_delete=models.PROTECT, related_name="ausnahmen")
    grund = models.CharField(
        "Grund", max_length=300, help_text="z. B. „Große Kreisstadt (Art. 9 GO)“"
    )
    angenommen = models.BooleanField("Annahme", default=False)
    quelle = models.TextField("Quelle", blank=True)

    class Meta:
        verbose_name = "Zuständigkeitsausnahme"
        verbose_name_plural = "Zuständigkeitsausnahmen"
        ordering = ["behoerde", "leistung", "gueltig_ab"]
        constraints = [
            models.UniqueConstraint(
                fields=["behoerde", "leistung", "gueltig_ab"], name="ausnahme_unique_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.behoerde} · {self.leistung.kurzname}"


class Zustaendigkeit(Gueltigkeit):
    """Resolved responsibility (materialised): Gemeinde × service → authority, over an
    interval. Rebuilt from rules, exceptions and territory; never edited by hand."""

    gemeinde = models.ForeignKey(
        Gemeinde, on_delete=models.CASCADE, related_name="zustaendigkeiten"
    )
    leistung = models.ForeignKey(
        Leistung, on_delete=models.CASCADE, related_name="zustaendigkeiten"
    )
    behoerde = models.ForeignKey(
        Behoerde, on_delete=models.PROTECT, related_name="zustaendigkeiten"
    )
    regel = models.ForeignKey(ZustaendigkeitsRegel, on_delete=models.PROTECT, related_name="+")
    ausnahme = models.ForeignKey(
        ZustaendigkeitsAusnahme, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    hinweis = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = "Zuständigkeit (aufgelöst)"
        verbose_name_plural = "Zuständigkeiten (aufgelöst)"
        constraints = [
            models.UniqueConstraint(
                fields=["gemeinde", "leistung", "gueltig_ab"], name="zustaendigkeit_unique_start"
            )
        ]
        indexes = [
            # Authority pages and coverage: the Gemeinden an authority serves per service.
            models.Index(fields=["behoerde", "leistung"], name="zustaendigkeit_behoerde_idx"),
            models.Index(fields=["leistung", "gueltig_bis"], name="zustaendigkeit_leistung_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.gemeinde} · {self.leistung.kurzname} → {self.behoerde}"


class Programmteilnahme(models.Model):
    """A Land takes part in the programme from a date."""

    land = models.OneToOneField(Land, on_delete=models.PROTECT, related_name="teilnahme")
    beigetreten_am = models.DateField("beigetreten am")
    gu_beauftragt = models.BooleanField(
        "Generalunternehmer beauftragt",
        default=True,
        help_text="Das GU-Programmbüro betreut alle Behörden dieses Landes.",
    )
    quelle = models.TextField(blank=True)

    class Meta:
        verbose_name = "Programmteilnahme"
        verbose_name_plural = "Programmteilnahmen"
        ordering = ["beigetreten_am", "land"]

    def __str__(self) -> str:
        return f"{self.land} seit {self.beigetreten_am:%d.%m.%Y}"


class Zusage(models.Model):
    """Commitment (Leistungsversprechen): a Land offers a service flächendeckend by a date."""

    land = models.ForeignKey(Land, on_delete=models.PROTECT, related_name="zusagen")
    leistung = models.ForeignKey(Leistung, on_delete=models.PROTECT, related_name="zusagen")
    frist = models.DateField("Frist")
    zugesagt_am = models.DateField("zugesagt am", null=True, blank=True)
    quelle = models.TextField(blank=True)

    class Meta:
        verbose_name = "Zusage"
        verbose_name_plural = "Zusagen"
        ordering = ["land", "leistung"]
        constraints = [
            models.UniqueConstraint(fields=["land", "leistung"], name="zusage_unique_land_leistung")
        ]

    def __str__(self) -> str:
        return f"{self.land.kurz}: {self.leistung.kurzname} bis {self.frist:%d.%m.%Y}"
