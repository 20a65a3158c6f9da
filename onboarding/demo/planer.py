"""Working out the demo timelines: one per record, without writing (``demo_plan``)."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from onboarding.demo.plan import Datensatz, Plan, PunktInfo, Schritt, arbeitszeitpunkt
from onboarding.demo.teams import demo_team_fuer
from onboarding.demo.vorgaben import (
    BETRIEB,
    BY_VERTRAG,
    DAUER,
    DEMO_BEGINN,
    DEMO_SEED,
    GEBUEHRENFREI,
    GOLIVE,
    HUERDEN,
    LANDESVERTRAG_CODE,
    PERSONAL_TITEL,
    PROFILE,
    STANDARD_PROFIL,
    VERZICHT_GRUENDE,
    WELLE_NACH_BEZIRK,
    WELLEN,
    DemoHuerde,
)
from onboarding.models import Huerde, Status


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
        zeitpunkt = arbeitszeitpunkt(tag, rng)
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
        team = demo_team_fuer(d.land_kurz, bezirk)
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


def demo_plan(*, datensaetze: list[Datensatz], stichtag: dt.date, seed: int = DEMO_SEED) -> Plan:
    """The demo steps for ``datensaetze`` up to ``stichtag``, in time order (no writes)."""
    planer = _Planer(stichtag=stichtag, seed=seed)
    for d in datensaetze:
        planer.datensatz(d)
    return planer.plan()
