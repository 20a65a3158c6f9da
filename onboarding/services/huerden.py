"""Hurdles: record one hurdle for one or many records, change it, resolve it.

An open blocking hurdle marks every linked open record ``blockiert``; when it is resolved
(or stops blocking, or a link is removed) each linked record is unblocked unless another
open blocking hurdle still holds it. The recomputation locks the affected records first, so
two hurdles resolved at the same time cannot leave a record blocked by mistake, and it runs
in the same transaction as the hurdle change: all linked records change, or none.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from abdeckung.tasks import abdeckung_vormerken
from audit.models import Aktion
from audit.services import (
    aenderungen_ermitteln,
    ereignis_bauen,
    ereignis_schreiben,
    ereignisse_anlegen,
)
from onboarding import permissions
from onboarding.models import Huerde, Onboarding
from onboarding.services._basis import Konflikt, Ungueltig, datum, ereignisse_seit, jetzt, tag_von

HUERDE_FELDER = (
    "titel",
    "beschreibung",
    "kategorie",
    "verantwortlich",
    "schwere",
    "stand",
    "blockierend",
    "erfasst_am",
    "faellig_am",
)


def _datum(wert: Any, was: str) -> dt.date | None:
    if wert in (None, ""):
        return None
    if isinstance(wert, dt.date) and not isinstance(wert, dt.datetime):
        return wert
    try:
        return dt.date.fromisoformat(str(wert).strip())
    except ValueError as exc:
        raise Ungueltig(f"{was}: {wert!r} ist kein gültiges Datum (erwartet JJJJ-MM-TT).") from exc


def _wahl(wert: Any, choices: Any, was: str) -> str:
    if wert not in choices.values:
        erlaubt = ", ".join(choices.values)
        raise Ungueltig(f"{was}: {wert!r} ist nicht vorgesehen (erlaubt: {erlaubt}).")
    return str(wert)


def _daten_lesen(daten: dict[str, Any], *, heute: dt.date, neu: bool) -> dict[str, Any]:
    erlaubt = set(HUERDE_FELDER) - ({"stand"} if neu else set())
    unbekannt = sorted(set(daten) - erlaubt)
    if unbekannt:
        raise Ungueltig(f"Diese Felder können nicht gesetzt werden: {', '.join(unbekannt)}.")
    werte: dict[str, Any] = {}
    for feld, wert in daten.items():
        if feld in ("titel", "beschreibung"):
            werte[feld] = str(wert or "").strip()
        elif feld == "kategorie":
            werte[feld] = _wahl(wert, Huerde.Kategorie, "Kategorie")
        elif feld == "verantwortlich":
            werte[feld] = _wahl(wert, Huerde.Verantwortlich, "Verantwortlich")
        elif feld == "schwere":
            werte[feld] = _wahl(wert, Huerde.Schwere, "Schwere")
        elif feld == "stand":
            werte[feld] = _wahl(wert, Huerde.Stand, "Stand")
            if werte[feld] == Huerde.Stand.GELOEST:
                raise Ungueltig(
                    "Eine Hürde wird über „Hürde lösen“ gelöst (mit Lösungsvermerk und Datum)."
                )
        elif feld == "blockierend":
            werte[feld] = bool(wert)
        elif feld == "erfasst_am":
            werte[feld] = _datum(wert, "Erfasst am")
            if werte[feld] is not None and werte[feld] > heute:
                raise Ungueltig(f"Erfasst am {datum(werte[feld])} liegt in der Zukunft.")
        elif feld == "faellig_am":
            werte[feld] = _datum(wert, "Lösung erwartet bis")
    if neu:
        werte.setdefault("erfasst_am", heute)
        if werte["erfasst_am"] is None:
            werte["erfasst_am"] = heute
        fehlen = [
            name
            for feld, name in (
                ("titel", "Titel"),
                ("kategorie", "Kategorie"),
                ("verantwortlich", "Verantwortlich"),
            )
            if not werte.get(feld)
        ]
        if fehlen:
            raise Ungueltig(f"Für eine Hürde fehlen: {', '.join(fehlen)}.")
    elif "titel" in werte and not werte["titel"]:
        raise Ungueltig("Eine Hürde braucht einen Titel.")
    if len(werte.get("titel", "")) > 200:
        raise Ungueltig("Der Titel darf höchstens 200 Zeichen lang sein.")
    return werte


def _onboardings_pruefen(user: Any, onboarding_ids: list[int]) -> list[Onboarding]:
    ids = sorted({int(i) for i in onboarding_ids})
    if not ids:
        raise Ungueltig("Eine Hürde muss mit mindestens einem Onboarding verknüpft sein.")
    onboardings = list(
        Onboarding.objects.select_related("behoerde", "zusage", "leistung").filter(pk__in=ids)
    )
    fehlen = sorted(set(ids) - {o.pk for o in onboardings})
    if fehlen:
        raise Ungueltig(f"Unbekannte Onboardings: {', '.join(map(str, fehlen))}.")
    verboten = [o for o in onboardings if not permissions.darf_onboarding_bearbeiten(user, o)]
    if verboten:
        raise PermissionDenied(
            f"{len(verboten)} der verknüpften Onboardings liegen außerhalb Ihres Bereichs "
            f"(z. B. {verboten[0]})."
        )
    geschlossen = [o for o in onboardings if o.geschlossen_am is not None]
    if geschlossen:
        raise Ungueltig(f"Das Onboarding {geschlossen[0]} ist geschlossen.")
    return onboardings


def blockiert_abgleichen(
    *, onboarding_ids: list[int], user: Any, quelle: str, zeitpunkt: dt.datetime, anlass: str
) -> int:
    """Set ``blockiert`` of the given open records from their open blocking hurdles; one
    audit event per record that changed. Returns how many changed."""
    ids = sorted(set(onboarding_ids))
    if not ids:
        return 0
    # Lock first, then read the hurdles: a concurrent hurdle change has committed by then.
    zeilen = list(
        Onboarding.objects.select_for_update()
        .filter(pk__in=ids, geschlossen_am__isnull=True)
        .order_by("pk")
        .values_list("pk", "blockiert")
    )
    soll = set(
        Huerde.onboardings.through.objects.filter(onboarding_id__in=ids, huerde__blockierend=True)
        .exclude(huerde__stand=Huerde.Stand.GELOEST)
        .values_list("onboarding_id", flat=True)
    )
    blockieren = [pk for pk, blockiert in zeilen if pk in soll and not blockiert]
    freigeben = [pk for pk, blockiert in zeilen if pk not in soll and blockiert]
    now = timezone.now()
    if blockieren:
        Onboarding.objects.filter(pk__in=blockieren).update(blockiert=True, geaendert_am=now)
    if freigeben:
        Onboarding.objects.filter(pk__in=freigeben).update(blockiert=False, geaendert_am=now)
    ereignisse = []
    for pk, neu in [(pk, True) for pk in blockieren] + [(pk, False) for pk in freigeben]:
        objekt = Onboarding(pk=pk)
        ereignisse.append(
            ereignis_bauen(
                user=user,
                quelle=quelle,
                aktion=Aktion.GEAENDERT,
                objekt=objekt,
                aenderungen={"blockiert": [not neu, neu]},
                onboarding_id=pk,
                beschreibung=("Blockiert: " if neu else "Nicht mehr blockiert: ") + anlass,
                zeitpunkt=zeitpunkt,
            )
        )
    ereignisse_anlegen(ereignisse=ereignisse)
    if ereignisse:
        abdeckung_vormerken()  # coverage recomputation after commit (abdeckung.tasks)
    return len(ereignisse)


def _huerde_werte(huerde: Huerde) -> dict[str, Any]:
    werte = {f: getattr(huerde, f) for f in HUERDE_FELDER}
    werte.update(geloest_am=huerde.geloest_am, loesung=huerde.loesung)
    return werte


def huerde_erfassen(
    *,
    user: Any,
    daten: dict[str, Any],
    onboarding_ids: list[int],
    quelle: str,
    zeitpunkt: dt.datetime | None = None,
) -> Huerde:
    """Record a hurdle linked to one or many records; if it blocks, every linked record is
    marked blocked (all in one transaction)."""
    zeitpunkt = jetzt(zeitpunkt)
    with transaction.atomic():
        onboardings = _onboardings_pruefen(user, onboarding_ids)
        werte = _daten_lesen(daten, heute=tag_von(zeitpunkt), neu=True)
        huerde = Huerde.objects.create(
            **werte, erfasst_von=user if user is not None and user.is_authenticated else None
        )
        ids = [o.pk for o in onboardings]
        huerde.onboardings.set(ids)
        aenderungen = {
            f: [None, w] for f, w in _huerde_werte(huerde).items() if w not in (None, "")
        }
        aenderungen["onboardings"] = [None, ids]
        aenderungen["version"] = [None, huerde.version]
        ereignis_schreiben(
            user=user,
            quelle=quelle,
            aktion=Aktion.ANGELEGT,
            objekt=huerde,
            aenderungen=aenderungen,
            beschreibung=f"Hürde erfasst: „{huerde.titel}“ ({len(ids)} Onboarding(s))",
            zeitpunkt=zeitpunkt,
        )
        blockiert_abgleichen(
            onboarding_ids=ids,
            user=user,
            quelle=quelle,
            zeitpunkt=zeitpunkt,
            anlass=f"Hürde „{huerde.titel}“",
        )
        return huerde


def _holen(huerde_id: int, user: Any, version: int) -> Huerde:
    try:
        huerde = Huerde.objects.get(pk=huerde_id)
    except Huerde.DoesNotExist as exc:
        raise Ungueltig(f"Es gibt keine Hürde mit der Nummer {huerde_id}.") from exc
    if not permissions.darf_huerde_bearbeiten(user, huerde):
        raise PermissionDenied("Sie dürfen diese Hürde nicht bearbeiten.")
    if huerde.version != version:
        raise Konflikt(aktuell=huerde, ereignisse=ereignisse_seit(objekt=huerde, version=version))
    return huerde


def _schreiben(
    huerde: Huerde,
    version: int,
    felder: dict[str, Any],
    *,
    user: Any,
    quelle: str,
    zeitpunkt: dt.datetime,
    beschreibung: str,
    links_vorher: list[int],
    links_nachher: list[int],
) -> Huerde:
    aenderungen = aenderungen_ermitteln({f: getattr(huerde, f) for f in felder}, felder)
    if links_vorher != links_nachher:
        aenderungen["onboardings"] = [links_vorher, links_nachher]
    if not aenderungen:
        return huerde
    geaendert = Huerde.objects.filter(pk=huerde.pk, version=version).update(
        **{f: felder[f] for f in aenderungen if f != "onboardings"}, version=F("version") + 1
    )
    if geaendert == 0:
        huerde.refresh_from_db()
        raise Konflikt(aktuell=huerde, ereignisse=ereignisse_seit(objekt=huerde, version=version))
    if links_vorher != links_nachher:
        huerde.onboardings.set(links_nachher)
    aenderungen["version"] = [version, version + 1]
    ereignis_schreiben(
        user=user,
        quelle=quelle,
        aktion=Aktion.GEAENDERT,
        objekt=huerde,
        aenderungen=aenderungen,
        beschreibung=beschreibung,
        zeitpunkt=zeitpunkt,
    )
    huerde.refresh_from_db()
    blockiert_abgleichen(
        onboarding_ids=sorted(set(links_vorher) | set(links_nachher)),
        user=user,
        quelle=quelle,
        zeitpunkt=zeitpunkt,
        anlass=f"Hürde „{huerde.titel}“",
    )
    return huerde


def huerde_aktualisieren(
    *,
    huerde_id: int,
    user: Any,
    version: int,
    daten: dict[str, Any],
    quelle: str,
    zeitpunkt: dt.datetime | None = None,
) -> Huerde:
    """Change a hurdle's fields (stand only offen / in_bearbeitung; a resolved hurdle set
    back to one of them is open again). ``daten["onboarding_ids"]`` replaces the links."""
    zeitpunkt = jetzt(zeitpunkt)
    daten = dict(daten)
    with transaction.atomic():
        huerde = _holen(huerde_id, user, version)
        links_vorher = sorted(huerde.onboardings.values_list("pk", flat=True))
        links_nachher = links_vorher
        if "onboarding_ids" in daten:
            links_nachher = [o.pk for o in _onboardings_pruefen(user, daten.pop("onboarding_ids"))]
            links_nachher = sorted(links_nachher)
        felder = _daten_lesen(daten, heute=tag_von(zeitpunkt), neu=False)
        if felder.get("stand") and huerde.stand == Huerde.Stand.GELOEST:
            felder["geloest_am"] = None
        return _schreiben(
            huerde,
            version,
            felder,
            user=user,
            quelle=quelle,
            zeitpunkt=zeitpunkt,
            beschreibung=f"Hürde geändert: „{felder.get('titel', huerde.titel)}“",
            links_vorher=links_vorher,
            links_nachher=links_nachher,
        )


def huerde_loesen(
    *,
    huerde_id: int,
    user: Any,
    version: int,
    loesung: str,
    datum: dt.date,
    quelle: str,
    zeitpunkt: dt.datetime | None = None,
) -> Huerde:
    """Resolve a hurdle: every linked record without another open blocking hurdle is
    unblocked, atomically with the resolution."""
    zeitpunkt = jetzt(zeitpunkt)
    heute = tag_von(zeitpunkt)
    with transaction.atomic():
        huerde = _holen(huerde_id, user, version)
        if huerde.stand == Huerde.Stand.GELOEST:
            raise Ungueltig(f"Die Hürde ist bereits seit {_d(huerde.geloest_am)} gelöst.")
        loesung = (loesung or "").strip()
        if not loesung:
            raise Ungueltig("Zum Lösen einer Hürde ist ein Lösungsvermerk nötig.")
        tag = _datum(datum, "Gelöst am")
        if tag is None:
            raise Ungueltig("Zum Lösen einer Hürde ist das Datum der Lösung nötig.")
        if tag > heute:
            raise Ungueltig(f"Gelöst am {_d(tag)} liegt in der Zukunft.")
        if tag < huerde.erfasst_am:
            raise Ungueltig(
                f"Gelöst am {_d(tag)} liegt vor dem Erfassungsdatum {_d(huerde.erfasst_am)}."
            )
        links = sorted(huerde.onboardings.values_list("pk", flat=True))
        return _schreiben(
            huerde,
            version,
            {"stand": Huerde.Stand.GELOEST, "geloest_am": tag, "loesung": loesung},
            user=user,
            quelle=quelle,
            zeitpunkt=zeitpunkt,
            beschreibung=f"Hürde gelöst: „{huerde.titel}“ – {loesung}"[:300],
            links_vorher=links,
            links_nachher=links,
        )


def _d(tag: dt.date | None) -> str:
    return datum(tag)
