"""Presentation helpers for the roll-in pages: German labels for audit changes, badge
classes, the current phase of a record, what the other person changed in a version
conflict. Pure formatting, no rules."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone

from audit.models import Ereignis
from onboarding.models import Onboarding, Status

STATUS_BADGE = {
    Status.NICHT_ZUSTAENDIG: "",
    Status.UNBEKANNT: "",
    Status.IN_KLAERUNG: "kern-badge--warning",
    Status.GEPLANT: "kern-badge--info",
    Status.PHASE_1: "kern-badge--info",
    Status.PHASE_2: "kern-badge--info",
    Status.PHASE_3: "kern-badge--info",
    Status.LIVE: "kern-badge--success",
    Status.BETRIEBSFAEHIG: "kern-badge--success",
}

OBJEKT_NAMEN = {
    "onboarding.onboarding": "Onboarding",
    "onboarding.checklistenpunkt": "Checklistenpunkt",
    "onboarding.huerde": "Hürde",
    "leistungen.zusage": "Zusage",
}

# Labels for fields whose verbose_name is only the raw field name.
FELD_LABELS = {
    "status": "Status",
    "team": "Team",
    "blockiert": "blockiert",
    "stand": "Stand",
    "verzicht_grund": "Verzichtsgrund",
    "erledigt_am": "erledigt am",
    "titel": "Titel",
    "kategorie": "Kategorie",
    "verantwortlich": "Verantwortlich",
    "schwere": "Schwere",
    "blockierend": "blockierend",
    "beschreibung": "Beschreibung",
    "onboardings": "verknüpfte Onboardings",
    "golive_bestaetigt_von": "Go-live bestätigt von",
    "golive_bestaetigt_am": "Go-live bestätigt am",
    "geschlossen_am": "geschlossen am",
    "geschlossen_grund": "Grund der Schließung",
    "geloest_am": "gelöst am",
    "erfasst_am": "erfasst am",
    "frist": "Frist",
}

LEER = "–"


def status_badge(status: str) -> str:
    return STATUS_BADGE.get(Status(status), "") if status in Status.values else ""


def aktuelle_phase(onboarding: Onboarding, phasen: Sequence[Any]) -> Any | None:
    """The phase the record works on (``PhasenStand.ist_aktuell``), None when live."""
    if onboarding.status == Status.BETRIEBSFAEHIG:
        return None
    return next((stand for stand in phasen if stand.ist_aktuell), None)


@dataclass(frozen=True)
class Aenderung:
    feld: str
    label: str
    vorher: str
    nachher: str


def _modell(objekt_typ: str) -> type[models.Model] | None:
    try:
        return apps.get_model(objekt_typ)
    except (LookupError, ValueError):
        return None


def _feld(modell: type[models.Model] | None, name: str) -> models.Field | None:
    if modell is None:
        return None
    try:
        feld = modell._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    return feld if isinstance(feld, models.Field) else None


def _label(modell: type[models.Model] | None, name: str) -> str:
    if name in FELD_LABELS:
        return FELD_LABELS[name]
    feld = _feld(modell, name)
    if feld is not None and str(feld.verbose_name) != name.replace("_", " "):
        return str(feld.verbose_name)
    return name.replace("_", " ")


def _datum(wert: str) -> str | None:
    try:
        if len(wert) == 10:
            return dt.date.fromisoformat(wert).strftime("%d.%m.%Y")
        zeit = dt.datetime.fromisoformat(wert)
    except ValueError:
        return None
    return zeit.strftime("%d.%m.%Y %H:%M")


def _wert(
    modell: type[models.Model] | None, name: str, wert: Any, namen: dict[tuple[str, str], str]
) -> str:
    if wert is None or wert == "":
        return LEER
    if isinstance(wert, bool):
        return "ja" if wert else "nein"
    if isinstance(wert, dict):
        # Related objects are stored as {"id": …, "name": …}.
        return str(wert.get("name") or wert.get("id") or LEER)
    feld = _feld(modell, name)
    if feld is not None and feld.choices:
        return str(dict(feld.choices).get(wert, wert))
    ziel = feld.related_model if feld is not None and feld.is_relation else None
    if ziel is not None and not isinstance(ziel, str):
        label = ziel._meta.label_lower
        return namen.get((label, str(wert)), str(wert))
    if isinstance(wert, list):
        return ", ".join(_wert(None, name, w, namen) for w in wert) or LEER
    if isinstance(wert, str):
        return _datum(wert) or wert
    return str(wert)


def bezogene_namen(ereignisse: Iterable[Ereignis]) -> dict[tuple[str, str], str]:
    """Display names for the foreign keys named in the changes (team, user): one query per
    related model over all given events."""
    ids: dict[str, set[str]] = {}
    modelle: dict[str, type[models.Model]] = {}
    for ereignis in ereignisse:
        modell = _modell(ereignis.objekt_typ)
        for name, paar in (ereignis.aenderungen or {}).items():
            feld = _feld(modell, name)
            ziel = feld.related_model if feld is not None and feld.is_relation else None
            if ziel is None or isinstance(ziel, str):
                continue
            label = ziel._meta.label_lower
            modelle[label] = ziel
            for wert in paar if isinstance(paar, list | tuple) else [paar]:
                if isinstance(wert, int) or (isinstance(wert, str) and wert.isdigit()):
                    ids.setdefault(label, set()).add(str(wert))
    namen: dict[tuple[str, str], str] = {}
    for label, werte in ids.items():
        for objekt in modelle[label]._default_manager.filter(pk__in=werte):
            anzeige = (
                objekt.get_full_name() or objekt.get_username()  # type: ignore[attr-defined]
                if hasattr(objekt, "get_full_name")
                else str(objekt)
            )
            namen[(label, str(objekt.pk))] = anzeige
    return namen


def aenderungen_lesbar(
    ereignis: Ereignis, namen: dict[tuple[str, str], str] | None = None
) -> list[Aenderung]:
    """The changes of one event as (German label, before, after) rows."""
    modell = _modell(ereignis.objekt_typ)
    namen = namen or {}
    zeilen = []
    for name, paar in (ereignis.aenderungen or {}).items():
        if name == "version":
            continue
        if isinstance(paar, list | tuple) and len(paar) == 2:
            vorher, nachher = paar
        else:
            vorher, nachher = None, paar
        zeilen.append(
            Aenderung(
                feld=name,
                label=_label(modell, name),
                vorher=_wert(modell, name, vorher, namen),
                nachher=_wert(modell, name, nachher, namen),
            )
        )
    return zeilen


def objekt_name(ereignis: Ereignis) -> str:
    return OBJEKT_NAMEN.get(ereignis.objekt_typ, ereignis.objekt_typ)


def person(user: Any) -> str:
    if user is None:
        return "System"
    return user.get_full_name() or user.get_username()


def konflikt_anzeige(konflikt: Exception) -> list[dict[str, Any]]:
    """What the other person changed, from ``Konflikt.ereignisse``: who, when, field:
    before → after."""
    ereignisse = list(getattr(konflikt, "ereignisse", []) or [])
    namen = bezogene_namen(ereignisse)
    return [
        {
            "wer": person(e.user),
            "wann": timezone.localtime(e.zeitpunkt),
            "quelle": e.get_quelle_display(),
            "beschreibung": e.beschreibung,
            "aenderungen": aenderungen_lesbar(e, namen),
        }
        for e in ereignisse
    ]
