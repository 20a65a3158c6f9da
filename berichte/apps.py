from django.apps import AppConfig


class BerichteConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "berichte"
    verbose_name = "Steuerungsberichte"
