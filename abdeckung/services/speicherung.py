"""Stored figure sets: :class:`Kennzahl` rows written as ``Abdeckungsstand`` of an ``art``
(live, daily, weekly Stichtag) for a day."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from abdeckung.models import Abdeckungsstand
from abdeckung.services.berechnung import Kennzahl

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
