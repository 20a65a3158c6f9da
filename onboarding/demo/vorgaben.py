"""The fixed inputs of the demo progress: dates, waves by Regierungsbezirk, service
profiles and phase durations, the demo hurdles."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from onboarding.models import Huerde

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
