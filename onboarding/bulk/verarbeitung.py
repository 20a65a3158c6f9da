"""Check (preview) and apply a bulk-update file.

Both run the same pipeline: read the file, load every record, checklist item, team and
hurdle the file mentions in a few queries, and validate each row (line number + German
reason): keys, responsibility (an open record), scope, values, dates, the version, and the
services' status rule (``services.status_pruefen``, with the automatic advance of a finished
phase worked out in memory). The preview stops there and writes nothing.

Applying then hands every changed row to the services' batch path
(``services.onboardings_stapel_anwenden``: the per-record services' rules, version checks
and audit events, one event per changed record step and item, in a few queries) inside ONE
transaction; new or linked hurdles go through the per-record hurdle services. Without the
explicit "only the good rows" choice, nothing is written if any row is bad or the services
refuse a row; with it, refused rows leave no trace and the others are written.

A row that changes nothing calls no service and so writes no audit event; re-applying a
file therefore changes nothing.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from django.db import transaction
from django.utils import timezone

from audit.models import Quelle
from onboarding.bulk import format as fmt
from onboarding.bulk.ausfuehrung import ausfuehren
from onboarding.bulk.ergebnis import Ergebnis
from onboarding.bulk.planung import planen
from onboarding.bulk.simulation import simulieren


def massenimport_pruefen(
    *, user: Any, inhalt: bytes, dateiname: str = "", quelle: str = Quelle.IMPORT
) -> Ergebnis:
    """Dry run: what applying the file would change, per row, and every bad row."""
    return _verarbeiten(
        user=user, inhalt=inhalt, dateiname=dateiname, quelle=quelle, modus="vorschau"
    )


def massenimport_anwenden(
    *,
    user: Any,
    inhalt: bytes,
    dateiname: str = "",
    nur_fehlerfreie: bool = False,
    quelle: str = Quelle.IMPORT,
    zeitpunkt: dt.datetime | None = None,
) -> Ergebnis:
    """Apply the file in one transaction. Without ``nur_fehlerfreie`` nothing is written if
    any row is bad; with it, the rows without errors are written and the bad ones skipped."""
    return _verarbeiten(
        user=user,
        inhalt=inhalt,
        dateiname=dateiname,
        quelle=quelle,
        modus="fehlerfreie" if nur_fehlerfreie else "alle",
        zeitpunkt=zeitpunkt,
    )


def _verarbeiten(
    *,
    user: Any,
    inhalt: bytes,
    dateiname: str,
    quelle: str,
    modus: str,
    zeitpunkt: dt.datetime | None = None,
) -> Ergebnis:
    start = time.perf_counter()
    ergebnis = Ergebnis(dateiname=dateiname, modus=modus)
    try:
        tabelle = fmt.tabelle_lesen(inhalt=inhalt, dateiname=dateiname)
    except fmt.DateiFehler as exc:
        ergebnis.datei_fehler = str(exc)
        return ergebnis
    zeitpunkt = zeitpunkt or timezone.now()
    with transaction.atomic():
        plaene = planen(user=user, tabelle=tabelle, heute=timezone.localdate(zeitpunkt))
        ergebnis.zeilen = [p.ergebnis for p in plaene]
        simulieren(plaene)
        vorab_fehler = any(not p.ergebnis.ok for p in plaene)
        if modus == "vorschau" or (modus == "alle" and vorab_fehler):
            ergebnis.sekunden = round(time.perf_counter() - start, 3)
            return ergebnis
        ausfuehren(
            user=user,
            plaene=plaene,
            quelle=quelle,
            zeitpunkt=zeitpunkt,
            zeilenweise=modus == "fehlerfreie",
        )
        schreiben = modus == "fehlerfreie" or (modus == "alle" and ergebnis.fehlerfrei)
        if schreiben:
            ergebnis.angewendet = True
        else:
            transaction.set_rollback(True)
    ergebnis.sekunden = round(time.perf_counter() - start, 3)
    return ergebnis
