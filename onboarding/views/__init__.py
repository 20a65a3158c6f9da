"""Views of the roll-in workflow, split by page: work queue, record page (with its inline
forms), audit timeline, hurdles, commitments."""

from onboarding.views.arbeitsliste import arbeitsliste
from onboarding.views.detail import aktualisieren, detail, golive, huerde_erfassen, punkt_setzen
from onboarding.views.huerden import huerde, huerde_bearbeiten, huerde_loesen, huerden
from onboarding.views.verlauf import verlauf
from onboarding.views.zusagen import zusage_aendern, zusagen

__all__ = [
    "aktualisieren",
    "arbeitsliste",
    "detail",
    "golive",
    "huerde",
    "huerde_bearbeiten",
    "huerde_erfassen",
    "huerde_loesen",
    "huerden",
    "punkt_setzen",
    "verlauf",
    "zusage_aendern",
    "zusagen",
]
