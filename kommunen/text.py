"""Text normalisation shared by search and imports."""

from __future__ import annotations

import re
import unicodedata

_NON_WORD = re.compile(r"[^0-9a-z]+")


def suchform(text: str) -> str:
    """Fold a name for search: case, ß, umlauts/diacritics and punctuation.

    ``"Pullach i.Isartal"`` and ``"pullach i. isartal"`` both become ``"pullach i isartal"``;
    ``"Gießen"`` becomes ``"giessen"``, ``"München"`` becomes ``"munchen"``.
    """
    folded = unicodedata.normalize("NFKD", text.casefold())
    ascii_only = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return _NON_WORD.sub(" ", ascii_only).strip()
