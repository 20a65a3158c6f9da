"""Snapshots: the figures at the end of a past day, stored frozen as ``taeglich`` or (for a
Sunday) ``stichtag``, one day at a time or backfilled from the history."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from django.db import transaction
from django.utils import timezone

from abdeckung.models import Abdeckungsstand, Verarbeitungsstand
from abdeckung.services.aktualisierung import abdeckung_aktualisieren
from abdeckung.services.berechnung import abdeckung_berechnen, tagesende
from abdeckung.services.speicherung import abdeckung_speichern


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
