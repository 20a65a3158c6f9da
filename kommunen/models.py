"""The territory: Länder, Regierungsbezirke, Kreise, Gemeindeverbände and Gemeinden.

Keys are the official Amtliche Regionalschlüssel (ARS) as zero-padded text. Records are
never deleted when a newer Gemeindeverzeichnis drops them: they end with ``gueltig_bis``
(the last day they were valid, inclusive) so that history keeps its meaning.
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q


class GueltigkeitQuerySet(models.QuerySet):
    """Filters for records with a validity interval [gueltig_ab, gueltig_bis] (inclusive)."""

    def gueltig_am(self, stichtag: dt.date) -> GueltigkeitQuerySet:
        return self.filter(
            Q(gueltig_ab__isnull=True) | Q(gueltig_ab__lte=stichtag),
            Q(gueltig_bis__isnull=True) | Q(gueltig_bis__gte=stichtag),
        )

    def aktuell(self) -> GueltigkeitQuerySet:
        return self.filter(gueltig_bis__isnull=True)


class Gueltigkeit(models.Model):
    gueltig_ab = models.DateField("gültig ab", null=True, blank=True)
    gueltig_bis = models.DateField(
        "gültig bis (einschließlich)",
        null=True,
        blank=True,
        help_text="Leer: noch gültig.",
    )

    objects = GueltigkeitQuerySet.as_manager()

    class Meta:
        abstract = True

    def ist_gueltig_am(self, stichtag: dt.date) -> bool:
        return (self.gueltig_ab is None or self.gueltig_ab <= stichtag) and (
            self.gueltig_bis is None or stichtag <= self.gueltig_bis
        )


class Gebietsstand(models.Model):
    """One applied Gemeindeverzeichnis file (GV100AD)."""

    stichtag = models.DateField("Gebietsstand", unique=True)
    datei = models.CharField("Datei", max_length=255)
    sha256 = models.CharField(max_length=64)
    importiert_am = models.DateTimeField("importiert am", auto_now_add=True)
    zusammenfassung = models.JSONField("Änderungen", default=dict, blank=True)

    class Meta:
        verbose_name = "Gebietsstand"
        verbose_name_plural = "Gebietsstände"
        ordering = ["-stichtag"]

    def __str__(self) -> str:
        return f"Gebietsstand {self.stichtag:%d.%m.%Y}"


class Land(models.Model):
    code = models.CharField("Schlüssel", max_length=2, unique=True)
    kurz = models.CharField("Kürzel", max_length=2, unique=True)
    name = models.CharField(max_length=100)
    einwohner = models.PositiveIntegerField(default=0)
    flaeche_km2 = models.DecimalField("Fläche (km²)", max_digits=12, decimal_places=2, default=0)
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)
    # How this Land names its authorities (display only, editable data).
    kreisbehoerde_bezeichnung = models.CharField(
        "Bezeichnung der Kreisverwaltung", max_length=60, default="Kreisverwaltung"
    )
    mittelbehoerde_bezeichnung = models.CharField(
        "Bezeichnung der Mittelbehörde", max_length=60, default="Regierungspräsidium"
    )

    class Meta:
        verbose_name = "Land"
        verbose_name_plural = "Länder"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Regierungsbezirk(Gueltigkeit):
    class Typ(models.TextChoices):
        REGIERUNGSBEZIRK = "regierungsbezirk", "Regierungsbezirk"
        STATISTISCH = "statistisch", "Statistische Region (kein Regierungsbezirk)"

    code = models.CharField("Schlüssel", max_length=3, unique=True)
    name = models.CharField(max_length=100)
    typ = models.CharField(max_length=20, choices=Typ.choices)
    land = models.ForeignKey(Land, on_delete=models.PROTECT, related_name="regierungsbezirke")

    class Meta:
        verbose_name = "Regierungsbezirk"
        verbose_name_plural = "Regierungsbezirke"
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(typ__in=["regierungsbezirk", "statistisch"]),
                name="regierungsbezirk_typ_valid",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Kreis(Gueltigkeit):
    class Typ(models.TextChoices):
        KREISFREIE_STADT = "41", "Kreisfreie Stadt"
        STADTKREIS = "42", "Stadtkreis"
        KREIS = "43", "Kreis"
        LANDKREIS = "44", "Landkreis"
        REGIONALVERBAND = "45", "Regionalverband"

    ars = models.CharField("Schlüssel", max_length=5, unique=True)
    name = models.CharField(max_length=100)
    name_kurz = models.CharField("Kurzname", max_length=100)
    typ = models.CharField(max_length=2, choices=Typ.choices)
    sitz = models.CharField("Sitz der Verwaltung", max_length=100, blank=True)
    land = models.ForeignKey(Land, on_delete=models.PROTECT, related_name="kreise")
    regierungsbezirk = models.ForeignKey(
        Regierungsbezirk, on_delete=models.PROTECT, null=True, blank=True, related_name="kreise"
    )
    einwohner = models.PositiveIntegerField(default=0)
    flaeche_km2 = models.DecimalField("Fläche (km²)", max_digits=12, decimal_places=2, default=0)
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)
    suchname = models.CharField(max_length=200, editable=False, db_index=True)

    class Meta:
        verbose_name = "Kreis"
        verbose_name_plural = "Kreise"
        ordering = ["ars"]
        constraints = [
            models.CheckConstraint(
                condition=Q(typ__in=["41", "42", "43", "44", "45"]), name="kreis_typ_valid"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def ist_kreisfrei(self) -> bool:
        return self.typ in (self.Typ.KREISFREIE_STADT, self.Typ.STADTKREIS)

    @property
    def bezeichnung(self) -> str:
        """Unambiguous display name: "Landkreis München" beside the city "München"."""
        if self.typ in (self.Typ.LANDKREIS, self.Typ.KREIS) and not any(
            wort in self.name.casefold() for wort in ("kreis", "region")
        ):
            return f"{self.get_typ_display()} {self.name}"
        return self.name


class Gemeindeverband(Gueltigkeit):
    class Typ(models.TextChoices):
        VERBANDSFREI = "50", "verbandsfreie Gemeinde"
        AMT = "51", "Amt"
        SAMTGEMEINDE = "52", "Samtgemeinde"
        VERBANDSGEMEINDE = "53", "Verbandsgemeinde"
        VERWALTUNGSGEMEINSCHAFT = "54", "Verwaltungsgemeinschaft"
        KIRCHSPIELSLANDGEMEINDE = "55", "Kirchspielslandgemeinde"
        VERWALTUNGSVERBAND = "56", "Verwaltungsverband"
        VG_TRAEGERMODELL = "57", "Verwaltungsgemeinschaft (Trägermodell)"
        ERFUELLENDE_GEMEINDE = "58", "Erfüllende Gemeinde"

    ars = models.CharField("Schlüssel", max_length=9, unique=True)
    name = models.CharField(max_length=100)
    sitz = models.CharField("Verwaltungssitz", max_length=100, blank=True)
    typ = models.CharField(max_length=2, choices=Typ.choices)
    kreis = models.ForeignKey(
        Kreis, on_delete=models.PROTECT, null=True, blank=True, related_name="verbaende"
    )
    land = models.ForeignKey(Land, on_delete=models.PROTECT, related_name="verbaende")

    class Meta:
        verbose_name = "Gemeindeverband"
        verbose_name_plural = "Gemeindeverbände"
        ordering = ["ars"]
        constraints = [
            models.CheckConstraint(
                condition=Q(typ__in=["50", "51", "52", "53", "54", "55", "56", "57", "58"]),
                name="gemeindeverband_typ_valid",
            )
        ]

    def __str__(self) -> str:
        return (
            self.name
            if self.typ == self.Typ.VERBANDSFREI
            else f"{self.get_typ_display()} {self.name}"
        )

    @property
    def ist_verbandsfrei(self) -> bool:
        return self.typ == self.Typ.VERBANDSFREI


class Gemeinde(Gueltigkeit):
    class Typ(models.TextChoices):
        MARKT = "60", "Markt"
        KREISFREIE_STADT = "61", "Kreisfreie Stadt"
        STADTKREIS = "62", "Stadtkreis"
        STADT = "63", "Stadt"
        KREISANGEHOERIGE_GEMEINDE = "64", "Kreisangehörige Gemeinde"
        GEMEINDEFREI_BEWOHNT = "65", "gemeindefreies Gebiet, bewohnt"
        GEMEINDEFREI_UNBEWOHNT = "66", "gemeindefreies Gebiet, unbewohnt"
        GROSSE_KREISSTADT = "67", "Große Kreisstadt"

    GEMEINDEFREI_TYPEN = ("65", "66")
    KREISFREI_TYPEN = ("61", "62")

    ars = models.CharField("Regionalschlüssel (ARS)", max_length=12, unique=True)
    ags = models.CharField("Gemeindeschlüssel (AGS)", max_length=8, db_index=True)
    name = models.CharField(max_length=100)
    name_kurz = models.CharField("Kurzname", max_length=100)
    typ = models.CharField(max_length=2, choices=Typ.choices)
    land = models.ForeignKey(Land, on_delete=models.PROTECT, related_name="gemeinden")
    regierungsbezirk = models.ForeignKey(
        Regierungsbezirk, on_delete=models.PROTECT, null=True, blank=True, related_name="gemeinden"
    )
    kreis = models.ForeignKey(
        Kreis, on_delete=models.PROTECT, null=True, blank=True, related_name="gemeinden"
    )
    verband = models.ForeignKey(Gemeindeverband, on_delete=models.PROTECT, related_name="gemeinden")
    einwohner = models.PositiveIntegerField(default=0)
    einwohner_maennlich = models.PositiveIntegerField(default=0)
    einwohner_stichtag = models.DateField("Einwohner am", null=True, blank=True)
    flaeche_km2 = models.DecimalField("Fläche (km²)", max_digits=12, decimal_places=2, default=0)
    flaeche_stichtag = models.DateField("Fläche am", null=True, blank=True)
    plz = models.CharField("Postleitzahl (Verwaltungssitz)", max_length=5, blank=True)
    plz_mehrere = models.BooleanField("mehrere Postleitzahlen", default=False)
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)
    nachfolger = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="vorgaenger",
        help_text="Gemeinde, in der diese nach einer Gebietsänderung aufgegangen ist.",
    )
    suchname = models.CharField(max_length=200, editable=False, db_index=True)

    class Meta:
        verbose_name = "Gemeinde"
        verbose_name_plural = "Gemeinden"
        ordering = ["ars"]
        constraints = [
            models.CheckConstraint(
                condition=Q(typ__in=["60", "61", "62", "63", "64", "65", "66", "67"]),
                name="gemeinde_typ_valid",
            ),
            models.CheckConstraint(
                condition=Q(gueltig_ab__isnull=True)
                | Q(gueltig_bis__isnull=True)
                | Q(gueltig_ab__lte=models.F("gueltig_bis")),
                name="gemeinde_gueltigkeit_ordered",
            ),
        ]
        indexes = [
            # Territory pages and resolution list the valid Gemeinden of a Land / Kreis.
            models.Index(fields=["land", "gueltig_bis"], name="gemeinde_land_gueltig_idx"),
            models.Index(fields=["kreis", "gueltig_bis"], name="gemeinde_kreis_gueltig_idx"),
            # Search by postcode.
            models.Index(fields=["plz"], name="gemeinde_plz_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def ist_gemeindefrei(self) -> bool:
        return self.typ in self.GEMEINDEFREI_TYPEN

    @property
    def ist_kreisfrei(self) -> bool:
        return self.typ in self.KREISFREI_TYPEN


class Grenze(models.Model):
    """The boundary polygon of one Land, Kreis or Gemeinde (Gebietsgrenze).

    A separate table on purpose: a boundary is megabytes of coordinates that only maps need,
    while Land, Kreis and Gemeinde are read everywhere (search, pages, ``select_related`` from
    authorities and responsibilities). Kept in their rows, every such query would carry the
    polygons along; here they are read only by the queries that ask for them.
    """

    land = models.OneToOneField(
        Land, on_delete=models.CASCADE, null=True, blank=True, related_name="grenze"
    )
    kreis = models.OneToOneField(
        Kreis, on_delete=models.CASCADE, null=True, blank=True, related_name="grenze"
    )
    gemeinde = models.OneToOneField(
        Gemeinde, on_delete=models.CASCADE, null=True, blank=True, related_name="grenze"
    )
    geometrie = models.JSONField(
        help_text="GeoJSON-Geometrie (Polygon/MultiPolygon, WGS84), Außenringe im Uhrzeigersinn."
    )
    quelle = models.CharField(
        max_length=200, blank=True, help_text="z. B. „© GeoBasis-DE / BKG (2025)“"
    )

    class Meta:
        verbose_name = "Gebietsgrenze"
        verbose_name_plural = "Gebietsgrenzen"
        constraints = [
            models.CheckConstraint(
                condition=Q(land__isnull=False, kreis__isnull=True, gemeinde__isnull=True)
                | Q(land__isnull=True, kreis__isnull=False, gemeinde__isnull=True)
                | Q(land__isnull=True, kreis__isnull=True, gemeinde__isnull=False),
                name="grenze_genau_ein_gebiet",
            )
        ]

    def __str__(self) -> str:
        return f"Grenze {self.land or self.kreis or self.gemeinde}"


class Gebietsaenderung(models.Model):
    """A territorial change detected when a newer Gemeindeverzeichnis was applied."""

    class Art(models.TextChoices):
        NEU = "neu", "neu"
        UMBENANNT = "umbenannt", "umbenannt"
        AUFGELOEST = "aufgeloest", "aufgelöst / eingegliedert"
        SCHLUESSEL = "schluessel", "Schlüssel geändert"
        ZUORDNUNG = "zuordnung", "Zuordnung geändert"

    gebietsstand = models.ForeignKey(
        Gebietsstand, on_delete=models.PROTECT, related_name="aenderungen"
    )
    ebene = models.CharField(max_length=20)  # "gemeinde", "verband", "kreis", ...
    ars = models.CharField(max_length=12)
    art = models.CharField(max_length=12, choices=Art.choices)
    vorher = models.JSONField(default=dict, blank=True)
    nachher = models.JSONField(default=dict, blank=True)
    hinweis = models.TextField(blank=True)

    class Meta:
        verbose_name = "Gebietsänderung"
        verbose_name_plural = "Gebietsänderungen"
        ordering = ["gebietsstand", "ebene", "ars"]
        constraints = [
            models.CheckConstraint(
                condition=Q(art__in=["neu", "umbenannt", "aufgeloest", "schluessel", "zuordnung"]),
                name="gebietsaenderung_art_valid",
            )
        ]

    def __str__(self) -> str:
        return f"{self.ebene} {self.ars}: {self.get_art_display()}"
