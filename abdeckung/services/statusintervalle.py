"""The status intervals: which status a record had when, rebuilt from the audit history.
Past days of :func:`abdeckung.services.abdeckung_berechnen` read them."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from django.db import transaction
from django.db.models import Q

from abdeckung.models import Statusintervall
from audit.models import Aktion, Ereignis
from audit.selectors import ONBOARDING_TYP
from onboarding.models import Onboarding


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
