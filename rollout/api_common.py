"""Pieces the API routers share: pagination, small reference schemas, parameter parsing."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Schema
from ninja.errors import HttpError
from ninja.pagination import LimitOffsetPagination

from kommunen.models import Land
from leistungen.models import Behoerde, Ebene

SEITE_STANDARD = 100
SEITE_HOECHSTENS = 1000


class Seitenweise(LimitOffsetPagination):
    """``limit``/``offset`` with a bound: at most 1000 rows per page."""

    class Input(Schema):
        limit: int = Field(
            SEITE_STANDARD, ge=1, le=SEITE_HOECHSTENS, description="Einträge pro Seite"
        )
        offset: int = Field(0, ge=0, description="Einträge überspringen")

    class Output(Schema):
        items: list[Any]
        count: int = Field(..., description="Anzahl aller Treffer")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_limit=SEITE_HOECHSTENS, **kwargs)


class FehlerOut(Schema):
    detail: str = Field(..., description="Fehlermeldung auf Deutsch")
    fehler: list[dict[str, Any]] | None = Field(
        None, description="Bei 422: die einzelnen Validierungsfehler"
    )


class KreisRef(Schema):
    ars: str
    name: str


class LeistungRef(Schema):
    ozg_id: str
    name: str


class BehoerdeRef(Schema):
    schluessel: str
    name: str
    art: Behoerde.Art


class RegelOut(Schema):
    """Regel: in diesem Land ist die Leistung auf dieser Ebene angesiedelt."""

    ebene: Ebene
    angenommen: bool
    gueltig_ab: dt.date | None
    gueltig_bis: dt.date | None


class AusnahmeOut(Schema):
    """Ausnahme: die Behörde ist für ihr eigenes Gebiet zuständig."""

    grund: str
    angenommen: bool
    gueltig_ab: dt.date | None
    gueltig_bis: dt.date | None


def land_aus_kuerzel(kurz: str | None) -> Land | None:
    """``BY`` / ``by`` → the Land; 422 with a German message for an unknown code."""
    if not kurz:
        return None
    land = Land.objects.filter(kurz=kurz.strip().upper()).first()
    if land is None:
        raise HttpError(422, f"Unbekanntes Land „{kurz}“: bitte das Kürzel angeben, z. B. BY.")
    return land


# Documented in the schema for every operation (the bodies come from rollout.api's handlers).
FEHLER_ANTWORTEN: dict[int, type[Schema]] = {401: FehlerOut, 422: FehlerOut}
