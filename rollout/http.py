"""Request types for views."""

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    """An HttpRequest that has passed django-htmx's middleware."""

    htmx: HtmxDetails
