"""The web process's garbage-collector tuning (rollout/speicher.py)."""

from __future__ import annotations

import gc
import importlib

from rollout.speicher import SCHWELLEN


def test_loading_the_wsgi_application_freezes_startup_objects_and_raises_the_threshold() -> None:
    vorher = gc.get_threshold()
    try:
        gc.unfreeze()
        import rollout.wsgi

        importlib.reload(rollout.wsgi)
        assert gc.get_threshold() == SCHWELLEN
        assert gc.get_freeze_count() > 10_000  # Django, the models, the URL patterns …
    finally:
        gc.unfreeze()
        gc.set_threshold(*vorher)
