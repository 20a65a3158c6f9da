"""Demo progress for Bayern and Hessen (``manage.py seed_demo``), written through the services.

Every change goes through the services of the roll-in workflow: checklist items, status,
waves, dates and go-live through ``onboardings_stapel_anwenden`` (the bulk path, with exactly
the rules, version checks and audit events of ``checklistenpunkt_setzen`` and
``onboarding_aktualisieren``), teams through ``team_zuweisen``, hurdles through
``huerde_erfassen`` / ``huerde_loesen``; all with ``quelle=system`` and a ``zeitpunkt`` in the
past, so the audit history is real history and point-in-time questions work on the demo data
too. The acting users are the demo accounts (GU programme office, the team members for their
team's records, the Land coordination for team assignments).

How it works: :func:`demo_plan` first plans, without writing, one timeline per record (waves
by Regierungsbezirk, pilots first, phase durations per service, baseline authorities, the
effect of the demo hurdles) up to the data date :func:`demo_stichtag`. Every record draws
from its own ``random.Random`` seeded with ``DEMO_SEED`` and its natural key, so the plan of
a record does not depend on which other records are in the run. :func:`demo_fortschritt_anlegen`
then executes the steps of each Land in time order, in one transaction per Land.

Idempotent: each commitment gets a marker event (``DEMO_MARKER``) when its demo progress is
written; commitments with a marker are skipped. The audit history is append-only, so demo
progress is never rewritten.

Everything demo is marked: hurdle titles end with "(Demo)", teams are called "Demo-Team …".
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import Rolle, User
from audit.models import Aktion, Ereignis, Quelle
from kommunen.models import Land
from leistungen.models import Zusage
from onboarding.models import Checklistenpunkt, Huerde, Onboarding, Status, Team

DEMO_SEED = 2026
DEMO_LAENDER = ("BY", "HE")
# The programme started with Bayern and Hessen on 21.01.2026.
DEMO_BEGINN = dt.date(2026, 1, 21)
# The demo data end at this date at the latest (or today, if earlier), so that reruns on
# another day produce the same data.
DEMO_ENDE = dt.date(2026, 11, 20)
DEMO_MARKER = "Demo-Fortschritt angelegt (Demo)"
DEMO_SUFFIX = "(Demo)"
ZEITZONE = ZoneInfo("Europe/Berlin")

# Bayern signed the Land re-use contract on 04.05.2026: no Bavarian authority could finish
# Phase 0 before that.
BY_VERTRAG = dt.date(2026, 5, 4)
LANDESVERTRAG_CODE = "p0_nachnutzungsvertrag_land"  # fixtures/checkliste.json


# --- Teams ------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoTeam:
    name: str
    land_kurz: str
    # Regierungsbezirke (first three digits of the Regionalschlüssel) the team covers.
    bezirke: tuple[str, ...]
    beschreibung: str


DEMO_TEAMS: tuple[DemoTeam, ...] = (
    DemoTeam("Demo-Team Bayern Süd", "BY", ("091", "097"), "Oberbayern und Schwaben (Demo)"),
    DemoTeam("Demo-Team Bayern Ost", "BY", ("092", "093"), "Niederbayern und Oberpfalz (Demo)"),
    DemoTeam("Demo-Team Bayern Nord", "BY", ("094", "095", "096"), "Franken (Demo)"),
    DemoTeam("Demo-Team Hessen Süd", "HE", ("064",), "Regierungsbezirk Darmstadt (Demo)"),
    DemoTeam("Demo-Team Hessen Nord", "HE", ("065", "066"), "Gießen und Kassel (Demo)"),
)


def demo_teams_anlegen() -> dict[str, Team]:
    """Create the demo teams (idempotent); return them by name."""
    laender = {land.kurz: land for land in Land.objects.filter(kurz__in=DEMO_LAENDER)}
    teams: dict[str, Team] = {}
    for vorlage in DEMO_TEAMS:
        team, _ = Team.objects.update_or_create(
            name=vorlage.name,
            defaults={"land": laender.get(vorlage.land_kurz), "beschreibung": vorlage.beschreibung},
        )
        teams[team.name] = team
    return teams


def _team_fuer(land_kurz: str, bezirk: str) -> str | None:
    for team in DEMO_TEAMS:
        if team.land_kurz == land_kurz and bezirk in team.bezirke:
            return team.name
    candidates = [team.name for team in DEMO_TEAMS if team.land_kurz == land_kurz]
    return candidates[0] if candidates else None


# --- Waves and service profiles ------------------------------------------------------------


@dataclass(frozen=True)
class Welle:
    name: str
    geplant_ab: dt.date  # the wave is assigned (status "geplant")
    beginn: dt.date  # work on Phase 0 starts
    geplant_phase_1: dt.date
    geplant_phase_2: dt.date
    geplant_golive: dt.date


WELLEN = {
    1: Welle("Welle 1", dt.date(2026, 2, 2), dt.date(2026, 2, 9), dt.date(2026, 4, 30),
             dt.date(2026, 6, 15), dt.date(2026, 6, 30)),
    2: Welle("Welle 2", dt.date(2026, 3, 2), dt.date(2026, 4, 13), dt.date(2026, 7, 15),
             dt.date(2026, 8, 31), dt.date(2026, 9, 30)),
    3: Welle("Welle 3", dt.date(2026, 5, 4), dt.date(2026, 7, 1), dt.date(2026, 9, 15),
             dt.date(2026, 10, 31), dt.date(2026, 11, 30)),
    4: Welle("Welle 4", dt.date(2026, 7, 1), dt.date(2026, 9, 15), dt.date(2026, 11, 15),
             dt.date(2026, 12, 10), dt.date(2026, 12, 31)),
}  # fmt: skip

# Regierungsbezirk → wave (pilots are always wave 1).
WELLE_NACH_BEZIRK = {
    "091": 2, "097": 2, "092": 3, "093": 3, "095": 3, "094": 4, "096": 4,  # Bayern
    "064": 2, "065": 3, "066": 4,  # Hessen
}  # fmt: skip


@dataclass(frozen=True)
class Profil:
    """How a service typically goes: share already live before the programme, pace."""

    baseline: float
    tempo: float  # multiplies the phase durations
    nie_geplant: float  # share of wave 3/4 records still unclear in November


PROFILE = {
    "10124": Profil(baseline=0.08, tempo=0.9, nie_geplant=0.05),  # Ummeldung (eWA)
    "10169": Profil(baseline=0.03, tempo=1.2, nie_geplant=0.10),  # Führerschein
    "10519": Profil(baseline=0.02, tempo=1.5, nie_geplant=0.15),  # Baugenehmigung
    "10255": Profil(baseline=0.0, tempo=1.5, nie_geplant=0.15),  # Aufenthaltstitel
    "10151": Profil(baseline=0.0, tempo=1.4, nie_geplant=0.15),  # Waffenerlaubnis
    "10035": Profil(baseline=0.03, tempo=1.3, nie_geplant=0.10),  # Unterhaltsvorschuss
    "10462": Profil(baseline=0.0, tempo=1.2, nie_geplant=0.0),  # BImSchG
}
STANDARD_PROFIL = Profil(baseline=0.02, tempo=1.2, nie_geplant=0.1)

# Typical durations in days: Phase 0, 1, 2, Phase 3 up to the go-live, hypercare after it.
DAUER = (35, 45, 30, 14, 45)
GOLIVE, BETRIEB = 3, 4  # indexes into the list of phase ends

VERZICHT_GRUENDE = (
    "Durch die Landeslösung bereits abgedeckt (Demo)",
    "Für diese Behörde nicht einschlägig (Demo)",
)
GEBUEHRENFREI = ("10124",)  # no fees, so no ePayment


# --- Hurdles ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoHuerde:
    key: str
    land_kurz: str
    titel: str
    beschreibung: str
    kategorie: str
    verantwortlich: str
    schwere: str
    blockierend: bool
    erfasst: dt.date
    faellig: dt.date | None
    geloest: dt.date | None  # None: still open at the end of the demo data
    loesung: str = ""


HUERDEN: tuple[DemoHuerde, ...] = (
    DemoHuerde(
        "by-vertrag",
        "BY",
        "Landes-Nachnutzungsvertrag Bayern noch nicht unterzeichnet (Demo)",
        "Ohne den Nachnutzungsvertrag des Landes kann keine bayerische Behörde Phase 0 "
        "abschließen. (Demo)",
        Huerde.Kategorie.RECHT_VERTRAG,
        Huerde.Verantwortlich.LAND,
        Huerde.Schwere.HOCH,
        True,
        dt.date(2026, 3, 16),
        dt.date(2026, 4, 30),
        BY_VERTRAG,
        "Vertrag am 04.05.2026 unterzeichnet. (Demo)",
    ),
    DemoHuerde(
        "by-auslaender-release",
        "BY",
        "Fachverfahrens-Release für die XAusländer-Schnittstelle fehlt (Demo)",
        "Der Hersteller des Fachverfahrens liefert die Schnittstelle für den Online-Antrag "
        "Aufenthaltstitel erst mit dem nächsten Release aus. (Demo)",
        Huerde.Kategorie.SCHNITTSTELLE,
        Huerde.Verantwortlich.FACHVERFAHREN,
        Huerde.Schwere.KRITISCH,
        True,
        dt.date(2026, 6, 8),
        dt.date(2026, 8, 31),
        dt.date(2026, 8, 24),
        "Release 4.2 ausgeliefert und bei allen betroffenen Behörden installiert. (Demo)",
    ),
    DemoHuerde(
        "he-uvg-release",
        "HE",
        "Schnittstelle des Fachverfahrens Unterhaltsvorschuss noch nicht freigegeben (Demo)",
        "Die Freigabe der Schnittstelle durch den Hersteller steht aus. (Demo)",
        Huerde.Kategorie.SCHNITTSTELLE,
        Huerde.Verantwortlich.FACHVERFAHREN,
        Huerde.Schwere.HOCH,
        True,
        dt.date(2026, 9, 14),
        dt.date(2026, 12, 15),
        None,
    ),
    DemoHuerde(
        "he-pvog",
        "HE",
        "PVOG-Synchronisation verzögert Einträge um bis zu 72 Stunden (Demo)",
        "Neue Einträge im Landesredaktionssystem erscheinen verspätet im PVOG. (Demo)",
        Huerde.Kategorie.PVOG,
        Huerde.Verantwortlich.EFA_BETREIBER,
        Huerde.Schwere.MITTEL,
        False,
        dt.date(2026, 7, 6),
        dt.date(2026, 8, 15),
        dt.date(2026, 8, 10),
        "Synchronisationsintervall verkürzt. (Demo)",
    ),
    DemoHuerde(
        "he-epayment",
        "HE",
        "ePayment-Anbindung Führerschein: Gebührenkonto fehlt (Demo)",
        "Für die Gebühren des Führerscheinantrags fehlt das Buchungskonto im ePayment. (Demo)",
        Huerde.Kategorie.EPAYMENT,
        Huerde.Verantwortlich.KOMMUNE,
        Huerde.Schwere.MITTEL,
        True,
        dt.date(2026, 6, 22),
        dt.date(2026, 7, 31),
        dt.date(2026, 8, 3),
        "Gebührenkonten eingerichtet. (Demo)",
    ),
)

# One-record hurdles: small Kommunen without staff for the training (Phase 2).
PERSONAL_TITEL = "Zu wenig Personal für Schulung und Umstellung (Demo)"


# --- Plan ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PunktInfo:
    id: int
    version: int
    phase: int
    pflicht: bool
    code: str
    text: str


@dataclass
class Datensatz:
    """What the plan needs to know about one onboarding record."""

    id: int
    schluessel: str
    name: str
    ozg_id: str
    land_kurz: str
    ist_pilot: bool
    punkte: list[PunktInfo]


@dataclass(order=True)
class Schritt:
    zeitpunkt: dt.datetime
    nummer: int
    art: str = field(compare=False)
    onboarding_id: int | None = field(compare=False, default=None)
    daten: dict[str, Any] = field(compare=False, default_factory=dict)


@dataclass
class Plan:
    schritte: list[Schritt]
    # hurdle key → (definition, onboarding ids); one-record hurdles get their own keys.
    huerden: dict[str, tuple[DemoHuerde, list[int]]]
    endstatus: dict[int, str]


def demo_stichtag(heute: dt.date | None = None) -> dt.date:
    """The last day of the demo data: today, but never after ``DEMO_ENDE``."""
    return min(heute or timezone.localdate(), DEMO_ENDE)


def _zeit(tag: dt.date, rng: random.Random) -> dt.datetime:
    """A working-hours moment on ``tag``."""
    minuten = rng.randint(8 * 60, 17 * 60)
    return dt.datetime.combine(tag, dt.time(minuten // 60, minuten % 60), tzinfo=ZEITZONE)


def _tage(n: float) -> dt.timedelta:
    return dt.timedelta(days=max(1, round(n)))


def _verteilt(beginn: dt.date, ende: dt.date, n: int, rng: random.Random) -> list[dt.date]:
    """``n`` sorted days between ``beginn`` and ``ende``, the last one on ``ende``."""
    if n <= 0:
        return []
    spanne = max(0, (ende - beginn).days)
    tage = sorted(beginn + dt.timedelta(days=rng.randint(0, spanne)) for _ in range(n - 1))
    return [*tage, ende]


class _Planer:
    def __init__(self, *, stichtag: dt.date, seed: int) -> None:
        self.stichtag = stichtag
        self.seed = seed
        self.schritte: list[Schritt] = []
        self.huerden: dict[str, tuple[DemoHuerde, list[int]]] = {}
        self.endstatus: dict[int, str] = {}
        self._nummer = 0
        self._definitionen = {h.key: h for h in HUERDEN}

    def schritt(
        self,
        tag: dt.date,
        rng: random.Random,
        art: str,
        ob: int | None,
        nach: dt.datetime | None = None,
        **daten: Any,
    ) -> dt.datetime | None:
        """Plan a step on ``tag`` (after ``nach``, if given); not after the data date."""
        if tag > self.stichtag:
            return None
        zeitpunkt = _zeit(tag, rng)
        if nach is not None and zeitpunkt <= nach:
            zeitpunkt = nach + dt.timedelta(minutes=rng.randint(1, 20))
        self._nummer += 1
        self.schritte.append(Schritt(zeitpunkt, self._nummer, art, ob, daten))
        return zeitpunkt

    def verlinken(self, key: str, ob: int, definition: DemoHuerde | None = None) -> None:
        definition = definition or self._definitionen[key]
        self.huerden.setdefault(key, (definition, []))[1].append(ob)

    # -- one record ----------------------------------------------------------------------
    def datensatz(self, d: Datensatz) -> None:
        rng = random.Random(f"{self.seed}:{d.schluessel}:{d.ozg_id}")
        profil = PROFILE.get(d.ozg_id, STANDARD_PROFIL)
        status = Status.UNBEKANNT
        if not d.ist_pilot and rng.random() < profil.baseline:
            self.endstatus[d.id] = self._baseline(d, rng)
            return

        bezirk = d.schluessel[:3]
        welle_nr = 1 if d.ist_pilot else WELLE_NACH_BEZIRK.get(bezirk, 4)
        welle = WELLEN[welle_nr]
        if welle_nr >= 3 and rng.random() < profil.nie_geplant * (welle_nr - 1):
            # Still unclear in November: perhaps in Klärung, never planned.
            if rng.random() < 0.6:
                tag = welle.geplant_ab + _tage(rng.randint(0, 60))
                if self.schritt(tag, rng, "aktualisieren", d.id, status=Status.IN_KLAERUNG):
                    status = Status.IN_KLAERUNG
            self.endstatus[d.id] = status
            return

        geplant_tag = welle.geplant_ab + dt.timedelta(days=rng.randint(0, 10))
        if rng.random() < 0.3:
            klaerung = geplant_tag - dt.timedelta(days=rng.randint(5, 25))
            if self.schritt(
                max(klaerung, DEMO_BEGINN), rng, "aktualisieren", d.id, status=Status.IN_KLAERUNG
            ):
                status = Status.IN_KLAERUNG
        team = _team_fuer(d.land_kurz, bezirk)
        if team and welle.geplant_ab <= self.stichtag:
            self.schritt(welle.geplant_ab, random.Random(f"{team}:{welle.name}"), "team", d.id,
                         team=team)  # fmt: skip
        jitter = rng.randint(-7, 7)
        if self.schritt(
            geplant_tag,
            rng,
            "aktualisieren",
            d.id,
            status=Status.GEPLANT,
            welle=welle.name,
            geplant_phase_1=welle.geplant_phase_1 + dt.timedelta(days=jitter),
            geplant_phase_2=welle.geplant_phase_2 + dt.timedelta(days=jitter),
            geplant_golive=welle.geplant_golive + dt.timedelta(days=jitter),
        ):
            status = Status.GEPLANT
        else:
            self.endstatus[d.id] = status
            return

        # Phase timeline: start, then the end of Phase 0, 1, 2 (= go-live) and hypercare.
        tempo = profil.tempo * (0.7 if d.ist_pilot else 1.0)
        if rng.random() < 0.2:
            tempo *= rng.uniform(1.8, 3.0)  # some authorities are simply slow
        beginn = max(welle.beginn + dt.timedelta(days=rng.randint(0, 10 if d.ist_pilot else 40)),
                     geplant_tag)  # fmt: skip
        dauer = [n * tempo * rng.uniform(0.6, 1.6) for n in DAUER]
        enden: list[dt.date | None] = []
        tag = beginn
        for n in dauer:
            tag = tag + _tage(n)
            enden.append(tag)

        def schieben(phase: int, frueheste: dt.date | None) -> None:
            """Phase ``phase`` cannot end before ``frueheste`` (None: not in the demo data)."""
            for p in range(phase, len(enden)):
                alt = enden[p]
                if alt is None:
                    continue
                if frueheste is None:
                    enden[p] = None
                    continue
                if alt < frueheste:
                    verschiebung = frueheste - alt
                    for q in range(p, len(enden)):
                        wert = enden[q]
                        if wert is not None:
                            enden[q] = wert + verschiebung
                break

        # Bayern: Phase 0 needs the Land re-use contract.
        if d.land_kurz == "BY":
            vertrag = self._definitionen["by-vertrag"]
            if geplant_tag <= vertrag.erfasst and vertrag.erfasst <= self.stichtag:
                self.verlinken("by-vertrag", d.id)
            schieben(0, BY_VERTRAG + _tage(rng.randint(2, 21)))
        # Hurdles that hold up Phase 1 of some records.
        for key, leistung, anteil in (
            ("by-auslaender-release", "10255", 0.8),
            ("he-uvg-release", "10035", 0.8),
            ("he-epayment", "10169", 0.5),
        ):
            h = self._definitionen[key]
            if d.land_kurz != h.land_kurz or d.ozg_id != leistung or rng.random() >= anteil:
                continue
            ende_1 = enden[1]
            if h.erfasst > self.stichtag or ende_1 is None or ende_1 <= h.erfasst:
                continue
            if geplant_tag > h.erfasst:
                continue
            self.verlinken(key, d.id)
            geloest = h.geloest if h.geloest and h.geloest <= self.stichtag else None
            if h.blockierend:
                schieben(1, geloest + _tage(rng.randint(3, 25)) if geloest else None)
        # PVOG delays (not blocking): linked while the record is in Phase 1.
        h = self._definitionen["he-pvog"]
        ende_0, ende_1 = enden[0], enden[1]
        if (
            d.land_kurz == "HE"
            and d.ozg_id == "10124"
            and h.erfasst <= self.stichtag
            and ende_0 is not None
            and ende_1 is not None
            and ende_0 <= h.erfasst < ende_1
            and rng.random() < 0.5
        ):
            self.verlinken("he-pvog", d.id)
        # A small Kommune without staff for Phase 2.
        ende_1 = enden[1]
        if (
            len(d.schluessel) == 12
            and not d.ist_pilot
            and ende_1 is not None
            and ende_1 + _tage(10) <= self.stichtag
            and rng.random() < 0.012
        ):
            erfasst = ende_1 + _tage(10)
            geloest = erfasst + _tage(rng.randint(20, 60))
            offen = geloest > self.stichtag or rng.random() < 0.5
            key = f"personal-{d.schluessel}"
            definition = DemoHuerde(
                key,
                d.land_kurz,
                PERSONAL_TITEL,
                f"{d.name}: Die Schulung der Sachbearbeitung muss warten. (Demo)",
                Huerde.Kategorie.PERSONAL,
                Huerde.Verantwortlich.KOMMUNE,
                Huerde.Schwere.MITTEL,
                True,
                erfasst,
                erfasst + _tage(30),
                None if offen else geloest,
                "" if offen else "Vertretung organisiert, Schulung nachgeholt. (Demo)",
            )
            self.verlinken(key, d.id, definition)
            schieben(2, None if offen else geloest + _tage(rng.randint(5, 20)))

        self.endstatus[d.id] = self._phasen(d, rng, beginn, enden)

    def _phasen(
        self,
        d: Datensatz,
        rng: random.Random,
        beginn: dt.date,
        enden: list[dt.date | None],
    ) -> str:
        """Steps for Phases 0-2, the go-live and the hypercare; return the final status."""
        status: str = Status.GEPLANT
        anfang = beginn
        for phase in range(3):
            punkte = [p for p in d.punkte if p.phase == phase]
            ende = enden[phase]
            if ende is None or ende > self.stichtag:
                self._laufend(d, rng, punkte, anfang, ende)
                return status
            letzter = self._punkte(d, rng, punkte, anfang, ende, letzter_am_ende=True)
            self.schritt(ende, rng, "phase_fertig", d.id, letzter, phase=phase, datum=ende)
            status = (Status.PHASE_1, Status.PHASE_2, Status.PHASE_3)[phase]
            anfang = ende
        # Phase 3: everything but the last item before the go-live, hypercare after it.
        punkte = [p for p in d.punkte if p.phase == 3]
        vor, nach = punkte[:-1], punkte[-1:]
        golive = enden[GOLIVE]
        if golive is None or golive > self.stichtag:
            self._laufend(d, rng, vor, anfang, golive)
            return status
        letzter = self._punkte(d, rng, vor, anfang, golive, letzter_am_ende=True)
        letzter = self.schritt(golive, rng, "golive", d.id, letzter, datum=golive)
        betrieb = enden[BETRIEB]
        if betrieb is None or betrieb > self.stichtag:
            return Status.LIVE
        letzter = self._punkte(d, rng, nach, golive, betrieb, letzter_am_ende=True) or letzter
        self.schritt(betrieb, rng, "phase_fertig", d.id, letzter, phase=3, datum=betrieb)
        return Status.BETRIEBSFAEHIG

    def _laufend(
        self,
        d: Datensatz,
        rng: random.Random,
        punkte: list[PunktInfo],
        anfang: dt.date,
        ende: dt.date | None,
    ) -> None:
        """A phase still running at the data date: the share of items done grows with the
        time spent; at least one required item stays open."""
        if anfang > self.stichtag or not punkte:
            return
        geplant_bis = ende or self.stichtag + _tage(40)
        spanne = max(1, (geplant_bis - anfang).days)
        anteil = min(1.0, (self.stichtag - anfang).days / spanne)
        pflicht = [p for p in punkte if p.pflicht]
        n = min(int(len(pflicht) * anteil * rng.uniform(0.5, 1.0)), max(0, len(pflicht) - 1))
        optional = [p for p in punkte if not p.pflicht]
        erledigt = pflicht[:n] + optional[: int(len(optional) * anteil * 0.6)]
        self._punkte(d, rng, erledigt, anfang, self.stichtag, letzter_am_ende=False)

    def _punkte(
        self,
        d: Datensatz,
        rng: random.Random,
        punkte: list[PunktInfo],
        anfang: dt.date,
        bis: dt.date,
        *,
        letzter_am_ende: bool,
    ) -> dt.datetime | None:
        """Complete ``punkte`` on days between ``anfang`` and ``bis``; with
        ``letzter_am_ende`` the phase's last required item is done on ``bis``."""
        pflicht = [p for p in punkte if p.pflicht]
        optional = [p for p in punkte if not p.pflicht and rng.random() < 0.6]
        ordnung = optional + pflicht if letzter_am_ende else pflicht + optional
        tage = _verteilt(min(anfang, bis), bis, len(ordnung), rng)
        if not letzter_am_ende and tage:
            tage[-1] = min(anfang, bis) + dt.timedelta(
                days=rng.randint(0, max(0, (bis - anfang).days))
            )
            tage.sort()
        letzter: dt.datetime | None = None
        for punkt, tag in zip(ordnung, tage, strict=True):
            if d.land_kurz == "BY" and punkt.code == LANDESVERTRAG_CODE:
                tag = max(tag, BY_VERTRAG)  # not before Bayern signed
                if tag > bis:
                    continue
            verzicht = ""
            if punkt.pflicht and "epayment" in punkt.text.lower() and d.ozg_id in GEBUEHRENFREI:
                verzicht = "Leistung ist gebührenfrei, kein ePayment nötig (Demo)"
            elif punkt.pflicht and punkt.phase in (1, 2) and rng.random() < 0.03:
                verzicht = rng.choice(VERZICHT_GRUENDE)
            zeitpunkt = self.schritt(
                tag, rng, "punkt", d.id, punkt=punkt, verzicht=verzicht, datum=tag
            )
            if zeitpunkt and (letzter is None or zeitpunkt > letzter):
                letzter = zeitpunkt
        return letzter

    def _baseline(self, d: Datensatz, rng: random.Random) -> str:
        """Already live before the programme: the team records it in the first weeks, in
        one sitting. The programme did not onboard it, so its checklist stays as it is
        (baseline records need no checklist for their status)."""
        live_seit = dt.date(2025, 1, 1) + dt.timedelta(days=rng.randint(0, 330))
        tag = DEMO_BEGINN + dt.timedelta(days=rng.randint(1, 28))
        letzter = self.schritt(tag, rng, "aktualisieren", d.id, baseline=True)
        if letzter is None:
            return Status.UNBEKANNT
        letzter = self.schritt(tag, rng, "golive", d.id, letzter, datum=live_seit)
        self.schritt(tag, rng, "phase_fertig", d.id, letzter, phase=3, datum=live_seit)
        return Status.BETRIEBSFAEHIG

    def plan(self) -> Plan:
        # Hurdles: recorded and resolved in the time line too.
        for key, (definition, ids) in sorted(self.huerden.items()):
            rng = random.Random(f"{self.seed}:huerde:{key}")
            self.schritt(definition.erfasst, rng, "huerde", None, key=key, ids=sorted(ids))
            if definition.geloest:
                self.schritt(definition.geloest, rng, "loesen", None, key=key)
        self.schritte.sort()
        return Plan(self.schritte, self.huerden, self.endstatus)


def demo_datensaetze(*, zusagen: Iterable[Zusage]) -> list[Datensatz]:
    """The open onboarding records of ``zusagen`` with their checklist, in key order."""
    records = list(
        Onboarding.objects.filter(zusage__in=list(zusagen), geschlossen_am__isnull=True)
        .select_related("behoerde", "leistung", "zusage__land")
        .order_by("behoerde__schluessel", "leistung__ozg_id")
    )
    punkte: dict[int, list[PunktInfo]] = defaultdict(list)
    for p in Checklistenpunkt.objects.filter(onboarding__in=[r.pk for r in records]).order_by(
        "onboarding_id", "phase", "reihenfolge", "code"
    ):
        punkte[p.onboarding_id].append(
            PunktInfo(p.pk, p.version, p.phase, p.pflicht, p.code, p.text)
        )
    return [
        Datensatz(
            id=r.pk,
            schluessel=r.behoerde.schluessel,
            name=r.behoerde.name,
            ozg_id=r.leistung.ozg_id,
            land_kurz=r.zusage.land.kurz,
            ist_pilot=r.behoerde.ist_pilot,
            punkte=punkte[r.pk],
        )
        for r in records
    ]


def demo_plan(*, datensaetze: list[Datensatz], stichtag: dt.date, seed: int = DEMO_SEED) -> Plan:
    """The demo steps for ``datensaetze`` up to ``stichtag``, in time order (no writes)."""
    planer = _Planer(stichtag=stichtag, seed=seed)
    for d in datensaetze:
        planer.datensatz(d)
    return planer.plan()


# --- Execution --------------------------------------------------------------------------------


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
                    zeitpunkt=_zeit(stichtag, random.Random(f"{seed}:{kurz}")),
                )
            ergebnis.zusagen += len(offen)
    return ergebnis
