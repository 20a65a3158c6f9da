"""Shared pieces of the onboarding services: errors, status order, phase checks, audit
snapshots."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from audit.models import Ereignis
from onboarding.models import Checklistenpunkt, Onboarding, Status


class Konflikt(Exception):
    """Someone else changed the object since the user loaded it (version mismatch).

    ``aktuell`` is the object as it is now; ``ereignisse`` the audit events written after
    the version the user had, oldest first ("what the other person changed")."""

    def __init__(self, *, aktuell: models.Model, ereignisse: list[Ereignis]) -> None:
        self.aktuell = aktuell
        self.ereignisse = ereignisse
        wer = sorted(
            {str(e.user) if e.user_id else "System" for e in ereignisse}  # type: ignore[misc]
        )
        text = "Der Datensatz wurde inzwischen geändert"
        if wer:
            text += f" (von {', '.join(wer)})"
        super().__init__(text + ". Bitte prüfen Sie die Änderungen und speichern Sie erneut.")


class Ungueltig(ValidationError):
    """The change is not allowed; the messages say exactly what is wrong or missing."""


# Manual statuses in workflow order; nicht_zustaendig is set only by the system.
STATUS_REIHENFOLGE: list[str] = [
    Status.UNBEKANNT,
    Status.IN_KLAERUNG,
    Status.GEPLANT,
    Status.PHASE_1,
    Status.PHASE_2,
    Status.PHASE_3,
    Status.LIVE,
    Status.BETRIEBSFAEHIG,
]
STATUS_RANG = {status: rang for rang, status in enumerate(STATUS_REIHENFOLGE)}

# Phases whose required items must be done (or waived) before a record may have the status.
VORAUSSETZUNGEN: dict[str, tuple[int, ...]] = {
    Status.PHASE_1: (0,),
    Status.PHASE_2: (0, 1),
    Status.PHASE_3: (0, 1, 2),
    Status.LIVE: (0, 1, 2),
    Status.BETRIEBSFAEHIG: (0, 1, 2, 3),
}

# Fields of a record that its audit events track (point-in-time replay uses them).
ONBOARDING_FELDER = [
    "behoerde",
    "leistung",
    "zusage",
    "vorlage",
    "status",
    "blockiert",
    "team",
    "welle",
    "baseline",
    "geplant_phase_1",
    "geplant_phase_2",
    "geplant_golive",
    "ist_phase_1",
    "ist_phase_2",
    "ist_golive",
    "golive_bestaetigt_von",
    "golive_bestaetigt_am",
    "geschlossen_am",
    "geschlossen_grund",
]


def jetzt(zeitpunkt: dt.datetime | None) -> dt.datetime:
    if zeitpunkt is None:
        return timezone.now()
    if timezone.is_naive(zeitpunkt):
        raise ValueError("zeitpunkt muss eine Zeitzone haben.")
    return zeitpunkt


def tag_von(zeitpunkt: dt.datetime) -> dt.date:
    return timezone.localdate(zeitpunkt)


def datum(tag: dt.date | None) -> str:
    return f"{tag:%d.%m.%Y}" if tag else "–"


def aktuelle_phase(status: str) -> int | None:
    """The phase whose checklist a record with this status works on."""
    if status in (Status.UNBEKANNT, Status.IN_KLAERUNG, Status.GEPLANT):
        return 0
    if status in (Status.PHASE_1, Status.PHASE_2, Status.PHASE_3):
        return int(status[-1])
    if status == Status.LIVE:
        return 3
    return None


def fehlende_pflichtpunkte(
    punkte: Iterable[Checklistenpunkt], phasen: Iterable[int]
) -> list[Checklistenpunkt]:
    """Required items of the given phases that are neither done nor waived."""
    phasen = set(phasen)
    return [
        p
        for p in punkte
        if p.phase in phasen and p.pflicht and p.stand == Checklistenpunkt.Stand.OFFEN
    ]


# The automatic advance of a finished phase (never to live): from → to.
NAECHSTE_PHASE: dict[str, str] = {Status.PHASE_1: Status.PHASE_2, Status.PHASE_2: Status.PHASE_3}


def naechster_status(status: str, punkte: Iterable[Checklistenpunkt]) -> str | None:
    """The status a record advances to on its own because the required items of its current
    phase are all done or waived (phase_1 → phase_2 → phase_3), or ``None``."""
    ziel = NAECHSTE_PHASE.get(status)
    if ziel is None or fehlende_pflichtpunkte(punkte, VORAUSSETZUNGEN[ziel]):
        return None
    return ziel


def fehlende_text(fehlende: list[Checklistenpunkt]) -> str:
    teile = [f"Phase {p.phase}: {p.text}" for p in fehlende]
    return "; ".join(teile)


def onboarding_werte(onboarding: Onboarding) -> dict[str, Any]:
    """The tracked fields of a record (FKs as objects, for :func:`audit.services.json_wert`)."""
    return {feld: getattr(onboarding, feld) for feld in ONBOARDING_FELDER}


def ereignisse_seit(*, objekt: models.Model, version: int) -> list[Ereignis]:
    """Audit events of ``objekt`` that moved its version beyond ``version``, oldest first."""
    ereignisse = Ereignis.objects.filter(
        objekt_typ=objekt._meta.label_lower, objekt_id=objekt.pk
    ).select_related("user")
    ergebnis = []
    for e in ereignisse.order_by("id"):
        paar = e.aenderungen.get("version")
        if (
            isinstance(paar, list)
            and len(paar) == 2
            and isinstance(paar[0], int)
            and paar[0] >= version
        ):
            ergebnis.append(e)
    return ergebnis
