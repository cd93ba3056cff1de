"""What a locked-out login attempt sees (django-axes calls this)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from onestop.core.errors import RateLimitedError
from onestop.core.http.errors import is_api_request, json_error
from onestop.identity.http.views import render_login


def lockout_response(
    request: HttpRequest, original_response: Any = None, credentials: Any = None
) -> HttpResponse:
    minutes = max(1, round(settings.AXES_COOLOFF_TIME * 60))
    error = RateLimitedError(params={"minutes": minutes}, field="username")
    if is_api_request(request):
        response = json_error(error)
    else:
        response = render_login(request, locked_message=error.text(), status=429)
    response["Retry-After"] = str(minutes * 60)
    return response
