"""Forms of the roll-in pages. They only parse and check the shape of the input; the rules
(status transitions, dates in the future, scope) live in ``onboarding.services``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

from kommunen.models import Land
from leistungen.models import Leistung
from onboarding.models import DATUMSFELDER, Checklistenpunkt, Huerde, Onboarding, Status, Team

# Work-queue views ("tabs"): value → label, in display order.
ANSICHTEN = {
    "ueberfaellig": "Überfällig",
    "naechster_schritt": "Nächster Schritt",
    "blockiert": "Blockiert",
    "zuletzt_geaendert": "Zuletzt geändert",
    "alle": "Alle",
}
STANDARD_ANSICHT = "alle"

# Fields of the status/dates form, in display order (``team`` only for users who may assign).
ONBOARDING_FELDER = (
    "status",
    "welle",
    "team",
    "baseline",
    "geplant_phase_1",
    "geplant_phase_2",
    "geplant_golive",
    "ist_phase_1",
    "ist_phase_2",
    "ist_golive",
)


class ArbeitslisteFilterForm(forms.Form):
    ansicht = forms.ChoiceField(choices=list(ANSICHTEN.items()), required=False)
    leistung = forms.ModelChoiceField(
        queryset=Leistung.objects.order_by("ozg_id"),
        required=False,
        empty_label="alle Leistungen",
        to_field_name="ozg_id",
    )
    status = forms.ChoiceField(choices=[("", "alle Status"), *Status.choices], required=False)
    land = forms.ModelChoiceField(
        queryset=Land.objects.order_by("name"),
        required=False,
        empty_label="alle Länder",
        to_field_name="kurz",
    )
    q = forms.CharField(required=False, max_length=100, strip=True)

    def __init__(self, *args: Any, laender: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if laender is not None:
            self.fields["land"].queryset = laender  # type: ignore[attr-defined]

    def filter(self) -> dict[str, Any]:
        """The filter dict for ``onboarding.selectors.arbeitsliste``."""
        if not self.is_valid():
            return {"ansicht": STANDARD_ANSICHT}
        daten = self.cleaned_data
        leistung, land = daten.get("leistung"), daten.get("land")
        return {
            "ansicht": daten.get("ansicht") or STANDARD_ANSICHT,
            "leistung": leistung.ozg_id if leistung else None,
            "status": daten.get("status") or None,
            "land": land.kurz if land else None,
            "q": daten.get("q") or "",
        }


class OnboardingForm(forms.ModelForm):
    """Status and dates of one record. ``version`` is the version the user saw."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    class Meta:
        model = Onboarding
        fields = list(ONBOARDING_FELDER)
        widgets = {feld: forms.DateInput(attrs={"type": "date"}) for feld in DATUMSFELDER}

    def __init__(self, *args: Any, team_erlaubt: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # nicht_zustaendig is set by the responsibility sync only.
        self.fields["status"].choices = [  # type: ignore[attr-defined]
            (wert, label)
            for wert, label in Status.choices
            if wert != Status.NICHT_ZUSTAENDIG or (self.instance and self.instance.status == wert)
        ]
        for feld in DATUMSFELDER:
            self.fields[feld].widget.format = "%Y-%m-%d"
        if team_erlaubt:
            team = self.fields["team"]
            assert isinstance(team, forms.ModelChoiceField)
            team.queryset = Team.objects.order_by("name")
            team.empty_label = "kein Team"
        else:
            del self.fields["team"]

    def daten(self) -> dict[str, Any]:
        """All submitted fields except the version."""
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}


class ChecklistenpunktForm(forms.Form):
    """One checklist item: the checkbox ``erledigt``, or waive with a reason, or reopen."""

    AKTIONEN = (("setzen", "setzen"), ("verzichten", "verzichten"), ("oeffnen", "öffnen"))

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    erledigt = forms.BooleanField(required=False)
    aktion = forms.ChoiceField(choices=AKTIONEN, required=False)
    verzicht_grund = forms.CharField(required=False, max_length=300, strip=True)

    def stand(self) -> str:
        aktion = self.cleaned_data.get("aktion") or "setzen"
        if aktion == "verzichten":
            return Checklistenpunkt.Stand.VERZICHTET
        if aktion == "oeffnen":
            return Checklistenpunkt.Stand.OFFEN
        if self.cleaned_data.get("erledigt"):
            return Checklistenpunkt.Stand.ERLEDIGT
        return Checklistenpunkt.Stand.OFFEN


class HuerdeForm(forms.ModelForm):
    class Meta:
        model = Huerde
        fields = [
            "titel",
            "kategorie",
            "verantwortlich",
            "schwere",
            "blockierend",
            "faellig_am",
            "beschreibung",
        ]
        labels = {
            "titel": "Titel",
            "kategorie": "Kategorie",
            "verantwortlich": "Verantwortlich",
            "schwere": "Schwere",
            "blockierend": "blockiert das Onboarding, solange offen",
            "faellig_am": "Lösung erwartet bis",
            "beschreibung": "Beschreibung",
        }
        widgets = {
            "faellig_am": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "beschreibung": forms.Textarea(attrs={"rows": 3}),
        }


class HuerdeLoesenForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    loesung = forms.CharField(label="Lösungsvermerk", max_length=2000, strip=True)
    datum = forms.DateField(
        label="gelöst am", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )


class GoliveForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    datum = forms.DateField(
        label="live seit", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )


class VerlaufFilterForm(forms.Form):
    user = forms.IntegerField(required=False, min_value=1)
    von = forms.DateField(required=False)
    bis = forms.DateField(required=False)

    def clean(self) -> dict[str, Any]:
        daten = super().clean() or {}
        von: dt.date | None = daten.get("von")
        bis: dt.date | None = daten.get("bis")
        if von and bis and von > bis:
            raise forms.ValidationError("„von“ liegt nach „bis“.")
        return daten


class HuerdenFilterForm(forms.Form):
    kategorie = forms.ChoiceField(
        choices=[("", "alle Kategorien"), *Huerde.Kategorie.choices], required=False
    )
    verantwortlich = forms.ChoiceField(
        choices=[("", "alle"), *Huerde.Verantwortlich.choices], required=False
    )
    stand = forms.ChoiceField(
        choices=[
            ("offen", "offen (inkl. in Bearbeitung)"),
            ("geloest", "gelöst"),
            ("alle", "alle"),
        ],
        required=False,
    )
    land = forms.ModelChoiceField(
        queryset=Land.objects.order_by("name"),
        required=False,
        empty_label="alle Länder",
        to_field_name="kurz",
    )

    def __init__(self, *args: Any, laender: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if laender is not None:
            self.fields["land"].queryset = laender  # type: ignore[attr-defined]


class HuerdeBearbeitenForm(HuerdeForm):
    """Change a hurdle: the recording fields plus its state (resolving has its own form)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    class Meta(HuerdeForm.Meta):
        fields = [*HuerdeForm.Meta.fields, "stand"]
        labels = {**HuerdeForm.Meta.labels, "stand": "Stand"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["stand"].choices = [  # type: ignore[attr-defined]
            (wert, label) for wert, label in Huerde.Stand.choices if wert != Huerde.Stand.GELOEST
        ]

    def daten(self) -> dict[str, Any]:
        """All submitted fields except the version, for ``huerde_aktualisieren``."""
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}


class ZusageForm(forms.Form):
    """Deadline, date and source of a commitment as typed; the service parses and checks
    the dates (so its German message names exactly what is wrong)."""

    frist = forms.CharField(label="Frist", required=False, max_length=20, strip=True)
    zugesagt_am = forms.CharField(label="zugesagt am", required=False, max_length=20, strip=True)
    quelle = forms.CharField(label="Quelle", required=False, max_length=2000, strip=True)
