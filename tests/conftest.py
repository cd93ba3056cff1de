"""Fixtures shared by every test: people in each role, created through the real services."""

from __future__ import annotations

import importlib
import itertools
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from onestop.identity import public as identity
from onestop.identity.models import User

PASSWORD = "correct-horse-battery"


def pytest_collection_modifyitems(items):
    """Browser tests run last: Playwright keeps an event loop in the main thread while it runs,
    which async_to_sync in other tests may not share."""
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
    items.sort(key=lambda item: "tests/browser/" in str(item.fspath))


_numbers = itertools.count(100)


def national_id() -> str:
    """A fresh, valid national ID."""
    return identity.with_check_digit(f"1{next(_numbers):011d}")


def juristic_id() -> str:
    """A fresh, valid juristic ID."""
    return identity.with_check_digit(f"01055{next(_numbers):07d}")


_append_only = importlib.import_module("onestop.core.migrations.0002_audit_append_only")


def set_audit_triggers(enabled: bool) -> None:
    """Switch the audit log's append-only triggers on or off (idempotent)."""
    vendor = connection.vendor
    backward = {
        "sqlite": _append_only.SQLITE_BACKWARD,
        "postgresql": _append_only.POSTGRES_BACKWARD,
    }
    forward = {"sqlite": _append_only.SQLITE_FORWARD, "postgresql": _append_only.POSTGRES_FORWARD}
    with connection.cursor() as cursor:
        for statement in backward[vendor] + (forward[vendor] if enabled else []):
            cursor.execute(statement)


@pytest.fixture(autouse=True)
def _audit_log_flushable(request):
    """Transactional tests end with a flush (DELETE/TRUNCATE), which the audit triggers refuse:
    lift them for the flush, put them back before the next test."""
    transactional = (
        "transactional_db" in request.fixturenames or "live_server" in request.fixturenames
    )
    marker = request.node.get_closest_marker("django_db")
    if marker is not None and marker.kwargs.get("transaction"):
        transactional = True
    if not transactional:
        yield
        return
    request.getfixturevalue("transactional_db")
    set_audit_triggers(True)
    yield
    set_audit_triggers(False)


@pytest.fixture
def admin(db) -> identity.Principal:
    user = identity.platform_admin_bootstrap(
        username="platform.admin", first_name="อารีย์", last_name="ผู้ดูแล", password=PASSWORD
    )
    return identity.principal_for(user)


@pytest.fixture
def agency(admin) -> Callable[..., Any]:
    def make(code: str, kind: str = "department", parent: str | None = "MOF") -> Any:
        if parent and not identity.agency_list().filter(code=parent).exists():
            identity.agency_create(
                actor=admin,
                code=parent,
                name_th=f"กระทรวง {parent}",
                name_en=f"Ministry {parent}",
                kind="ministry",
            )
        return identity.agency_create(
            actor=admin,
            code=code,
            name_th=f"กรม {code}",
            name_en=f"Department {code}",
            kind=kind,
            parent_code=parent,
        )

    return make


@pytest.fixture
def cgd(agency):
    return agency("CGD")


@pytest.fixture
def dlt(agency):
    return agency("DLT", parent="MOT")


@pytest.fixture
def officer(admin) -> Callable[..., identity.Principal]:
    """officer(agency_code, *roles) -> Principal of a new officer."""

    def make(agency_code: str, *roles: str, username: str | None = None) -> identity.Principal:
        username = (
            username or f"{agency_code.lower()}.{'-'.join(roles) or 'plain'}.{next(_numbers)}"
        )
        identity.account_create(
            username=username, first_name="เจ้าหน้าที่", last_name=username, password=PASSWORD
        )
        identity.officer_appoint(
            actor=admin, agency_code=agency_code, user_identifier=username, roles=list(roles)
        )
        return identity.principal_for(User.objects.get(username=username))

    return make


@pytest.fixture
def citizen(db) -> Callable[..., identity.Principal]:
    def make(**overrides: Any) -> identity.Principal:
        fields = {
            "national_id": national_id(),
            "first_name": "สมชาย",
            "last_name": "ใจดี",
            "password": PASSWORD,
        } | overrides
        return identity.principal_for(identity.citizen_register(**fields))

    return make


@pytest.fixture
def supplier(db) -> Callable[..., identity.Principal]:
    def make() -> identity.Principal:
        number = next(_numbers)
        user = identity.account_create(
            username=f"supplier{number}", first_name="วีระ", last_name="ค้าขาย", password=PASSWORD
        )
        identity.business_register(
            owner=identity.principal_for(user),
            juristic_id=juristic_id(),
            name_th=f"บริษัท ทดสอบ {number} จำกัด",
        )
        return identity.principal_for(user)

    return make


@pytest.fixture
def auditor(admin) -> identity.Principal:
    identity.account_create(
        username="auditor", first_name="มาลี", last_name="ตรวจสอบ", password=PASSWORD
    )
    identity.platform_flags_set(actor=admin, user_identifier="auditor", is_auditor=True)
    return identity.principal_for(User.objects.get(username="auditor"))


@pytest.fixture
def run_tasks(monkeypatch):
    """Drain the background queue in this process (the worker's connection recycling is
    switched off: it would close the test's transaction)."""
    from django.core.management import call_command
    from django_tasks_db.management.commands import db_worker

    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)

    def run() -> None:
        call_command("worker", "--batch", "--no-startup-delay", "--interval", "0", verbosity=0)

    return run


class ApiClient:
    """Calls the API as a principal (session login, CSRF enforced) or anonymously."""

    def __init__(self, principal: identity.Principal | None = None, csrf: bool = True) -> None:
        self.client = Client(enforce_csrf_checks=csrf)
        if principal is not None and principal.is_authenticated:
            self.client.force_login(User.objects.get(pk=principal.user_id))
        self.csrf_token = ""
        if csrf:
            self.client.get("/")
            self.csrf_token = (
                self.client.cookies["csrftoken"].value if "csrftoken" in self.client.cookies else ""
            )

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        raw: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> Any:
        data = raw if raw is not None else (json.dumps(body) if body is not None else None)
        extra = {"HTTP_X_CSRFTOKEN": self.csrf_token} if self.csrf_token else {}
        for key, value in (headers or {}).items():
            extra["HTTP_" + key.upper().replace("-", "_")] = value
        call = getattr(self.client, method.lower())
        if data is None:
            return call(path, **extra)
        return call(path, data=data, content_type="application/json", **extra)

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, body: Any = None, **kwargs: Any) -> Any:
        return self.request("POST", path, body, **kwargs)

    def put(self, path: str, body: Any = None, **kwargs: Any) -> Any:
        return self.request("PUT", path, body, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> Any:
        return self.request("DELETE", path, **kwargs)


@pytest.fixture
def api() -> Callable[..., ApiClient]:
    return ApiClient


def assert_error_shape(response: Any, status: int, code: str | None = None) -> dict:
    """Every API error has the one shape: code, message in Thai and English, field, errors."""
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "message", "field", "errors"}, body
    assert set(body["message"]) == {"th", "en"}
    assert body["message"]["th"] and body["message"]["en"]
    assert isinstance(body["errors"], list)
    for item in body["errors"]:
        assert set(item) == {"code", "message", "field"}
    if code is not None:
        assert body["code"] == code, body
    return body
