"""Editing one onboarding record: fields and status, go-live, checklist items, teams.

Every write checks the caller's scope (``PermissionDenied``), the version the caller loaded
(``Konflikt``, decided by ONE conditional ``UPDATE … WHERE id = %s AND version = %s``), and
the domain rules (``Ungueltig``, naming what is missing); then it writes one audit event
per changed object, all in one transaction.

Status rules (domain.md §5): the manual statuses run unbekannt → in_klaerung → geplant →
phase_1 → phase_2 → phase_3 → live → betriebsfaehig. Moving forward into a status needs the
required items of the phases before it done or waived (``VORAUSSETZUNGEN``: phase_1 needs
phase 0, phase_2 phases 0–1, phase_3 and live phases 0–2, betriebsfaehig phases 0–3 and the
status live). Records flagged ``baseline`` (live before the programme) skip the checklist
requirement. Moving backwards is allowed. ``nicht_zustaendig`` is set only by
``onboardings_abgleichen``; ``blockiert`` only by the hurdle services.

Split by sub-domain:

- :mod:`._gemeinsam`: reading submitted values, loading a record, conflicts, scope
  (``Rechte``), the validated change ``Schritt``.
- :mod:`.datensatz`: the record's fields and status, go-live.
- :mod:`.checkliste`: checklist items and the automatic phase advance.
- :mod:`.teams`: assigning roll-in teams to many records.
"""

from onboarding.services.bearbeiten._gemeinsam import (
    GemerkteRechte,
    Rechte,
    Schritt,
    daten_lesen,
    datum_lesen,
)
from onboarding.services.bearbeiten.checkliste import (
    checklistenpunkt_setzen,
    geaendert_von,
    punkt_schritt,
)
from onboarding.services.bearbeiten.datensatz import (
    felder_rechte_pruefen,
    golive_bestaetigen,
    onboarding_aktualisieren,
    onboarding_schritt,
    status_pruefen,
    weiterschalten_text,
)
from onboarding.services.bearbeiten.teams import team_zuweisen

__all__ = [
    "GemerkteRechte",
    "Rechte",
    "Schritt",
    "checklistenpunkt_setzen",
    "daten_lesen",
    "datum_lesen",
    "felder_rechte_pruefen",
    "geaendert_von",
    "golive_bestaetigen",
    "onboarding_aktualisieren",
    "onboarding_schritt",
    "punkt_schritt",
    "status_pruefen",
    "team_zuweisen",
    "weiterschalten_text",
]
