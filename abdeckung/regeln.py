"""THE rules of coverage: what counts as covered, what the three numbers mean, how a
share is written. Every figure of the cockpit (pages, API, command line, PDF) follows this
module; change a rule here and nowhere else.

Definitions (for a committed Land × service, "Stand am D" = the state at the END of day D,
Europe/Berlin; without a date: now):

1. **Behörden** – numerator: responsible authorities whose onboarding record for the
   service has a covered status (:data:`ABGEDECKT`); denominator: all authorities
   responsible (resolved ``Zustaendigkeit`` valid on D) for at least one Gemeinde or
   gemeindefreies Gebiet of the Land.
2. **Gemeinden** – numerator: politically independent Gemeinden (not gemeindefrei, valid on
   D) whose responsible authority is covered; denominator: all such Gemeinden of the Land.
3. **Bevölkerung** – numerator: inhabitants of all units (Gemeinden and inhabited
   gemeindefreie Gebiete) whose responsible authority is covered; denominator: inhabitants
   of all units with a responsible authority, which is the Land's population.

Per Kreis the same definitions apply to the Gemeinden of the Kreis; an authority that serves
Gemeinden of several Kreise (a Regierungspräsidium) counts in each of them.

A commitment counts from its ``zugesagt_am`` (before that day it has no figures). An
authority without an onboarding record on D counts as **unbekannt**; "unbekannt" (nothing
known) is reported apart from "noch nicht begonnen" (in Klärung, geplant: known, not yet
started). ``blockiert`` counts the authorities whose record is blocked by an open blocking
hurdle on D. Open hurdles on D: recorded on or before D (``erfasst_am``) and not resolved
by D (``geloest_am`` empty or after D).

Shares are never rounded up: two decimals, cut off (99.996 % → "99,99 %"), and
"flächendeckend" only when numerator equals denominator (:func:`quote_text`).
"""

from __future__ import annotations

from decimal import ROUND_FLOOR, Decimal

from onboarding.models import Status

#: What counts as covered: the authority offers the service (live), or has completed the
#: programme (betriebsfähig).
ABGEDECKT: tuple[str, ...] = (Status.LIVE, Status.BETRIEBSFAEHIG)

#: Known, but work has not started yet.
NOCH_NICHT_BEGONNEN: tuple[str, ...] = (Status.IN_KLAERUNG, Status.GEPLANT)

#: In one of the three phases.
IN_ARBEIT: tuple[str, ...] = (Status.PHASE_1, Status.PHASE_2, Status.PHASE_3)

#: Order of the phase funnel (authorities per status).
TRICHTER: tuple[str, ...] = (
    Status.UNBEKANNT,
    Status.IN_KLAERUNG,
    Status.GEPLANT,
    Status.PHASE_1,
    Status.PHASE_2,
    Status.PHASE_3,
    Status.LIVE,
    Status.BETRIEBSFAEHIG,
    Status.NICHT_ZUSTAENDIG,
)

DEFINITIONEN: dict[str, str] = {
    "behoerden": (
        "Behörden: zuständige Behörden, deren Onboarding „live“ oder „betriebsfähig“ ist, "
        "von allen Behörden, die am Stichtag für mindestens eine Gemeinde oder ein "
        "gemeindefreies Gebiet des Landes zuständig sind."
    ),
    "gemeinden": (
        "Gemeinden: politisch selbständige Gemeinden (ohne gemeindefreie Gebiete), deren "
        "zuständige Behörde „live“ oder „betriebsfähig“ ist, von allen Gemeinden des Landes."
    ),
    "bevoelkerung": (
        "Bevölkerung: Einwohner der Gemeinden und bewohnten gemeindefreien Gebiete, deren "
        "zuständige Behörde „live“ oder „betriebsfähig“ ist, von allen Einwohnern des Landes "
        "(amtliche Einwohnerzahlen des Gemeindeverzeichnisses)."
    ),
    "stand": (
        "Stand am Tag D: der Zustand am Ende des Tages D (Europe/Berlin), aus der "
        "Änderungshistorie und den Gültigkeitsdaten der Zuständigkeit berechnet."
    ),
    "unbekannt": (
        "„unbekannt“: über die Behörde ist noch nichts bekannt (auch: noch kein Onboarding). "
        "„noch nicht begonnen“: in Klärung oder geplant."
    ),
    "rundung": (
        "Quoten werden nie aufgerundet (zwei Nachkommastellen, abgeschnitten); "
        "„flächendeckend“ nur, wenn alle erreicht sind."
    ),
}

_HUNDERTSTEL = Decimal("0.01")


def ist_abgedeckt(status: str | None) -> bool:
    return status in ABGEDECKT


def quote(zaehler: int, nenner: int) -> Decimal | None:
    """The share in percent, cut (never rounded up) to two decimals; ``None`` without a
    denominator."""
    if nenner <= 0:
        return None
    if not 0 <= zaehler <= nenner:
        raise ValueError(f"Zähler {zaehler} passt nicht zum Nenner {nenner}.")
    return (Decimal(zaehler) * 100 / Decimal(nenner)).quantize(_HUNDERTSTEL, rounding=ROUND_FLOOR)


def ist_flaechendeckend(zaehler: int, nenner: int) -> bool:
    return nenner > 0 and zaehler == nenner


def quote_text(zaehler: int, nenner: int) -> str:
    """ "99,96 %", "100,00 % (flächendeckend)" or "–" without a denominator. A share below
    100 % is never shown as 100 %: 9,999 of 10,000 is "99,99 %"."""
    wert = quote(zaehler, nenner)
    if wert is None:
        return "–"
    text = f"{wert:.2f}".replace(".", ",") + " %"
    if ist_flaechendeckend(zaehler, nenner):
        text += " (flächendeckend)"
    return text
