"""Checking one row of a bulk-update file (line number + German reason): keys,
responsibility (an open record), scope, values, dates, the version; and what the row
would change."""

from __future__ import annotations

import datetime as dt

from onboarding.bulk import format as fmt
from onboarding.bulk.ergebnis import Aenderung
from onboarding.bulk.plan import UNVERAENDERT, Kontext, NeueHuerde, Plan, wert_text
from onboarding.models import DATUMSFELDER, Checklistenpunkt, Huerde, Status, Team

STAND_TEXT: dict[str, str] = {
    Checklistenpunkt.Stand.OFFEN: "offen",
    Checklistenpunkt.Stand.ERLEDIGT: "erledigt",
    Checklistenpunkt.Stand.VERZICHTET: "verzichtet",
}


def zeile_pruefen(*, plan: Plan, ctx: Kontext) -> None:
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
    nur_team = plan.team is not UNVERAENDERT and not (
        plan.felder or plan.punkte or plan.huerden_neu or plan.huerden_verknuepfen
    )
    if plan.team is not UNVERAENDERT and not ctx.darf_team_zuweisen(onboarding):
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


def _felder_planen(*, plan: Plan, heute: dt.date, teams: dict[str, Team]) -> None:
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
                Aenderung("welle", "Welle", wert_text(onboarding.welle), wert_text(welle))
            )
    for feld in DATUMSFELDER:
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
                    feld,
                    fmt.FELD_BEZEICHNUNG[feld],
                    wert_text(getattr(onboarding, feld)),
                    wert_text(datum),
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
                    Aenderung(
                        "baseline", "Baseline", wert_text(onboarding.baseline), wert_text(baseline)
                    )
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
            erg.aenderungen.append(
                Aenderung("team", "Team", wert_text(onboarding.team), wert_text(team))
            )


def _huerden_planen(
    *,
    plan: Plan,
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
            neu = NeueHuerde(
                titel, fmt.kategorie_lesen(kategorie), fmt.verantwortlich_lesen(verantwortlich)
            )
        except fmt.WertFehler as exc:
            erg.fehler.append(str(exc))
            continue
        plan.huerden_neu.append(neu)
        erg.aenderungen.append(Aenderung("huerde", "Hürde", "–", f"{titel} (neu)"))
