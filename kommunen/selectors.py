"""Reads over the territory: the search and the Gemeinde / Kreis pages."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Value, When, Window
from django.utils import timezone

from abdeckung import regeln
from abdeckung.models import Statusintervall
from abdeckung.selectors import abdeckung_am, gemeinde_abdeckung
from abdeckung.services import Kennzahl, tagesende, zustaendigkeiten_mit_status
from kommunen.models import Gemeinde, Kreis
from kommunen.text import suchform
from leistungen.models import Behoerde, Zusage
from leistungen.selectors import zusagen_liste
from onboarding.models import Onboarding, Status

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


# --- Coverage on the Kreis and Gemeinde pages ------------------------------------------


@dataclass(frozen=True)
class BehoerdeImKreis:
    """A responsible authority of the Kreis's Gemeinden with, per committed service it is
    responsible for, the number of Gemeinden of the Kreis it serves and (when the user may
    see it) the status of its record."""

    behoerde_id: int
    schluessel: str
    name: str
    ist_pilot: bool
    #: leistung_id -> (Gemeinden served in the Kreis, without gemeindefreie Gebiete;
    #: status or None; blockiert)
    leistungen: dict[int, tuple[int, str | None, bool]] = field(default_factory=dict)


@dataclass(frozen=True)
class KreisStand:
    """What the Kreis page shows beyond the reference data.

    ``mit_status`` False (the user may not see the Land): ``kennzahlen`` is empty, the
    authorities carry no status and ``nutzbar_je_gemeinde`` is empty."""

    mit_status: bool
    zusagen: list[Zusage]
    kennzahlen: list[Kennzahl]
    behoerden: list[BehoerdeImKreis]
    #: gemeinde_id -> (committed services usable there now, committed services with a
    #: responsible authority)
    nutzbar_je_gemeinde: dict[int, tuple[int, int]]

    @property
    def stand(self) -> dt.datetime | None:
        """The "Stand" of the figures: the oldest among them."""
        return min((k.berechnet_am for k in self.kennzahlen if k.berechnet_am), default=None)


def kreis_stand(*, kreis: Kreis, mit_status: bool) -> KreisStand:
    """The committed services of the Kreis's Land, the three coverage numbers of this Kreis
    per service (stored figures, :func:`abdeckung.selectors.abdeckung_am`), the responsible
    authorities with their status per service and how many committed services are usable
    in each Gemeinde now.

    Four queries with ``mit_status`` (commitments, figures + their "Stand", one row per
    Gemeinde × service from :func:`abdeckung.services.zustaendigkeiten_mit_status`), two
    without."""
    zusagen = list(zusagen_liste(land=kreis.land))
    if not zusagen:
        return KreisStand(mit_status, [], [], [], {})
    kennzahlen = abdeckung_am(kreis=kreis) if mit_status else []
    zeilen = (
        zustaendigkeiten_mit_status(stichtag=None, land_ids=[kreis.land_id])
        .filter(gemeinde__kreis=kreis)
        .values_list(
            "gemeinde_id",
            "gemeinde__typ",
            "leistung_id",
            "behoerde_id",
            "behoerde__schluessel",
            "behoerde__name",
            "behoerde__ist_pilot",
            "st__status",
            "st__blockiert",
        )  # type: ignore[misc]  # "st" is the FilteredRelation annotated by the base query
    )
    behoerden: dict[int, BehoerdeImKreis] = {}
    nutzbar: dict[int, list[int]] = {}
    for g_id, typ, l_id, b_id, schluessel, name, pilot, status, blockiert in zeilen:
        status = (status or Status.UNBEKANNT) if mit_status else None
        eintrag = behoerden.setdefault(b_id, BehoerdeImKreis(b_id, schluessel, name, pilot))
        anzahl = eintrag.leistungen.get(l_id, (0, None, False))[0]
        if typ not in Gemeinde.GEMEINDEFREI_TYPEN:
            anzahl += 1
        eintrag.leistungen[l_id] = (anzahl, status, bool(blockiert) and mit_status)
        zaehler = nutzbar.setdefault(g_id, [0, 0])
        zaehler[1] += 1
        if regeln.ist_abgedeckt(status):
            zaehler[0] += 1
    # The Kreis's own authority first, then by name.
    reihenfolge = sorted(
        behoerden.values(),
        key=lambda b: (b.schluessel != kreis.ars, suchform(b.name), b.schluessel),
    )
    return KreisStand(
        mit_status=mit_status,
        zusagen=zusagen,
        kennzahlen=kennzahlen,
        behoerden=reihenfolge,
        nutzbar_je_gemeinde=(
            {g: (n, gesamt) for g, (n, gesamt) in nutzbar.items()} if mit_status else {}
        ),
    )


@dataclass(frozen=True)
class Angebot:
    """One committed service in a Gemeinde: usable or not, who provides it, since when."""

    leistung_id: int
    status: str
    status_text: str
    blockiert: bool
    nutzbar: bool
    #: Start of the current covered stretch (status history), or the record's "live seit".
    live_seit: dt.date | None


def gemeinde_angebot(*, gemeinde: Gemeinde, stichtag: dt.date | None = None) -> dict[int, Angebot]:
    """Per committed service (by leistung_id) of the Gemeinde's Land: is it usable by the
    people of the Gemeinde now (``stichtag`` None) or at the end of ``stichtag``, and since
    when. Statuses from :func:`abdeckung.selectors.gemeinde_abdeckung`; "since when" from
    the status intervals (the start of the uninterrupted covered stretch that lasts to the
    moment shown), for a live record whose history is not processed yet from its "live
    seit" date. Two queries, a third only in that case."""
    eintraege = gemeinde_abdeckung(gemeinde=gemeinde, stichtag=stichtag)
    if not eintraege:
        return {}
    ende = timezone.now() if stichtag is None else tagesende(stichtag)
    paare = {(e.behoerde_id, e.leistung_id) for e in eintraege}
    intervalle = (
        Statusintervall.objects.filter(
            behoerde_id__in={b for b, _ in paare},
            leistung_id__in={lst for _, lst in paare},
            von__lt=ende,
        )
        .order_by("behoerde_id", "leistung_id", "von")
        .values_list("behoerde_id", "leistung_id", "status", "von", "bis")
    )
    seit: dict[tuple[int, int], dt.datetime | None] = {}
    letztes_bis: dict[tuple[int, int], dt.datetime | None] = {}
    for b_id, l_id, status, von, bis in intervalle:
        schluessel = (b_id, l_id)
        if schluessel not in paare:
            continue
        if not regeln.ist_abgedeckt(status):
            seit[schluessel] = None
        elif seit.get(schluessel) is None or letztes_bis.get(schluessel) != von:
            # A covered stretch starts here (after another status or after a gap).
            seit[schluessel] = von
        letztes_bis[schluessel] = bis
    for schluessel, bis in letztes_bis.items():
        if bis is not None and bis < ende:
            # The last record was closed before the moment shown: nothing lasts.
            seit[schluessel] = None
    fehlend = [
        e for e in eintraege if e.nutzbar and seit.get((e.behoerde_id, e.leistung_id)) is None
    ]
    golive: dict[tuple[int, int], dt.date | None] = {}
    if fehlend and stichtag is None:
        golive = {
            (b, lst): tag
            for b, lst, tag in Onboarding.objects.filter(
                behoerde_id__in={e.behoerde_id for e in fehlend},
                leistung_id__in={e.leistung_id for e in fehlend},
                geschlossen_am__isnull=True,
            ).values_list("behoerde_id", "leistung_id", "ist_golive")
        }
    labels = dict(Status.choices)
    ergebnis = {}
    for e in eintraege:
        schluessel = (e.behoerde_id, e.leistung_id)
        beginn = seit.get(schluessel)
        tag = timezone.localdate(beginn) if beginn else golive.get(schluessel)
        ergebnis[e.leistung_id] = Angebot(
            leistung_id=e.leistung_id,
            status=e.status,
            status_text=str(labels.get(e.status, e.status)),
            blockiert=e.blockiert,
            nutzbar=e.nutzbar,
            live_seit=tag if e.nutzbar else None,
        )
    return ergebnis
