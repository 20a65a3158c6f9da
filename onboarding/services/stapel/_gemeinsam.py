"""What the bulk path works with: the changes (``PunktAenderung``, ``StapelAenderung``), the
result (``StapelErgebnis``), one change worked out in memory (``Zeile``) and chunking."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from audit.models import Ereignis
from onboarding.models import Checklistenpunkt, Onboarding


@dataclass(frozen=True)
class PunktAenderung:
    """Set one checklist item (as ``checklistenpunkt_setzen``); ``version`` is the item
    version the caller saw (``None``: the current one)."""

    punkt_id: int
    stand: str
    verzicht_grund: str = ""
    erledigt_am: dt.date | None = None
    version: int | None = None


@dataclass(frozen=True)
class StapelAenderung:
    """The changes of one record: first its checklist items (in this order, each followed
    by the automatic phase advance), then the fields ``daten`` (as
    ``onboarding_aktualisieren``; ``team`` may be a ``Team``, its id or ``None``).
    ``version`` is the record version the caller saw (``None``: the current one)."""

    onboarding_id: int
    version: int | None = None
    daten: Mapping[str, Any] = field(default_factory=dict)
    punkte: Sequence[PunktAenderung] = ()


@dataclass
class StapelErgebnis:
    """Positions (indexes into the list of changes) that were written, that changed
    nothing, and that were refused (with the exception: ``Ungueltig``, ``Konflikt``,
    ``PermissionDenied``); the audit events written, in order."""

    geaendert: list[int] = field(default_factory=list)
    unveraendert: list[int] = field(default_factory=list)
    fehler: dict[int, Exception] = field(default_factory=dict)
    ereignisse: list[Ereignis] = field(default_factory=list)
    angewendet: bool = False

    @property
    def fehlerfrei(self) -> bool:
        return not self.fehler


@dataclass
class Zeile:
    """One change worked out in memory: the record in its final state, the fields that
    changed, the items changed (final state) and the events, in the order the per-record
    services would write them."""

    position: int
    onboarding: Onboarding
    start_version: int
    felder: set[str] = field(default_factory=set)
    punkte: dict[int, Checklistenpunkt] = field(default_factory=dict)
    punkt_start_version: dict[int, int] = field(default_factory=dict)
    ereignisse: list[Ereignis] = field(default_factory=list)


def stuecke(werte: Sequence[Any], groesse: int) -> Iterator[Sequence[Any]]:
    for i in range(0, len(werte), groesse):
        yield werte[i : i + groesse]
