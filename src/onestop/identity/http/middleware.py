"""Attach the acting Principal to each request, and notice sessions that expired."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject

from onestop.core.errors import SessionExpiredError
from onestop.identity.selectors import principal_for


def session_expired(request: HttpRequest) -> bool:
    """The browser sent a session cookie, but no logged-in session exists for it any more."""
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return False
    if request.user.is_authenticated:  # loads the session
        return False
    return request.session.session_key is None


class PrincipalMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.principal = SimpleLazyObject(lambda: principal_for(request.user))
        request.session_expired = session_expired(request)
        if request.session_expired and not request.path.startswith("/api/"):
            messages.warning(request, SessionExpiredError().text())
        return self.get_response(request)
