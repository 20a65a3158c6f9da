from django.apps import AppConfig


class AbdeckungConfig(AppConfig):
    name = "abdeckung"
    verbose_name = "Abdeckung (Kennzahlen, Stichtage, Prognose)"
