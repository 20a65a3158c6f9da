"""In-process measurements that need Django (run by the benchmarks in a subprocess).

    python -m bench.probe suche [--n 100] [--seed 2026]
    python -m bench.probe zaehlen

Prints one JSON object. Django reads DATABASE_URL from the environment as usual.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import time
from typing import Any


def _setup() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rollout.settings")
    django.setup()


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def suchbegriffe(n: int, seed: int) -> list[str]:
    """A reproducible mix drawn from the data: names, name prefixes, key prefixes, postcodes."""
    from kommunen.models import Gemeinde

    rng = random.Random(seed)
    zeilen = list(Gemeinde.objects.order_by("ars").values_list("name_kurz", "ars", "ags", "plz"))
    if not zeilen:
        raise SystemExit("no Gemeinden in the database: import the Gemeindeverzeichnis first")
    begriffe: list[str] = []
    for i in range(n):
        name, ars, ags, plz = rng.choice(zeilen)
        art = i % 5
        if art == 0:
            begriffe.append(name)  # full short name
        elif art == 1:
            begriffe.append(name[: rng.randint(3, 6)].lower())  # what someone starts typing
        elif art == 2:
            begriffe.append(ars[: rng.choice((2, 5, 9))])  # key prefix: Land, Kreis, Verband
        elif art == 3:
            begriffe.append(ags)
        else:
            begriffe.append(plz or ags[:5])
    return begriffe


def suche(n: int, seed: int) -> dict[str, Any]:
    from kommunen.selectors import suche as suche_selector

    begriffe = suchbegriffe(n, seed)
    for q in begriffe[:5]:  # warm-up: connection, query plans, caches
        suche_selector(q=q)
    zeiten: list[float] = []
    treffer = 0
    for q in begriffe:
        started = time.perf_counter()
        ergebnis = suche_selector(q=q)
        zeiten.append(time.perf_counter() - started)
        treffer += 1 if ergebnis.gesamt else 0
    return {
        "n": len(zeiten),
        "median_s": statistics.median(zeiten),
        "p95_s": _p95(zeiten),
        "max_s": max(zeiten),
        "mit_treffern": treffer,
    }


def zaehlen() -> dict[str, Any]:
    from kommunen.models import Gemeinde
    from leistungen.models import Zusage, Zustaendigkeit

    return {
        "gemeinden": Gemeinde.objects.count(),
        "zusagen": Zusage.objects.count(),
        "zustaendigkeiten": Zustaendigkeit.objects.count(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.probe")
    sub = parser.add_subparsers(dest="was", required=True)
    p_suche = sub.add_parser("suche")
    p_suche.add_argument("--n", type=int, default=100)
    p_suche.add_argument("--seed", type=int, default=2026)
    sub.add_parser("zaehlen")
    args = parser.parse_args()
    _setup()
    result = suche(args.n, args.seed) if args.was == "suche" else zaehlen()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
