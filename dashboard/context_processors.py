from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

# The footer and the demo banner appear on every page; their two look-ups are cached briefly
# so that a page costs no extra queries in steady state.
_CACHE_SECONDS = 60
DEMO_CACHE_KEY = "cockpit:demo-konten-vorhanden"
GEBIETSSTAND_CACHE_KEY = "cockpit:gebietsstand-neuester"
# Attribution of the reference data (fixtures/ATTRIBUTION.md); also printed in the steering
# report.
ATTRIBUTION_DESTATIS = "Gemeindeverzeichnis GV100AD – © Statistisches Bundesamt (Destatis)"
ATTRIBUTION_BKG = "© GeoBasis-DE / BKG (2016, 2023, 2025), Daten verändert"


def _demo_konten_vorhanden() -> bool:
    from accounts.models import User

    return User.objects.filter(ist_demo=True).exists()


def _neuester_gebietsstand() -> dt.date | None:
    from kommunen.models import Gebietsstand

    return Gebietsstand.objects.order_by("-stichtag").values_list("stichtag", flat=True).first()


def cockpit(request: HttpRequest) -> dict[str, Any]:
    """Values every page needs: attribution lines, Gebietsstand, demo banner, contact."""
    return {
        "ATTRIBUTION_DESTATIS": ATTRIBUTION_DESTATIS,
        "ATTRIBUTION_BKG": ATTRIBUTION_BKG,
        "GEBIETSSTAND": cache.get_or_set(
            GEBIETSSTAND_CACHE_KEY, _neuester_gebietsstand, _CACHE_SECONDS
        ),
        "DEMO_UMGEBUNG": cache.get_or_set(DEMO_CACHE_KEY, _demo_konten_vorhanden, _CACHE_SECONDS),
        "ACCESSIBILITY_CONTACT_EMAIL": settings.ACCESSIBILITY_CONTACT_EMAIL,
    }
