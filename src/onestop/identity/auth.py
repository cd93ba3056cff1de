"""Authentication: log in with a username, e-mail or national ID; API sessions and tokens."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.db.models import Q
from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from onestop.identity.domain import thai_id
from onestop.identity.models import User
from onestop.identity.selectors import principal_for
from onestop.identity.services import api_token_user


class LoginIdentifierBackend(ModelBackend):
    """Accept the username, the e-mail address or the 13-digit national ID (any formatting)."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if not username or not password:
            return None
        identifier = username.strip()
        query = Q(username__iexact=identifier)
        if "@" in identifier:
            query |= Q(email__iexact=identifier)
        digits = thai_id.normalize(identifier)
        if len(digits) == 13 and digits.isdigit():
            query |= Q(citizen__national_id=digits) | Q(username=digits)
        user = User.objects.filter(query).first()
        if user is None:
            # Same work as a real check, so timing does not tell which accounts exist.
            User().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None


class SessionPrincipalAuth(SessionAuth):
    """A logged-in browser session (CSRF token required on unsafe methods)."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        if user is not None:
            request.principal = principal_for(user)
        return user


class BearerTokenAuth(HttpBearer):
    """`Authorization: Bearer ost_...` from POST /api/auth/tokens."""

    openapi_scheme = "bearer"

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = api_token_user(token)
        if user is None:
            return None
        request.user = user
        request.principal = principal_for(user)
        return user


API_AUTH = [BearerTokenAuth(), SessionPrincipalAuth()]
