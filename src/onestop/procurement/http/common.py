"""Helpers shared by the procurement pages and API."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _

from onestop.core.errors import ApplicationError, InputError
from onestop.core.http.errors import error_response
from onestop.core.http.forms import add_application_error


def perform(
    request: HttpRequest,
    action: Callable[[], Any],
    *,
    success: str,
    redirect_to: str,
    form: Any = None,
) -> HttpResponse | None:
    """Run a service for a page. Success: a message and a redirect (post/redirect/get).

    A refusal goes next to the form's field when a form is given (None is returned so the view
    renders the form again); otherwise it is shown as a message, or as an error page for
    401/403/404.
    """
    try:
        action()
    except ApplicationError as error:
        if form is not None:
            add_application_error(form, error)
            return None
        if error.status in (401, 403, 404):
            return error_response(request, error)
        messages.error(request, error.text())
        return redirect(redirect_to)
    messages.success(request, success)
    return redirect(redirect_to)


def page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A logged-in page whose refusals (ApplicationError) become error pages."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except ApplicationError as error:
            return error_response(request, error)

    return wrapped


def whole_number(value: str | None, field: str, default: int) -> int:
    """A whole number from a form field; empty gives the default, anything else a clear error."""
    if not (value or "").strip():
        return default
    try:
        return int(value)
    except ValueError:
        raise InputError(_("Enter a whole number."), field=field) from None


def int_or_zero(value: str | None) -> int:
    """A number from a hidden or numeric form field (an id, a count); a tampered or empty one
    becomes 0, which the service refuses with its own message (no such supplier, too few)."""
    try:
        return int(value or "0")
    except ValueError:
        return 0


def decoded(content_base64: str, *, field: str) -> bytes:
    """A file sent in JSON as base64, or a clear refusal."""
    try:
        return base64.b64decode(content_base64, validate=True)
    except (binascii.Error, ValueError):
        raise InputError(_("A document's content must be base64 encoded."), field=field) from None


def file_response(data: bytes, content_type: str, file_name: str) -> HttpResponse:
    """A stored file as a download (never rendered inline: it came from outside)."""
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(file_name)}"
    response["X-Content-Type-Options"] = "nosniff"
    return response
