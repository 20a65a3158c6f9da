"""The record's own fields: status (with the status rule), team, wave, baseline flag,
planned and actual dates, and the go-live confirmation."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from abdeckung.tasks import abdeckung_vormerken
from audit.models import Aktion
from audit.services import aenderungen_ermitteln, ereignis_schreiben
from onboarding import permissions
from onboarding.models import Checklistenpunkt, Onboarding, Status
from onboarding.services._basis import (
    STATUS_RANG,
    VORAUSSETZUNGEN,
    Ungueltig,
    datum,
    fehlende_pflichtpunkte,
    fehlende_text,
    jetzt,
    onboarding_werte,
    tag_von,
)
from onboarding.services.bearbeiten._gemeinsam import (
    Rechte,
    Schritt,
    daten_lesen,
    datum_lesen,
    feld_label,
    nicht_geschlossen,
    onboarding_konflikt,
    onboarding_laden,
    status_label,
    team_passt,
)

IST_FELDER = ("ist_phase_1", "ist_phase_2", "ist_golive")


def status_pruefen(
    onboarding: Onboarding, neuer_status: str, *, baseline: bool, punkte: list[Checklistenpunkt]
) -> None:
    """Raise ``Ungueltig`` if the record may not move to ``neuer_status``."""
    alt = onboarding.status
    if neuer_status == alt:
        return
    if STATUS_RANG.get(neuer_status, -1) < STATUS_RANG.get(alt, -1):
        return  # backwards is allowed (and audited)
    if neuer_status == Status.BETRIEBSFAEHIG and alt != Status.LIVE:
        raise Ungueltig(
            f"„betriebsfähig“ kann nur auf „live“ folgen (aktuell: {status_label(alt)})."
        )
    if baseline:
        return
    fehlende = fehlende_pflichtpunkte(punkte, VORAUSSETZUNGEN.get(neuer_status, ()))
    if fehlende:
        raise Ungueltig(
            f"Status „{status_label(neuer_status)}“ ist noch nicht möglich: "
            f"{len(fehlende)} Pflichtpunkt(e) sind weder erledigt noch verzichtet: "
            f"{fehlende_text(fehlende)}."
        )


def felder_rechte_pruefen(*, rechte: Rechte, onboarding: Onboarding, neu: dict[str, Any]) -> None:
    """Scope of a field change (read by :func:`daten_lesen`): assigning a team is its own
    right; every other change needs edit rights. Raises ``PermissionDenied``/``Ungueltig``."""
    team_neu = "team" in neu and (neu["team"].pk if neu["team"] else None) != onboarding.team_id
    sonst = {f for f, w in neu.items() if f != "team" and w != getattr(onboarding, f)}
    if not rechte.sehen(onboarding):
        raise PermissionDenied("Dieses Onboarding liegt außerhalb Ihres Bereichs.")
    if team_neu and not rechte.team_zuweisen(onboarding):
        raise PermissionDenied("Sie dürfen diesem Onboarding kein Team zuweisen.")
    if (sonst or not team_neu) and not rechte.bearbeiten(onboarding):
        raise PermissionDenied("Sie dürfen dieses Onboarding nicht bearbeiten.")
    if team_neu:
        team_passt(neu["team"], onboarding)


def onboarding_schritt(
    *,
    onboarding: Onboarding,
    user: Any,
    version: int,
    neu: dict[str, Any],
    zeitpunkt: dt.datetime,
    punkte: Callable[[], list[Checklistenpunkt]],
    beschreibung: str = "",
) -> Schritt | None:
    """Validate field changes of a record already checked for scope, without writing:
    version, closed record, actual dates not in the future, the status rule
    (:func:`status_pruefen` on the items ``punkte()`` returns), the dates a forward move
    fills in, who confirmed the go-live. ``None`` when nothing changes."""
    if onboarding.version != version:
        raise onboarding_konflikt(onboarding.pk, version)
    nicht_geschlossen(onboarding)
    heute = tag_von(zeitpunkt)
    vorher = onboarding_werte(onboarding)
    nachher = dict(vorher)
    nachher.update(neu)
    for feld in IST_FELDER:
        wert = nachher[feld]
        if feld in neu and wert is not None and wert > heute:
            raise Ungueltig(
                f"„{feld_label(feld)}“ ({datum(wert)}) liegt in der Zukunft; ein Ist-Datum "
                f"kann höchstens heute ({datum(heute)}) sein."
            )
    alt_status, neuer_status = onboarding.status, nachher["status"]
    if neuer_status != alt_status:
        status_pruefen(onboarding, neuer_status, baseline=nachher["baseline"], punkte=punkte())
        if STATUS_RANG[neuer_status] > STATUS_RANG[alt_status]:
            # Passing a phase records when it ended, unless the caller gave the date.
            for feld, ab in (("ist_phase_1", Status.PHASE_2), ("ist_phase_2", Status.PHASE_3)):
                if (
                    STATUS_RANG[neuer_status] >= STATUS_RANG[ab]
                    and nachher[feld] is None
                    and feld not in neu
                ):
                    nachher[feld] = heute
            if neuer_status in (Status.LIVE, Status.BETRIEBSFAEHIG):
                if nachher["ist_golive"] is None:
                    nachher["ist_golive"] = heute
                if onboarding.golive_bestaetigt_von_id is None or neuer_status == Status.LIVE:
                    nachher["golive_bestaetigt_von"] = user
                    nachher["golive_bestaetigt_am"] = zeitpunkt
    aenderungen = aenderungen_ermitteln(vorher, nachher)
    if not aenderungen:
        return None
    felder = {f: nachher[f] for f in aenderungen}
    aenderungen["version"] = [version, version + 1]
    if not beschreibung:
        if "status" in aenderungen:
            beschreibung = f"Status: {status_label(alt_status)} → {status_label(neuer_status)}"
            if neuer_status in (Status.LIVE, Status.BETRIEBSFAEHIG):
                beschreibung += f" (bestätigt von {user})"
        else:
            beschreibung = "Geändert: " + ", ".join(
                feld_label(f) for f in aenderungen if f != "version"
            )
    return Schritt(felder=felder, aenderungen=aenderungen, beschreibung=beschreibung)


def weiterschalten_text(status: str, ziel: str) -> str:
    """The event text of an automatic phase advance."""
    return (
        f"Phase {int(status[-1])} abgeschlossen (alle Pflichtpunkte erledigt oder verzichtet): "
        f"Status automatisch {status_label(status)} → {status_label(ziel)}"
    )


def onboarding_schreiben(
    *,
    onboarding: Onboarding,
    user: Any,
    version: int,
    neu: dict[str, Any],
    quelle: str,
    zeitpunkt: dt.datetime,
    beschreibung: str = "",
) -> Onboarding:
    """Validate and apply field changes to a record already checked for scope."""
    schritt = onboarding_schritt(
        onboarding=onboarding,
        user=user,
        version=version,
        neu=neu,
        zeitpunkt=zeitpunkt,
        punkte=lambda: list(onboarding.punkte.all()),
        beschreibung=beschreibung,
    )
    if schritt is None:
        return onboarding
    geaendert = Onboarding.objects.filter(pk=onboarding.pk, version=version).update(
        **schritt.felder, version=F("version") + 1, geaendert_am=timezone.now()
    )
    if geaendert == 0:
        raise onboarding_konflikt(onboarding.pk, version)
    ereignis_schreiben(
        user=user,
        quelle=quelle,
        aktion=Aktion.GEAENDERT,
        objekt=onboarding,
        aenderungen=schritt.aenderungen,
        onboarding_id=onboarding.pk,
        beschreibung=schritt.beschreibung,
        zeitpunkt=zeitpunkt,
    )
    if "status" in schritt.aenderungen:
        abdeckung_vormerken()  # coverage recomputation after commit (abdeckung.tasks)
    return onboarding_laden(onboarding.pk)


def onboarding_aktualisieren(
    *,
    onboarding_id: int,
    user: Any,
    version: int,
    daten: dict[str, Any],
    quelle: str,
    zeitpunkt: dt.datetime | None = None,
) -> Onboarding:
    """Change status, team, wave, baseline flag, planned and actual dates of a record.

    Unchanged values write nothing (no event, no new version)."""
    zeitpunkt = jetzt(zeitpunkt)
    with transaction.atomic():
        onboarding = onboarding_laden(onboarding_id)
        neu = daten_lesen(daten)
        felder_rechte_pruefen(rechte=Rechte(user), onboarding=onboarding, neu=neu)
        return onboarding_schreiben(
            onboarding=onboarding,
            user=user,
            version=version,
            neu=neu,
            quelle=quelle,
            zeitpunkt=zeitpunkt,
        )


def golive_bestaetigen(
    *,
    onboarding_id: int,
    user: Any,
    version: int,
    datum: dt.date,
    quelle: str,
    zeitpunkt: dt.datetime | None = None,
) -> Onboarding:
    """Confirm the go-live on ``datum``: status live, who confirmed and when. Needs the
    required items of phases 0–2 done or waived (the message lists the missing ones)."""
    zeitpunkt = jetzt(zeitpunkt)
    with transaction.atomic():
        onboarding = onboarding_laden(onboarding_id)
        if not permissions.darf_onboarding_bearbeiten(user, onboarding):
            raise PermissionDenied("Sie dürfen dieses Onboarding nicht bearbeiten.")
        if onboarding.version != version:
            raise onboarding_konflikt(onboarding.pk, version)
        if onboarding.status in (Status.LIVE, Status.BETRIEBSFAEHIG):
            raise Ungueltig(
                f"Der Go-live ist bereits bestätigt (live seit "
                f"{_datum_text(onboarding.ist_golive)})."
            )
        if datum is None:
            raise Ungueltig("Für die Go-live-Bestätigung ist ein Datum nötig.")
        return onboarding_schreiben(
            onboarding=onboarding,
            user=user,
            version=version,
            neu={"status": Status.LIVE, "ist_golive": datum_lesen(datum, "ist_golive")},
            quelle=quelle,
            zeitpunkt=zeitpunkt,
            beschreibung=f"Go-live am {_datum_text(datum_lesen(datum, 'ist_golive'))} "
            f"bestätigt von {user}",
        )


def _datum_text(tag: dt.date | None) -> str:
    return datum(tag)
