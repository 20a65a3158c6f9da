"""Editing one onboarding record: fields and status, go-live, checklist items, teams.

Every write checks the caller's scope (``PermissionDenied``), the version the caller loaded
(``Konflikt``, decided by ONE conditional ``UPDATE … WHERE id = %s AND version = %s``), and
the domain rules (``Ungueltig``, naming what is missing); then it writes one audit event
per changed object, all in one transaction.

Status rules (domain.md §5): the manual statuses run unbekannt → in_klaerung → geplant →
phase_1 → phase_2 → phase_3 → live → betriebsfaehig. Moving forward into a status needs the
required items of the phases before it done or waived (``VORAUSSETZUNGEN``: phase_1 needs
phase 0, phase_2 phases 0–1, phase_3 and live phases 0–2, betriebsfaehig phases 0–3 and the
status live). Records flagged ``baseline`` (live before the programme) skip the checklist
requirement. Moving backwards is allowed. ``nicht_zustaendig`` is set only by
``onboardings_abgleichen``; ``blockiert`` only by the hurdle services.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
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
from onboarding.models import Checklistenpunkt, Onboarding, Status, Team
from onboarding.services._basis import (
    STATUS_RANG,
    VORAUSSETZUNGEN,
    Konflikt,
    Ungueltig,
    datum,
    ereignisse_seit,
    fehlende_pflichtpunkte,
    fehlende_text,
    jetzt,
    naechster_status,
    onboarding_werte,
    tag_von,
)

BEARBEITBARE_FELDER = (
    "status",
    "team",
    "welle",
    "baseline",
    "geplant_phase_1",
    "geplant_phase_2",
    "geplant_golive",
    "ist_phase_1",
    "ist_phase_2",
    "ist_golive",
)
DATUMSFELDER = (
    "geplant_phase_1",
    "geplant_phase_2",
    "geplant_golive",
    "ist_phase_1",
    "ist_phase_2",
    "ist_golive",
)
IST_FELDER = ("ist_phase_1", "ist_phase_2", "ist_golive")
_RELATED = ("behoerde", "leistung", "zusage__land", "team", "vorlage", "golive_bestaetigt_von")


def _label(feld: str) -> str:
    return str(getattr(Onboarding._meta.get_field(feld), "verbose_name", feld))


_STATUS_LABEL = dict(Status.choices)


def _status_label(status: str) -> str:
    return str(_STATUS_LABEL.get(status, status))


def datum_lesen(wert: Any, feld: str) -> dt.date | None:
    """A date from a date, ``None``/"" or an ISO string ("2026-07-01")."""
    if wert in (None, ""):
        return None
    if isinstance(wert, dt.datetime):
        raise Ungueltig(f"„{_label(feld)}“: ein Datum ohne Uhrzeit erwartet.")
    if isinstance(wert, dt.date):
        return wert
    try:
        return dt.date.fromisoformat(str(wert).strip())
    except ValueError as exc:
        raise Ungueltig(
            f"„{_label(feld)}“: {wert!r} ist kein gültiges Datum (erwartet JJJJ-MM-TT)."
        ) from exc


def _team_lesen(wert: Any) -> Team | None:
    if wert in (None, ""):
        return None
    if isinstance(wert, Team):
        return wert
    try:
        return Team.objects.get(pk=int(wert))
    except (ValueError, TypeError, Team.DoesNotExist) as exc:
        raise Ungueltig(f"Unbekanntes Roll-in-Team {wert!r}.") from exc


def _bool_lesen(wert: Any, feld: str) -> bool:
    if isinstance(wert, bool):
        return wert
    text = str(wert).strip().lower()
    if text in ("1", "true", "ja", "wahr", "x"):
        return True
    if text in ("0", "false", "nein", "falsch", ""):
        return False
    raise Ungueltig(f"„{_label(feld)}“: {wert!r} ist weder ja noch nein.")


def daten_lesen(daten: dict[str, Any]) -> dict[str, Any]:
    """The editable fields of ``daten`` as model values (``Ungueltig`` naming the problem)."""
    unbekannt = sorted(set(daten) - set(BEARBEITBARE_FELDER))
    if unbekannt:
        raise Ungueltig(f"Diese Felder können nicht geändert werden: {', '.join(unbekannt)}.")
    neu: dict[str, Any] = {}
    for feld, wert in daten.items():
        if feld in DATUMSFELDER:
            neu[feld] = datum_lesen(wert, feld)
        elif feld == "team":
            neu[feld] = _team_lesen(wert)
        elif feld == "baseline":
            neu[feld] = _bool_lesen(wert, feld)
        elif feld == "welle":
            neu[feld] = str(wert or "").strip()
            if len(neu[feld]) > 40:
                raise Ungueltig("Die Welle darf höchstens 40 Zeichen lang sein.")
        elif feld == "status":
            if wert == Status.NICHT_ZUSTAENDIG:
                raise Ungueltig(
                    "Der Status „nicht zuständig“ wird nur vom System gesetzt, wenn die "
                    "Behörde laut Zuständigkeit nicht mehr zuständig ist."
                )
            if wert not in STATUS_RANG:
                raise Ungueltig(f"Unbekannter Status {wert!r}.")
            neu[feld] = str(wert)
    return neu


def _laden(onboarding_id: int) -> Onboarding:
    try:
        return Onboarding.objects.select_related(*_RELATED).get(pk=onboarding_id)
    except Onboarding.DoesNotExist as exc:
        raise Ungueltig(f"Es gibt kein Onboarding mit der Nummer {onboarding_id}.") from exc


def _konflikt(onboarding_id: int, version: int) -> Konflikt:
    aktuell = _laden(onboarding_id)
    return Konflikt(aktuell=aktuell, ereignisse=ereignisse_seit(objekt=aktuell, version=version))


def _nicht_geschlossen(onboarding: Onboarding) -> None:
    if onboarding.geschlossen_am is not None:
        raise Ungueltig(
            f"Das Onboarding ist seit {datum(onboarding.geschlossen_am)} geschlossen "
            f"({onboarding.geschlossen_grund}) und kann nicht mehr geändert werden."
        )


def status_pruefen(
    onboarding: Onboarding, neuer_status: str, *, baseline: bool, punkte: list[Checklistenpunkt]
) -> None:
    """Raise ``Ungueltig`` if the record may not move to ``neuer_status``."""
    alt = onboarding.status
    if neuer_status == alt:
        return
    if STATUS_RANG.get(neuer_status, -1) < STATUS_RANG.get(alt, -1):
        return  # backwards is allowed (and audited)
    if neuer_status == Status.BETRIEBSFAEHIG and alt != Status.LIVE:
        raise Ungueltig(
            f"„betriebsfähig“ kann nur auf „live“ folgen (aktuell: {_status_label(alt)})."
        )
    if baseline:
        return
    fehlende = fehlende_pflichtpunkte(punkte, VORAUSSETZUNGEN.get(neuer_status, ()))
    if fehlende:
        raise Ungueltig(
            f"Status „{_status_label(neuer_status)}“ ist noch nicht möglich: "
            f"{len(fehlende)} Pflichtpunkt(e) sind weder erledigt noch verzichtet: "
            f"{fehlende_text(fehlende)}."
        )


class Rechte:
    """The scope questions the edit services ask (``onboarding.permissions``), for one user.
    The batch path (``services.stapel``) uses :class:`GemerkteRechte` instead."""

    def __init__(self, user: Any) -> None:
        self.user = user

    def sehen(self, onboarding: Onboarding) -> bool:
        return permissions.darf_onboarding_sehen(self.user, onboarding)

    def bearbeiten(self, onboarding: Onboarding) -> bool:
        return permissions.darf_onboarding_bearbeiten(self.user, onboarding)

    def team_zuweisen(self, onboarding: Onboarding) -> bool:
        return permissions.darf_team_zuweisen(self.user, onboarding)


class GemerkteRechte(Rechte):
    """The same answers, asked once per (Land, team): the rights of a record depend on the
    Land of its commitment and (for roll-in teams) its team only."""

    def __init__(self, user: Any) -> None:
        super().__init__(user)
        self._antworten: dict[tuple[str, int, int | None], bool] = {}

    def _gemerkt(self, frage: Callable[[Onboarding], bool], onboarding: Onboarding) -> bool:
        schluessel = (frage.__name__, onboarding.zusage.land_id, onboarding.team_id)
        if schluessel not in self._antworten:
            self._antworten[schluessel] = frage(onboarding)
        return self._antworten[schluessel]

    def sehen(self, onboarding: Onboarding) -> bool:
        return self._gemerkt(super().sehen, onboarding)

    def bearbeiten(self, onboarding: Onboarding) -> bool:
        return self._gemerkt(super().bearbeiten, onboarding)

    def team_zuweisen(self, onboarding: Onboarding) -> bool:
        return self._gemerkt(super().team_zuweisen, onboarding)


def felder_rechte_pruefen(*, rechte: Rechte, onboarding: Onboarding, neu: dict[str, Any]) -> None:
    """Scope of a field change (read by :func:`daten_lesen`): assigning a team is its own
    right; every other change needs edit rights. Raises ``PermissionDenied``/``Ungueltig``."""
    team_neu = "team" in neu and (neu["team"].pk if neu["team"] else None) != onboarding.team_id
    sonst = {f for f, w in neu.items() if f != "team" and w != getattr(onboarding, f)}
    if not rechte.sehen(onboarding):
        raise PermissionDenied("Dieses Onboarding liegt außerhalb Ihres Bereichs.")
    if team_neu and not rechte.team_zuweisen(onboarding):
        raise PermissionDenied("Sie dürfen diesem Onboarding kein Team zuweisen.")
    if (sonst or not team_neu) and not rechte.bearbeiten(onboarding):
        raise PermissionDenied("Sie dürfen dieses Onboarding nicht bearbeiten.")
    if team_neu:
        _team_passt(neu["team"], onboarding)


@dataclass
class Schritt:
    """One validated change of a record or checklist item, not yet written: the new values
    of the changed fields (foreign keys as objects), the audit ``aenderungen`` (with the
    ``version`` entry) and the event text."""

    felder: dict[str, Any]
    aenderungen: dict[str, list[Any]]
    beschreibung: str


def onboarding_schritt(
    *,
    onboarding: Onboarding,
    user: Any,
    version: int,
    neu: dict[str, Any],
    zeitpunkt: dt.datetime,
    punkte: Callable[[], list[Checklistenpunkt]],
    beschreibung: str = "",
) -> Schritt | None:
    """Validate field changes of a record already checked for scope, without writing:
    version, closed record, actual dates not in the future, the status rule
    (:func:`status_pruefen` on the items ``punkte()`` returns), the dates a forward move
    fills in, who confirmed the go-live. ``None`` when nothing changes."""
    if onboarding.version != version:
        raise _konflikt(onboarding.pk, version)
    _nicht_geschlossen(onboarding)
    heute = tag_von(zeitpunkt)
    vorher = onboarding_werte(onboarding)
    nachher = dict(vorher)
    nachher.update(neu)
    for feld in IST_FELDER:
        wert = nachher[feld]
        if feld in neu and wert is not None and wert > heute:
            raise Ungueltig(
                f"„{_label(feld)}“ ({datum(wert)}) liegt in der Zukunft; ein Ist-Datum "
                f"kann höchstens heute ({datum(heute)}) sein."
            )
    alt_status, neuer_status = onboarding.status, nachher["status"]
    if neuer_status != alt_status:
        status_pruefen(onboarding, neuer_status, baseline=nachher["baseline"], punkte=punkte())
        if STATUS_RANG[neuer_status] > STATUS_RANG[alt_status]:
            # Passing a phase records when it ended, unless the caller gave the date.
            for feld, ab in (("ist_phase_1", Status.PHASE_2), ("ist_phase_2", Status.PHASE_3)):
                if (
                    STATUS_RANG[neuer_status] >= STATUS_RANG[ab]
                    and nachher[feld] is None
                    and feld not in neu
                ):
                    nachher[feld] = heute
            if neuer_status in (Status.LIVE, Status.BETRIEBSFAEHIG):
                if nachher["ist_golive"] is None:
                    nachher["ist_golive"] = heute
                if onboarding.golive_bestaetigt_von_id is None or neuer_status == Status.LIVE:
                    nachher["golive_bestaetigt_von"] = user
                    nachher["golive_bestaetigt_am"] = zeitpunkt
    aenderungen = aenderungen_ermitteln(vorher, nachher)
    if not aenderungen:
        return None
    felder = {f: nachher[f] for f in aenderungen}
    aenderungen["version"] = [version, version + 1]
    if not beschreibung:
        if "status" in aenderungen:
            beschreibung = f"Status: {_status_label(alt_status)} → {_status_label(neuer_status)}"
            if neuer_status in (Status.LIVE, Status.BETRIEBSFAEHIG):
                beschreibung += f" (bestätigt von {user})"
        else:
            beschreibung = "Geändert: " + ", ".join(
                _label(f) for f in aenderungen if f != "version"
            )
    return Schritt(felder=felder, aenderungen=aenderungen, beschreibung=beschreibung)


def weiterschalten_text(status: str, ziel: str) -> str:
    """The event text of an automatic phase advance."""
    return (
        f"Phase {int(status[-1])} abgeschlossen (alle Pflichtpunkte erledigt oder verzichtet): "
        f"Status automatisch {_status_label(status)} → {_status_label(ziel)}"
    )


def _onboarding_schreiben(
    *,
    onboarding: Onboarding,
    user: Any,
    version: int,
    neu: dict[str, Any],
    quelle: str,
    zeitpunkt: dt.datetime,
    beschreibung: str = "",
) -> Onboarding:
    """Validate and apply field changes to a record already checked for scope."""
    schritt = onboarding_schritt(
        onboarding=onboarding,
        user=user,
        version=version,
        neu=neu,
        zeitpunkt=zeitpunkt,
        punkte=lambda: list(onboarding.punkte.all()),
        beschreibung=beschreibung,
    )
    if schritt is None:
        return onboarding
    geaendert = Onboarding.objects.filter(pk=onboarding.pk, version=version).update(
        **schritt.felder, version=F("version") + 1, geaendert_am=timezone.now()
    )
    if geaendert == 0:
        raise _konflikt(onboarding.pk, version)
    ereignis_schreiben(
        user=user,
        quelle=quelle,
        aktion=Aktion.GEAENDERT,
        objekt=onboarding,
        aenderungen=schritt.aenderungen,
        onboarding_id=onboarding.pk,
        beschreibung=schritt.beschreibung,
        zeitpunkt=zeitpunkt,
    )
    if "status" in schritt.aenderungen:
        abdeckung_vormerken()  # coverage recomputation after commit (abdeckung.tasks)
    return _laden(onboarding.pk)


def onboarding_aktualisieren(
    *,
    onboarding_id: int,
    user: Any,
    version: int,
    daten: dict[str, Any],
    quelle: str,
    zeitpunkt: dt.datetime | None = None,
) -> Onboarding:
    """Change status, team, wave, baseline flag, planned and actual dates of a record.

    Unchanged values write nothing (no event, no new version)."""
    zeitpunkt = jetzt(zeitpunkt)
    with transaction.atomic():
        onboarding = _laden(onboarding_id)
        neu = daten_lesen(daten)
        felder_rechte_pruefen(rechte=Rechte(user), onboarding=onboarding, neu=neu)
        return _onboarding_schreiben(
            onboarding=onboarding,
            user=user,
            version=version,
            neu=neu,
            quelle=quelle,
            zeitpunkt=zeitpunkt,
        )


def golive_bestaetigen(
    *,
    onboarding_id: int,
    user: Any,
    version: int,
    datum: dt.date,
    quelle: str,
    zeitpunkt: dt.datetime | None = None,
) -> Onboarding:
    """Confirm the go-live on ``datum``: status live, who confirmed and when. Needs the
    required items of phases 0–2 done or waived (the message lists the missing ones)."""
    zeitpunkt = jetzt(zeitpunkt)
    with transaction.atomic():
        onboarding = _laden(onboarding_id)
        if not permissions.darf_onboarding_bearbeiten(user, onboarding):
            raise PermissionDenied("Sie dürfen dieses Onboarding nicht bearbeiten.")
        if onboarding.version != version:
            raise _konflikt(onboarding.pk, version)
        if onboarding.status in (Status.LIVE, Status.BETRIEBSFAEHIG):
            raise Ungueltig(
                f"Der Go-live ist bereits bestätigt (live seit "
                f"{_datum_text(onboarding.ist_golive)})."
            )
        if datum is None:
            raise Ungueltig("Für die Go-live-Bestätigung ist ein Datum nötig.")
        return _onboarding_schreiben(
            onboarding=onboarding,
            user=user,
            version=version,
            neu={"status": Status.LIVE, "ist_golive": datum_lesen(datum, "ist_golive")},
            quelle=quelle,
            zeitpunkt=zeitpunkt,
            beschreibung=f"Go-live am {_datum_text(datum_lesen(datum, 'ist_golive'))} "
            f"bestätigt von {user}",
        )


def _datum_text(tag: dt.date | None) -> str:
    return datum(tag)


def _erledigt_am(wert: Any, punkt: Checklistenpunkt) -> dt.date:
    if isinstance(wert, dt.date) and not isinstance(wert, dt.datetime):
        return wert
    try:
        return dt.date.fromisoformat(str(wert).strip())
    except ValueError as exc:
        raise Ungueltig(
            f"„{punkt.text}“: {wert!r} ist kein gültiges Erledigt-Datum (erwartet JJJJ-MM-TT)."
        ) from exc


def _team_passt(team: Team | None, onboarding: Onboarding) -> None:
    if team is not None and team.land_id and team.land_id != onboarding.zusage.land_id:
        raise Ungueltig(
            f"Das Team „{team}“ arbeitet in {team.land}, die Behörde {onboarding.behoerde} "
            f"liegt in {onboarding.zusage.land}."
        )


# --- checklist -----------------------------------------------------------------------------


def _weiterschalten(
    onboarding: Onboarding, user: Any, quelle: str, zeitpunkt: dt.datetime
) -> Onboarding:
    """Advance phase_1 → phase_2 → phase_3 while the current phase is complete (never to
    live). Each step is its own audited change by the same user."""
    while ziel := naechster_status(onboarding.status, list(onboarding.punkte.all())):
        onboarding = _onboarding_schreiben(
            onboarding=onboarding,
            user=user,
            version=onboarding.version,
            neu={"status": ziel},
            quelle=quelle,
            zeitpunkt=zeitpunkt,
            beschreibung=weiterschalten_text(onboarding.status, ziel),
        )
    return onboarding


def geaendert_von(user: Any) -> Any:
    """Who is recorded on a changed checklist item."""
    return user if user and user.is_authenticated else None


def punkt_schritt(
    *,
    punkt: Checklistenpunkt,
    onboarding: Onboarding,
    rechte: Rechte,
    version: int,
    stand: str,
    verzicht_grund: str,
    erledigt_am: Any,
    heute: dt.date,
) -> Schritt | None:
    """Validate a change of a checklist item (fresh from the database, its record locked),
    without writing: scope, version, closed record, the stand, a waive needs a reason, the
    done date not in the future. ``None`` when nothing changes."""
    if not rechte.bearbeiten(onboarding):
        raise PermissionDenied("Sie dürfen dieses Onboarding nicht bearbeiten.")
    if punkt.version != version:
        punkt.refresh_from_db()
        raise Konflikt(aktuell=punkt, ereignisse=ereignisse_seit(objekt=punkt, version=version))
    _nicht_geschlossen(onboarding)
    if stand not in Checklistenpunkt.Stand.values:
        raise Ungueltig(f"Unbekannter Stand {stand!r} (erlaubt: offen, erledigt, verzichtet).")
    grund = (verzicht_grund or "").strip()
    neu: dict[str, Any] = {"stand": stand}
    tag: dt.date | None
    if stand == Checklistenpunkt.Stand.VERZICHTET:
        if not grund:
            raise Ungueltig(f"Für den Verzicht auf „{punkt.text}“ ist ein Grund nötig.")
        if len(grund) > 300:
            raise Ungueltig("Der Verzichtsgrund darf höchstens 300 Zeichen lang sein.")
        neu.update(verzicht_grund=grund, erledigt_am=None)
    elif stand == Checklistenpunkt.Stand.ERLEDIGT:
        tag = _erledigt_am(erledigt_am, punkt) if erledigt_am else heute
        if tag is not None and tag > heute:
            raise Ungueltig(
                f"„{punkt.text}“: das Erledigt-Datum {datum(tag)} liegt in der Zukunft."
            )
        if punkt.stand == Checklistenpunkt.Stand.ERLEDIGT and erledigt_am is None:
            tag = punkt.erledigt_am  # ticking again keeps the date
        neu.update(verzicht_grund="", erledigt_am=tag)
    else:
        neu.update(verzicht_grund="", erledigt_am=None)
    vorher = {f: getattr(punkt, f) for f in neu}
    aenderungen = aenderungen_ermitteln(vorher, neu)
    if not aenderungen:
        return None
    aenderungen["version"] = [version, version + 1]
    text = {"erledigt": "erledigt", "offen": "wieder offen", "verzichtet": "verzichtet"}[stand]
    beschreibung = f"Phase {punkt.phase}: „{punkt.text}“ {text}"
    if stand == Checklistenpunkt.Stand.VERZICHTET:
        beschreibung += f" ({grund})"
    return Schritt(felder=neu, aenderungen=aenderungen, beschreibung=beschreibung)


def checklistenpunkt_setzen(
    *,
    punkt_id: int,
    user: Any,
    version: int,
    stand: str,
    verzicht_grund: str = "",
    erledigt_am: dt.date | None = None,
    quelle: str,
    zeitpunkt: dt.datetime | None = None,
) -> Checklistenpunkt:
    """Mark a checklist item done, open again, or waived (with a reason). When the current
    phase's required items are then complete, the status advances automatically (phase_1 →
    phase_2 → phase_3, never to live)."""
    zeitpunkt = jetzt(zeitpunkt)
    with transaction.atomic():
        try:
            punkt = Checklistenpunkt.objects.get(pk=punkt_id)
        except Checklistenpunkt.DoesNotExist as exc:
            raise Ungueltig(f"Es gibt keinen Checklistenpunkt mit der Nummer {punkt_id}.") from exc
        # Serialise checklist changes of one record, so the phase completion is seen once.
        list(Onboarding.objects.select_for_update().filter(pk=punkt.onboarding_id).values("pk"))
        onboarding = _laden(punkt.onboarding_id)
        punkt.refresh_from_db()
        schritt = punkt_schritt(
            punkt=punkt,
            onboarding=onboarding,
            rechte=Rechte(user),
            version=version,
            stand=stand,
            verzicht_grund=verzicht_grund,
            erledigt_am=erledigt_am,
            heute=tag_von(zeitpunkt),
        )
        if schritt is None:
            return punkt
        geaendert = Checklistenpunkt.objects.filter(pk=punkt.pk, version=version).update(
            **schritt.felder, geaendert_von=geaendert_von(user), version=F("version") + 1
        )
        if geaendert == 0:
            punkt.refresh_from_db()
            raise Konflikt(aktuell=punkt, ereignisse=ereignisse_seit(objekt=punkt, version=version))
        ereignis_schreiben(
            user=user,
            quelle=quelle,
            aktion=Aktion.GEAENDERT,
            objekt=punkt,
            aenderungen=schritt.aenderungen,
            onboarding_id=onboarding.pk,
            beschreibung=schritt.beschreibung,
            zeitpunkt=zeitpunkt,
        )
        _weiterschalten(onboarding, user, quelle, zeitpunkt)
        punkt.refresh_from_db()
        return punkt


# --- teams ---------------------------------------------------------------------------------


def team_zuweisen(
    *,
    onboarding_ids: list[int],
    team: Team | int | None,
    user: Any,
    quelle: str,
    zeitpunkt: dt.datetime | None = None,
) -> int:
    """Assign (or with ``None`` remove) a roll-in team for many records; returns how many
    changed. All or nothing: one record out of scope refuses the whole assignment."""
    zeitpunkt = jetzt(zeitpunkt)
    team_obj = _team_lesen(team)
    with transaction.atomic():
        ids = sorted(set(onboarding_ids))
        onboardings = list(
            Onboarding.objects.select_for_update(of=("self",))
            .select_related("behoerde", "zusage__land", "team")
            .filter(pk__in=ids)
            .order_by("pk")
        )
        fehlen = sorted(set(ids) - {o.pk for o in onboardings})
        if fehlen:
            raise Ungueltig(f"Unbekannte Onboardings: {', '.join(map(str, fehlen))}.")
        verboten = [o for o in onboardings if not permissions.darf_team_zuweisen(user, o)]
        if verboten:
            raise PermissionDenied(
                f"Sie dürfen {len(verboten)} der gewählten Onboardings kein Team zuweisen "
                f"(z. B. {verboten[0]})."
            )
        for o in onboardings:
            _nicht_geschlossen(o)
            _team_passt(team_obj, o)
        zu_aendern = [o for o in onboardings if o.team_id != (team_obj.pk if team_obj else None)]
        if not zu_aendern:
            return 0
        Onboarding.objects.filter(pk__in=[o.pk for o in zu_aendern]).update(
            team=team_obj, version=F("version") + 1, geaendert_am=timezone.now()
        )
        ereignisse_anlegen(
            ereignisse=[
                ereignis_bauen(
                    user=user,
                    quelle=quelle,
                    aktion=Aktion.GEAENDERT,
                    objekt=o,
                    aenderungen={
                        "team": [o.team, team_obj],
                        "version": [o.version, o.version + 1],
                    },
                    onboarding_id=o.pk,
                    beschreibung=f"Team: {o.team or '–'} → {team_obj or '–'}",
                    zeitpunkt=zeitpunkt,
                )
                for o in zu_aendern
            ]
        )
        return len(zu_aendern)
