"""Incremental recomputation: :func:`abdeckung_aktualisieren` keeps the ``aktuell`` rows and
the status intervals in step with the audit history, reading only the events after its
watermark."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import replace
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Max, Q, Sum
from django.utils import timezone

from abdeckung.models import Abdeckungsstand, Statusintervall, Verarbeitungsstand
from abdeckung.services.berechnung import Kennzahl, abdeckung_berechnen
from abdeckung.services.speicherung import abdeckung_speichern
from abdeckung.services.statusintervalle import statusintervalle_neu_aufbauen
from audit.models import Ereignis
from audit.selectors import ONBOARDING_TYP
from kommunen.models import Gemeinde
from leistungen.models import Zusage, Zustaendigkeit
from onboarding.models import Onboarding

# An event id below the watermark that is not visible yet belongs to a transaction that was
# still open when a run read the history. It is looked for again for this long.
LUECKE_HOECHSTENS = dt.timedelta(hours=1)
# How far below the newest id a full run looks for such gaps.
LUECKE_FENSTER = 2000


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
