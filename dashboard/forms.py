"""Forms of the dashboard pages: they only parse the filters of a query string."""

from __future__ import annotations

from typing import Any

from django import forms

from dashboard.selectors.land import SORTIERUNGEN, STANDARD_SORTIERUNG
from onboarding.models import Status


class LandBehoerdenFilterForm(forms.Form):
    """Filters and sort order of the authority table of a Land page (and its export)."""

    q = forms.CharField(label="Behörde", required=False, max_length=100, strip=True)
    leistung = forms.ChoiceField(label="Leistung", required=False)
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[("", "alle Status")]
        + [(w, t) for w, t in Status.choices if w != Status.NICHT_ZUSTAENDIG],
    )
    team = forms.ChoiceField(label="Team", required=False)
    blockiert = forms.BooleanField(label="nur blockierte", required=False)
    ueberfaellig = forms.BooleanField(label="nur überfällige", required=False)
    sort = forms.CharField(required=False, max_length=20)

    def __init__(
        self,
        *args: Any,
        leistungen: list[tuple[str, str]],
        teams: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["leistung"].choices = [("", "alle Leistungen"), *leistungen]  # type: ignore[attr-defined]
        self.fields["team"].choices = [  # type: ignore[attr-defined]
            ("", "alle Teams"),
            *teams,
            ("ohne", "ohne Team"),
        ]

    def daten(self) -> dict[str, Any]:
        """The valid filters (invalid ones are dropped, so a stale link still works)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {k: v for k, v in getattr(self, "cleaned_data", {}).items() if v}

    def sortierung(self) -> tuple[str, bool]:
        """(sort key, descending) from ``sort`` ("golive" or "-golive")."""
        wert = str(self.daten().get("sort") or STANDARD_SORTIERUNG)
        absteigend = wert.startswith("-")
        schluessel = wert.lstrip("-")
        if schluessel not in SORTIERUNGEN:
            return STANDARD_SORTIERUNG, False
        return schluessel, absteigend
