"""Reads over the territory: the search and the Gemeinde / Kreis pages."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Value, When, Window

from kommunen.models import Gemeinde, Kreis
from kommunen.text import suchform
from leistungen.models import Behoerde

_SCHLUESSEL = re.compile(r"^\d{2,12}$")
# Current Gemeinden (no end date) before dissolved ones.
_AKTUELL_ZUERST = F("gueltig_bis").asc(nulls_first=True)


@dataclass(frozen=True)
class Suchergebnis:
    """Matches per group (at most ``limit`` each) and how many there are in total."""

    q: str
    gemeinden: list[Gemeinde] = field(default_factory=list)
    kreise: list[Kreis] = field(default_factory=list)
    behoerden: list[Behoerde] = field(default_factory=list)
    gemeinden_gesamt: int = 0
    kreise_gesamt: int = 0
    behoerden_gesamt: int = 0

    @property
    def gesamt(self) -> int:
        return self.gemeinden_gesamt + self.kreise_gesamt + self.behoerden_gesamt

    @property
    def angezeigt(self) -> int:
        return len(self.gemeinden) + len(self.kreise) + len(self.behoerden)


def _take(queryset: QuerySet, limit: int) -> tuple[list, int]:
    """One query: the first ``limit`` rows plus the total count (window function)."""
    rows = list(queryset.annotate(_gesamt=Window(expression=Count("pk")))[:limit])
    return rows, (rows[0]._gesamt if rows else 0)


def _rang_name(feld: str, suchtext: str) -> Case:
    """0 = the name starts with the query, 1 = a word starts with it, 2 = contains it."""
    return Case(
        When(**{f"{feld}__startswith": suchtext}, then=Value(0)),
        When(**{f"{feld}__contains": f" {suchtext}"}, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )


def _rang_schluessel(**exakt: str) -> Case:
    bedingung = Q()
    for lookup, wert in exakt.items():
        bedingung |= Q(**{lookup: wert})
    return Case(When(bedingung, then=Value(0)), default=Value(1), output_field=IntegerField())


def suche(*, q: str, limit: int = 20) -> Suchergebnis:
    """Search Gemeinden, Kreise and authorities by name, official key or postcode.

    Digits are read as a key prefix (ARS, AGS, Behörden-Schlüssel) or a postcode; anything
    else is folded with ``suchform`` and matched against ``suchname``: names that start with
    the query first, then names with a word starting with it, then any other match. Three
    queries, one per group, each returning its page and its total.
    """
    q = (q or "").strip()
    kompakt = q.replace(" ", "")
    if _SCHLUESSEL.match(kompakt):
        return _suche_schluessel(q=q, ziffern=kompakt, limit=limit)
    suchtext = suchform(q)
    if not suchtext:
        return Suchergebnis(q=q)

    gemeinden, gemeinden_gesamt = _take(
        Gemeinde.objects.filter(suchname__contains=suchtext)
        .select_related("land", "kreis")
        .annotate(rang=_rang_name("suchname", suchtext))
        .order_by("rang", _AKTUELL_ZUERST, "-einwohner", "name", "ars"),
        limit,
    )
    kreise, kreise_gesamt = _take(
        Kreis.objects.aktuell()
        .filter(suchname__contains=suchtext)
        .select_related("land")
        .annotate(rang=_rang_name("suchname", suchtext))
        .order_by("rang", "-einwohner", "name"),
        limit,
    )
    behoerden, behoerden_gesamt = _take(
        Behoerde.objects.aktuell()
        .filter(suchname__contains=suchtext)
        .select_related("land", "kreis", "gemeinde__kreis", "verband__kreis")
        .annotate(rang=_rang_name("suchname", suchtext))
        .order_by("rang", "name", "schluessel"),
        limit,
    )
    return Suchergebnis(
        q=q,
        gemeinden=gemeinden,
        kreise=kreise,
        behoerden=behoerden,
        gemeinden_gesamt=gemeinden_gesamt,
        kreise_gesamt=kreise_gesamt,
        behoerden_gesamt=behoerden_gesamt,
    )


def _suche_schluessel(*, q: str, ziffern: str, limit: int) -> Suchergebnis:
    gemeinde_filter = Q(ars__startswith=ziffern)
    if len(ziffern) <= 8:
        gemeinde_filter |= Q(ags__startswith=ziffern)
    if len(ziffern) <= 5:
        gemeinde_filter |= Q(plz__startswith=ziffern)
    gemeinden, gemeinden_gesamt = _take(
        Gemeinde.objects.filter(gemeinde_filter)
        .select_related("land", "kreis")
        .annotate(rang=_rang_schluessel(ars=ziffern, ags=ziffern, plz=ziffern))
        .order_by("rang", _AKTUELL_ZUERST, "ars"),
        limit,
    )
    kreise: list[Kreis] = []
    kreise_gesamt = 0
    if len(ziffern) <= 5:
        kreise, kreise_gesamt = _take(
            Kreis.objects.aktuell()
            .filter(ars__startswith=ziffern)
            .select_related("land")
            .order_by("ars"),
            limit,
        )
    behoerden, behoerden_gesamt = _take(
        Behoerde.objects.aktuell()
        .filter(schluessel__startswith=ziffern)
        .select_related("land", "kreis", "gemeinde__kreis", "verband__kreis")
        .annotate(rang=_rang_schluessel(schluessel=ziffern))
        .order_by("rang", "schluessel"),
        limit,
    )
    return Suchergebnis(
        q=q,
        gemeinden=gemeinden,
        kreise=kreise,
        behoerden=behoerden,
        gemeinden_gesamt=gemeinden_gesamt,
        kreise_gesamt=kreise_gesamt,
        behoerden_gesamt=behoerden_gesamt,
    )


# --- Pages ---------------------------------------------------------------------------


def gemeinden_fuer_seite() -> QuerySet[Gemeinde]:
    """Gemeinden with everything their page shows (look one up by ``ars``)."""
    return Gemeinde.objects.select_related(
        "land", "kreis", "verband", "regierungsbezirk", "nachfolger"
    )


def kreise_fuer_seite() -> QuerySet[Kreis]:
    return Kreis.objects.select_related("land", "regierungsbezirk")


def kreis_gemeinden(*, kreis: Kreis) -> QuerySet[Gemeinde]:
    """The current Gemeinden of a Kreis, by name (index gemeinde_kreis_gueltig_idx)."""
    return (
        Gemeinde.objects.aktuell()
        .filter(kreis=kreis)
        .select_related("verband")
        .order_by("name", "ars")
    )


def kreis_behoerden(*, kreis: Kreis) -> QuerySet[Behoerde]:
    """Current authorities seated in the Kreis: the Kreis itself, its Verbände and Gemeinden."""
    return (
        Behoerde.objects.aktuell()
        .filter(Q(kreis=kreis) | Q(verband__kreis=kreis) | Q(gemeinde__kreis=kreis))
        .order_by(
            Case(When(kreis=kreis, then=Value(0)), default=Value(1), output_field=IntegerField()),
            "name",
        )
    )
