"""Request types for views."""

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from accounts.models import User


class HtmxHttpRequest(HttpRequest):
    """An HttpRequest that has passed django-htmx's middleware."""

    htmx: HtmxDetails


class AuthenticatedHttpRequest(HttpRequest):
    """An HttpRequest behind ``login_required``: ``user`` is a real account."""

    user: User
