"""Errors that services raise, each with a code, a message in Thai and English, and a field.

Pages and the API turn them into responses in one place each (`core.http.errors`), so every
refusal reads the same everywhere. Messages are written in English and translated to Thai in
`locale/th`; both languages are always available, whatever the request's language.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

LANGUAGES = ("th", "en")


def render_message(message: str | Promise, params: dict[str, Any] | None, language: str) -> str:
    """Render a (lazy) message in one language, filling `%(name)s` placeholders."""
    with translation.override(language):
        text = str(message)
        rendered_params = {key: str(value) for key, value in (params or {}).items()}
    return text % rendered_params if rendered_params else text


def bilingual(message: str | Promise, params: dict[str, Any] | None = None) -> dict[str, str]:
    """Return {"th": ..., "en": ...} for a message."""
    return {language: render_message(message, params, language) for language in LANGUAGES}


class ApplicationError(Exception):
    """A rule of the platform refused the request. Subclasses set `code`, `status`, `message`."""

    code: ClassVar[str] = "application_error"
    status: ClassVar[int] = 400
    message: ClassVar[str | Promise] = _("The request could not be completed.")

    def __init__(
        self,
        message: str | Promise | None = None,
        *,
        field: str | None = None,
        code: str | None = None,
        params: dict[str, Any] | None = None,
        errors: list[ApplicationError] | None = None,
        texts: dict[str, str] | None = None,
    ) -> None:
        self.message = message if message is not None else type(self).message
        # Already rendered messages ({"th", "en"}), e.g. carried through a pydantic error.
        self.texts = texts
        self.field = field
        self.code = code or type(self).code
        self.params = params or {}
        self.errors = errors or []
        super().__init__(self.text("en"))

    def text(self, language: str | None = None) -> str:
        """The message in one language (the active one when not given)."""
        language = language or translation.get_language() or "th"
        if self.texts:
            return self.texts["en" if language.startswith("en") else "th"]
        return render_message(self.message, self.params, language)

    def messages(self) -> dict[str, str]:
        return {language: self.text(language) for language in LANGUAGES}

    def as_item(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.messages(), "field": self.field}

    def as_dict(self) -> dict[str, Any]:
        """The one error shape of the platform: code, message in Thai and English, field, errors."""
        body = self.as_item()
        body["errors"] = (
            [error.as_item() for error in self.errors]
            if self.errors
            else ([self.as_item()] if self.field else [])
        )
        return body


class InputError(ApplicationError, ValueError):
    """A value is malformed (a schema or form field). Also a ValueError, so validators may raise it."""

    code = "invalid_input"
    status = 422
    message = _("This value is not valid.")


class ValidationFailedError(ApplicationError):
    """Several fields are wrong at once; `errors` lists them."""

    code = "validation_error"
    status = 422
    message = _("Some of the information is not valid. Correct the fields listed and try again.")


class NotAuthenticatedError(ApplicationError):
    code = "not_authenticated"
    status = 401
    message = _("Log in to continue.")


class SessionExpiredError(NotAuthenticatedError):
    code = "session_expired"
    message = _("Your session has expired because it was idle for too long. Log in again.")


class PermissionDeniedError(ApplicationError):
    code = "permission_denied"
    status = 403
    message = _("You do not have permission to do this.")


class NotFoundError(ApplicationError):
    code = "not_found"
    status = 404
    message = _("What you asked for does not exist, or you may not see it.")


class ConflictError(ApplicationError):
    code = "conflict"
    status = 409
    message = _("This conflicts with the current state. Reload and try again.")


class RateLimitedError(ApplicationError):
    code = "too_many_attempts"
    status = 429
    message = _("Too many attempts. Wait %(minutes)s minutes and try again.")


def choice_label(instance: Any, field: str = "status") -> str | Promise:
    """The lazy label of a model's choice field, for error params: `get_status_display()` renders
    in the current language, so an error's English text would carry the Thai label."""
    value = getattr(instance, field)
    return dict(instance._meta.get_field(field).flatchoices).get(value, value)


def required_text(value: str | None, *, field: str, label: Any, max_length: int) -> str:
    """Strip a required text input; refuse it empty or longer than `max_length`."""
    value = (value or "").strip()
    if not value:
        raise InputError(_("Enter %(label)s."), field=field, params={"label": label})
    if len(value) > max_length:
        raise InputError(
            _("%(label)s is too long: at most %(max)s characters."),
            field=field,
            params={"label": label, "max": max_length},
        )
    return value
