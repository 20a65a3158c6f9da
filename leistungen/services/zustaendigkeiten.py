"""Resolution of the responsibilities and the maintenance of rules and exceptions.

* :func:`zustaendigkeiten_aufloesen` rebuilds the materialised ``Zustaendigkeit`` rows from
  rules, exceptions and the territory (the algorithm is in :mod:`leistungen.aufloesung`).
* ``zustaendigkeitsregel_*`` / ``zustaendigkeitsausnahme_*`` save or delete a rule or an
  exception and enqueue the re-resolution after commit (used by the admin).
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from abdeckung.tasks import abdeckung_vormerken
from kommunen.models import Land
from leistungen import aufloesung
from leistungen.models import (
    Behoerde,
    Leistung,
    Zustaendigkeit,
    ZustaendigkeitsAusnahme,
    ZustaendigkeitsRegel,
)

# --- Resolution --------------------------------------------------------------------------


@dataclass(frozen=True)
class AufloesungsErgebnis:
    """Counts of one resolution run (rows of ``Zustaendigkeit``)."""

    paare: int
    neu: int
    geaendert: int
    geloescht: int
    unveraendert: int
    behoerden_neu: int
    sekunden: float

    @property
    def zeilen(self) -> int:
        return self.neu + self.geaendert + self.unveraendert


def zustaendigkeiten_aufloesen(
    *, land: Land | None = None, leistung: Leistung | None = None
) -> AufloesungsErgebnis:
    """Rebuild the materialised responsibilities for every (Land, Leistung) pair that has
    rules or resolved rows, optionally restricted to one Land and/or one service.

    Only the rows of the affected pairs are touched; unchanged rows keep their ids. Runs in
    one transaction; safe to run twice (the second run changes nothing).
    """
    start = time.perf_counter()
    with transaction.atomic():
        zaehler = aufloesung.aufloesen(
            land_id=land.pk if land else None, leistung_id=leistung.pk if leistung else None
        )
        if zaehler["neu"] or zaehler["geaendert"] or zaehler["geloescht"]:
            abdeckung_vormerken()  # coverage recomputation after commit (abdeckung.tasks)
    return AufloesungsErgebnis(**zaehler, sekunden=round(time.perf_counter() - start, 3))


# --- Rule and exception maintenance (admin) ------------------------------------------------


def _aufloesung_einreihen(paare: set[tuple[int, int]]) -> None:
    from leistungen.tasks import zustaendigkeiten_aufloesen_task

    for land_id, leistung_id in sorted(paare):
        zustaendigkeiten_aufloesen_task.delay_on_commit(land_id=land_id, leistung_id=leistung_id)


def _regel_paare(regel: ZustaendigkeitsRegel) -> set[tuple[int, int]]:
    paare = {(regel.land_id, regel.leistung_id)}
    if regel.pk:
        vorher = ZustaendigkeitsRegel.objects.filter(pk=regel.pk).values_list(
            "land_id", "leistung_id"
        )
        paare.update(vorher)
    return paare


def _ausnahme_paare(ausnahme: ZustaendigkeitsAusnahme) -> set[tuple[int, int]]:
    land_id = Behoerde.objects.values_list("land_id", flat=True).get(pk=ausnahme.behoerde_id)
    paare = {(land_id, ausnahme.leistung_id)}
    if ausnahme.pk:
        paare.update(
            ZustaendigkeitsAusnahme.objects.filter(pk=ausnahme.pk).values_list(
                "behoerde__land_id", "leistung_id"
            )
        )
    return paare


def zustaendigkeitsregel_ueberschneidung(*, regel: ZustaendigkeitsRegel) -> str | None:
    """Message if another rule of the same Land × service overlaps this one's validity."""
    ab, bis = regel.gueltig_ab or dt.date.min, regel.gueltig_bis or dt.date.max
    andere = ZustaendigkeitsRegel.objects.filter(
        land_id=regel.land_id, leistung_id=regel.leistung_id
    ).exclude(pk=regel.pk)
    for other in andere:
        if ab <= (other.gueltig_bis or dt.date.max) and (other.gueltig_ab or dt.date.min) <= bis:
            return (
                f"Überschneidet sich mit der Regel „{other}“ "
                f"({other.gueltig_ab or 'ohne Anfang'} bis {other.gueltig_bis or 'offen'})."
            )
    return None


def zustaendigkeitsregel_speichern(*, regel: ZustaendigkeitsRegel) -> ZustaendigkeitsRegel:
    """Save a rule and re-resolve its Land × service (old and new pair) after commit.

    Raises ``ValidationError`` if it overlaps another rule of the same pair."""
    with transaction.atomic():
        paare = _regel_paare(regel)
        regel.full_clean()
        if fehler := zustaendigkeitsregel_ueberschneidung(regel=regel):
            raise ValidationError(fehler)
        regel.save()
        _aufloesung_einreihen(paare)
    return regel


def zustaendigkeitsregel_loeschen(*, regel: ZustaendigkeitsRegel) -> None:
    """Delete a rule. Its resolved rows go at once (they point at it); the re-resolution
    after commit rebuilds the pair from the remaining rules."""
    with transaction.atomic():
        paare = _regel_paare(regel)
        Zustaendigkeit.objects.filter(regel=regel).delete()
        regel.delete()
        _aufloesung_einreihen(paare)


def zustaendigkeitsausnahme_speichern(
    *, ausnahme: ZustaendigkeitsAusnahme
) -> ZustaendigkeitsAusnahme:
    """Save an exception and re-resolve the affected Land × service after commit."""
    with transaction.atomic():
        paare = _ausnahme_paare(ausnahme)
        ausnahme.full_clean()
        ausnahme.save()
        _aufloesung_einreihen(paare)
    return ausnahme


def zustaendigkeitsausnahme_loeschen(*, ausnahme: ZustaendigkeitsAusnahme) -> None:
    """Delete an exception; the rows it decided fall back to the rule after commit."""
    with transaction.atomic():
        paare = _ausnahme_paare(ausnahme)
        rows = Zustaendigkeit.objects.filter(ausnahme=ausnahme)
        rows.update(ausnahme=None)
        ausnahme.delete()
        _aufloesung_einreihen(paare)


def zustaendigkeiten_neu_aufloesen_einreihen(*, paare: set[tuple[int, int]]) -> int:
    """Enqueue the re-resolution of the given (land_id, leistung_id) pairs after commit."""
    with transaction.atomic():
        _aufloesung_einreihen(paare)
    return len(paare)
