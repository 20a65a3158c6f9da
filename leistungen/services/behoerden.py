"""The one authority of a territorial unit (get or create)."""

from __future__ import annotations

from django.db import transaction

from kommunen.models import Gemeinde, Gemeindeverband, Kreis, Land, Regierungsbezirk
from leistungen import aufloesung
from leistungen.models import Behoerde

Einheit = Gemeinde | Gemeindeverband | Kreis | Regierungsbezirk | Land


def behoerde_fuer_einheit(*, einheit: Einheit) -> Behoerde:
    """Get or create the one authority of a territorial unit.

    A kreisfreie Stadt / Stadtkreis (Kreis type 41/42) has no authority of its own besides
    its single Gemeinde's: for such a Kreis the Gemeinde's authority ("Stadt Augsburg") is
    returned. Gemeindefreie Gebiete have no administration: ``ValueError``.
    """
    if isinstance(einheit, Kreis) and einheit.ist_kreisfrei:
        stadt = aufloesung.kreisfreie_gemeinde(einheit)
        if stadt is not None:
            einheit = stadt
    daten = aufloesung.behoerde_daten(einheit)
    behoerde = Behoerde.objects.filter(schluessel=daten.schluessel).first()
    if behoerde is not None:
        return behoerde
    with transaction.atomic():
        behoerde, _ = Behoerde.objects.get_or_create(
            schluessel=daten.schluessel, defaults=daten.felder()
        )
    return behoerde
