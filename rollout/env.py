"""Strict parsing of environment variables for settings.

Values come from the process environment, then from an optional ``.env`` file in the
project root (written by ``make setup``). A malformed value raises ImproperlyConfigured
instead of silently falling back to a default.
"""

from __future__ import annotations

import builtins
import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def read_dotenv(path: Path) -> dict[str, str]:
    """Parse KEY=VALUE lines; comments and blank lines are ignored."""
    values: dict[str, str] = {}
    if not path.is_file():
        return values
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if "=" not in line:
            raise ImproperlyConfigured(f"{path}:{number}: expected KEY=VALUE, got {raw!r}")
        key, value = line.split("=", 1)
        values[key.strip()] = value.strip().strip("'\"")
    return values


class Env:
    def __init__(self, dotenv: dict[builtins.str, builtins.str]) -> None:
        self._dotenv = dotenv

    def raw(self, name: builtins.str) -> builtins.str | None:
        if name in os.environ:
            return os.environ[name]
        return self._dotenv.get(name)

    def str(self, name: builtins.str, default: builtins.str | None = None) -> builtins.str | None:
        value = self.raw(name)
        return default if value is None else value

    def required(self, name: builtins.str) -> builtins.str:
        value = self.raw(name)
        if not value:
            raise ImproperlyConfigured(f"Environment variable {name} must be set.")
        return value

    def bool(self, name: builtins.str, default: builtins.bool) -> builtins.bool:
        value = self.raw(name)
        if value is None:
            return default
        lowered = value.strip().lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        raise ImproperlyConfigured(f"{name}={value!r} is not a boolean (use true/false).")

    def int(self, name: builtins.str, default: builtins.int) -> builtins.int:
        value = self.raw(name)
        if value is None or value == "":
            return default
        try:
            return int(value)
        except ValueError as exc:
            raise ImproperlyConfigured(f"{name}={value!r} is not an integer.") from exc

    def list(
        self, name: builtins.str, default: builtins.list[builtins.str]
    ) -> builtins.list[builtins.str]:
        value = self.raw(name)
        if value is None:
            return default
        return [item.strip() for item in value.split(",") if item.strip()]
