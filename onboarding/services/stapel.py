"""Applying many record changes at once (the bulk import): the same rules, version checks
and audit events as the per-record services, in a few queries.

Every rule is the per-record services' own function (``services.bearbeiten``):
``daten_lesen`` (values), ``felder_rechte_pruefen`` and ``Rechte`` (scope, asked once per
Land and team here), ``punkt_schritt`` (checklist item: scope, version, closed record, stand,
waive needs a reason, dates), ``onboarding_schritt`` (version, closed record, actual dates,
``status_pruefen``, dates filled in on a forward move, go-live confirmation) and
``naechster_status`` (automatic phase advance). A change runs exactly as
``checklistenpunkt_setzen`` for each item (each followed by the automatic advance) and then
``onboarding_aktualisieren`` for the fields would run it, on the records in memory; so it
writes the same audit events (one per item change, one per record step, each with its
``version`` entry).

Queries: the records (locked ``FOR UPDATE`` in id order, as ``checklistenpunkt_setzen`` locks
one, so no item changes underneath), their checklist items and the named teams are loaded in
a few statements; the records and items are then written with one conditional UPDATE per
record or item (on PostgreSQL batched: ``UPDATE … FROM (VALUES …) WHERE id = … AND
version = …``, a row that no longer matches is a conflict for its change) and the events with
one ``bulk_create``.

A change that the rules refuse (or that conflicts) is reported in
:attr:`StapelErgebnis.fehler` by its position and leaves no trace. Without
``nur_fehlerfreie`` one refused change means nothing at all is written.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, models, transaction
from django.utils import timezone

from abdeckung.tasks import abdeckung_vormerken
from audit.models import Aktion, Ereignis, Quelle
from audit.services import ereignis_bauen, ereignisse_anlegen
from onboarding.models import Checklistenpunkt, Onboarding, Team
from onboarding.services._basis import (
    Konflikt,
    Ungueltig,
    ereignisse_seit,
    jetzt,
    naechster_status,
    tag_von,
)
from onboarding.services.bearbeiten import (
    GemerkteRechte,
    Schritt,
    daten_lesen,
    felder_rechte_pruefen,
    geaendert_von,
    onboarding_schritt,
    punkt_schritt,
    weiterschalten_text,
)
from onboarding.services.bearbeiten._gemeinsam import ONBOARDING_RELATED, onboarding_konflikt

_LADEN = 2000  # ids per loading query
_SCHREIBEN = 1000  # rows per batched UPDATE
_PUNKT_FELDER = ("stand", "verzicht_grund", "erledigt_am", "geaendert_von")


@dataclass(frozen=True)
class PunktAenderung:
    """Set one checklist item (as ``checklistenpunkt_setzen``); ``version`` is the item
    version the caller saw (``None``: the current one)."""

    punkt_id: int
    stand: str
    verzicht_grund: str = ""
    erledigt_am: dt.date | None = None
    version: int | None = None


@dataclass(frozen=True)
class StapelAenderung:
    """The changes of one record: first its checklist items (in this order, each followed
    by the automatic phase advance), then the fields ``daten`` (as
    ``onboarding_aktualisieren``; ``team`` may be a ``Team``, its id or ``None``).
    ``version`` is the record version the caller saw (``None``: the current one)."""

    onboarding_id: int
    version: int | None = None
    daten: Mapping[str, Any] = field(default_factory=dict)
    punkte: Sequence[PunktAenderung] = ()


@dataclass
class StapelErgebnis:
    """Positions (indexes into the list of changes) that were written, that changed
    nothing, and that were refused (with the exception: ``Ungueltig``, ``Konflikt``,
    ``PermissionDenied``); the audit events written, in order."""

    geaendert: list[int] = field(default_factory=list)
    unveraendert: list[int] = field(default_factory=list)
    fehler: dict[int, Exception] = field(default_factory=dict)
    ereignisse: list[Ereignis] = field(default_factory=list)
    angewendet: bool = False

    @property
    def fehlerfrei(self) -> bool:
        return not self.fehler


@dataclass
class _Zeile:
    """One change worked out in memory: the record in its final state, the fields that
    changed, the items changed (final state) and the events, in the order the per-record
    services would write them."""

    position: int
    onboarding: Onboarding
    start_version: int
    felder: set[str] = field(default_factory=set)
    punkte: dict[int, Checklistenpunkt] = field(default_factory=dict)
    punkt_start_version: dict[int, int] = field(default_factory=dict)
    ereignisse: list[Ereignis] = field(default_factory=list)


class _Zurueckrollen(Exception):
    """Leaves the write savepoint so nothing of it stays."""


def _stuecke(werte: Sequence[Any], groesse: int) -> Iterator[Sequence[Any]]:
    for i in range(0, len(werte), groesse):
        yield werte[i : i + groesse]


def onboardings_stapel_anwenden(
    *,
    aenderungen: list[StapelAenderung],
    user: Any,
    quelle: str,
    zeitpunkt: dt.datetime | None = None,
    nur_fehlerfreie: bool = False,
) -> StapelErgebnis:
    """Apply many changes of onboarding records in one transaction, with exactly the rules,
    version checks and audit events of ``checklistenpunkt_setzen`` and
    ``onboarding_aktualisieren``. Each record may appear once. Without ``nur_fehlerfreie``
    nothing is written when any change is refused; with it, the refused ones are skipped
    and leave no trace."""
    zeitpunkt = jetzt(zeitpunkt)
    if quelle not in Quelle.values:
        raise ValueError(f"Unbekannte Quelle {quelle!r}.")
    ergebnis = StapelErgebnis()
    with transaction.atomic():
        onboardings = _onboardings_laden({a.onboarding_id for a in aenderungen})
        punkte = _punkte_laden(
            {a.onboarding_id for a in aenderungen if a.punkte or "status" in a.daten},
            {pa.punkt_id for a in aenderungen for pa in a.punkte},
        )
        teams = _teams_laden(aenderungen)
        rechte = GemerkteRechte(user)
        heute = tag_von(zeitpunkt)
        gesehen: set[int] = set()
        zeilen: list[_Zeile] = []
        for position, aenderung in enumerate(aenderungen):
            try:
                if aenderung.onboarding_id in gesehen:
                    raise Ungueltig(
                        f"Das Onboarding {aenderung.onboarding_id} kommt mehrfach vor; "
                        "jedes Onboarding darf nur einmal geändert werden."
                    )
                gesehen.add(aenderung.onboarding_id)
                zeile = _planen(
                    position=position,
                    aenderung=aenderung,
                    onboardings=onboardings,
                    punkte=punkte,
                    teams=teams,
                    rechte=rechte,
                    user=user,
                    quelle=quelle,
                    zeitpunkt=zeitpunkt,
                    heute=heute,
                )
            except (Ungueltig, ValidationError, Konflikt, PermissionDenied) as exc:
                ergebnis.fehler[position] = exc
                continue
            if zeile.ereignisse:
                zeilen.append(zeile)
            else:
                ergebnis.unveraendert.append(position)
        if ergebnis.fehler and not nur_fehlerfreie:
            return ergebnis
        while True:
            konflikte: list[_Zeile] = []
            try:
                with transaction.atomic():
                    konflikte = _schreiben(zeilen)
                    if konflikte:
                        raise _Zurueckrollen
            except _Zurueckrollen:
                for zeile in konflikte:
                    ergebnis.fehler[zeile.position] = _konflikt_von(zeile)
                if not nur_fehlerfreie:
                    return ergebnis
                weg = {z.position for z in konflikte}
                zeilen = [z for z in zeilen if z.position not in weg]
                continue
            break
        ergebnis.angewendet = True
        ergebnis.geaendert = [z.position for z in zeilen]
        ergebnis.ereignisse = [e for z in zeilen for e in z.ereignisse]
        if any("status" in z.felder for z in zeilen):
            abdeckung_vormerken()  # coverage recomputation after commit (abdeckung.tasks)
    return ergebnis


# --- Loading ---------------------------------------------------------------------------


def _onboardings_laden(ids: set[int]) -> dict[int, Onboarding]:
    """The records, locked in id order (as ``checklistenpunkt_setzen`` locks one)."""
    ergebnis: dict[int, Onboarding] = {}
    for stueck in _stuecke(sorted(ids), _LADEN):
        for o in (
            Onboarding.objects.select_for_update(of=("self",))
            # zusage__leistung and vorlage__leistung: their names go into audit values.
            .select_related(*ONBOARDING_RELATED, "zusage__leistung", "vorlage__leistung")
            .filter(pk__in=stueck)
            .order_by("pk")
        ):
            ergebnis[o.pk] = o
    return ergebnis


@dataclass(slots=True)
class _PunktStand:
    """A checklist item as the status rules read it (phase, required, stand, text); the
    items a change names are loaded as full model objects instead."""

    pk: int
    phase: int
    pflicht: bool
    stand: str
    text: str


def _punkte_laden(ids: set[int], genannt: set[int]) -> dict[int, list[Any]]:
    """All checklist items of the records, in the order ``onboarding.punkte.all()`` has:
    the named ones (``genannt``) as model objects, the others as :class:`_PunktStand`."""
    objekte: dict[int, Checklistenpunkt] = {}
    for stueck in _stuecke(sorted(genannt), _LADEN):
        objekte.update((p.pk, p) for p in Checklistenpunkt.objects.filter(pk__in=stueck))
    ergebnis: dict[int, list[Any]] = defaultdict(list)
    for stueck in _stuecke(sorted(ids), _LADEN):
        for pk, oid, phase, pflicht, stand, text in Checklistenpunkt.objects.filter(
            onboarding_id__in=stueck
        ).values_list("pk", "onboarding_id", "phase", "pflicht", "stand", "text"):
            ergebnis[oid].append(objekte.get(pk) or _PunktStand(pk, phase, pflicht, stand, text))
    return ergebnis


def _teams_laden(aenderungen: Iterable[StapelAenderung]) -> dict[int, Team]:
    ids = set()
    for a in aenderungen:
        wert = a.daten.get("team")
        if isinstance(wert, int) and not isinstance(wert, bool):
            ids.add(wert)
        elif isinstance(wert, str) and wert.strip().isdigit():
            ids.add(int(wert))
    return Team.objects.in_bulk(ids) if ids else {}


# --- Working out one change in memory ------------------------------------------------------


def _planen(
    *,
    position: int,
    aenderung: StapelAenderung,
    onboardings: dict[int, Onboarding],
    punkte: dict[int, list[Any]],
    teams: dict[int, Team],
    rechte: GemerkteRechte,
    user: Any,
    quelle: str,
    zeitpunkt: dt.datetime,
    heute: dt.date,
) -> _Zeile:
    onboarding = onboardings.get(aenderung.onboarding_id)
    if onboarding is None:
        raise Ungueltig(f"Es gibt kein Onboarding mit der Nummer {aenderung.onboarding_id}.")
    if aenderung.version is not None and aenderung.version != onboarding.version:
        # As the per-record services: the scope is checked before the version.
        if aenderung.punkte and not rechte.bearbeiten(onboarding):
            raise PermissionDenied("Sie dürfen dieses Onboarding nicht bearbeiten.")
        if aenderung.daten:
            neu = daten_lesen(_teams_einsetzen(aenderung.daten, teams))
            felder_rechte_pruefen(rechte=rechte, onboarding=onboarding, neu=neu)
        raise onboarding_konflikt(onboarding.pk, aenderung.version)
    zeile = _Zeile(position=position, onboarding=onboarding, start_version=onboarding.version)
    eigene = punkte.get(onboarding.pk, [])
    nach_id = {p.pk: p for p in eigene if isinstance(p, Checklistenpunkt)}
    bearbeiter = geaendert_von(user)

    def schritt_merken(objekt: models.Model, schritt: Schritt) -> None:
        zeile.ereignisse.append(
            ereignis_bauen(
                user=user,
                quelle=quelle,
                aktion=Aktion.GEAENDERT,
                objekt=objekt,
                aenderungen=schritt.aenderungen,
                onboarding_id=onboarding.pk,
                beschreibung=schritt.beschreibung,
                zeitpunkt=zeitpunkt,
            )
        )

    def onboarding_schritt_anwenden(schritt: Schritt | None) -> None:
        if schritt is None:
            return
        for feld, wert in schritt.felder.items():
            setattr(onboarding, feld, wert)
        onboarding.version += 1
        zeile.felder.update(schritt.felder)
        schritt_merken(onboarding, schritt)

    for pa in aenderung.punkte:
        punkt = nach_id.get(pa.punkt_id)
        if punkt is None:
            raise Ungueltig(
                f"Es gibt keinen Checklistenpunkt mit der Nummer {pa.punkt_id} in diesem "
                "Onboarding."
            )
        schritt = punkt_schritt(
            punkt=punkt,
            onboarding=onboarding,
            rechte=rechte,
            version=punkt.version if pa.version is None else pa.version,
            stand=pa.stand,
            verzicht_grund=pa.verzicht_grund,
            erledigt_am=pa.erledigt_am,
            heute=heute,
        )
        if schritt is None:
            continue
        zeile.punkt_start_version.setdefault(punkt.pk, punkt.version)
        for feld, wert in schritt.felder.items():
            setattr(punkt, feld, wert)
        punkt.geaendert_von = bearbeiter
        punkt.version += 1
        zeile.punkte[punkt.pk] = punkt
        schritt_merken(punkt, schritt)
        # What checklistenpunkt_setzen does after each item: advance a finished phase.
        while ziel := naechster_status(onboarding.status, eigene):
            onboarding_schritt_anwenden(
                onboarding_schritt(
                    onboarding=onboarding,
                    user=user,
                    version=onboarding.version,
                    neu={"status": ziel},
                    zeitpunkt=zeitpunkt,
                    punkte=lambda: eigene,
                    beschreibung=weiterschalten_text(onboarding.status, ziel),
                )
            )
    if aenderung.daten:
        neu = daten_lesen(_teams_einsetzen(aenderung.daten, teams))
        felder_rechte_pruefen(rechte=rechte, onboarding=onboarding, neu=neu)
        onboarding_schritt_anwenden(
            onboarding_schritt(
                onboarding=onboarding,
                user=user,
                version=onboarding.version,
                neu=neu,
                zeitpunkt=zeitpunkt,
                punkte=lambda: eigene,
            )
        )
    return zeile


def _teams_einsetzen(daten: Mapping[str, Any], teams: dict[int, Team]) -> dict[str, Any]:
    """``daten`` with a team id replaced by the team loaded beforehand."""
    daten = dict(daten)
    team = daten.get("team")
    if isinstance(team, str) and team.strip().isdigit():
        team = int(team)
    if isinstance(team, int) and not isinstance(team, bool) and team in teams:
        daten["team"] = teams[team]
    return daten


def _konflikt_von(zeile: _Zeile) -> Konflikt:
    """The conflict of a change whose conditional UPDATE found another version."""
    aktuell = Onboarding.objects.filter(pk=zeile.onboarding.pk).values_list("version", flat=True)
    if zeile.felder and list(aktuell) != [zeile.start_version]:
        return onboarding_konflikt(zeile.onboarding.pk, zeile.start_version)
    for pk, version in zeile.punkt_start_version.items():
        punkt = Checklistenpunkt.objects.get(pk=pk)
        if punkt.version != version:
            return Konflikt(
                aktuell=punkt, ereignisse=ereignisse_seit(objekt=punkt, version=version)
            )
    return onboarding_konflikt(zeile.onboarding.pk, zeile.start_version)


# --- Writing ---------------------------------------------------------------------------


def _schreiben(zeilen: list[_Zeile]) -> list[_Zeile]:
    """Write records, items and events of the changes; return the changes whose
    conditional UPDATE found another version (the caller then rolls back)."""
    jetzt_ = timezone.now()
    gruppen: dict[tuple[str, ...], list[_Zeile]] = defaultdict(list)
    for zeile in zeilen:
        if zeile.felder:
            gruppen[tuple(sorted(zeile.felder))].append(zeile)
    konflikte: set[int] = set()
    for felder, gruppe in gruppen.items():
        geschrieben = _bedingt_aktualisieren(
            Onboarding,
            [(z.onboarding, z.start_version) for z in gruppe],
            felder,
            extra={"geaendert_am": jetzt_},
        )
        konflikte.update(z.position for z in gruppe if z.onboarding.pk not in geschrieben)
    punkte = [(p, z.punkt_start_version[p.pk]) for z in zeilen for p in z.punkte.values()]
    geschrieben = _bedingt_aktualisieren(Checklistenpunkt, punkte, _PUNKT_FELDER)
    konflikte.update(z.position for z in zeilen if any(pk not in geschrieben for pk in z.punkte))
    if konflikte:
        return [z for z in zeilen if z.position in konflikte]
    ereignisse_anlegen(ereignisse=[e for z in zeilen for e in z.ereignisse])
    return []


def _gebuendelt() -> bool:
    """Whether the conditional UPDATEs are batched (``UPDATE … FROM (VALUES …)``)."""
    return connection.vendor == "postgresql"


def _bedingt_aktualisieren(
    model: type[models.Model],
    objekte: list[tuple[Any, int]],
    felder: Iterable[str],
    extra: dict[str, Any] | None = None,
) -> set[int]:
    """``UPDATE … SET <felder>, version = <new> WHERE id = … AND version = <old>`` for each
    (object in its new state, old version); returns the ids written. Batched into
    ``UPDATE … FROM (VALUES …)`` on PostgreSQL, one statement per object elsewhere."""
    extra = extra or {}
    modellfelder = [cast(models.Field, model._meta.get_field(f)) for f in felder]
    if not objekte:
        return set()
    if not _gebuendelt():
        einzeln: set[int] = set()
        for objekt, alt in objekte:
            werte = {f.attname: getattr(objekt, f.attname) for f in modellfelder}
            if model._default_manager.filter(pk=objekt.pk, version=alt).update(
                **werte, **extra, version=objekt.version
            ):
                einzeln.add(objekt.pk)
        return einzeln
    qn = connection.ops.quote_name
    pk_feld = cast(models.Field, model._meta.pk)
    version_feld = cast(models.Field, model._meta.get_field("version"))
    typen = [
        pk_feld.db_type(connection),
        version_feld.db_type(connection),
        version_feld.db_type(connection),
    ] + [f.db_type(connection) for f in modellfelder]
    spalten = ["id", "alt", "neu"] + [f.column for f in modellfelder]
    setzen = [f"{qn(f.column)} = v.{qn(f.column)}" for f in modellfelder]
    setzen.append('"version" = v."neu"')
    extra_felder = [cast(models.Field, model._meta.get_field(f)) for f in extra]
    setzen += [f"{qn(f.column)} = %s" for f in extra_felder]
    extra_werte = [f.get_db_prep_save(extra[f.name], connection) for f in extra_felder]
    zeile_sql = "(" + ", ".join(f"%s::{t}" for t in typen) + ")"
    geschrieben: set[int] = set()
    with connection.cursor() as cursor:
        for stueck in _stuecke(objekte, _SCHREIBEN):
            parameter = list(extra_werte)
            for objekt, alt in stueck:
                parameter += [objekt.pk, alt, objekt.version]
                parameter += [
                    f.get_db_prep_save(getattr(objekt, f.attname), connection) for f in modellfelder
                ]
            cursor.execute(
                f"UPDATE {qn(model._meta.db_table)} AS t SET {', '.join(setzen)} "
                f"FROM (VALUES {', '.join([zeile_sql] * len(stueck))}) "
                f"AS v({', '.join(qn(s) for s in spalten)}) "
                f'WHERE t."id" = v."id" AND t."version" = v."alt" RETURNING t."id"',
                parameter,
            )
            geschrieben.update(pk for (pk,) in cursor.fetchall())
    return geschrieben
