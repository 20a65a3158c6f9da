"""Loading everything the rows of a file refer to in a few queries, then checking each row
(:func:`onboarding.bulk.pruefung.zeile_pruefen`)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from leistungen.models import Behoerde, Leistung
from onboarding import permissions
from onboarding.bulk import format as fmt
from onboarding.bulk.ergebnis import ZeilenErgebnis
from onboarding.bulk.plan import Kontext, Plan, Punkt
from onboarding.bulk.pruefung import zeile_pruefen
from onboarding.models import Checklistenpunkt, Huerde, Onboarding, Team


def planen(*, user: Any, tabelle: fmt.Tabelle, heute: dt.date) -> list[Plan]:
    plaene: list[Plan] = []
    for nummer, zeile in tabelle.zeilen:
        plaene.append(
            Plan(
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
    punkte: dict[tuple[int, str], Punkt] = {}
    if codes:
        for pid, oid, code, stand, grund, version in Checklistenpunkt.objects.filter(
            onboarding_id__in=ids, code__in=codes
        ).values_list("id", "onboarding_id", "code", "stand", "verzicht_grund", "version"):
            punkte[(oid, code)] = Punkt(pid, code, stand, grund, version)
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
    ctx = Kontext(
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
        zeile_pruefen(plan=plan, ctx=ctx)
    return plaene
