"""The on-demand request form: scope and Stichtag, limited to what the user may request
and to the stored frozen Stichtage."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

from berichte.selectors import Scope


def stichtag_text(stichtag: dt.date) -> str:
    jahr, woche, _ = stichtag.isocalendar()
    return f"{stichtag:%d.%m.%Y} (KW {woche:02d}/{jahr})"


class BerichtAnfordernForm(forms.Form):
    scope = forms.ChoiceField(label="Bericht für")
    stichtag = forms.TypedChoiceField(
        label="Stichtag",
        coerce=dt.date.fromisoformat,
        help_text="Eingefrorener Stand, jeweils Sonntag 24 Uhr.",
    )

    def __init__(
        self, *args: Any, scopes: list[Scope], stichtage: list[dt.date], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        scope_feld = self.fields["scope"]
        stichtag_feld = self.fields["stichtag"]
        assert isinstance(scope_feld, forms.ChoiceField)
        assert isinstance(stichtag_feld, forms.TypedChoiceField)
        scope_feld.choices = [(s.code, s.name) for s in scopes]
        stichtag_feld.choices = [(d.isoformat(), stichtag_text(d)) for d in stichtage]
        self.fields["stichtag"].error_messages["invalid_choice"] = (
            "Für diesen Tag gibt es keinen eingefrorenen Stichtag."
        )
        self.fields["scope"].error_messages["invalid_choice"] = (
            "Diesen Bericht dürfen Sie nicht anfordern."
        )
