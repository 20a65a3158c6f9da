"""Writes of the report archive: request a report, generate it, and the weekly fan-out.

* :func:`bericht_anfordern` validates scope, permission and Stichtag, marks the row of the
  scope × Stichtag as ``angefordert`` and enqueues :func:`berichte.tasks.bericht_erzeugen_task`
  after the commit. A report already on its way is not requested twice.
* :func:`bericht_erzeugen` claims the row with a conditional ``UPDATE`` (two workers never
  render the same report at once; a run whose worker died is taken over after
  ``LAUF_VERALTET``), renders the PDF outside any transaction and stores bytes,
  checksum and data version in one transaction. A failing run stores only its message:
  the PDF archived before stays.
* :func:`berichte_woechentlich_anfordern` requests the national and every participating
  Land's report for the newest frozen Stichtag, each on its own, so one failing scope does
  not stop the others.

Every request and every outcome is recorded in the audit history.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import uuid
from functools import partial
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from audit.models import Aktion, Quelle
from audit.services import ereignis_schreiben
from berichte import permissions, selectors
from berichte.models import LAUF_VERALTET, Bericht

logger = logging.getLogger(__name__)

Status = Bericht.Status


def _quelle(user: Any) -> str:
    return Quelle.SYSTEM if user is None else Quelle.UI


def _einreihen(bericht_id: int, task_id: str) -> None:
    """After the commit: send the generation task. If the broker is unreachable the
    request is marked as failed with a message that says so (nothing is lost: it can be
    requested again)."""
    from berichte.tasks import bericht_erzeugen_task

    try:
        bericht_erzeugen_task.apply_async(kwargs={"bericht_id": bericht_id}, task_id=task_id)
    except Exception as exc:
        logger.exception("Steuerungsbericht %s: Erzeugung nicht eingereiht", bericht_id)
        meldung = (
            "Die Erzeugung konnte nicht gestartet werden (Warteschlange nicht erreichbar: "
            f"{type(exc).__name__}). Bitte später erneut anfordern."
        )
        Bericht.objects.filter(pk=bericht_id, status=Status.ANGEFORDERT, task_id=task_id).update(
            status=Status.FEHLER, fehler=meldung, fertig_am=timezone.now()
        )


def bericht_anfordern(*, scope: str, stichtag: dt.date, user: Any) -> Bericht:
    """Request the report of ``scope`` ("national" or a Land's kurz) for the frozen
    ``stichtag``; ``user`` None is the weekly run. Returns the report row; if its
    generation is already under way, nothing new is requested.

    Raises ``ValidationError`` (unknown scope, no frozen Stichtag) or ``PermissionDenied``.
    """
    gefunden = selectors.scope_finden(scope)
    if gefunden is None:
        raise ValidationError(f"Unbekannter Geltungsbereich „{scope}“.", code="scope")
    if not permissions.darf_anfordern(user, scope=gefunden.code, land_id=gefunden.land_id):
        raise PermissionDenied(f"Sie dürfen den Bericht „{gefunden.name}“ nicht anfordern.")
    if stichtag not in selectors.eingefrorene_stichtage():
        raise ValidationError(
            f"Für den {stichtag:%d.%m.%Y} gibt es keinen eingefrorenen Stichtag. Der Stand "
            "wird jeden Montag um 0 Uhr für den Sonntag davor eingefroren.",
            code="stichtag",
        )
    jetzt = timezone.now()
    task_id = str(uuid.uuid4())
    with transaction.atomic():
        bericht = _zeile_sperren(scope=gefunden.code, stichtag=stichtag)
        if bericht is None:
            try:
                with transaction.atomic():
                    bericht = Bericht.objects.create(
                        scope=gefunden.code,
                        land_id=gefunden.land_id,
                        stichtag=stichtag,
                        status=Status.ANGEFORDERT,
                        angefordert_von=user,
                        angefordert_am=jetzt,
                        task_id=task_id,
                    )
            except IntegrityError:  # requested at the same moment by someone else
                bericht = _zeile_sperren(scope=gefunden.code, stichtag=stichtag)
                assert bericht is not None
                if bericht.laeuft_noch:
                    return bericht
            else:
                ereignis_schreiben(
                    user=user,
                    quelle=_quelle(user),
                    aktion=Aktion.ANGELEGT,
                    objekt=bericht,
                    aenderungen={"status": [None, Status.ANGEFORDERT]},
                    beschreibung=f"Steuerungsbericht {bericht.scope} "
                    f"{stichtag:%d.%m.%Y} angefordert",
                )
                transaction.on_commit(partial(_einreihen, bericht.pk, task_id))
                return bericht
        if bericht.laeuft_noch and not bericht.verloren:
            return bericht
        vorher = bericht.status
        bericht.status = Status.ANGEFORDERT
        bericht.fehler = ""
        bericht.angefordert_von = user
        bericht.angefordert_am = jetzt
        bericht.begonnen_am = None
        bericht.fertig_am = None
        bericht.task_id = task_id
        bericht.save(
            update_fields=[
                "status",
                "fehler",
                "angefordert_von",
                "angefordert_am",
                "begonnen_am",
                "fertig_am",
                "task_id",
            ]
        )
        ereignis_schreiben(
            user=user,
            quelle=_quelle(user),
            aktion=Aktion.GEAENDERT,
            objekt=bericht,
            aenderungen={"status": [vorher, Status.ANGEFORDERT]},
            beschreibung=f"Steuerungsbericht {bericht.scope} {stichtag:%d.%m.%Y} "
            "erneut angefordert",
        )
        transaction.on_commit(partial(_einreihen, bericht.pk, task_id))
    return bericht


def _zeile_sperren(*, scope: str, stichtag: dt.date) -> Bericht | None:
    return (
        Bericht.objects.select_for_update()
        .defer("pdf")
        .filter(scope=scope, stichtag=stichtag)
        .first()
    )


def _beanspruchen(bericht_id: int, jetzt: dt.datetime) -> bool:
    """Claim the run: ``angefordert`` → ``laeuft`` in one conditional UPDATE (or take
    over a run whose worker died). False: done already, or another worker has it."""
    return (
        Bericht.objects.filter(pk=bericht_id)
        .filter(
            Q(status=Status.ANGEFORDERT)
            | Q(status=Status.LAEUFT, begonnen_am__lt=jetzt - LAUF_VERALTET)
        )
        .update(status=Status.LAEUFT, begonnen_am=jetzt, fertig_am=None, laeufe=F("laeufe") + 1)
        == 1
    )


def bericht_erzeugen(*, bericht_id: int) -> Bericht | None:
    """Render and archive one requested report. Returns the row, or None if there was
    nothing to do (row gone, already done, or being rendered by another worker): safe to
    run twice. Never raises for a report that cannot be made: the row gets ``fehler``
    with the message, and the PDF archived before stays."""
    from berichte.pdf import BerichtFehler, bericht_pdf

    jetzt = timezone.now()
    if not _beanspruchen(bericht_id, jetzt):
        return None
    bericht = Bericht.objects.defer("pdf").get(pk=bericht_id)
    try:
        ergebnis = None
        if bericht.erzeugt_am is not None:
            # Re-render with the archived version's creation time (the only text that
            # differs between renderings): identical bytes prove the report unchanged.
            ergebnis = bericht_pdf(
                scope=bericht.scope, stichtag=bericht.stichtag, erstellt_am=bericht.erzeugt_am
            )
            if hashlib.sha256(ergebnis.pdf).hexdigest() != bericht.sha256:
                ergebnis = None  # the content changed: a new version, created now
        if ergebnis is None:
            ergebnis = bericht_pdf(
                scope=bericht.scope, stichtag=bericht.stichtag, erstellt_am=jetzt
            )
        if ergebnis.scope != bericht.scope or ergebnis.stichtag != bericht.stichtag:
            raise BerichtFehler(
                f"Das erzeugte PDF gehört zu {ergebnis.scope} {ergebnis.stichtag:%d.%m.%Y}, "
                f"angefordert war {bericht.scope} {bericht.stichtag:%d.%m.%Y}."
            )
        if not ergebnis.pdf.startswith(b"%PDF-"):
            raise BerichtFehler("Das erzeugte Dokument ist kein PDF.")
    except BerichtFehler as exc:
        return _fehler_speichern(bericht_id, jetzt, str(exc))
    except Exception as exc:  # SoftTimeLimitExceeded, rendering bugs, …
        from celery.exceptions import SoftTimeLimitExceeded

        logger.exception("Steuerungsbericht %s: Erzeugung fehlgeschlagen", bericht_id)
        if isinstance(exc, SoftTimeLimitExceeded):
            meldung = "Die Erzeugung hat das Zeitlimit überschritten und wurde abgebrochen."
        else:
            meldung = (
                f"Unerwarteter Fehler bei der Erzeugung ({type(exc).__name__}: {exc}). "
                "Einzelheiten stehen im Protokoll des Workers."
            )
        return _fehler_speichern(bericht_id, jetzt, meldung)
    return _ergebnis_speichern(bericht_id, jetzt, ergebnis)


def _eigener_lauf(bericht_id: int, begonnen_am: dt.datetime) -> Bericht | None:
    """The locked row if this run still owns it (nobody took it over meanwhile)."""
    return (
        Bericht.objects.select_for_update()
        .defer("pdf")
        .filter(pk=bericht_id, status=Status.LAEUFT, begonnen_am=begonnen_am)
        .first()
    )


def _ergebnis_speichern(bericht_id: int, begonnen_am: dt.datetime, ergebnis: Any) -> Bericht | None:
    sha256 = hashlib.sha256(ergebnis.pdf).hexdigest()
    with transaction.atomic():
        bericht = _eigener_lauf(bericht_id, begonnen_am)
        if bericht is None:
            return None
        jetzt = timezone.now()
        vorher_sha = bericht.sha256
        felder = ["status", "fehler", "fertig_am", "datenstand", "titel"]
        if sha256 != vorher_sha:  # identical bytes: the archive keeps its first version
            bericht.pdf = ergebnis.pdf
            bericht.groesse = len(ergebnis.pdf)
            bericht.sha256 = sha256
            bericht.erzeugt_am = begonnen_am  # printed on the cover as "erstellt am"
            felder += ["pdf", "groesse", "sha256", "erzeugt_am"]
        bericht.status = Status.FERTIG
        bericht.fehler = ""
        bericht.fertig_am = jetzt
        bericht.datenstand = ergebnis.datenstand[:300]
        bericht.titel = ergebnis.titel[:300]
        bericht.save(update_fields=felder)
        aenderungen: dict[str, list[Any]] = {"status": [Status.LAEUFT, Status.FERTIG]}
        if sha256 != vorher_sha:
            aenderungen["sha256"] = [vorher_sha or None, sha256]
        ereignis_schreiben(
            user=None,
            quelle=Quelle.SYSTEM,
            aktion=Aktion.GEAENDERT,
            objekt=bericht,
            aenderungen=aenderungen,
            beschreibung=f"Steuerungsbericht {bericht.scope} {bericht.stichtag:%d.%m.%Y} "
            + ("erzeugt" if sha256 != vorher_sha else "erneut erzeugt, unverändert"),
        )
    bericht.pdf = None  # not kept in memory by the caller
    return bericht


def _fehler_speichern(bericht_id: int, begonnen_am: dt.datetime, meldung: str) -> Bericht | None:
    with transaction.atomic():
        bericht = _eigener_lauf(bericht_id, begonnen_am)
        if bericht is None:
            return None
        bericht.status = Status.FEHLER
        bericht.fehler = meldung
        bericht.fertig_am = timezone.now()
        bericht.save(update_fields=["status", "fehler", "fertig_am"])
        ereignis_schreiben(
            user=None,
            quelle=Quelle.SYSTEM,
            aktion=Aktion.GEAENDERT,
            objekt=bericht,
            aenderungen={"status": [Status.LAEUFT, Status.FEHLER], "fehler": ["", meldung]},
            beschreibung=f"Steuerungsbericht {bericht.scope} {bericht.stichtag:%d.%m.%Y} "
            "fehlgeschlagen",
        )
    logger.warning("Steuerungsbericht %s fehlgeschlagen: %s", bericht_id, meldung)
    return bericht


def berichte_woechentlich_anfordern(*, stichtag: dt.date | None = None) -> dict[str, str]:
    """The weekly run: request the national report and every participating Land's report
    for ``stichtag`` (default: the newest frozen Stichtag). Scopes whose report for that
    Stichtag is archived already are left alone. Each scope is requested on its own, so a
    scope that fails does not stop the others. Returns ``{scope: outcome}``."""
    stichtag = stichtag or selectors.letzter_stichtag()
    if stichtag is None:
        logger.warning("Steuerungsberichte: noch kein eingefrorener Stichtag vorhanden")
        return {}
    scopes = [s.code for s in selectors.alle_scopes()]
    fertig = set(
        Bericht.objects.filter(stichtag=stichtag, status=Status.FERTIG).values_list(
            "scope", flat=True
        )
    )
    ergebnis: dict[str, str] = {}
    for scope in scopes:
        if scope in fertig:
            ergebnis[scope] = "vorhanden"
            continue
        try:
            bericht = bericht_anfordern(scope=scope, stichtag=stichtag, user=None)
        except Exception as exc:
            logger.exception("Steuerungsbericht %s %s nicht angefordert", scope, stichtag)
            ergebnis[scope] = f"fehler: {exc}"
        else:
            ergebnis[scope] = bericht.status
    return ergebnis
