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

Split by sub-domain:

- :mod:`.vorgaben`: the fixed inputs: dates, waves by Regierungsbezirk, service profiles and
  phase durations, the demo hurdles.
- :mod:`.teams`: the demo teams and which team covers a Regierungsbezirk.
- :mod:`.plan`: what a plan is made of (``Datensatz``, ``Schritt``, ``Plan``), the data date
  and loading the records (``demo_datensaetze``).
- :mod:`.planer`: working out the timelines (``demo_plan``).
- :mod:`.ausfuehrung`: running a plan through the services (``demo_fortschritt_anlegen``).
"""

from onboarding.demo.ausfuehrung import DemoErgebnis, demo_fortschritt_anlegen
from onboarding.demo.plan import (
    Datensatz,
    Plan,
    PunktInfo,
    Schritt,
    demo_datensaetze,
    demo_stichtag,
)
from onboarding.demo.planer import demo_plan
from onboarding.demo.teams import DEMO_TEAMS, DemoTeam, demo_teams_anlegen
from onboarding.demo.vorgaben import (
    BETRIEB,
    BY_VERTRAG,
    DAUER,
    DEMO_BEGINN,
    DEMO_ENDE,
    DEMO_LAENDER,
    DEMO_MARKER,
    DEMO_SEED,
    DEMO_SUFFIX,
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
    ZEITZONE,
    DemoHuerde,
    Profil,
    Welle,
)

__all__ = [
    "BETRIEB",
    "BY_VERTRAG",
    "DAUER",
    "DEMO_BEGINN",
    "DEMO_ENDE",
    "DEMO_LAENDER",
    "DEMO_MARKER",
    "DEMO_SEED",
    "DEMO_SUFFIX",
    "DEMO_TEAMS",
    "Datensatz",
    "DemoErgebnis",
    "DemoHuerde",
    "DemoTeam",
    "GEBUEHRENFREI",
    "GOLIVE",
    "HUERDEN",
    "LANDESVERTRAG_CODE",
    "PERSONAL_TITEL",
    "PROFILE",
    "Plan",
    "Profil",
    "PunktInfo",
    "STANDARD_PROFIL",
    "Schritt",
    "VERZICHT_GRUENDE",
    "WELLEN",
    "WELLE_NACH_BEZIRK",
    "Welle",
    "ZEITZONE",
    "demo_datensaetze",
    "demo_fortschritt_anlegen",
    "demo_plan",
    "demo_stichtag",
    "demo_teams_anlegen",
]
