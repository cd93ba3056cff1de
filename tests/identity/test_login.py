"""Logging in: any identifier, clear failures, throttling, expiry, safe redirects."""

from __future__ import annotations

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from onestop.core.models import AuditEntry
from tests.conftest import PASSWORD, assert_error_shape

pytestmark = pytest.mark.django_db


def _login(client: Client, username: str, password: str = PASSWORD, **extra):
    return client.post("/login/", {"username": username, "password": password, **extra})


@pytest.mark.parametrize("how", ["national_id", "dashed", "username_upper", "email"])
def test_a_citizen_logs_in_with_any_identifier_and_lands_home(citizen, how):
    person = citizen(email="somchai@example.com")
    identifier = {
        "national_id": person.national_id,
        "dashed": f"{person.national_id[0]}-{person.national_id[1:5]}-{person.national_id[5:10]}-"
        f"{person.national_id[10:12]}-{person.national_id[12]}",
        "username_upper": person.username.upper(),
        "email": "SOMCHAI@example.com",
    }[how]
    client = Client()

    response = _login(client, identifier)

    assert response.status_code == 302 and response["Location"] == "/home/citizen/"
    assert client.get("/home/citizen/").status_code == 200
    assert response.cookies["onestop_language"].value == "th"
    assert AuditEntry.objects.filter(
        action="identity.account.login", actor_id=person.actor_id
    ).exists()


def test_each_role_lands_on_its_own_home(officer, supplier, auditor, admin, cgd):
    homes = {
        officer("CGD", "buyer").username: "/home/agency/",
        supplier().username: "/home/business/",
        "auditor": "/home/auditor/",
        "platform.admin": "/home/platform/",
    }
    for username, home in homes.items():
        response = _login(Client(), username)
        assert response["Location"] == home, username


def test_a_wrong_password_says_so_and_logs_nobody_in(citizen):
    person = citizen()
    client = Client()

    response = _login(client, person.username, "wrong-password")

    assert response.status_code == 200
    assert "is not correct" in response.content.decode() or "ไม่ถูกต้อง" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_repeated_failures_lock_the_login_even_with_the_right_password(citizen, settings):
    person = citizen()
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, person.username, "wrong-password")

    response = _login(client, person.username, PASSWORD)

    assert response.status_code == 429
    assert int(response["Retry-After"]) == 15 * 60
    assert 'id="locked"' in response.content.decode()
    assert "_auth_user_id" not in client.session
    # another account from the same address is not locked
    other = citizen()
    assert _login(Client(), other.username).status_code == 302


def test_repeated_token_failures_are_locked_in_the_api_shape(citizen, settings, api):
    person = citizen()
    client = api()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post(
            "/api/auth/tokens", {"username": person.username, "password": "nope"}
        )
        assert_error_shape(response, 401, "wrong_credentials")
    last_failure = client.post(
        "/api/auth/tokens", {"username": person.username, "password": "nope"}
    )
    assert_error_shape(last_failure, 429, "too_many_attempts")

    response = client.post("/api/auth/tokens", {"username": person.username, "password": PASSWORD})

    body = assert_error_shape(response, 429, "too_many_attempts")
    assert "15" in body["message"]["en"] and "15" in body["message"]["th"]


def test_an_expired_session_is_explained(officer, cgd):
    person = officer("CGD", "buyer")
    client = Client()
    _login(client, person.username)
    Session.objects.update(expire_date=timezone.now() - timezone.timedelta(seconds=1))

    page = client.get("/home/agency/", follow=True)

    assert page.redirect_chain[0][0].startswith("/login/?next=/home/agency/")
    messages = [str(message) for message in page.context["messages"]]
    assert any("expired" in message or "หมดอายุ" in message for message in messages)


def test_an_expired_session_in_the_api_says_session_expired(citizen):
    person = citizen()
    client = Client()
    _login(client, person.username)
    Session.objects.all().delete()

    assert_error_shape(client.get("/api/me"), 401, "session_expired")
    assert_error_shape(Client().get("/api/me"), 401, "not_authenticated")


def test_next_is_followed_only_within_the_site(citizen):
    person = citizen()
    inside = _login(Client(), person.username, next="/account/")
    outside = _login(Client(), person.username, next="https://evil.example/steal")
    assert inside["Location"] == "/account/"
    assert outside["Location"] == "/home/citizen/"


def test_logging_out_needs_a_post(citizen):
    person = citizen()
    client = Client()
    _login(client, person.username)
    assert client.get("/logout/").status_code == 405
    assert client.post("/logout/").status_code == 302
    assert "_auth_user_id" not in client.session


def test_the_login_form_needs_a_csrf_token(citizen):
    person = citizen()
    client = Client(enforce_csrf_checks=True)
    response = _login(client, person.username)
    assert response.status_code == 403
    assert "csrf_failed" in response.content.decode()
