"""Reads of the report archive, scoped to what a user may see (``berichte.permissions``).

List reads never load the PDF bytes (``defer("pdf")``); only the download does.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from abdeckung.models import Abdeckungsstand
from berichte import permissions
from berichte.models import NATIONAL, Bericht
from kommunen.models import Land
from onboarding.permissions import _land_ids

NATIONAL_NAME = "Bund (national)"


@dataclass(frozen=True)
class Scope:
    """A report scope: the national report or one Land's."""

    code: str  # "national" or the Land's kurz
    name: str
    land_id: int | None


@dataclass
class ScopeArchiv:
    scope: Scope
    berichte: list[Bericht] = field(default_factory=list)
    darf_anfordern: bool = False


def _scope_filter(user: Any) -> Q | None:
    """``None``: everything; otherwise the condition on visible reports."""
    ids = _land_ids(user)
    national = permissions.sieht_national(user)
    if ids is None and national:
        return None
    bedingung = Q(land_id__in=ids or set())
    if national:
        bedingung |= Q(scope=NATIONAL)
    return bedingung


def berichte_sichtbar(user: Any) -> QuerySet[Bericht]:
    """The reports the user may see, without the PDF bytes."""
    qs = Bericht.objects.defer("pdf").select_related("land")
    bedingung = _scope_filter(user)
    return qs if bedingung is None else qs.filter(bedingung)


def bericht_holen(*, user: Any, pk: int, mit_pdf: bool = False) -> Bericht:
    """One visible report (``Http404`` otherwise); ``mit_pdf`` loads the bytes too."""
    qs = Bericht.objects.select_related("land", "angefordert_von")
    if not mit_pdf:
        qs = qs.defer("pdf")
    bedingung = _scope_filter(user)
    if bedingung is not None:
        qs = qs.filter(bedingung)
    bericht = qs.filter(pk=pk).first()
    if bericht is None:
        raise Http404("Kein sichtbarer Steuerungsbericht mit dieser Nummer.")
    return bericht


def sichtbare_scopes(user: Any) -> list[Scope]:
    """The scopes the user sees: national (if allowed) first, then the participating
    Länder the user sees, by name."""
    teilnehmende = permissions.teilnehmende_land_ids()
    ids = _land_ids(user)
    scopes: list[Scope] = []
    if permissions.sieht_national(user, teilnehmende=teilnehmende):
        scopes.append(Scope(code=NATIONAL, name=NATIONAL_NAME, land_id=None))
    laender = Land.objects.filter(pk__in=teilnehmende).order_by("name")
    if ids is not None:
        laender = laender.filter(pk__in=ids)
    scopes.extend(Scope(code=land.kurz, name=land.name, land_id=land.pk) for land in laender)
    return scopes


def alle_scopes() -> list[Scope]:
    """National and every participating Land: the scopes of the weekly run."""
    laender = Land.objects.filter(pk__in=permissions.teilnehmende_land_ids()).order_by("name")
    return [Scope(code=NATIONAL, name=NATIONAL_NAME, land_id=None)] + [
        Scope(code=land.kurz, name=land.name, land_id=land.pk) for land in laender
    ]


def anforderbare_scopes(user: Any, *, scopes: list[Scope] | None = None) -> list[Scope]:
    """The visible scopes the user may request a report for."""
    if scopes is None:
        scopes = sichtbare_scopes(user)
    return [s for s in scopes if permissions.darf_anfordern(user, scope=s.code, land_id=s.land_id)]


def scope_finden(code: str) -> Scope | None:
    """The scope of a code: "national" or the kurz of any Land (participating or not;
    the report itself says whether it can be made)."""
    if code == NATIONAL:
        return Scope(code=NATIONAL, name=NATIONAL_NAME, land_id=None)
    land = Land.objects.filter(kurz=code).only("pk", "kurz", "name").first()
    return None if land is None else Scope(code=land.kurz, name=land.name, land_id=land.pk)


def eingefrorene_stichtage() -> list[dt.date]:
    """Every stored weekly Stichtag (frozen snapshot), newest first."""
    return list(
        Abdeckungsstand.objects.filter(art=Abdeckungsstand.Art.STICHTAG, kreis__isnull=True)
        .values_list("stichtag", flat=True)
        .distinct()
        .order_by("-stichtag")
    )


def letzter_stichtag() -> dt.date | None:
    """The newest frozen weekly Stichtag, if any."""
    return (
        Abdeckungsstand.objects.filter(art=Abdeckungsstand.Art.STICHTAG, kreis__isnull=True)
        .order_by("-stichtag")
        .values_list("stichtag", flat=True)
        .first()
    )


def berichte_archiv(user: Any) -> list[ScopeArchiv]:
    """Per visible scope its archived reports (newest Stichtag first) and whether the user
    may request one. Reports of a scope that no longer participates are listed too."""
    scopes = sichtbare_scopes(user)
    anforderbar = {s.code for s in anforderbare_scopes(user, scopes=scopes)}
    archiv = {s.code: ScopeArchiv(scope=s, darf_anfordern=s.code in anforderbar) for s in scopes}
    for bericht in berichte_sichtbar(user).order_by("-stichtag", "scope"):
        if bericht.scope not in archiv:
            name = bericht.land.name if bericht.land else NATIONAL_NAME
            archiv[bericht.scope] = ScopeArchiv(
                scope=Scope(code=bericht.scope, name=name, land_id=bericht.land_id)
            )
        archiv[bericht.scope].berichte.append(bericht)
    return list(archiv.values())
