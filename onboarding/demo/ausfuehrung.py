"""Running a demo plan through the services, one transaction per Land
(``demo_fortschritt_anlegen``), with a marker event per commitment."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import Rolle, User
from audit.models import Aktion, Ereignis, Quelle
from leistungen.models import Zusage
from onboarding.demo.plan import Plan, Schritt, arbeitszeitpunkt, demo_datensaetze, demo_stichtag
from onboarding.demo.planer import demo_plan
from onboarding.demo.teams import demo_teams_anlegen
from onboarding.demo.vorgaben import DEMO_BEGINN, DEMO_LAENDER, DEMO_MARKER, DEMO_SEED, ZEITZONE
from onboarding.models import Checklistenpunkt, Huerde, Onboarding, Status, Team


@dataclass
class DemoErgebnis:
    zusagen: int = 0
    uebersprungen: int = 0
    schritte: int = 0
    huerden: int = 0
    endstatus: dict[str, int] = field(default_factory=dict)

    def __str__(self) -> str:
        if not self.zusagen:
            return f"nichts zu tun ({self.uebersprungen} Zusagen haben schon Demo-Fortschritt)"
        verteilung = ", ".join(f"{status}: {n}" for status, n in sorted(self.endstatus.items()))
        return (
            f"{self.zusagen} Zusagen, {self.schritte} Änderungen, {self.huerden} Hürden "
            f"({verteilung}); {self.uebersprungen} Zusagen übersprungen"
        )


def _hat_marker(zusage: Zusage) -> bool:
    return Ereignis.objects.filter(
        objekt_typ=zusage._meta.label_lower, objekt_id=zusage.pk, beschreibung=DEMO_MARKER
    ).exists()


class _Ausfuehrer:
    """Runs the steps of a plan through the services, day by day.

    The changes of one day go through ``onboardings_stapel_anwenden`` (the same rules,
    version checks and audit events as ``checklistenpunkt_setzen`` and
    ``onboarding_aktualisieren``, in a few queries): each record's steps of the day are cut
    into segments (checklist items, then at most one field change), segment *k* of every
    record goes into the *k*-th call. Team assignments come first in a day, hurdles last.
    """

    def __init__(self, plan: Plan, teams: dict[str, Team], land_kurz: str, seed: int) -> None:
        from onboarding import services

        self.s = services
        self.plan = plan
        self.teams = teams
        self.seed = seed
        self.huerde_ids: dict[str, int] = {}
        # Who acts: the GU programme office, the team member for their team's records, the
        # Land coordination for team assignments (if there is a demo account for it).
        konten = {u.username: u for u in User.objects.filter(ist_demo=True, is_active=True)}
        if "demo-gu" not in konten:
            raise ValidationError(
                "Das Demo-Konto demo-gu fehlt: zuerst die Demo-Konten anlegen (seed_demo)."
            )
        self.gu = konten["demo-gu"]
        self.koordination = konten.get(f"demo-koordination-{land_kurz.lower()}", self.gu)
        self.team_mitglied = {
            u.team_id: u for u in konten.values() if u.rolle == Rolle.ROLLIN_TEAM and u.team_id
        }
        ids = {s.onboarding_id for s in plan.schritte if s.onboarding_id}
        self.team_von: dict[int, int | None] = dict(
            Onboarding.objects.filter(pk__in=ids).values_list("pk", "team_id")
        )

    def user(self, onboarding_id: int) -> User:
        team_id = self.team_von.get(onboarding_id)
        return self.team_mitglied.get(team_id, self.gu) if team_id else self.gu

    def ausfuehren(self) -> int:
        tage: dict[dt.date, list[Schritt]] = defaultdict(list)
        for schritt in self.plan.schritte:
            tage[schritt.zeitpunkt.date()].append(schritt)
        for tag, schritte in sorted(tage.items()):
            rng = random.Random(f"{self.seed}:{tag}")
            beginn = dt.datetime.combine(tag, dt.time(8, rng.randint(0, 59)), tzinfo=ZEITZONE)
            self._teams(beginn, [s for s in schritte if s.art == "team"])
            mittag = beginn + dt.timedelta(hours=rng.randint(2, 6))
            self._datensaetze(mittag, [s for s in schritte if s.onboarding_id and s.art != "team"])
            abend = dt.datetime.combine(tag, dt.time(16, rng.randint(0, 59)), tzinfo=ZEITZONE)
            for nummer, schritt in enumerate(s for s in schritte if s.art in ("huerde", "loesen")):
                zeitpunkt = abend + dt.timedelta(minutes=nummer)
                if schritt.art == "huerde":
                    self._huerde(schritt, zeitpunkt)
                else:
                    self._loesen(schritt, zeitpunkt)
        return len(self.plan.schritte)

    def _teams(self, zeitpunkt: dt.datetime, schritte: list[Schritt]) -> None:
        """One assignment per team and day, as a coordinator assigns a whole wave."""
        nach_team: dict[str, list[int]] = defaultdict(list)
        for schritt in schritte:
            nach_team[schritt.daten["team"]].append(schritt.onboarding_id or 0)
        for team, ids in sorted(nach_team.items()):
            self.s.team_zuweisen(
                onboarding_ids=ids,
                team=self.teams[team],
                user=self.koordination,
                quelle=Quelle.SYSTEM,
                zeitpunkt=zeitpunkt,
            )
            for pk in ids:
                self.team_von[pk] = self.teams[team].pk

    def _datensaetze(self, zeitpunkt: dt.datetime, schritte: list[Schritt]) -> None:
        from onboarding.services import PunktAenderung, StapelAenderung

        # Per record: segments of (items, fields); a field change closes a segment.
        segmente: dict[int, list[tuple[list[PunktAenderung], dict[str, Any]]]] = {}
        for schritt in schritte:
            pk = schritt.onboarding_id or 0
            liste = segmente.setdefault(pk, [([], {})])
            if liste[-1][1]:
                liste.append(([], {}))
            punkte, felder = liste[-1]
            if schritt.art == "punkt":
                punkte.append(self._punkt(schritt))
            else:
                felder.update(self._felder(schritt))
        runde = 0
        while True:
            nach_user: dict[int, list[StapelAenderung]] = defaultdict(list)
            users: dict[int, User] = {}
            for pk, liste in segmente.items():
                if runde < len(liste):
                    punkte, felder = liste[runde]
                    user = self.user(pk)
                    users[user.pk] = user
                    nach_user[user.pk].append(
                        StapelAenderung(onboarding_id=pk, daten=felder, punkte=punkte)
                    )
            if not nach_user:
                return
            for user_pk, aenderungen in sorted(nach_user.items()):
                ergebnis = self.s.onboardings_stapel_anwenden(
                    aenderungen=aenderungen,
                    user=users[user_pk],
                    quelle=Quelle.SYSTEM,
                    zeitpunkt=zeitpunkt + dt.timedelta(minutes=runde),
                )
                if not ergebnis.fehlerfrei:
                    position, fehler = next(iter(ergebnis.fehler.items()))
                    raise ValidationError(
                        f"Demo-Fortschritt am {zeitpunkt:%d.%m.%Y}, Onboarding "
                        f"{aenderungen[position].onboarding_id}: {fehler}"
                    )
            runde += 1

    @staticmethod
    def _punkt(s: Schritt) -> Any:
        from onboarding.services import PunktAenderung

        verzicht: str = s.daten["verzicht"]
        return PunktAenderung(
            punkt_id=s.daten["punkt"].id,
            stand=Checklistenpunkt.Stand.VERZICHTET
            if verzicht
            else Checklistenpunkt.Stand.ERLEDIGT,
            verzicht_grund=verzicht,
            erledigt_am=None if verzicht else s.daten["datum"],
        )

    @staticmethod
    def _felder(s: Schritt) -> dict[str, Any]:
        if s.art == "aktualisieren":
            return dict(s.daten)
        if s.art == "golive":
            return {"status": Status.LIVE, "ist_golive": s.daten["datum"]}
        # "phase_fertig": the record shows the phase as finished (the checklist may already
        # have advanced it; unchanged values write nothing).
        phase: int = s.daten["phase"]
        datum: dt.date = s.daten["datum"]
        felder: list[dict[str, Any]] = [
            {"status": Status.PHASE_1},
            {"status": Status.PHASE_2, "ist_phase_1": datum},
            {"status": Status.PHASE_3, "ist_phase_2": datum},
            {"status": Status.BETRIEBSFAEHIG},
        ]
        return felder[phase]

    def _huerde(self, s: Schritt, zeitpunkt: dt.datetime) -> None:
        definition, _ = self.plan.huerden[s.daten["key"]]
        huerde = self.s.huerde_erfassen(
            user=self.gu,
            daten={
                "titel": definition.titel,
                "beschreibung": definition.beschreibung,
                "kategorie": definition.kategorie,
                "verantwortlich": definition.verantwortlich,
                "schwere": definition.schwere,
                "blockierend": definition.blockierend,
                "erfasst_am": definition.erfasst,
                "faellig_am": definition.faellig,
            },
            onboarding_ids=s.daten["ids"],
            quelle=Quelle.SYSTEM,
            zeitpunkt=zeitpunkt,
        )
        self.huerde_ids[s.daten["key"]] = huerde.pk

    def _loesen(self, s: Schritt, zeitpunkt: dt.datetime) -> None:
        definition, _ = self.plan.huerden[s.daten["key"]]
        pk = self.huerde_ids[s.daten["key"]]
        huerde = Huerde.objects.only("id", "version").get(pk=pk)
        assert definition.geloest is not None  # only resolved hurdles get a "loesen" step
        self.s.huerde_loesen(
            huerde_id=pk,
            user=self.gu,
            version=huerde.version,
            loesung=definition.loesung,
            datum=definition.geloest,
            quelle=Quelle.SYSTEM,
            zeitpunkt=zeitpunkt,
        )


def demo_fortschritt_anlegen(
    *,
    laender: Iterable[str] = DEMO_LAENDER,
    leistungen: Iterable[str] | None = None,
    heute: dt.date | None = None,
    seed: int = DEMO_SEED,
) -> DemoErgebnis:
    """Write the demo progress for the commitments of ``laender`` (optionally only the
    services ``leistungen``, OZG-IDs) that have none yet. Needs the onboarding records
    (``onboardings_abgleichen``)."""
    from audit.services import ereignis_schreiben

    laender = [kurz for kurz in laender if kurz in DEMO_LAENDER]
    stichtag = demo_stichtag(heute)
    ergebnis = DemoErgebnis()
    if stichtag <= DEMO_BEGINN:
        return ergebnis
    teams = demo_teams_anlegen()
    zusagen = Zusage.objects.filter(land__kurz__in=laender).select_related("land", "leistung")
    if leistungen is not None:
        zusagen = zusagen.filter(leistung__ozg_id__in=list(leistungen))
    nach_land: dict[str, list[Zusage]] = defaultdict(list)
    for zusage in zusagen.order_by("land__kurz", "leistung__ozg_id"):
        if _hat_marker(zusage):
            ergebnis.uebersprungen += 1
        else:
            nach_land[zusage.land.kurz].append(zusage)
    for kurz, offen in sorted(nach_land.items()):
        with transaction.atomic():
            plan = demo_plan(
                datensaetze=demo_datensaetze(zusagen=offen), stichtag=stichtag, seed=seed
            )
            ergebnis.schritte += _Ausfuehrer(plan, teams, kurz, seed).ausfuehren()
            ergebnis.huerden += len(plan.huerden)
            for status in plan.endstatus.values():
                ergebnis.endstatus[status] = ergebnis.endstatus.get(status, 0) + 1
            for zusage in offen:
                ereignis_schreiben(
                    user=None,
                    quelle=Quelle.SYSTEM,
                    aktion=Aktion.GEAENDERT,
                    objekt=zusage,
                    aenderungen={},
                    beschreibung=DEMO_MARKER,
                    zeitpunkt=arbeitszeitpunkt(stichtag, random.Random(f"{seed}:{kurz}")),
                )
            ergebnis.zusagen += len(offen)
    return ergebnis
