from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def cockpit(request: HttpRequest) -> dict[str, Any]:
    """Values every page needs: the attribution lines shown in the footer."""
    return {
        "ATTRIBUTION_DESTATIS": (
            "Gemeindeverzeichnis GV100AD – © Statistisches Bundesamt (Destatis)"
        ),
        "ATTRIBUTION_BKG": "© GeoBasis-DE / BKG (2016, 2023, 2025), Daten verändert",
    }
