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
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from audit.models import Ereignis, Quelle
from leistungen.models import Behoerde, Leistung
from onboarding import permissions
from onboarding.bulk import format as fmt
from onboarding.bulk.ergebnis import Aenderung, Ergebnis, ZeilenErgebnis
from onboarding.models import Checklistenpunkt, Huerde, Onboarding, Status, Team

_UNVERAENDERT = object()

STAND_TEXT: dict[str, str] = {
    Checklistenpunkt.Stand.OFFEN: "offen",
    Checklistenpunkt.Stand.ERLEDIGT: "erledigt",
    Checklistenpunkt.Stand.VERZICHTET: "verzichtet",
}


@dataclass
class _Punkt:
    id: int
    code: str
    stand: str
    verzicht_grund: str
    version: int


@dataclass
class _NeueHuerde:
    titel: str
    kategorie: str
    verantwortlich: str


@dataclass
class _Plan:
    ergebnis: ZeilenErgebnis
    zeile: dict[str, str]
    onboarding: Onboarding | None = None
    felder: dict[str, Any] = field(default_factory=dict)
    team: Any = _UNVERAENDERT
    punkte: list[tuple[_Punkt, fmt.PunktWert]] = field(default_factory=list)
    huerden_neu: list[_NeueHuerde] = field(default_factory=list)
    huerden_verknuepfen: list[Huerde] = field(default_factory=list)

    @property
    def hat_aenderungen(self) -> bool:
        return bool(
            self.felder
            or self.team is not _UNVERAENDERT
            or self.punkte
            or self.huerden_neu
            or self.huerden_verknuepfen
        )


def _text(wert: Any) -> str:
    if wert is None or wert == "":
        return "–"
    if isinstance(wert, bool):
        return fmt.ja_nein_schreiben(wert)
    if isinstance(wert, dt.date):
        return fmt.datum_schreiben(wert)
    return str(wert)


def _meldung(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(str(m) for m in exc.messages)
    return str(exc) or "Nicht erlaubt."


# --- Entry points -------------------------------------------------------------------------


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
        plaene = _planen(user=user, tabelle=tabelle, heute=timezone.localdate(zeitpunkt))
        ergebnis.zeilen = [p.ergebnis for p in plaene]
        _simulieren(plaene)
        vorab_fehler = any(not p.ergebnis.ok for p in plaene)
        if modus == "vorschau" or (modus == "alle" and vorab_fehler):
            ergebnis.sekunden = round(time.perf_counter() - start, 3)
            return ergebnis
        _ausfuehren(
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


# --- Loading and validating -----------------------------------------------------------


def _planen(*, user: Any, tabelle: fmt.Tabelle, heute: dt.date) -> list[_Plan]:
    plaene: list[_Plan] = []
    for nummer, zeile in tabelle.zeilen:
        plaene.append(
            _Plan(
                ergebnis=ZeilenErgebnis(
                    zeile=nummer,
                    behoerde_schluessel=zeile.get("behoerde_schluessel", ""),
                    behoerde_name=zeile.get("behoerde_name", ""),
                    ozg_id=zeile.get("ozg_id", ""),
                ),
                zeile=zeile,
            )
        )

    schluessel = {p.ergebnis.behoerde_schluessel for p in plaene}
    ozg_ids = {p.ergebnis.ozg_id for p in plaene}
    behoerden = {
        b.schluessel: b
        for b in Behoerde.objects.filter(schluessel__in=schluessel).only(
            "id", "schluessel", "name", "land_id"
        )
    }
    leistungen = {lst.ozg_id: lst for lst in Leistung.objects.filter(ozg_id__in=ozg_ids)}
    onboardings: dict[tuple[int, int], Onboarding] = {
        (o.behoerde_id, o.leistung_id): o
        for o in Onboarding.objects.filter(
            geschlossen_am__isnull=True,
            behoerde_id__in=[b.pk for b in behoerden.values()],
            leistung_id__in=[lst.pk for lst in leistungen.values()],
        ).select_related("team", "zusage")
    }
    ids = [o.pk for o in onboardings.values()]
    sichtbar = set(
        permissions.onboardings_sichtbar(user).filter(pk__in=ids).values_list("pk", flat=True)
    )
    bearbeitbar = set(
        permissions.onboardings_bearbeitbar(user).filter(pk__in=ids).values_list("pk", flat=True)
    )
    codes = [k for k in tabelle.kopf if fmt.PUNKT_SPALTE.match(k)]
    punkte: dict[tuple[int, str], _Punkt] = {}
    if codes:
        for pid, oid, code, stand, grund, version in Checklistenpunkt.objects.filter(
            onboarding_id__in=ids, code__in=codes
        ).values_list("id", "onboarding_id", "code", "stand", "verzicht_grund", "version"):
            punkte[(oid, code)] = _Punkt(pid, code, stand, grund, version)
    teams = {t.name.casefold(): t for t in Team.objects.all()}

    titel_in_datei = set()
    if "huerde" in tabelle.kopf:
        for p in plaene:
            titel_in_datei.update(fmt.liste_lesen(p.zeile.get("huerde", "")))
    offene_huerden: dict[str, list[Huerde]] = defaultdict(list)
    verknuepft: dict[int, set[str]] = defaultdict(set)
    if titel_in_datei:
        for h in Huerde.objects.filter(titel__in=titel_in_datei).exclude(
            stand=Huerde.Stand.GELOEST
        ):
            offene_huerden[h.titel].append(h)
        for oid, titel in (
            Huerde.onboardings.through.objects.filter(
                onboarding_id__in=ids, huerde__titel__in=titel_in_datei
            )
            .exclude(huerde__stand=Huerde.Stand.GELOEST)
            .values_list("onboarding_id", "huerde__titel")
        ):
            verknuepft[oid].add(titel)
    sichtbare_huerden = (
        set(
            permissions.huerden_sichtbar(user)
            .filter(pk__in=[h.pk for hs in offene_huerden.values() for h in hs])
            .values_list("pk", flat=True)
        )
        if offene_huerden
        else set()
    )

    land_ids = set(permissions.sichtbare_laender(user).values_list("pk", flat=True))
    ctx = _Kontext(
        user=user,
        heute=heute,
        behoerden=behoerden,
        leistungen=leistungen,
        onboardings=onboardings,
        sichtbare_laender=land_ids,
        sichtbar=sichtbar,
        bearbeitbar=bearbeitbar,
        punkte=punkte,
        codes=codes,
        teams=teams,
        offene_huerden=offene_huerden,
        sichtbare_huerden=sichtbare_huerden,
        verknuepft=verknuepft,
    )
    for plan in plaene:
        _zeile_pruefen(plan=plan, ctx=ctx)
    return plaene


@dataclass
class _Kontext:
    """Everything the rows of one file refer to, loaded once."""

    user: Any
    heute: dt.date
    behoerden: dict[str, Behoerde]
    leistungen: dict[str, Leistung]
    onboardings: dict[tuple[int, int], Onboarding]
    sichtbare_laender: set[int]
    sichtbar: set[int]
    bearbeitbar: set[int]
    punkte: dict[tuple[int, str], _Punkt]
    codes: list[str]
    teams: dict[str, Team]
    offene_huerden: dict[str, list[Huerde]]
    sichtbare_huerden: set[int]
    verknuepft: dict[int, set[str]]
    erste_zeile: dict[tuple[str, str], int] = field(default_factory=dict)
    _team_recht: dict[int, bool] = field(default_factory=dict)

    def darf_team_zuweisen(self, onboarding: Onboarding) -> bool:
        # The right depends on the record's Land only: ask once per Land.
        land_id = onboarding.zusage.land_id
        if land_id not in self._team_recht:
            self._team_recht[land_id] = permissions.darf_team_zuweisen(self.user, onboarding)
        return self._team_recht[land_id]


def _zeile_pruefen(*, plan: _Plan, ctx: _Kontext) -> None:
    erg, zeile = plan.ergebnis, plan.zeile
    fehler = erg.fehler
    if not erg.behoerde_schluessel:
        fehler.append("behoerde_schluessel ist leer.")
    if not erg.ozg_id:
        fehler.append("ozg_id ist leer.")
    if fehler:
        return
    paar = (erg.behoerde_schluessel, erg.ozg_id)
    if paar in ctx.erste_zeile:
        fehler.append(
            f"Doppelte Zeile: Behörde {erg.behoerde_schluessel} und Leistung {erg.ozg_id} "
            f"stehen schon in Zeile {ctx.erste_zeile[paar]}."
        )
        return
    ctx.erste_zeile[paar] = erg.zeile

    behoerde = ctx.behoerden.get(erg.behoerde_schluessel)
    leistung = ctx.leistungen.get(erg.ozg_id)
    if behoerde is None:
        fehler.append(f"Unbekannter Behördenschlüssel „{erg.behoerde_schluessel}“.")
    if leistung is None:
        fehler.append(f"Unbekannte OZG-ID „{erg.ozg_id}“.")
    if behoerde is None or leistung is None:
        return
    erg.behoerde_name = behoerde.name
    if behoerde.land_id not in ctx.sichtbare_laender:
        fehler.append(f"{behoerde.name} liegt nicht in Ihrem Zuständigkeitsbereich.")
        return
    onboarding = ctx.onboardings.get((behoerde.pk, leistung.pk))
    if onboarding is None:
        fehler.append(
            f"{behoerde.name} ist für {leistung.kurzname} (OZG {leistung.ozg_id}) nicht "
            "zuständig: es gibt kein offenes Onboarding für diese Behörde und Leistung."
        )
        return
    if onboarding.pk not in ctx.sichtbar:
        fehler.append(f"{behoerde.name} liegt nicht in Ihrem Zuständigkeitsbereich.")
        return
    plan.onboarding = onboarding
    erg.onboarding_id = onboarding.pk

    _felder_planen(plan=plan, heute=ctx.heute, teams=ctx.teams)
    for code in ctx.codes:
        text = zeile.get(code, "")
        if not text:
            continue
        try:
            wert = fmt.punkt_lesen(text, code)
        except fmt.WertFehler as exc:
            fehler.append(str(exc))
            continue
        punkt = ctx.punkte.get((onboarding.pk, code))
        if punkt is None:
            fehler.append(
                f"{code}: Diesen Checklistenpunkt gibt es in der Checkliste dieses "
                "Onboardings nicht."
            )
            continue
        if (punkt.stand, punkt.verzicht_grund if punkt.stand == "verzichtet" else "") != (
            wert.stand,
            wert.verzicht_grund,
        ):
            plan.punkte.append((punkt, wert))
            vorher = STAND_TEXT.get(punkt.stand, punkt.stand)
            if punkt.stand == Checklistenpunkt.Stand.VERZICHTET:
                vorher = fmt.punkt_schreiben(punkt.stand, punkt.verzicht_grund)
            erg.aenderungen.append(
                Aenderung(code, code, vorher, fmt.punkt_schreiben(wert.stand, wert.verzicht_grund))
            )
    _huerden_planen(
        plan=plan,
        offene_huerden=ctx.offene_huerden,
        sichtbare_huerden=ctx.sichtbare_huerden,
        verknuepft=ctx.verknuepft,
    )
    if fehler or not plan.hat_aenderungen:
        return

    # Scope: team assignment is its own right; everything else needs edit rights.
    nur_team = plan.team is not _UNVERAENDERT and not (
        plan.felder or plan.punkte or plan.huerden_neu or plan.huerden_verknuepfen
    )
    if plan.team is not _UNVERAENDERT and not ctx.darf_team_zuweisen(onboarding):
        fehler.append("Sie dürfen für dieses Onboarding kein Team zuweisen.")
    if not nur_team and onboarding.pk not in ctx.bearbeitbar:
        fehler.append("Sie dürfen dieses Onboarding nicht bearbeiten (nicht in Ihrem Bereich).")
    version = zeile.get("version", "")
    if version and not fehler:
        if not version.isdigit():
            fehler.append(f"version: „{version}“ ist keine Zahl.")
        elif int(version) != onboarding.version:
            fehler.append(
                f"Konflikt: Das Onboarding wurde seit dem Export geändert (Version in der "
                f"Datei {version}, aktuell {onboarding.version}). Bitte neu exportieren."
            )


def _felder_planen(*, plan: _Plan, heute: dt.date, teams: dict[str, Team]) -> None:
    erg, zeile, onboarding = plan.ergebnis, plan.zeile, plan.onboarding
    assert onboarding is not None
    text = zeile.get("status", "")
    if text:
        try:
            status = fmt.status_lesen(text)
        except fmt.WertFehler as exc:
            erg.fehler.append(str(exc))
        else:
            if status != onboarding.status:
                plan.felder["status"] = status
                erg.aenderungen.append(
                    Aenderung(
                        "status",
                        "Status",
                        str(Status(onboarding.status).label),
                        str(Status(status).label),
                    )
                )
    text = zeile.get("welle", "")
    if text:
        welle = "" if text == fmt.LEEREN else text
        if welle != onboarding.welle:
            plan.felder["welle"] = welle
            erg.aenderungen.append(
                Aenderung("welle", "Welle", _text(onboarding.welle), _text(welle))
            )
    for feld in fmt.DATUM_FELDER:
        text = zeile.get(feld, "")
        if not text:
            continue
        try:
            datum = fmt.datum_lesen(text, feld)
        except fmt.WertFehler as exc:
            erg.fehler.append(str(exc))
            continue
        if feld in fmt.IST_FELDER and datum and datum > heute:
            erg.fehler.append(
                f"{feld}: Das Ist-Datum {fmt.datum_schreiben(datum)} liegt in der Zukunft."
            )
            continue
        if datum != getattr(onboarding, feld):
            plan.felder[feld] = datum
            erg.aenderungen.append(
                Aenderung(
                    feld, fmt.FELD_BEZEICHNUNG[feld], _text(getattr(onboarding, feld)), _text(datum)
                )
            )
    text = zeile.get("baseline", "")
    if text:
        try:
            baseline = fmt.ja_nein_lesen(text, "baseline")
        except fmt.WertFehler as exc:
            erg.fehler.append(str(exc))
        else:
            if baseline != onboarding.baseline:
                plan.felder["baseline"] = baseline
                erg.aenderungen.append(
                    Aenderung("baseline", "Baseline", _text(onboarding.baseline), _text(baseline))
                )
    text = zeile.get("team", "")
    if text:
        if text == fmt.LEEREN:
            team = None
        else:
            team = teams.get(text.casefold())
            if team is None:
                erg.fehler.append(f"team: Unbekanntes Team „{text}“.")
                return
        if (team.pk if team else None) != onboarding.team_id:
            plan.team = team
            erg.aenderungen.append(Aenderung("team", "Team", _text(onboarding.team), _text(team)))


def _huerden_planen(
    *,
    plan: _Plan,
    offene_huerden: dict[str, list[Huerde]],
    sichtbare_huerden: set[int],
    verknuepft: dict[int, set[str]],
) -> None:
    erg, zeile, onboarding = plan.ergebnis, plan.zeile, plan.onboarding
    assert onboarding is not None
    titel_liste = fmt.liste_lesen(zeile.get("huerde", ""))
    if not titel_liste:
        return
    kategorien = fmt.liste_lesen(zeile.get("huerde_kategorie", ""))
    verantwortliche = fmt.liste_lesen(zeile.get("huerde_verantwortlich", ""))
    for i, titel in enumerate(titel_liste):
        if titel in verknuepft.get(onboarding.pk, set()):
            continue
        vorhandene = [h for h in offene_huerden.get(titel, []) if h.pk in sichtbare_huerden]
        if vorhandene:
            plan.huerden_verknuepfen.append(vorhandene[0])
            erg.aenderungen.append(
                Aenderung("huerde", "Hürde", "–", f"{titel} (bestehende Hürde verknüpfen)")
            )
            continue
        kategorie = kategorien[i] if i < len(kategorien) else ""
        verantwortlich = verantwortliche[i] if i < len(verantwortliche) else ""
        try:
            if not kategorie or not verantwortlich:
                raise fmt.WertFehler(
                    f"huerde: Für die neue Hürde „{titel}“ fehlen huerde_kategorie und/oder "
                    "huerde_verantwortlich."
                )
            neu = _NeueHuerde(
                titel, fmt.kategorie_lesen(kategorie), fmt.verantwortlich_lesen(verantwortlich)
            )
        except fmt.WertFehler as exc:
            erg.fehler.append(str(exc))
            continue
        plan.huerden_neu.append(neu)
        erg.aenderungen.append(Aenderung("huerde", "Hürde", "–", f"{titel} (neu)"))


# --- Checking against the services' rules (preview) ----------------------------------


@dataclass
class _SimPunkt:
    phase: int
    pflicht: bool
    stand: str
    text: str


@dataclass
class _SimOnboarding:
    status: str


def _simulieren(plaene: list[_Plan]) -> None:
    """Check every row with changes against the services' rules in memory, without
    writing: the status rule (``services.status_pruefen``, the function the services call
    themselves), the automatic advance of a finished phase, the team's Land, field lengths.
    So checking 10,000 rows costs one more query; applying runs the services' rules again
    and refuses (all or nothing) anything this check did not foresee."""
    from onboarding import services

    ids = [
        p.onboarding.pk
        for p in plaene
        if p.ergebnis.ok and p.onboarding and ("status" in p.felder or p.punkte)
    ]
    alle_punkte: dict[int, dict[int, _SimPunkt]] = defaultdict(dict)
    if ids:
        for pid, oid, phase, pflicht, stand, text in Checklistenpunkt.objects.filter(
            onboarding_id__in=ids
        ).values_list("id", "onboarding_id", "phase", "pflicht", "stand", "text"):
            alle_punkte[oid][pid] = _SimPunkt(phase, pflicht, stand, text)
    for plan in plaene:
        onboarding = plan.onboarding
        if not plan.ergebnis.ok or onboarding is None or not plan.hat_aenderungen:
            continue
        fehler = plan.ergebnis.fehler
        if len(plan.felder.get("welle", "")) > 40:
            fehler.append("welle: Die Welle darf höchstens 40 Zeichen lang sein.")
        team = plan.team
        if (
            team is not _UNVERAENDERT
            and team is not None
            and team.land_id
            and team.land_id != onboarding.zusage.land_id
        ):
            fehler.append(
                f"team: Das Team „{team}“ arbeitet in einem anderen Land als die Behörde."
            )
        if any(len(wert.verzicht_grund) > 300 for _, wert in plan.punkte):
            fehler.append("Ein Verzichtsgrund darf höchstens 300 Zeichen lang sein.")
        if any(len(neu.titel) > 200 for neu in plan.huerden_neu):
            fehler.append("huerde: Der Titel darf höchstens 200 Zeichen lang sein.")
        punkte = alle_punkte.get(onboarding.pk, {})
        for punkt, wert in plan.punkte:
            if punkt.id in punkte:
                punkte[punkt.id].stand = wert.stand
        liste = list(punkte.values())
        status = onboarding.status
        if plan.punkte:
            status = _weiterschalten_simuliert(plan, status, liste, services)
        neuer_status = plan.felder.get("status")
        if neuer_status and neuer_status != status:
            try:
                services.status_pruefen(
                    _SimOnboarding(status),  # type: ignore[arg-type]
                    neuer_status,
                    baseline=plan.felder.get("baseline", onboarding.baseline),
                    punkte=liste,  # type: ignore[arg-type]
                )
            except services.Ungueltig as exc:
                fehler.append(_meldung(exc))


def _weiterschalten_simuliert(
    plan: _Plan, status: str, punkte: list[_SimPunkt], services: Any
) -> str:
    """What ``checklistenpunkt_setzen`` does after the items: phase_1 → phase_2 → phase_3
    while the phase is complete (never to live)."""
    while ziel := services.naechster_status(status, punkte):
        if "status" not in plan.felder:
            plan.ergebnis.aenderungen.append(
                Aenderung(
                    "status", "Status (automatisch)", _status_text(status), _status_text(ziel)
                )
            )
        status = ziel
    return status


# --- Running the services -------------------------------------------------------------


def _stapel_aenderung(plan: _Plan, services: Any) -> Any:
    onboarding = plan.onboarding
    assert onboarding is not None
    daten = dict(plan.felder)
    if plan.team is not _UNVERAENDERT:
        # The services check the separate right to assign teams for a team-only change.
        daten["team"] = plan.team
    return services.StapelAenderung(
        onboarding_id=onboarding.pk,
        version=onboarding.version,
        daten=daten,
        punkte=[
            services.PunktAenderung(
                punkt_id=punkt.id,
                stand=wert.stand,
                verzicht_grund=wert.verzicht_grund,
                version=punkt.version,
            )
            for punkt, wert in plan.punkte
        ],
    )


def _ausfuehren(
    *, user: Any, plaene: list[_Plan], quelle: str, zeitpunkt: dt.datetime, zeilenweise: bool
) -> None:
    """Apply the rows through the services' batch path. ``zeilenweise``: a row the services
    refuse leaves no trace while the others are kept; otherwise one refusal means nothing is
    written (the caller rolls everything back)."""
    from onboarding import services

    aktiv = [p for p in plaene if p.ergebnis.ok and p.hat_aenderungen]
    stapel_plaene = [p for p in aktiv if p.felder or p.team is not _UNVERAENDERT or p.punkte]
    stapel = services.onboardings_stapel_anwenden(
        aenderungen=[_stapel_aenderung(p, services) for p in stapel_plaene],
        user=user,
        quelle=quelle,
        zeitpunkt=zeitpunkt,
        nur_fehlerfreie=zeilenweise,
    )
    for position, exc in sorted(stapel.fehler.items()):
        stapel_plaene[position].ergebnis.fehler.append(_meldung(exc))
    if not stapel.angewendet:
        return
    neue_huerden: dict[str, tuple[_NeueHuerde, list[_Plan]]] = {}
    verknuepfen: dict[int, list[_Plan]] = {}
    for plan in aktiv:
        if not plan.ergebnis.ok:
            continue
        for neu in plan.huerden_neu:
            neue_huerden.setdefault(neu.titel, (neu, []))[1].append(plan)
        for huerde in plan.huerden_verknuepfen:
            verknuepfen.setdefault(huerde.pk, []).append(plan)
    # A new hurdle named in several rows is recorded once, linked to all their records.
    for titel, (neu, zeilen_plaene) in neue_huerden.items():
        try:
            with transaction.atomic():
                services.huerde_erfassen(
                    user=user,
                    daten={
                        "titel": titel,
                        "kategorie": neu.kategorie,
                        "verantwortlich": neu.verantwortlich,
                        "erfasst_am": timezone.localdate(zeitpunkt),
                    },
                    onboarding_ids=[p.onboarding.pk for p in zeilen_plaene if p.onboarding],
                    quelle=quelle,
                    zeitpunkt=zeitpunkt,
                )
        except (services.Ungueltig, PermissionDenied, ValidationError) as exc:
            for p in zeilen_plaene:
                p.ergebnis.fehler.append(f"Hürde „{titel}“: {_meldung(exc)}")
    # An existing open hurdle gets all rows' records linked in one change.
    for huerde_id, zeilen_plaene in verknuepfen.items():
        try:
            with transaction.atomic():
                huerde = Huerde.objects.get(pk=huerde_id)
                links = set(huerde.onboardings.values_list("pk", flat=True))
                links.update(p.onboarding.pk for p in zeilen_plaene if p.onboarding)
                services.huerde_aktualisieren(
                    huerde_id=huerde_id,
                    user=user,
                    version=huerde.version,
                    daten={"onboarding_ids": sorted(links)},
                    quelle=quelle,
                    zeitpunkt=zeitpunkt,
                )
        except (services.Ungueltig, services.Konflikt, PermissionDenied, ValidationError) as exc:
            for p in zeilen_plaene:
                p.ergebnis.fehler.append(f"Hürde „{huerde.titel}“: {_meldung(exc)}")
    _automatische_aenderungen(plaene=stapel_plaene, ereignisse=stapel.ereignisse)


def _automatische_aenderungen(*, plaene: list[_Plan], ereignisse: list[Ereignis]) -> None:
    """Status changes the services made on their own (a finished phase advances the record):
    shown in the result so it says everything that changed."""
    nach_onboarding = {p.onboarding.pk: p for p in plaene if p.onboarding and p.punkte}
    if not nach_onboarding:
        return
    for e in ereignisse:
        if e.objekt_typ != "onboarding.onboarding" or e.objekt_id not in nach_onboarding:
            continue
        plan = nach_onboarding[e.objekt_id]
        paar = e.aenderungen.get("status")
        if not paar or "status" in plan.felder or not plan.ergebnis.ok:
            continue
        schon = {(a.vorher, a.nachher) for a in plan.ergebnis.aenderungen if a.feld == "status"}
        if (_status_text(paar[0]), _status_text(paar[1])) in schon:
            continue
        plan.ergebnis.aenderungen.append(
            Aenderung(
                "status",
                "Status (automatisch)",
                _status_text(paar[0]),
                _status_text(paar[1]),
            )
        )


def _status_text(wert: Any) -> str:
    try:
        return str(Status(wert).label)
    except ValueError:
        return _text(wert)
