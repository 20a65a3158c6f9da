"""The permission matrix: every role × every action × in-scope / out-of-scope object.

Each case asserts the permission function AND what the server does: reads through the
view helpers (404 outside the scope), writes through the services (``PermissionDenied``
outside the scope, success inside).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from accounts.models import Rolle
from audit.models import Quelle
from leistungen.models import Programmteilnahme
from onboarding import permissions as p
from onboarding import services
from onboarding.models import Huerde, Onboarding
from tests.onboarding import helfer as h

pytestmark = pytest.mark.django_db

ROLLEN = ["bund", "land_by", "koordination_by", "gu", "team_by", "admin"]
AKTIONEN = [
    "sehen",
    "bearbeiten",
    "checkliste",
    "huerde_erfassen",
    "huerde_loesen",
    "team_zuweisen",
    "zusage_bearbeiten",
    "behoerde_sehen",
]
OBJEKTE = ["by_eigenes_team", "by_anderes_team", "he"]

J, N = True, False
# Expected outcome per role and action for (by_eigenes_team, by_anderes_team, he).
# The GU office is contracted for Bayern only in this setup (Hessen: gu_beauftragt=False).
ERWARTET: dict[str, dict[str, tuple[bool, bool, bool]]] = {
    "bund": {
        "sehen": (J, J, J),
        "bearbeiten": (N, N, N),
        "checkliste": (N, N, N),
        "huerde_erfassen": (N, N, N),
        "huerde_loesen": (N, N, N),
        "team_zuweisen": (N, N, N),
        "zusage_bearbeiten": (N, N, N),
        "behoerde_sehen": (J, J, J),
    },
    "land_by": {
        "sehen": (J, J, N),
        "bearbeiten": (N, N, N),
        "checkliste": (N, N, N),
        "huerde_erfassen": (N, N, N),
        "huerde_loesen": (N, N, N),
        "team_zuweisen": (N, N, N),
        "zusage_bearbeiten": (N, N, N),
        "behoerde_sehen": (J, J, N),
    },
    "koordination_by": {
        "sehen": (J, J, N),
        "bearbeiten": (N, N, N),
        "checkliste": (N, N, N),
        "huerde_erfassen": (N, N, N),
        "huerde_loesen": (N, N, N),
        "team_zuweisen": (J, J, N),
        "zusage_bearbeiten": (J, J, N),
        "behoerde_sehen": (J, J, N),
    },
    "gu": {
        "sehen": (J, J, N),
        "bearbeiten": (J, J, N),
        "checkliste": (J, J, N),
        "huerde_erfassen": (J, J, N),
        "huerde_loesen": (J, J, N),
        "team_zuweisen": (J, J, N),
        "zusage_bearbeiten": (N, N, N),
        "behoerde_sehen": (J, J, N),
    },
    "team_by": {
        "sehen": (J, J, N),
        "bearbeiten": (J, N, N),
        "checkliste": (J, N, N),
        "huerde_erfassen": (J, N, N),
        "huerde_loesen": (J, N, N),
        "team_zuweisen": (N, N, N),
        "zusage_bearbeiten": (N, N, N),
        "behoerde_sehen": (J, J, N),
    },
    "admin": dict.fromkeys(AKTIONEN, (J, J, J)),
}

FAELLE = [
    pytest.param(rolle, aktion, objekt, ERWARTET[rolle][aktion][i], id=f"{rolle}-{aktion}-{objekt}")
    for rolle in ROLLEN
    for aktion in AKTIONEN
    for i, objekt in enumerate(OBJEKTE)
]


def test_the_table_covers_every_combination() -> None:
    assert len(FAELLE) == len(ROLLEN) * len(AKTIONEN) * len(OBJEKTE) == 144
    assert all(set(ERWARTET[r]) == set(AKTIONEN) for r in ROLLEN)


@dataclass
class Welt:
    users: dict[str, Any]
    objekte: dict[str, Onboarding]
    huerden: dict[str, Huerde]
    teams: dict[str, Any]


@pytest.fixture
def welt() -> Welt:
    Programmteilnahme.objects.filter(land__kurz="HE").update(gu_beauftragt=False)
    admin = h.admin()
    team_by, team_by2 = h.team("Team BY-A", "BY"), h.team("Team BY-B", "BY")
    team_he = h.team("Team HE-A", "HE")
    objekte = {
        "by_eigenes_team": h.onboarding(h.PULLACH, "10124"),
        "by_anderes_team": h.onboarding(h.LRA_MUENCHEN, "10169"),
        "he": h.onboarding(h.WIESBADEN, "10124"),
    }
    for name, team in (("by_eigenes_team", team_by), ("by_anderes_team", team_by2)):
        services.team_zuweisen(
            onboarding_ids=[objekte[name].pk], team=team, user=admin, quelle=Quelle.SYSTEM
        )
    huerden = {
        name: services.huerde_erfassen(
            user=admin,
            daten={"titel": f"Hürde {name}", "kategorie": "pvog", "verantwortlich": "land"},
            onboarding_ids=[o.pk],
            quelle=Quelle.SYSTEM,
        )
        for name, o in objekte.items()
    }
    users = {
        "bund": h.user("bund", Rolle.MINISTERIUM),
        "land_by": h.user("land-by", Rolle.MINISTERIUM, land=h.land("BY")),
        "koordination_by": h.user("koord-by", Rolle.LAND_KOORDINATION, land=h.land("BY")),
        "gu": h.user("gu", Rolle.GU_PROGRAMMBUERO),
        "team_by": h.user("team-by", Rolle.ROLLIN_TEAM, team=team_by),
        "admin": admin,
    }
    objekte = {name: h.frisch(o) for name, o in objekte.items()}
    teams = {"BY": h.team("Team BY-C", "BY"), "HE": team_he}
    return Welt(users=users, objekte=objekte, huerden=huerden, teams=teams)


def _ausfuehren(welt: Welt, user: Any, aktion: str, objekt: str) -> tuple[bool, bool]:
    """(what the permission function says, whether the server allowed it)."""
    o = welt.objekte[objekt]
    if aktion == "sehen":
        erlaubt = p.darf_onboarding_sehen(user, o)
        assert p.onboardings_sichtbar(user).filter(pk=o.pk).exists() == erlaubt
        assert p.sichtbare_laender(user).filter(pk=o.zusage.land_id).exists() == erlaubt
        try:
            p.onboarding_holen(user=user, pk=o.pk)
            p.huerde_holen(user=user, pk=welt.huerden[objekt].pk)
            return erlaubt, True
        except Http404:
            return erlaubt, False
    if aktion == "behoerde_sehen":
        erlaubt = p.darf_behoerde_sehen(user, o.behoerde)
        return erlaubt, erlaubt
    try:
        if aktion in ("bearbeiten", "checkliste", "huerde_erfassen"):
            erlaubt = p.darf_onboarding_bearbeiten(user, o)
            assert p.onboardings_bearbeitbar(user).filter(pk=o.pk).exists() == erlaubt
            if aktion == "bearbeiten":
                _holen_bearbeiten(user, o, erlaubt)
                services.onboarding_aktualisieren(
                    onboarding_id=o.pk,
                    user=user,
                    version=o.version,
                    daten={"welle": "Welle 9", "geplant_golive": "2026-12-20"},
                    quelle=Quelle.UI,
                )
                assert h.frisch(o).welle == "Welle 9"
            elif aktion == "checkliste":
                punkt = h.punkte(o, 0)[0]
                services.checklistenpunkt_setzen(
                    punkt_id=punkt.pk,
                    user=user,
                    version=punkt.version,
                    stand="erledigt",
                    quelle=Quelle.UI,
                )
            else:
                services.huerde_erfassen(
                    user=user,
                    daten={"titel": "Neu", "kategorie": "personal", "verantwortlich": "kommune"},
                    onboarding_ids=[o.pk],
                    quelle=Quelle.UI,
                )
        elif aktion == "huerde_loesen":
            huerde = welt.huerden[objekt]
            erlaubt = p.darf_huerde_bearbeiten(user, huerde)
            services.huerde_loesen(
                huerde_id=huerde.pk,
                user=user,
                version=huerde.version,
                loesung="erledigt",
                datum=timezone.localdate(),
                quelle=Quelle.UI,
            )
            assert not h.frisch(o).blockiert
        elif aktion == "team_zuweisen":
            erlaubt = p.darf_team_zuweisen(user, o)
            team = welt.teams[o.zusage.land.kurz]
            anzahl = services.team_zuweisen(
                onboarding_ids=[o.pk], team=team, user=user, quelle=Quelle.UI
            )
            assert anzahl == 1
        elif aktion == "zusage_bearbeiten":
            erlaubt = p.darf_zusage_bearbeiten(user, o.zusage)
            services.zusage_aktualisieren(
                zusage_id=o.zusage_id,
                user=user,
                daten={"frist": o.zusage.frist + dt.timedelta(days=1)},
                quelle=Quelle.UI,
            )
        else:  # pragma: no cover - the table lists every action
            raise AssertionError(aktion)
    except PermissionDenied:
        return erlaubt, False
    return erlaubt, True


def _holen_bearbeiten(user: Any, o: Onboarding, erlaubt: bool) -> None:
    if erlaubt:
        assert p.onboarding_holen(user=user, pk=o.pk, bearbeiten=True) == o
    elif p.darf_onboarding_sehen(user, o):
        with pytest.raises(PermissionDenied):
            p.onboarding_holen(user=user, pk=o.pk, bearbeiten=True)
    else:
        with pytest.raises(Http404):
            p.onboarding_holen(user=user, pk=o.pk, bearbeiten=True)


@pytest.mark.parametrize(("rolle", "aktion", "objekt", "erwartet"), FAELLE)
def test_permission_matrix(welt: Welt, rolle: str, aktion: str, objekt: str, erwartet: bool):
    erlaubt, ausgefuehrt = _ausfuehren(welt, welt.users[rolle], aktion, objekt)
    assert erlaubt is erwartet
    assert ausgefuehrt is erwartet


def test_anonymous_and_inactive_users_see_nothing(welt: Welt) -> None:
    from django.contrib.auth.models import AnonymousUser

    inaktiv = h.user("inaktiv", Rolle.ADMINISTRATION, is_active=False)
    for user in (AnonymousUser(), inaktiv):
        assert not p.onboardings_sichtbar(user).exists()
        assert not p.onboardings_bearbeitbar(user).exists()
        with pytest.raises(Http404):
            p.onboarding_holen(user=user, pk=welt.objekte["he"].pk)
