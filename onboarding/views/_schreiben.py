"""Calling a write service from a view: what it returned, or why it refused the change (a
version conflict, answered with 409, or the German messages of an invalid change, answered
with 422); and the pieces that rebuild the user's change after a conflict."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, ParamSpec, TypeVar

from django import forms

from onboarding import services

P = ParamSpec("P")
T = TypeVar("T")


@dataclass(frozen=True)
class Ergebnis(Generic[T]):
    """What a write returned (``wert``, never ``None`` on success), or why it was refused:
    ``konflikt`` (someone else changed the object since the user loaded it) or ``fehler``
    (the messages of an invalid change or form)."""

    wert: T | None = None
    konflikt: services.Konflikt | None = None
    fehler: list[str] = field(default_factory=list)

    @property
    def status(self) -> int:
        """The HTTP status of a refusal: 409 for a conflict, else 422."""
        return 409 if self.konflikt is not None else 422


def schreiben(service: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> Ergebnis[T]:
    """Call the write ``service``; its ``Konflikt`` or ``Ungueltig`` becomes the result."""
    try:
        return Ergebnis(wert=service(*args, **kwargs))
    except services.Konflikt as exc:
        return Ergebnis(konflikt=exc)
    except services.Ungueltig as exc:
        return Ergebnis(fehler=_fehlertexte(exc))


def _fehlertexte(exc: Exception) -> list[str]:
    """The German messages of an ``Ungueltig`` (or any ValidationError-like exception)."""
    texte = getattr(exc, "messages", None)
    if texte:
        return [str(t) for t in texte]
    return [str(a) for a in exc.args if a] or [str(exc)]


def formfehler(form: forms.Form) -> list[str]:
    """The errors of a bound form as "Label: messages" lines."""
    return [
        f"{form.fields[f].label}: {' '.join(str(t) for t in e)}" for f, e in form.errors.items()
    ]


def roh(wert: Any) -> str:
    """A form or audit value as comparable text (dates ISO, objects by primary key)."""
    if wert is None:
        return ""
    if isinstance(wert, dict):
        return str(wert.get("id") or "")
    if hasattr(wert, "pk"):
        return str(wert.pk)
    if hasattr(wert, "isoformat"):
        return wert.isoformat()
    return str(wert)


def gesehene_werte(konflikt: Exception) -> dict[str, Any]:
    """Per field the other person changed, the value the user saw: the "before" of its
    first change in ``Konflikt.ereignisse`` (they come oldest first)."""
    gesehen: dict[str, Any] = {}
    for ereignis in getattr(konflikt, "ereignisse", []) or []:
        for feld, paar in (ereignis.aenderungen or {}).items():
            if isinstance(paar, list | tuple) and len(paar) == 2:
                gesehen.setdefault(feld, paar[0])
    return gesehen
