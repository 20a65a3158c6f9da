"""In-process measurements of the roll-in workflow (run by the ``onboarding_*`` benchmarks in
a subprocess against their own PostgreSQL database).

    python -m bench.probe_onboarding vorbereiten [--mindestens 10000]
    python -m bench.probe_onboarding punkt [--n 200]
    python -m bench.probe_onboarding massenimport [--n 10000]
    python -m bench.probe_onboarding verlauf [--ereignisse 500] [--n 50]

Each prints one JSON object. The HTTP figures go through Django's test client (middleware,
session, view, template), i.e. server time without the network.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import os
import statistics
import time
from typing import Any


def _setup() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rollout.settings")
    django.setup()
    from django.test.utils import setup_test_environment

    setup_test_environment()  # lets the test client in (ALLOWED_HOSTS "testserver")


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def _admin() -> Any:
    from accounts.models import User

    return User.objects.get(username="demo-admin")


def _offene() -> Any:
    from onboarding.models import Onboarding

    return Onboarding.objects.filter(geschlossen_am__isnull=True)


def vorbereiten(mindestens: int) -> dict[str, Any]:
    """Checklist template, demo accounts, one record per responsible authority; then, if
    fewer than ``mindestens`` records exist, Gemeinde-level commitments for further Länder
    (resolved and synced by the real services), as a large programme would have."""
    from accounts.services import demo_benutzer_anlegen
    from kommunen.models import Gemeinde, Land
    from leistungen.models import Leistung, Programmteilnahme, Zusage, ZustaendigkeitsRegel
    from leistungen.services import zustaendigkeiten_aufloesen
    from onboarding.services import checklisten_vorlage_import, onboardings_abgleichen

    demo_benutzer_anlegen()
    checklisten_vorlage_import()
    onboardings_abgleichen()
    leistung = Leistung.objects.get(ozg_id="10124")  # Ummeldung: one authority per Gemeinde
    for land in Land.objects.exclude(kurz__in=["BY", "HE"]).order_by("code"):
        if _offene().count() >= mindestens:
            break
        if not Gemeinde.objects.filter(land=land).exists():
            continue
        Programmteilnahme.objects.get_or_create(
            land=land, defaults={"beigetreten_am": dt.date(2026, 3, 1), "gu_beauftragt": True}
        )
        ZustaendigkeitsRegel.objects.update_or_create(
            land=land,
            leistung=leistung,
            gueltig_ab=None,
            defaults={"ebene": "gemeinde", "quelle": "Benchmark"},
        )
        zusage, _ = Zusage.objects.get_or_create(
            land=land,
            leistung=leistung,
            defaults={"frist": dt.date(2026, 12, 31), "zugesagt_am": dt.date(2026, 3, 1)},
        )
        zustaendigkeiten_aufloesen(land=land, leistung=leistung)
        onboardings_abgleichen(zusage=zusage)
    return {"onboardings": _offene().count()}


def _client() -> Any:
    from django.test import Client

    client = Client()
    client.force_login(_admin())
    return client


def punkt(n: int) -> dict[str, Any]:
    """Inline checklist updates (htmx POST) on ``n`` different records, alternating between
    ticking and unticking, each with the version the page would have shown."""
    from onboarding.models import Checklistenpunkt

    client = _client()
    ids = list(_offene().order_by("pk").values_list("pk", flat=True))
    schritt = max(1, len(ids) // n)
    gewaehlt = ids[::schritt][:n]
    punkte = {
        p.onboarding_id: p
        for p in Checklistenpunkt.objects.filter(onboarding_id__in=gewaehlt, phase=0).order_by(
            "onboarding_id", "-reihenfolge"
        )
    }
    zeiten: list[float] = []
    fehler = 0
    for nummer, onboarding_id in enumerate([*gewaehlt[:5], *gewaehlt]):
        p = punkte[onboarding_id]
        p.refresh_from_db(fields=["version", "stand"])
        daten = {"version": p.version, "aktion": "setzen"}
        if p.stand != Checklistenpunkt.Stand.ERLEDIGT:
            daten["erledigt"] = "on"
        started = time.perf_counter()
        response = client.post(
            f"/onboardings/{onboarding_id}/punkte/{p.pk}/", daten, headers={"HX-Request": "true"}
        )
        elapsed = time.perf_counter() - started
        if nummer < 5:
            continue  # warm-up: connection, templates, query plans
        zeiten.append(elapsed)
        fehler += response.status_code != 200
    return {
        "n": len(zeiten),
        "median_s": statistics.median(zeiten),
        "p95_s": _p95(zeiten),
        "max_s": max(zeiten),
        "fehler": fehler,
    }


def _datei(n: int) -> bytes:
    """A bulk file for the first ``n`` records: a wave, a planned go-live, status geplant and
    one Phase 0 item per row (what a coordinator's spreadsheet typically changes)."""
    from onboarding.models import Status

    zeilen = (
        _offene()
        .exclude(status=Status.GEPLANT)
        .order_by("pk")
        .values_list("pk", "behoerde__schluessel", "leistung__ozg_id")[:n]
    )
    puffer = io.StringIO()
    schreiber = csv.writer(puffer, delimiter=";", lineterminator="\n")
    schreiber.writerow(
        [
            "behoerde_schluessel",
            "ozg_id",
            "welle",
            "geplant_golive",
            "status",
            "p0_ansprechpersonen",
        ]
    )
    for pk, schluessel, ozg_id in zeilen:
        schreiber.writerow(
            [schluessel, ozg_id, f"Welle {pk % 4 + 1}", "01.12.2026", "geplant", "erledigt"]
        )
    return puffer.getvalue().encode("utf-8")


def massenimport(n: int) -> dict[str, Any]:
    from audit.models import Ereignis
    from onboarding.bulk import massenimport_anwenden, massenimport_pruefen

    datei = _datei(n)
    zeilen = datei.count(b"\n") - 1
    user = _admin()
    vorher = Ereignis.objects.count()
    started = time.perf_counter()
    vorschau = massenimport_pruefen(user=user, inhalt=datei, dateiname="bench.csv")
    mitte = time.perf_counter()
    ergebnis = massenimport_anwenden(user=user, inhalt=datei, dateiname="bench.csv")
    ende = time.perf_counter()
    return {
        "zeilen": zeilen,
        "vorschau_s": mitte - started,
        "anwenden_s": ende - mitte,
        "fehlerfrei": bool(vorschau.fehlerfrei),
        "geaendert": ergebnis.anzahl_geaendert,
        "ereignisse": Ereignis.objects.count() - vorher,
    }


def _ereignisse_erzeugen(onboarding_id: int, anzahl: int) -> int:
    """``anzahl`` audit events on one record through the services: checklist ticks and
    unticks, plus wave changes, spread over 2026."""
    from audit.models import Ereignis, Quelle
    from onboarding.models import Checklistenpunkt, Onboarding
    from onboarding.services import checklistenpunkt_setzen, onboarding_aktualisieren

    user = _admin()
    punkte = list(Checklistenpunkt.objects.filter(onboarding_id=onboarding_id, phase__gte=1))
    start = dt.datetime(2026, 2, 1, 8, tzinfo=dt.UTC)
    i = 0
    while Ereignis.objects.filter(onboarding_id=onboarding_id).count() < anzahl:
        zeitpunkt = start + dt.timedelta(minutes=37 * i)
        if i % 10 == 9:
            ob = Onboarding.objects.get(pk=onboarding_id)
            onboarding_aktualisieren(
                onboarding_id=onboarding_id,
                user=user,
                version=ob.version,
                daten={"welle": f"Welle {i % 4 + 1}"},
                quelle=Quelle.UI,
                zeitpunkt=zeitpunkt,
            )
        else:
            p = punkte[i % len(punkte)]
            p.refresh_from_db(fields=["version", "stand"])
            stand = (
                Checklistenpunkt.Stand.OFFEN
                if p.stand == Checklistenpunkt.Stand.ERLEDIGT
                else Checklistenpunkt.Stand.ERLEDIGT
            )
            checklistenpunkt_setzen(
                punkt_id=p.pk,
                user=user,
                version=p.version,
                stand=stand,
                erledigt_am=zeitpunkt.date() if stand == Checklistenpunkt.Stand.ERLEDIGT else None,
                quelle=Quelle.UI,
                zeitpunkt=zeitpunkt,
            )
        i += 1
    return Ereignis.objects.filter(onboarding_id=onboarding_id).count()


def verlauf(ereignisse: int, n: int) -> dict[str, Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    # A Kreis-level record (Führerschein) that the other benchmarks leave alone.
    onboarding_id = (
        _offene().filter(leistung__ozg_id="10169").order_by("pk").values_list("pk", flat=True)[0]
    )
    gesamt = _ereignisse_erzeugen(onboarding_id, ereignisse)
    client = _client()
    url = f"/onboardings/{onboarding_id}/verlauf/"
    for _ in range(3):  # warm-up
        client.get(url)
    zeiten: list[float] = []
    abfragen: list[int] = []
    status = set()
    for _ in range(n):
        with CaptureQueriesContext(connection) as erfasst:
            started = time.perf_counter()
            response = client.get(url)
            zeiten.append(time.perf_counter() - started)
        abfragen.append(len(erfasst.captured_queries))
        status.add(response.status_code)
    return {
        "ereignisse": gesamt,
        "n": n,
        "median_s": statistics.median(zeiten),
        "p95_s": _p95(zeiten),
        "abfragen": max(abfragen),
        "status": sorted(status),
        "bytes": len(response.content),
    }


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.probe_onboarding")
    sub = parser.add_subparsers(dest="was", required=True)
    sub.add_parser("vorbereiten").add_argument("--mindestens", type=int, default=10_000)
    sub.add_parser("punkt").add_argument("--n", type=int, default=200)
    sub.add_parser("massenimport").add_argument("--n", type=int, default=10_000)
    p_verlauf = sub.add_parser("verlauf")
    p_verlauf.add_argument("--ereignisse", type=int, default=500)
    p_verlauf.add_argument("--n", type=int, default=50)
    args = parser.parse_args()
    _setup()
    if args.was == "vorbereiten":
        result = vorbereiten(args.mindestens)
    elif args.was == "punkt":
        result = punkt(args.n)
    elif args.was == "massenimport":
        result = massenimport(args.n)
    else:
        result = verlauf(args.ereignisse, args.n)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
