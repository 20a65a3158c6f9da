from django.apps import AppConfig


class LeistungenConfig(AppConfig):
    name = "leistungen"
    verbose_name = "Leistungen, Behörden und Zuständigkeiten"
