"""German, deterministic formatting of the steering report's figures (no locale, no
"now"): the same figures always give the same text."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from onboarding.models import Status

_STATUS_TEXT = dict(Status.choices)


def zahl(n: int) -> str:
    """1234567 → "1.234.567"."""
    return f"{n:,}".replace(",", ".")


def veraenderung(n: int | None) -> str:
    """+12, −3, ±0; "–" without a comparison."""
    if n is None:
        return "–"
    if n > 0:
        return f"+{zahl(n)}"
    if n < 0:
        return f"−{zahl(-n)}"
    return "±0"


def dezimal(wert: Decimal) -> str:
    """Decimal("0.25") → "0,25"."""
    return f"{wert:.2f}".replace(".", ",")


def datum(tag: dt.date | None) -> str:
    return f"{tag:%d.%m.%Y}" if tag else "–"


def status_text(status: str | None) -> str:
    return str(_STATUS_TEXT.get(status or Status.UNBEKANNT, status or "unbekannt"))
