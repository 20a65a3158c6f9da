"""Views of the roll-in workflow, split by page: work queue, record page (with its inline
forms), audit timeline, hurdles."""

from onboarding.views.arbeitsliste import arbeitsliste
from onboarding.views.detail import aktualisieren, detail, golive, huerde_erfassen, punkt_setzen
from onboarding.views.huerden import huerde, huerde_loesen, huerden
from onboarding.views.verlauf import verlauf

__all__ = [
    "aktualisieren",
    "arbeitsliste",
    "detail",
    "golive",
    "huerde",
    "huerde_erfassen",
    "huerde_loesen",
    "huerden",
    "punkt_setzen",
    "verlauf",
]
