"""Create an API token for a user and print its key once."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.services import api_token_erstellen


class Command(BaseCommand):
    help = (
        "Erstellt ein API-Token für einen Benutzer und gibt den Schlüssel einmalig aus "
        "(gespeichert wird nur sein SHA-256)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help="Benutzername")
        parser.add_argument("--name", required=True, help="Wofür das Token gedacht ist")

    def handle(self, *args: Any, username: str, name: str, **options: Any) -> None:
        user_model = get_user_model()
        try:
            user = user_model.objects.get(username=username)
        except user_model.DoesNotExist as exc:
            raise CommandError(f"Benutzer „{username}“ gibt es nicht.") from exc
        try:
            token, key = api_token_erstellen(user=user, name=name)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stderr.write(
            f"Token „{token.name}“ ({token.prefix}…) für {user.username} erstellt. "
            "Der Schlüssel wird nur jetzt angezeigt:"
        )
        # The key alone on stdout, so scripts can capture it: TOKEN=$(manage.py api_token …)
        self.stdout.write(key)
