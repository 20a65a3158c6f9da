"""Garbage collection tuned for a web process.

A loaded Django process holds a few hundred thousand long-lived objects (modules, models,
URL patterns, compiled templates, the map cache). CPython's default collector runs a young
collection every 700 new container objects and, every hundredth time, a full one over all
of them: a dashboard page that builds a few thousand rows triggered one about every
twentieth request, and those requests took 2–4 × the median (Land page Bayern at national
scale: median 84 ms, p95 204 ms). Freezing what exists after start-up takes the long-lived
objects out of every later collection, and a larger young generation makes collections
rarer; the same page then has p95 ≈ 100–130 ms. Memory grows by at most the young
generation (50,000 objects, a few MB).

Called once per web process after the application is loaded (``rollout/wsgi.py``,
``rollout/asgi.py``; gunicorn loads the application in each worker), and by the page
benchmark, which measures what such a process does.
"""

from __future__ import annotations

import gc

#: Young-generation threshold (CPython default 700) and how many young / middle
#: collections pass before the next older one (default 10, 10).
SCHWELLEN = (50_000, 20, 20)


def speicherbereinigung_einstellen() -> None:
    gc.collect()
    gc.freeze()
    gc.set_threshold(*SCHWELLEN)
