"""Writes of the roll-in workflow (onboarding records, checklists, hurdles, teams,
commitments). Every write validates, runs in one transaction, checks the caller's scope and
the version they loaded, and records an audit event per changed object.

The submodules are split by sub-domain; import the names from here.
"""

from onboarding.services._basis import (
    STATUS_REIHENFOLGE,
    VORAUSSETZUNGEN,
    Konflikt,
    Ungueltig,
    aktuelle_phase,
    fehlende_pflichtpunkte,
    naechster_status,
)
from onboarding.services.abgleich import onboardings_abgleichen
from onboarding.services.bearbeiten import (
    checklistenpunkt_setzen,
    golive_bestaetigen,
    onboarding_aktualisieren,
    status_pruefen,
    team_zuweisen,
)
from onboarding.services.huerden import (
    blockiert_abgleichen,
    huerde_aktualisieren,
    huerde_erfassen,
    huerde_loesen,
)
from onboarding.services.stapel import (
    PunktAenderung,
    StapelAenderung,
    StapelErgebnis,
    onboardings_stapel_anwenden,
)
from onboarding.services.vorlagen import (
    checklisten_vorlage_import,
    checklisten_vorlage_neue_version,
    vorlage_fuer_leistung,
)
from onboarding.services.zusagen import zusage_aktualisieren, zusage_anlegen

__all__ = [
    "STATUS_REIHENFOLGE",
    "VORAUSSETZUNGEN",
    "Konflikt",
    "PunktAenderung",
    "StapelAenderung",
    "StapelErgebnis",
    "Ungueltig",
    "aktuelle_phase",
    "blockiert_abgleichen",
    "checklisten_vorlage_import",
    "checklisten_vorlage_neue_version",
    "checklistenpunkt_setzen",
    "fehlende_pflichtpunkte",
    "golive_bestaetigen",
    "huerde_aktualisieren",
    "huerde_erfassen",
    "huerde_loesen",
    "naechster_status",
    "onboarding_aktualisieren",
    "onboardings_abgleichen",
    "onboardings_stapel_anwenden",
    "status_pruefen",
    "team_zuweisen",
    "vorlage_fuer_leistung",
    "zusage_aktualisieren",
    "zusage_anlegen",
]
