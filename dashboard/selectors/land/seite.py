"""The Land page as a whole: which Land a user may open, the figures, burn-ups, funnels
and forecasts of its services, and its pilots."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from abdeckung.prognose import Prognose
from abdeckung.selectors import TrichterStufe, abdeckung_am
from abdeckung.services import Kennzahl
from dashboard.selectors.land.verlauf import Burnup, burnups_daten, trichter_aus_kennzahl
from kommunen.models import Land
from leistungen.models import Zusage
from onboarding import permissions
from onboarding.models import Onboarding

# --- the page's header data -----------------------------------------------------------------


@dataclass(frozen=True)
class LeistungStand:
    """One committed service on the Land page: figures now, burn-up, funnel, forecast."""

    zusage: Zusage
    kennzahl: Kennzahl | None
    burnup: Burnup
    trichter: list[TrichterStufe]

    @property
    def prognose(self) -> Prognose | None:
        return self.burnup.prognose

    @property
    def tage_bis_frist(self) -> int:
        return (self.zusage.frist - self.burnup.stichtag).days


@dataclass(frozen=True)
class LandSeite:
    land: Land
    beigetreten_am: dt.date
    stichtag: dt.date
    leistungen: list[LeistungStand] = field(default_factory=list)

    @property
    def stand(self) -> dt.datetime | None:
        werte = [s.kennzahl.berechnet_am for s in self.leistungen if s.kennzahl]
        return min((w for w in werte if w is not None), default=None)


def sichtbares_land(*, user: Any, code: str) -> Land | None:
    """The participating Land with Kürzel (``BY``) or Schlüssel (``09``) ``code`` if the
    user may see it; None otherwise. One query."""
    code = code.strip().upper()
    feld = "code" if code.isdigit() else "kurz"
    return (
        permissions.sichtbare_laender(user)
        .filter(teilnahme__isnull=False, **{feld: code})
        .select_related("teilnahme")
        .first()
    )


def land_seite(*, land: Land, zusagen: list[Zusage] | None = None) -> LandSeite:
    """Figures now, burn-ups, funnels and forecasts of every committed service of the
    Land (``zusagen``: its commitments with their service, if already read)."""
    if zusagen is None:
        zusagen = list(
            Zusage.objects.filter(land=land).select_related("leistung").order_by("leistung__ozg_id")
        )
    aktuell = abdeckung_am(land=land) if zusagen else []
    je_leistung = {k.leistung_id: k for k in aktuell}
    burnups = burnups_daten(land=land, zusagen=zusagen, aktuell=aktuell)
    return LandSeite(
        land=land,
        beigetreten_am=land.teilnahme.beigetreten_am,
        stichtag=timezone.localdate(),
        leistungen=[
            LeistungStand(
                zusage=z,
                kennzahl=je_leistung.get(z.leistung_id),
                burnup=b,
                trichter=trichter_aus_kennzahl(je_leistung.get(z.leistung_id)),
            )
            for z, b in zip(zusagen, burnups, strict=True)
        ],
    )


# --- pilots ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PilotZeile:
    behoerde_id: int
    schluessel: str
    name: str
    art: str
    #: The open record per service of ``leistung_ids`` (same order); None: not responsible.
    zellen: tuple[Onboarding | None, ...]


def piloten(*, land: Land, leistung_ids: list[int]) -> list[PilotZeile]:
    """The Land's pilot authorities with their open record per committed service
    (``leistung_ids``, in column order). One query (pilots without any open record are
    responsible for none of the services)."""
    behoerden: dict[int, Any] = {}
    records: dict[int, dict[int, Onboarding]] = defaultdict(dict)
    for o in (
        Onboarding.objects.filter(
            zusage__land=land, behoerde__ist_pilot=True, geschlossen_am__isnull=True
        )
        .select_related("behoerde")
        .order_by("behoerde__name", "behoerde_id", "leistung_id")
    ):
        behoerden.setdefault(o.behoerde_id, o.behoerde)
        records[o.behoerde_id][o.leistung_id] = o
    return [
        PilotZeile(
            behoerde_id=b.pk,
            schluessel=b.schluessel,
            name=b.name,
            art=str(b.get_art_display()),
            zellen=tuple(records[b.pk].get(lid) for lid in leistung_ids),
        )
        for b in behoerden.values()
    ]
