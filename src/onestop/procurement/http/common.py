"""Helpers shared by the procurement pages."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from onestop.core.errors import ApplicationError
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
