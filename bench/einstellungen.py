"""Settings for the dashboard benchmarks: production settings (``DJANGO_DEBUG`` off, static
files from the collected, hashed and pre-compressed ``DJANGO_STATIC_ROOT``) with three
changes that only a benchmark on the loopback interface needs:

- session and CSRF cookies without the ``Secure`` flag (the server speaks plain HTTP on
  127.0.0.1, where the browser would otherwise drop them) and no HTTPS redirect;
- the cache keys of this run get the prefix ``BENCH_CACHE_PREFIX``, so a run starts with a
  cold cache even on a shared Redis, and never reads or evicts another run's entries.

    DJANGO_SETTINGS_MODULE=bench.einstellungen DJANGO_STATIC_ROOT=… BENCH_CACHE_PREFIX=…
"""

from __future__ import annotations

import os

from rollout.settings import *  # noqa: F403
from rollout.settings import CACHES

SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
CACHES["default"]["KEY_PREFIX"] = os.environ.get("BENCH_CACHE_PREFIX", "")
