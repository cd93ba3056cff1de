"""Turn errors into responses in one place: JSON (the API's one error shape) or an HTML page.

Requests under /api/ always get JSON: {"code", "message": {"th", "en"}, "field", "errors"}.
"""

from __future__ import annotations

import logging
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from pydantic_core import PydanticCustomError

from onestop.core.errors import (
    ApplicationError,
    InputError,
    NotAuthenticatedError,
    NotFoundError,
    PermissionDeniedError,
    SessionExpiredError,
    ValidationFailedError,
    bilingual,
)

logger = logging.getLogger(__name__)


class CsrfFailedError(PermissionDeniedError):
    code = "csrf_failed"
    message = _(
        "The form expired or did not come from this site. Reload the page and send it again."
    )


class MalformedBodyError(ApplicationError):
    code = "malformed_body"
    status = 400
    message = _(
        "The request body is not valid JSON. Send a JSON object with the documented fields."
    )


class ServerError(ApplicationError):
    code = "server_error"
    status = 500
    message = _(
        "Something went wrong on our side. It has been logged; try again later "
        "and quote request id %(request_id)s if you contact support."
    )


class BadRequestError(ApplicationError):
    code = "bad_request"
    status = 400
    message = _("The request is not valid: %(detail)s")


def is_api_request(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def json_error(error: ApplicationError, status: int | None = None) -> JsonResponse:
    response = JsonResponse(error.as_dict(), status=status or error.status)
    if isinstance(error, NotAuthenticatedError):
        response["WWW-Authenticate"] = 'Bearer realm="onestop"'
    return response


def error_response(request: HttpRequest, error: ApplicationError) -> HttpResponse:
    """The response for an application error: JSON under /api/, else an error page."""
    if is_api_request(request):
        return json_error(error)
    return render(
        request,
        "core/error.html",
        {"error": error, "message": error.text(), "status": error.status},
        status=error.status,
    )


# Pydantic error types -> bilingual messages (what is wrong and how to fix it).
PYDANTIC_MESSAGES: dict[str, Any] = {
    "missing": _("This field is required."),
    "string_type": _("Enter text here."),
    "string_too_short": _("This is too short: enter at least %(min_length)s characters."),
    "string_too_long": _("This is too long: enter at most %(max_length)s characters."),
    "string_pattern_mismatch": _("This does not have the expected format."),
    "int_parsing": _("Enter a whole number."),
    "int_type": _("Enter a whole number."),
    "decimal_parsing": _("Enter a number."),
    "float_parsing": _("Enter a number."),
    "bool_parsing": _("Enter true or false."),
    "greater_than": _("Enter a number greater than %(gt)s."),
    "greater_than_equal": _("Enter a number of at least %(ge)s."),
    "less_than": _("Enter a number less than %(lt)s."),
    "less_than_equal": _("Enter a number of at most %(le)s."),
    "decimal_max_places": _("Use at most %(decimal_places)s decimal places."),
    "date_from_datetime_parsing": _("Enter a date as YYYY-MM-DD."),
    "date_parsing": _("Enter a date as YYYY-MM-DD."),
    "datetime_parsing": _("Enter a date and time in ISO 8601 format."),
    "value_error": _("This value is not valid: %(detail)s"),
    "enum": _("Choose one of: %(expected)s."),
    "literal_error": _("Choose one of: %(expected)s."),
    "uuid_parsing": _("Enter a valid identifier (UUID)."),
    "model_attributes_type": _("Send a JSON object."),
    "dict_type": _("Send a JSON object."),
    "list_type": _("Send a list."),
    "json_invalid": _("The request body is not valid JSON."),
    "extra_forbidden": _("This field is not accepted; remove it."),
    "email": _("Enter a valid e-mail address."),
}


def pydantic_error_item(item: dict[str, Any]) -> ApplicationError:
    """One pydantic/ninja error dict as an ApplicationError (code, bilingual message, field)."""
    context = item.get("ctx") or {}
    original = context.get("error")
    location = [str(part) for part in item.get("loc", ())]
    # ninja prefixes the location with the source and the parameter name: ("body", "payload", ...)
    if location and location[0] in {"body", "query", "path", "form", "header", "cookie"}:
        location = location[2:] if len(location) > 2 else location[1:]
    field = ".".join(location) or None
    if {"th", "en"} <= set(context):
        # Raised by a domain validator through `pydantic_checked` with both languages.
        return InputError(
            field=field,
            code=str(item.get("type")),
            texts={"th": context["th"], "en": context["en"]},
        )
    error_type = str(item.get("type", "invalid"))
    if error_type == "value_error" and "email" in str(item.get("msg", "")).lower():
        error_type = "email"
    message = PYDANTIC_MESSAGES.get(error_type)
    params = {key: value for key, value in context.items() if key != "error"}
    if message is None:
        return InputError(
            _("This value is not valid: %(detail)s"),
            field=field,
            code=error_type,
            params={"detail": item.get("msg", "")},
        )
    params.setdefault("detail", str(original or item.get("msg", "")))
    return InputError(message, field=field, code=error_type, params=params)


def pydantic_checked(check: Any, value: Any) -> Any:
    """Run a domain validator inside a pydantic validator, keeping its code and both messages."""
    try:
        return check(value)
    except ApplicationError as error:
        raise PydanticCustomError(error.code, "{en}", error.messages()) from None


def validation_error(items: list[dict[str, Any]]) -> ValidationFailedError:
    errors = [pydantic_error_item(item) for item in items]
    if len(errors) == 1:
        only = errors[0]
        return ValidationFailedError(
            only.message,
            field=only.field,
            code=only.code,
            params=only.params,
            errors=errors,
            texts=only.texts,
        )
    return ValidationFailedError(errors=errors)


def not_authenticated(request: HttpRequest) -> NotAuthenticatedError:
    if getattr(request, "session_expired", False):
        return SessionExpiredError()
    return NotAuthenticatedError()


# Django handlers (urls.handler404 etc.) and the CSRF failure view --------------------------------


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return error_response(request, CsrfFailedError())


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_response(request, NotFoundError())


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_response(request, PermissionDeniedError())


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_response(request, BadRequestError(params={"detail": "400"}))


def server_error(request: HttpRequest) -> HttpResponse:
    error = ServerError(params={"request_id": getattr(request, "request_id", "-")})
    if is_api_request(request):
        return json_error(error)
    # The error page must not depend on anything that may have failed (templates, database).
    body = (
        "<!doctype html><html lang='th'><meta charset='utf-8'><title>500</title>"
        f"<h1>500</h1><p>{bilingual(error.message, error.params)['th']}</p>"
        f"<p>{bilingual(error.message, error.params)['en']}</p></html>"
    )
    return HttpResponse(body, status=500)
