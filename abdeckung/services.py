"""Where coverage is computed: the one aggregate, the status intervals it reads for past
dates, stored figure sets (live, daily, weekly Stichtag) and the incremental recomputation.

The definitions of the numbers are in :mod:`abdeckung.regeln`; this module implements them.

* :func:`abdeckung_berechnen` is a pure read and ONE SQL query per call: the resolved
  responsibilities valid on the day, joined to the status of each responsible authority's
  onboarding record (now: ``Onboarding.status``; a past day: the :class:`Statusintervall`
  containing the end of that day), grouped per Land × service (or Kreis × service) with
  conditional aggregation.
* :func:`abdeckung_aktualisieren` keeps the ``aktuell`` rows and the intervals in step with
  the audit history, reading only the events after its watermark.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from django.db import connection, transaction
from django.db.models import (
    Count,
    Exists,
    F,
    FilteredRelation,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Sum,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from abdeckung import regeln
from abdeckung.models import Abdeckungsstand, Statusintervall, Verarbeitungsstand
from audit.models import Aktion, Ereignis
from audit.selectors import ONBOARDING_TYP, tagesbeginn
from kommunen.models import Gemeinde
from leistungen.models import Zusage, Zustaendigkeit
from onboarding.models import STATUS_VALUES, Onboarding, Status

# An event id below the watermark that is not visible yet belongs to a transaction that was
# still open when a run read the history. It is looked for again for this long.
LUECKE_HOECHSTENS = dt.timedelta(hours=1)
# How far below the newest id a full run looks for such gaps.
LUECKE_FENSTER = 2000


@dataclass(frozen=True)
class Zahl:
    """One of the three numbers: numerator, denominator and its (never rounded up) share."""

    zaehler: int
    nenner: int

    @property
    def quote(self) -> float | None:
        wert = regeln.quote(self.zaehler, self.nenner)
        return None if wert is None else float(wert)

    @property
    def text(self) -> str:
        return regeln.quote_text(self.zaehler, self.nenner)

    @property
    def flaechendeckend(self) -> bool:
        return regeln.ist_flaechendeckend(self.zaehler, self.nenner)

    def als_dict(self) -> dict[str, Any]:
        return {
            "zaehler": self.zaehler,
            "nenner": self.nenner,
            "quote": self.quote,
            "text": self.text,
            "flaechendeckend": self.flaechendeckend,
        }


@dataclass(frozen=True)
class Kennzahl:
    """The figures of one Land × service (``kreis_id`` None) or Kreis × service on a day
    (definitions: :mod:`abdeckung.regeln`). ``berechnet_am`` is the "Stand" shown next to
    the numbers; ``quelle`` says whether they were computed now or read from a stored set
    (``"berechnet"``, ``"aktuell"``, ``"taeglich"``, ``"stichtag"``)."""

    land_id: int
    land_kurz: str
    land_name: str
    leistung_id: int
    ozg_id: str
    leistung_name: str
    kreis_id: int | None
    kreis_ars: str | None
    kreis_name: str | None
    stichtag: dt.date
    behoerden_live: int
    behoerden_gesamt: int
    gemeinden_live: int
    gemeinden_gesamt: int
    einwohner_live: int
    einwohner_gesamt: int
    status_zaehlung: dict[str, int] = field(default_factory=dict)
    blockiert: int = 0
    berechnet_am: dt.datetime | None = None
    ereignis_bis: int | None = None
    quelle: str = "berechnet"

    @property
    def schluessel(self) -> tuple[int, int, int | None]:
        return (self.land_id, self.leistung_id, self.kreis_id)

    @property
    def behoerden(self) -> Zahl:
        return Zahl(self.behoerden_live, self.behoerden_gesamt)

    @property
    def gemeinden(self) -> Zahl:
        return Zahl(self.gemeinden_live, self.gemeinden_gesamt)

    @property
    def bevoelkerung(self) -> Zahl:
        return Zahl(self.einwohner_live, self.einwohner_gesamt)

    def zahlen(self) -> tuple[object, ...]:
        """The stored figures, for comparisons (without the "Stand" time)."""
        return (
            self.behoerden_live,
            self.behoerden_gesamt,
            self.gemeinden_live,
            self.gemeinden_gesamt,
            self.einwohner_live,
            self.einwohner_gesamt,
            self.blockiert,
            *sorted(self.status_zaehlung.items()),
        )

    def als_dict(self) -> dict[str, Any]:
        return {
            "land": {"kurz": self.land_kurz, "name": self.land_name},
            "leistung": {"ozg_id": self.ozg_id, "name": self.leistung_name},
            "kreis": ({"ars": self.kreis_ars, "name": self.kreis_name} if self.kreis_id else None),
            "stichtag": self.stichtag.isoformat(),
            "stand": self.berechnet_am.isoformat() if self.berechnet_am else None,
            "quelle": self.quelle,
            "behoerden": self.behoerden.als_dict(),
            "gemeinden": self.gemeinden.als_dict(),
            "bevoelkerung": self.bevoelkerung.als_dict(),
            "status_zaehlung": dict(self.status_zaehlung),
            "blockiert": self.blockiert,
        }


# --- the aggregate -------------------------------------------------------------------------


def tagesende(stichtag: dt.date) -> dt.datetime:
    """The end of ``stichtag`` (= the start of the next day, Europe/Berlin)."""
    return tagesbeginn(stichtag + dt.timedelta(days=1))


def zustaendigkeiten_mit_status(
    *, stichtag: dt.date | None, land_ids: Iterable[int] | None = None
) -> QuerySet[Zustaendigkeit]:
    """Responsibilities of committed services valid on the day, with the status of the
    responsible authority's record attached as the relation ``st`` (``st__status``,
    ``st__blockiert``; null when the authority has no record then). The base of every
    coverage figure."""
    tag = stichtag or timezone.localdate()
    zusagen = Zusage.objects.filter(
        land_id=OuterRef("gemeinde__land_id"), leistung_id=OuterRef("leistung_id")
    ).filter(Q(zugesagt_am__isnull=True) | Q(zugesagt_am__lte=tag))
    qs = (
        Zustaendigkeit.objects.gueltig_am(tag)
        .filter(
            Q(gemeinde__gueltig_ab__isnull=True) | Q(gemeinde__gueltig_ab__lte=tag),
            Q(gemeinde__gueltig_bis__isnull=True) | Q(gemeinde__gueltig_bis__gte=tag),
            Exists(zusagen),
        )
        .order_by()
    )
    if land_ids is not None:
        qs = qs.filter(gemeinde__land_id__in=list(land_ids))
    if stichtag is None:
        # Now: the one open record of the authority for the service.
        relation = FilteredRelation(
            "behoerde__onboardings",
            condition=Q(
                behoerde__onboardings__leistung_id=F("leistung_id"),
                behoerde__onboardings__geschlossen_am__isnull=True,
            ),
        )
    else:
        # Then: the interval containing the end of the day (at most one per authority ×
        # service, see statusintervalle_neu_aufbauen).
        ende = tagesende(stichtag)
        relation = FilteredRelation(
            "behoerde__statusintervalle",
            condition=Q(
                behoerde__statusintervalle__leistung_id=F("leistung_id"),
                behoerde__statusintervalle__von__lt=ende,
            )
            & (
                Q(behoerde__statusintervalle__bis__isnull=True)
                | Q(behoerde__statusintervalle__bis__gte=ende)
            ),
        )
    return qs.annotate(st=relation)


def _status_feld(status: str) -> str:
    return f"s_{status}"


def abdeckung_berechnen(
    *,
    stichtag: dt.date | None = None,
    land_ids: Iterable[int] | None = None,
    leistung_ids: Iterable[int] | None = None,
    je_kreis: bool = False,
) -> list[Kennzahl]:
    """The coverage figures (:mod:`abdeckung.regeln`) of every committed Land × service,
    or with ``je_kreis`` of every Kreis × service, at the end of ``stichtag`` (``None``:
    now, from ``Onboarding.status``; a day: from :class:`Statusintervall`).

    A pure read and ONE SQL query. Past days read the intervals as last rebuilt
    (:func:`abdeckung_aktualisieren` keeps them current)."""
    qs = zustaendigkeiten_mit_status(stichtag=stichtag, land_ids=land_ids)
    if leistung_ids is not None:
        qs = qs.filter(leistung_id__in=list(leistung_ids))
    # Group by ids only (names ride along as MIN(): sorting by text keys costs more).
    gruppe = ["gemeinde__land_id", "leistung_id"]
    namen = {
        "land_kurz": Min("gemeinde__land__kurz"),
        "land_name": Min("gemeinde__land__name"),
        "ozg_id": Min("leistung__ozg_id"),
        "leistung_name": Min("leistung__kurzname"),
    }
    if je_kreis:
        qs = qs.filter(gemeinde__kreis__isnull=False)
        gruppe.append("gemeinde__kreis_id")
        namen.update(kreis_ars=Min("gemeinde__kreis__ars"), kreis_name=Min("gemeinde__kreis__name"))
    abgedeckt = Q(st__status__in=regeln.ABGEDECKT)
    gemeinde = ~Q(gemeinde__typ__in=Gemeinde.GEMEINDEFREI_TYPEN)
    zaehlung = {
        _status_feld(s): Count("behoerde_id", distinct=True, filter=Q(st__status=s))
        for s in STATUS_VALUES
    }
    zeilen = (
        qs.values(*gruppe)
        .annotate(
            behoerden_gesamt=Count("behoerde_id", distinct=True),
            behoerden_live=Count("behoerde_id", distinct=True, filter=abgedeckt),
            gemeinden_gesamt=Count("id", filter=gemeinde),
            gemeinden_live=Count("id", filter=gemeinde & abgedeckt),
            einwohner_gesamt=Coalesce(Sum("gemeinde__einwohner"), 0),
            einwohner_live=Coalesce(Sum("gemeinde__einwohner", filter=abgedeckt), 0),
            blockiert=Count("behoerde_id", distinct=True, filter=Q(st__blockiert=True)),
            ohne_datensatz=Count("behoerde_id", distinct=True, filter=Q(st__id__isnull=True)),
            **zaehlung,
            **namen,
        )
        .order_by(*gruppe)
    )
    jetzt = timezone.now()
    tag = stichtag or timezone.localdate(jetzt)
    ergebnis = []
    for z in zeilen:
        status_zaehlung = {s: z[_status_feld(s)] for s in STATUS_VALUES if z[_status_feld(s)]}
        if z["ohne_datensatz"]:
            # No record (yet) on that day: nothing is known about the authority.
            status_zaehlung[Status.UNBEKANNT] = (
                status_zaehlung.get(Status.UNBEKANNT, 0) + z["ohne_datensatz"]
            )
        ergebnis.append(
            Kennzahl(
                land_id=z["gemeinde__land_id"],
                land_kurz=z["land_kurz"],
                land_name=z["land_name"],
                leistung_id=z["leistung_id"],
                ozg_id=z["ozg_id"],
                leistung_name=z["leistung_name"],
                kreis_id=z.get("gemeinde__kreis_id"),
                kreis_ars=z.get("kreis_ars"),
                kreis_name=z.get("kreis_name"),
                stichtag=tag,
                behoerden_live=z["behoerden_live"],
                behoerden_gesamt=z["behoerden_gesamt"],
                gemeinden_live=z["gemeinden_live"],
                gemeinden_gesamt=z["gemeinden_gesamt"],
                einwohner_live=int(z["einwohner_live"]),
                einwohner_gesamt=int(z["einwohner_gesamt"]),
                status_zaehlung=status_zaehlung,
                blockiert=z["blockiert"],
                berechnet_am=jetzt,
            )
        )
    return ergebnis


# --- stored figure sets --------------------------------------------------------------------

_ZAHLFELDER = (
    "behoerden_live",
    "behoerden_gesamt",
    "gemeinden_live",
    "gemeinden_gesamt",
    "einwohner_live",
    "einwohner_gesamt",
    "status_zaehlung",
    "blockiert",
    "berechnet_am",
    "ereignis_bis",
)
# The figures proper: a row is rewritten only when one of the first fields changed.
_GEAENDERT_WENN = 8


def abdeckung_speichern(
    *,
    art: str,
    stichtag: dt.date,
    kennzahlen: Iterable[Kennzahl],
    ueberschreiben: bool = True,
) -> int:
    """Store figure sets as rows of ``art`` for ``stichtag`` (insert or update by Land ×
    service × Kreis); returns how many rows were written. Idempotent: the same figures give
    the same rows. With ``ueberschreiben=False`` existing rows stay as they are (frozen
    snapshots); rows whose figures are unchanged are not rewritten. ``aktuell`` keeps one
    row per key: rows of older days are replaced."""
    if art not in Abdeckungsstand.Art.values:
        raise ValueError(f"Unbekannte Art {art!r}.")
    kennzahlen = list(kennzahlen)
    if not kennzahlen:
        return 0
    with transaction.atomic():
        land_ids = {k.land_id for k in kennzahlen}
        vorhanden = {
            (r.land_id, r.leistung_id, r.kreis_id): r
            for r in Abdeckungsstand.objects.select_for_update()
            .filter(art=art, stichtag=stichtag, land_id__in=land_ids)
            .order_by()
        }
        neu, geaendert = [], []
        for k in kennzahlen:
            werte = {f: getattr(k, f) for f in _ZAHLFELDER}
            werte["berechnet_am"] = k.berechnet_am or timezone.now()
            zeile = vorhanden.get(k.schluessel)
            if zeile is None:
                neu.append(
                    Abdeckungsstand(
                        art=art,
                        stichtag=stichtag,
                        land_id=k.land_id,
                        leistung_id=k.leistung_id,
                        kreis_id=k.kreis_id,
                        **werte,
                    )
                )
            elif ueberschreiben and any(
                getattr(zeile, f) != werte[f] for f in _ZAHLFELDER[:_GEAENDERT_WENN]
            ):
                # Only changed figures are written: their "Stand" is when they changed
                # (for ``aktuell`` the selectors show the time of the last run, see there).
                for f, w in werte.items():
                    setattr(zeile, f, w)
                geaendert.append(zeile)
        if art == Abdeckungsstand.Art.AKTUELL:
            _aeltere_aktuelle_loeschen(stichtag, kennzahlen)
        Abdeckungsstand.objects.bulk_create(neu, batch_size=2000)
        Abdeckungsstand.objects.bulk_update(geaendert, list(_ZAHLFELDER), batch_size=2000)
    return len(neu) + len(geaendert)


def _aeltere_aktuelle_loeschen(stichtag: dt.date, kennzahlen: list[Kennzahl]) -> None:
    paare = {(k.land_id, k.leistung_id) for k in kennzahlen}
    mit_kreis = {k.schluessel for k in kennzahlen}
    alt = Abdeckungsstand.objects.filter(
        art=Abdeckungsstand.Art.AKTUELL,
        land_id__in={p[0] for p in paare},
        leistung_id__in={p[1] for p in paare},
    ).exclude(stichtag=stichtag)
    ids = [
        pk
        for pk, land_id, leistung_id, kreis_id in alt.values_list(
            "pk", "land_id", "leistung_id", "kreis_id"
        )
        if (land_id, leistung_id, kreis_id) in mit_kreis
    ]
    Abdeckungsstand.objects.filter(pk__in=ids).delete()


# --- status intervals ----------------------------------------------------------------------


@dataclass
class _Intervall:
    onboarding_id: int
    status: str
    blockiert: bool
    von: dt.datetime
    bis: dt.datetime | None = None


def _intervalle_eines_datensatzes(
    onboarding_id: int, ereignisse: list[tuple[str, dt.datetime, Any, Any, bool, bool]]
) -> list[_Intervall]:
    """Replay the record's events (oldest first) into intervals of (status, blockiert)."""
    intervalle: list[_Intervall] = []
    status: str | None = None
    blockiert = False
    offen: _Intervall | None = None
    for aktion, zeitpunkt, neu_status, neu_blockiert, hat_status, hat_blockiert in ereignisse:
        if aktion == Aktion.GESCHLOSSEN:
            if offen is not None:
                offen.bis = zeitpunkt
            offen = None
            break
        if hat_status and neu_status is not None:
            status = str(neu_status)
        if hat_blockiert and neu_blockiert is not None:
            blockiert = bool(neu_blockiert)
        if status is None:
            continue
        if offen is not None and (offen.status, offen.blockiert) == (status, blockiert):
            continue
        if offen is not None:
            offen.bis = zeitpunkt
        offen = _Intervall(onboarding_id, status, blockiert, zeitpunkt)
        intervalle.append(offen)
    return [i for i in intervalle if i.bis is None or i.bis > i.von]


def _geschwister(onboarding_ids: Iterable[int]) -> list[tuple[int, int, int]]:
    """(id, behoerde_id, leistung_id) of the given records and of every other record of the
    same authority × service (their histories are clipped against each other)."""
    ids = set(onboarding_ids)
    if not ids:
        return []
    paare = set(Onboarding.objects.filter(pk__in=ids).values_list("behoerde_id", "leistung_id"))
    kandidaten = Onboarding.objects.filter(
        behoerde_id__in={b for b, _ in paare}, leistung_id__in={s for _, s in paare}
    ).values_list("pk", "behoerde_id", "leistung_id")
    return [(pk, b, s) for pk, b, s in kandidaten if (b, s) in paare]


def statusintervalle_neu_aufbauen(*, onboarding_ids: Iterable[int] | None = None) -> int:
    """Rebuild the status intervals from the audit events: of all records (``None``) or of
    the given ones (with every other record of the same authority × service). Only the
    difference to the stored intervals is written; returns the number of intervals deleted
    plus inserted. Idempotent.

    Rules: an interval starts at the event that set its status/``blockiert`` and ends at the
    next event that changes either, or at the closing event (after which the record has no
    interval). If an authority × service has several records whose histories overlap (a
    record created with a backdated start while the previous one was still open), the later
    record's history starts where the earlier one ended, so "Stand am D" sees one status."""
    with transaction.atomic():
        if onboarding_ids is None:
            datensaetze = list(Onboarding.objects.values_list("pk", "behoerde_id", "leistung_id"))
            bisher = Statusintervall.objects.all()
        else:
            datensaetze = _geschwister(onboarding_ids)
            bisher = Statusintervall.objects.filter(onboarding_id__in=[d[0] for d in datensaetze])
        vorhanden = {
            (o, st, bl, von, bis): pk
            for pk, o, st, bl, von, bis in bisher.values_list(
                "pk", "onboarding_id", "status", "blockiert", "von", "bis"
            )
        }
        paar_von = {pk: (b, s) for pk, b, s in datensaetze}
        ereignisse: dict[int, list[tuple[str, dt.datetime, Any, Any, bool, bool]]] = defaultdict(
            list
        )
        basis = Ereignis.objects.filter(objekt_typ=ONBOARDING_TYP).filter(
            Q(aktion__in=[Aktion.ANGELEGT, Aktion.GESCHLOSSEN])
            | Q(aenderungen__has_key="status")
            | Q(aenderungen__has_key="blockiert")
        )
        ids = sorted(paar_von)
        teile: list[list[int] | None] = (
            [None]
            if onboarding_ids is None
            else [ids[i : i + 5000] for i in range(0, len(ids), 5000)]
        )
        for teil in teile:
            qs = basis if teil is None else basis.filter(onboarding_id__in=teil)
            zeilen = (
                qs.order_by("onboarding_id", "zeitpunkt", "id")
                .values_list(
                    "onboarding_id",
                    "aktion",
                    "zeitpunkt",
                    "aenderungen__status__1",
                    "aenderungen__blockiert__1",
                    "aenderungen__status",
                    "aenderungen__blockiert",
                )
                .iterator(chunk_size=5000)
            )
            for onboarding_id, aktion, zeitpunkt, status, blockiert, st_paar, bl_paar in zeilen:
                if onboarding_id in paar_von:
                    ereignisse[onboarding_id].append(
                        (
                            aktion,
                            zeitpunkt,
                            status,
                            blockiert,
                            st_paar is not None,
                            bl_paar is not None,
                        )
                    )
        je_paar: dict[tuple[int, int], list[list[_Intervall]]] = defaultdict(list)
        for pk in ids:
            intervalle = _intervalle_eines_datensatzes(pk, ereignisse.get(pk, []))
            if intervalle:
                je_paar[paar_von[pk]].append(intervalle)
        neu = []
        for (behoerde_id, leistung_id), verlaeufe in je_paar.items():
            verlaeufe.sort(key=lambda v: (v[0].von, v[0].onboarding_id))
            grenze: dt.datetime | None = None
            for verlauf in verlaeufe:
                for iv in verlauf:
                    if grenze is not None and iv.von < grenze:
                        if iv.bis is not None and iv.bis <= grenze:
                            continue
                        iv = replace(iv, von=grenze)
                    neu.append(
                        Statusintervall(
                            onboarding_id=iv.onboarding_id,
                            behoerde_id=behoerde_id,
                            leistung_id=leistung_id,
                            status=iv.status,
                            blockiert=iv.blockiert,
                            von=iv.von,
                            bis=iv.bis,
                        )
                    )
                ende = verlauf[-1].bis or dt.datetime.max.replace(tzinfo=dt.UTC)
                grenze = ende if grenze is None else max(grenze, ende)
        # Write only the difference: a rebuild that finds nothing new writes nothing.
        soll = {(i.onboarding_id, i.status, i.blockiert, i.von, i.bis): i for i in neu}
        weg = [pk for schluessel, pk in vorhanden.items() if schluessel not in soll]
        dazu = [i for schluessel, i in soll.items() if schluessel not in vorhanden]
        for i in range(0, len(weg), 5000):
            Statusintervall.objects.filter(pk__in=weg[i : i + 5000]).delete()
        Statusintervall.objects.bulk_create(dazu, batch_size=5000)
        return len(weg) + len(dazu)


# --- incremental recomputation -------------------------------------------------------------


def _zustaendigkeit_fingerabdruck() -> str:
    """Changes whenever the resolved responsibility changes (rows added, removed, ended or
    reassigned); one aggregate query."""
    werte = Zustaendigkeit.objects.aggregate(
        n=Count("id"),
        max_id=Max("id"),
        beendet=Count("gueltig_bis"),
        max_bis=Max("gueltig_bis"),
        max_ab=Max("gueltig_ab"),
        behoerden=Sum("behoerde_id"),
    )
    zusagen = list(
        Zusage.objects.order_by("pk").values_list("pk", "land_id", "leistung_id", "zugesagt_am")
    )
    text = repr(sorted(werte.items())) + repr(zusagen)
    return hashlib.sha256(text.encode()).hexdigest()


def _stand_sperren() -> Verarbeitungsstand:
    Verarbeitungsstand.objects.get_or_create(pk=1)
    return Verarbeitungsstand.objects.select_for_update().get(pk=1)


def _aktuelle_zeilen(
    *, land_ids: set[int] | None, leistung_ids: set[int] | None, ereignis_bis: int
) -> list[Kennzahl]:
    kennzahlen = abdeckung_berechnen(land_ids=land_ids, leistung_ids=leistung_ids)
    kennzahlen += abdeckung_berechnen(land_ids=land_ids, leistung_ids=leistung_ids, je_kreis=True)
    return [replace(k, ereignis_bis=ereignis_bis) for k in kennzahlen]


def abdeckung_aktualisieren(*, voll: bool = False) -> dict[str, Any]:
    """Bring the ``aktuell`` figures and the status intervals up to date, in one
    transaction.

    Incremental (default): read the audit events after the watermark (and those still
    missing below it), rebuild the intervals of the records they touch, recompute the
    ``aktuell`` rows (Land and Kreis) of the touched Land × service pairs and advance the
    watermark. ``voll=True`` — or a changed responsibility or commitment, or the first run
    — rebuilds every interval and every ``aktuell`` row. Running it twice changes nothing
    the second time (apart from the time of the last run)."""
    with transaction.atomic():
        stand = _stand_sperren()
        jetzt = timezone.now()
        fingerabdruck = _zustaendigkeit_fingerabdruck()
        voll = (
            voll
            or stand.voll_berechnet_am is None
            or (fingerabdruck != stand.zustaendigkeit_fingerabdruck)
        )
        if voll:
            ergebnis = _voll_aktualisieren(stand, jetzt)
        else:
            ergebnis = _inkrementell_aktualisieren(stand, jetzt)
        stand.zustaendigkeit_fingerabdruck = fingerabdruck
        stand.aktualisiert_am = jetzt
        stand.save()
        ergebnis["letzte_ereignis_id"] = stand.letzte_ereignis_id
        return ergebnis


def _statistik_auffrischen() -> None:
    """PostgreSQL: refresh the planner statistics of the tables the aggregate reads. After
    a bulk load (import, resolution, a rebuild of the intervals) the planner otherwise
    estimates a handful of rows and picks nested loops that are 20× slower than the hash
    joins it uses with statistics. ANALYZE samples, takes well under a second, and blocks
    no reader or writer."""
    if connection.vendor != "postgresql":
        return
    tabellen = [m._meta.db_table for m in (Statusintervall, Zustaendigkeit, Gemeinde, Onboarding)]
    with connection.cursor() as cursor:
        for tabelle in tabellen:
            cursor.execute(f'ANALYZE "{tabelle}"')


def _voll_aktualisieren(stand: Verarbeitungsstand, jetzt: dt.datetime) -> dict[str, Any]:
    hoechste = Ereignis.objects.aggregate(m=Max("id"))["m"] or 0
    intervalle = statusintervalle_neu_aufbauen()
    _statistik_auffrischen()
    kennzahlen = _aktuelle_zeilen(land_ids=None, leistung_ids=None, ereignis_bis=hoechste)
    heute = timezone.localdate(jetzt)
    zeilen = abdeckung_speichern(
        art=Abdeckungsstand.Art.AKTUELL, stichtag=heute, kennzahlen=kennzahlen
    )
    # Figures of commitments or Kreise that no longer have any.
    behalten = {k.schluessel for k in kennzahlen}
    veraltet = [
        pk
        for pk, *schluessel in Abdeckungsstand.objects.filter(
            art=Abdeckungsstand.Art.AKTUELL
        ).values_list("pk", "land_id", "leistung_id", "kreis_id")
        if tuple(schluessel) not in behalten
    ]
    Abdeckungsstand.objects.filter(pk__in=veraltet).delete()
    sichtbar = set(
        Ereignis.objects.filter(id__gt=hoechste - LUECKE_FENSTER, id__lte=hoechste).values_list(
            "id", flat=True
        )
    )
    stand.luecken = {
        str(i): jetzt.isoformat()
        for i in range(max(hoechste - LUECKE_FENSTER + 1, 1), hoechste + 1)
        if i not in sichtbar
    }
    stand.letzte_ereignis_id = hoechste
    stand.voll_berechnet_am = jetzt
    return {"voll": True, "intervalle": intervalle, "zeilen": zeilen, "geloescht": len(veraltet)}


def _inkrementell_aktualisieren(stand: Verarbeitungsstand, jetzt: dt.datetime) -> dict[str, Any]:
    luecken = {int(i): dt.datetime.fromisoformat(t) for i, t in (stand.luecken or {}).items()}
    neue = list(
        Ereignis.objects.filter(Q(id__gt=stand.letzte_ereignis_id) | Q(id__in=list(luecken)))
        .order_by("id")
        .values_list("id", "objekt_typ", "onboarding_id")
    )
    gesehen = {e[0] for e in neue}
    hoechste = max([stand.letzte_ereignis_id, *gesehen])
    for i in range(stand.letzte_ereignis_id + 1, hoechste + 1):
        if i not in gesehen:
            luecken.setdefault(i, jetzt)
    stand.luecken = {
        str(i): t.isoformat()
        for i, t in sorted(luecken.items())
        if i not in gesehen and jetzt - t < LUECKE_HOECHSTENS
    }
    stand.letzte_ereignis_id = hoechste
    betroffen = {o for _, typ, o in neue if typ == ONBOARDING_TYP and o is not None}
    ergebnis: dict[str, Any] = {
        "voll": False,
        "ereignisse": len(neue),
        "onboardings": len(betroffen),
        "paare": 0,
        "intervalle": 0,
        "zeilen": 0,
    }
    if not betroffen:
        return ergebnis
    ergebnis["intervalle"] = statusintervalle_neu_aufbauen(onboarding_ids=betroffen)
    paare = set(
        Onboarding.objects.filter(pk__in=betroffen).values_list("zusage__land_id", "leistung_id")
    )
    kennzahlen = [
        k
        for k in _aktuelle_zeilen(
            land_ids={p[0] for p in paare},
            leistung_ids={p[1] for p in paare},
            ereignis_bis=hoechste,
        )
        if (k.land_id, k.leistung_id) in paare
    ]
    ergebnis["paare"] = len(paare)
    ergebnis["zeilen"] = abdeckung_speichern(
        art=Abdeckungsstand.Art.AKTUELL, stichtag=timezone.localdate(jetzt), kennzahlen=kennzahlen
    )
    return ergebnis


# --- snapshots -----------------------------------------------------------------------------


def _snapshot(*, stichtag: dt.date, art: str, ereignis_bis: int, ueberschreiben: bool) -> int:
    if art == Abdeckungsstand.Art.AKTUELL:
        raise ValueError("Ein Snapshot ist „täglich“ oder „stichtag“, nicht „aktuell“.")
    if art == Abdeckungsstand.Art.STICHTAG and stichtag.weekday() != 6:
        raise ValueError(
            f"Der wöchentliche Stichtag ist ein Sonntag (Stand Sonntag 24 Uhr), nicht der "
            f"{stichtag:%d.%m.%Y}."
        )
    if tagesende(stichtag) > timezone.now():
        raise ValueError(f"Der {stichtag:%d.%m.%Y} ist noch nicht zu Ende.")
    kennzahlen = abdeckung_berechnen(stichtag=stichtag) + abdeckung_berechnen(
        stichtag=stichtag, je_kreis=True
    )
    return abdeckung_speichern(
        art=art,
        stichtag=stichtag,
        kennzahlen=[replace(k, ereignis_bis=ereignis_bis) for k in kennzahlen],
        ueberschreiben=ueberschreiben,
    )


def snapshot_erstellen(*, stichtag: dt.date, art: str, ueberschreiben: bool = False) -> int:
    """Store the figures (Land and Kreis rows) at the end of ``stichtag`` as ``art``
    (``taeglich``, or ``stichtag`` for a Sunday). Catches up with the history first. A
    stored snapshot is frozen: rows that exist stay unchanged unless ``ueberschreiben``;
    running it twice gives the same stored result. Returns the rows written."""
    with transaction.atomic():
        abdeckung_aktualisieren()
        stand = Verarbeitungsstand.objects.get(pk=1)
        return _snapshot(
            stichtag=stichtag,
            art=art,
            ereignis_bis=stand.letzte_ereignis_id,
            ueberschreiben=ueberschreiben,
        )


def snapshots_nachtragen(
    *, von: dt.date, bis: dt.date, ueberschreiben: bool = False
) -> dict[str, int]:
    """Backfill from the history: a daily snapshot for every day from ``von`` to ``bis``
    (inclusive) and the weekly Stichtag for every Sunday among them. Days already stored
    stay frozen unless ``ueberschreiben``."""
    if bis < von:
        raise ValueError("„bis“ liegt vor „von“.")
    if tagesende(bis) > timezone.now():
        raise ValueError(f"Der {bis:%d.%m.%Y} ist noch nicht zu Ende.")
    ergebnis = {"tage": 0, "stichtage": 0, "zeilen": 0}
    with transaction.atomic():
        abdeckung_aktualisieren()
        ereignis_bis = Verarbeitungsstand.objects.get(pk=1).letzte_ereignis_id
        tag = von
        while tag <= bis:
            ergebnis["zeilen"] += _snapshot(
                stichtag=tag,
                art=Abdeckungsstand.Art.TAEGLICH,
                ereignis_bis=ereignis_bis,
                ueberschreiben=ueberschreiben,
            )
            ergebnis["tage"] += 1
            if tag.weekday() == 6:
                ergebnis["zeilen"] += _snapshot(
                    stichtag=tag,
                    art=Abdeckungsstand.Art.STICHTAG,
                    ereignis_bis=ereignis_bis,
                    ueberschreiben=ueberschreiben,
                )
                ergebnis["stichtage"] += 1
            tag += dt.timedelta(days=1)
    return ergebnis
