"""Checklist templates: import from ``fixtures/checkliste.json``, new versions, copying
items into onboarding records."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, cast

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Field, Max, Q

from leistungen.models import Leistung
from onboarding.models import Checklistenpunkt, ChecklistenVorlage, Onboarding, VorlagePunkt
from onboarding.services._basis import Ungueltig

_PUNKT_FELDER = ("phase", "code", "text", "verantwortlich", "pflicht", "reihenfolge")


def _inhalt(bezeichnung: str, punkte: list[dict[str, Any]]) -> tuple[Any, ...]:
    return (
        bezeichnung,
        tuple(sorted(tuple(p[f] for f in _PUNKT_FELDER) for p in punkte)),
    )


def _vorlage_inhalt(vorlage: ChecklistenVorlage) -> tuple[Any, ...]:
    punkte = list(vorlage.punkte.values(*_PUNKT_FELDER))
    return _inhalt(vorlage.bezeichnung, punkte)


def _punkte_pruefen(eintrag: dict[str, Any], wo: str) -> list[dict[str, Any]]:
    punkte = eintrag.get("punkte")
    if not isinstance(punkte, list) or not punkte:
        raise Ungueltig(f"{wo}: „punkte“ muss eine nicht leere Liste sein.")
    ergebnis: list[dict[str, Any]] = []
    codes: set[str] = set()
    reihenfolge: dict[int, int] = {}
    for nr, p in enumerate(punkte, start=1):
        if not isinstance(p, dict) or not {"phase", "code", "text"} <= set(p):
            raise Ungueltig(f"{wo}, Punkt {nr}: phase, code und text sind Pflicht.")
        if p["phase"] not in (0, 1, 2, 3):
            raise Ungueltig(f"{wo}, Punkt {nr}: Phase {p['phase']!r} gibt es nicht (0–3).")
        if p["code"] in codes:
            raise Ungueltig(f"{wo}, Punkt {nr}: Code {p['code']!r} doppelt.")
        codes.add(p["code"])
        reihenfolge[p["phase"]] = reihenfolge.get(p["phase"], 0) + 1
        ergebnis.append(
            {
                "phase": p["phase"],
                "code": str(p["code"]),
                "text": str(p["text"]),
                "verantwortlich": str(p.get("verantwortlich", "")),
                "pflicht": bool(p.get("pflicht", True)),
                "reihenfolge": reihenfolge[p["phase"]],
            }
        )
    return ergebnis


def checklisten_vorlage_import(*, pfad: Path | None = None) -> dict[str, int]:
    """Load the checklist templates from the JSON file (default ``fixtures/checkliste.json``).

    Idempotent: a template whose content equals its newest version is left alone; changed
    content becomes a NEW version (the older versions are deactivated, records keep the
    items they copied). Returns ``{"neu": …, "unveraendert": …}``.
    """
    pfad = Path(pfad) if pfad is not None else settings.FIXTURES_DIR / "checkliste.json"
    try:
        daten = json.loads(pfad.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise Ungueltig(f"{pfad}: nicht lesbar: {exc}") from exc
    zaehler = {"neu": 0, "unveraendert": 0}
    with transaction.atomic():
        for nr, eintrag in enumerate(daten.get("vorlagen", []), start=1):
            wo = f"Vorlage {nr}"
            leistung = None
            if eintrag.get("leistung"):
                leistung = Leistung.objects.filter(ozg_id=str(eintrag["leistung"])).first()
                if leistung is None:
                    raise Ungueltig(f"{wo}: unbekannte OZG-ID {eintrag['leistung']!r}.")
            bezeichnung = str(eintrag.get("bezeichnung") or "Phasen-Checkliste")
            punkte = _punkte_pruefen(eintrag, wo)
            neueste = (
                ChecklistenVorlage.objects.filter(leistung=leistung)
                .select_for_update()
                .order_by("-version")
                .first()
            )
            if neueste is not None and _vorlage_inhalt(neueste) == _inhalt(bezeichnung, punkte):
                zaehler["unveraendert"] += 1
                continue
            version = max(int(eintrag.get("version") or 1), (neueste.version + 1) if neueste else 1)
            _vorlage_anlegen(leistung, version, bezeichnung, punkte)
            zaehler["neu"] += 1
    return zaehler


def _vorlage_anlegen(
    leistung: Leistung | None, version: int, bezeichnung: str, punkte: list[dict[str, Any]]
) -> ChecklistenVorlage:
    ChecklistenVorlage.objects.filter(leistung=leistung, aktiv=True).update(aktiv=False)
    vorlage = ChecklistenVorlage.objects.create(
        leistung=leistung, version=version, bezeichnung=bezeichnung, aktiv=True
    )
    VorlagePunkt.objects.bulk_create(VorlagePunkt(vorlage=vorlage, **p) for p in punkte)
    return vorlage


def checklisten_vorlage_neue_version(*, vorlage: ChecklistenVorlage) -> ChecklistenVorlage:
    """Copy a template into a new, active version (for an administrator to edit); the
    older versions of the same service are deactivated."""
    with transaction.atomic():
        hoechste = ChecklistenVorlage.objects.filter(leistung=vorlage.leistung).aggregate(
            m=Max("version")
        )["m"]
        punkte = list(vorlage.punkte.values(*_PUNKT_FELDER))
        return _vorlage_anlegen(vorlage.leistung, (hoechste or 0) + 1, vorlage.bezeichnung, punkte)


def vorlage_fuer_leistung(leistung_id: int) -> ChecklistenVorlage | None:
    """The newest active template of the service, else the newest active global one."""
    return (
        ChecklistenVorlage.objects.filter(aktiv=True)
        .filter(Q(leistung_id=leistung_id) | Q(leistung__isnull=True))
        .order_by(F("leistung_id").asc(nulls_last=True), "-version")  # own template first
        .first()
    )


def punkte_kopieren(*, onboardings: list[Onboarding]) -> int:
    """Copy each record's template items into its checklist: one ``INSERT … SELECT`` per
    2,000 records, so creating ten thousand records does not build a quarter of a million
    objects in Python. The other columns get their model defaults (open, version 1)."""
    ids = sorted(o.pk for o in onboardings if o.vorlage_id is not None)
    if not ids:
        return 0
    qn = connection.ops.quote_name
    kopiert = ("phase", "code", "text", "pflicht", "reihenfolge")
    spalten: list[str] = []
    auswahl: list[str] = []
    standard: list[Any] = []
    for feld in Checklistenpunkt._meta.concrete_fields:
        if feld.primary_key:
            continue
        spalten.append(qn(feld.column))
        if feld.name == "onboarding":
            auswahl.append("o.id")
        elif feld.name == "vorlage_punkt":
            auswahl.append("vp.id")
        elif feld.name in kopiert:
            vorlage_feld = cast(Field, VorlagePunkt._meta.get_field(feld.name))
            auswahl.append(f"vp.{qn(vorlage_feld.column)}")
        else:
            auswahl.append("%s")
            standard.append(feld.get_db_prep_save(feld.get_default(), connection))
    anzahl = 0
    with connection.cursor() as cursor:
        for i in range(0, len(ids), 2000):
            stueck = ids[i : i + 2000]
            cursor.execute(
                f"INSERT INTO {qn(Checklistenpunkt._meta.db_table)} ({', '.join(spalten)}) "
                f"SELECT {', '.join(auswahl)} "
                f"FROM {qn(Onboarding._meta.db_table)} o "
                f"JOIN {qn(VorlagePunkt._meta.db_table)} vp ON vp.vorlage_id = o.vorlage_id "
                f"WHERE o.id IN ({', '.join(['%s'] * len(stueck))}) "
                "ORDER BY o.id, vp.phase, vp.reihenfolge, vp.id",
                [*standard, *stueck],
            )
            anzahl += cursor.rowcount
    return anzahl
