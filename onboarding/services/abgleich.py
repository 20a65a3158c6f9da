"""Keep the onboarding records in step with commitments and resolved responsibility."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import F, Min
from django.utils import timezone

from abdeckung.tasks import abdeckung_vormerken
from audit.models import Aktion, Quelle
from audit.selectors import tagesbeginn
from audit.services import ereignis_bauen, ereignisse_anlegen
from leistungen.models import Zusage, Zustaendigkeit
from onboarding.models import Onboarding, Status
from onboarding.services._basis import datum, jetzt, onboarding_werte
from onboarding.services.vorlagen import punkte_kopieren, vorlage_fuer_leistung


def _anlage_zeitpunkt(zusage: Zusage, beginn: dt.date | None, jetzt_: dt.datetime) -> dt.datetime:
    """When a new record starts to exist in the history: the later of the commitment date
    and the day the authority became responsible, never after now."""
    if zusage.zugesagt_am is None:
        return jetzt_
    tag = max(zusage.zugesagt_am, beginn or dt.date.min)
    return min(tagesbeginn(tag), jetzt_)


def onboardings_abgleichen(
    *,
    zusage: Zusage | None = None,
    stichtag: dt.date | None = None,
    zeitpunkt: dt.datetime | None = None,
) -> dict[str, int]:
    """Give every authority responsible (on ``stichtag``, default today) for a committed
    service one open onboarding record, and close the records of authorities that are no
    longer responsible (status "nicht zuständig", ``geschlossen_am`` = ``stichtag``, with a
    reason). Records are never deleted. Idempotent.

    New records get the items of the newest active template of the service (or the global
    one). Their "angelegt" event is dated ``zeitpunkt`` if given, otherwise the later of
    the commitment date and the start of the authority's responsibility (capped at now), so
    point-in-time questions about the commitment period see them.
    """
    stichtag = stichtag or timezone.localdate()
    jetzt_ = timezone.now()
    if zeitpunkt is not None:
        jetzt(zeitpunkt)
    zusagen = (
        [zusage]
        if zusage is not None
        else list(Zusage.objects.select_related("land", "leistung").order_by("pk"))
    )
    zaehler = {"angelegt": 0, "geschlossen": 0, "unveraendert": 0}
    with transaction.atomic():
        for z in zusagen:
            soll = set(
                Zustaendigkeit.objects.gueltig_am(stichtag)
                .filter(leistung_id=z.leistung_id, gemeinde__land_id=z.land_id)
                .values_list("behoerde_id", flat=True)
            )
            offen = {
                o.behoerde_id: o
                for o in Onboarding.objects.filter(
                    leistung_id=z.leistung_id, zusage=z, geschlossen_am__isnull=True
                ).select_related("behoerde", "leistung", "zusage__land", "team", "vorlage")
            }
            zaehler["unveraendert"] += len(soll & offen.keys())
            zaehler["geschlossen"] += _schliessen(
                [offen[b] for b in sorted(offen.keys() - soll)], z, stichtag, zeitpunkt or jetzt_
            )
            zaehler["angelegt"] += _anlegen(sorted(soll - offen.keys()), z, zeitpunkt, jetzt_)
        if zaehler["angelegt"] or zaehler["geschlossen"]:
            abdeckung_vormerken()  # coverage recomputation after commit (abdeckung.tasks)
    return zaehler


def _anlegen(
    behoerde_ids: list[int], zusage: Zusage, zeitpunkt: dt.datetime | None, jetzt_: dt.datetime
) -> int:
    if not behoerde_ids:
        return 0
    vorlage = vorlage_fuer_leistung(zusage.leistung_id)
    beginn = dict(
        Zustaendigkeit.objects.filter(leistung_id=zusage.leistung_id, behoerde_id__in=behoerde_ids)
        .values("behoerde_id")
        .annotate(ab=Min("gueltig_ab"))
        .values_list("behoerde_id", "ab")
    )
    neu = Onboarding.objects.bulk_create(
        [
            Onboarding(
                behoerde_id=b,
                leistung_id=zusage.leistung_id,
                zusage=zusage,
                vorlage=vorlage,
                status=Status.UNBEKANNT,
            )
            for b in behoerde_ids
        ],
        batch_size=2000,
    )
    punkte_kopieren(onboardings=neu)
    neu = list(
        Onboarding.objects.filter(pk__in=[o.pk for o in neu]).select_related(
            # Every name that goes into the audit values, in the same query.
            "behoerde",
            "leistung",
            "zusage__land",
            "zusage__leistung",
            "vorlage__leistung",
        )
    )
    ereignisse = []
    for o in neu:
        werte = {k: v for k, v in onboarding_werte(o).items() if v not in (None, "")}
        werte["version"] = o.version
        ereignisse.append(
            ereignis_bauen(
                user=None,
                quelle=Quelle.SYSTEM,
                aktion=Aktion.ANGELEGT,
                objekt=o,
                aenderungen={feld: [None, wert] for feld, wert in werte.items()},
                onboarding_id=o.pk,
                beschreibung=(
                    f"Onboarding angelegt: {o.behoerde} ist für {o.leistung.kurzname} zuständig "
                    f"(Zusage {zusage.land.kurz}, Abgleich am {datum(timezone.localdate(jetzt_))})"
                ),
                zeitpunkt=zeitpunkt or _anlage_zeitpunkt(zusage, beginn.get(o.behoerde_id), jetzt_),
            )
        )
    ereignisse_anlegen(ereignisse=ereignisse)
    return len(neu)


def _schliessen(
    onboardings: list[Onboarding], zusage: Zusage, stichtag: dt.date, zeitpunkt: dt.datetime
) -> int:
    ereignisse = []
    for o in onboardings:
        grund = (
            f"{o.behoerde} ist ab {datum(stichtag)} nicht mehr für {o.leistung.kurzname} "
            "zuständig (Zuständigkeit neu aufgelöst)."
        )
        geaendert = Onboarding.objects.filter(pk=o.pk, geschlossen_am__isnull=True).update(
            geschlossen_am=stichtag,
            geschlossen_grund=grund[:300],
            status=Status.NICHT_ZUSTAENDIG,
            version=F("version") + 1,
            geaendert_am=timezone.now(),
        )
        if not geaendert:
            continue
        ereignisse.append(
            ereignis_bauen(
                user=None,
                quelle=Quelle.SYSTEM,
                aktion=Aktion.GESCHLOSSEN,
                objekt=o,
                aenderungen={
                    "status": [o.status, Status.NICHT_ZUSTAENDIG],
                    "geschlossen_am": [None, stichtag],
                    "geschlossen_grund": ["", grund[:300]],
                    "version": [o.version, o.version + 1],
                },
                onboarding_id=o.pk,
                beschreibung=f"Onboarding geschlossen: {grund}",
                zeitpunkt=zeitpunkt,
            )
        )
    ereignisse_anlegen(ereignisse=ereignisse)
    return len(ereignisse)
