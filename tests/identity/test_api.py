"""The identity API end to end: registration, tokens, one error shape, hostile input."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from onestop.identity.models import ApiToken, Business, Citizen, User
from tests.conftest import PASSWORD, assert_error_shape, juristic_id, national_id

pytestmark = pytest.mark.django_db


def test_a_citizen_registers_through_the_api(api):
    number = national_id()
    response = api().post(
        "/api/citizens",
        {"national_id": number, "first_name": "สมชาย", "last_name": "ใจดี", "password": PASSWORD},
    )
    assert response.status_code == 201
    assert response.json() == {"username": number, "display_name": "สมชาย ใจดี"}
    again = api().post(
        "/api/citizens",
        {"national_id": number, "first_name": "สมชาย", "last_name": "ใจดี", "password": PASSWORD},
    )
    assert_error_shape(again, 409, "already_registered")


@pytest.mark.parametrize(
    ("body", "status", "code", "field"),
    [
        (
            {
                "national_id": "1101700230709",
                "first_name": "a",
                "last_name": "b",
                "password": PASSWORD,
            },
            422,
            "invalid_national_id",
            "national_id",
        ),
        (
            {"national_id": "1101700230708", "last_name": "b", "password": PASSWORD},
            422,
            "missing",
            "first_name",
        ),
        (
            {
                "national_id": 1101700230708,
                "first_name": "a",
                "last_name": "b",
                "password": PASSWORD,
            },
            422,
            "string_type",
            "national_id",
        ),
        (
            {
                "national_id": "1101700230708",
                "first_name": "a",
                "last_name": "b",
                "password": "1234567890",
            },
            422,
            "weak_password",
            "password",
        ),
        (
            {
                "national_id": "1101700230708",
                "first_name": "a",
                "last_name": "b",
                "password": PASSWORD,
                "birth_date": "25/11/2569",
            },
            422,
            "date_from_datetime_parsing",
            "birth_date",
        ),
        (
            {
                "national_id": "1101700230708",
                "first_name": "a",
                "last_name": "b",
                "password": PASSWORD,
                "title": "king",
            },
            422,
            "enum",
            "title",
        ),
    ],
)
def test_bad_registration_bodies_get_the_error_shape_and_store_nothing(
    api, body, status, code, field
):
    response = api().post("/api/citizens", body)
    error = assert_error_shape(response, status)
    assert (error["code"], error["field"]) == (code, field), error
    assert error["errors"][0]["field"] == field
    assert Citizen.objects.count() == 0 and User.objects.count() == 0


def test_several_wrong_fields_are_listed_together(api):
    response = api().post("/api/citizens", {"national_id": "12", "password": ""})
    error = assert_error_shape(response, 422, "validation_error")
    assert {item["field"] for item in error["errors"]} >= {"national_id", "first_name", "last_name"}


@pytest.mark.parametrize("raw", ['{"national_id": ', "not json", "[1, 2"])
def test_a_malformed_body_is_explained(api, raw):
    assert_error_shape(api().request("POST", "/api/citizens", raw=raw), 400, "malformed_body")


def test_unknown_paths_and_objects_use_the_error_shape(api):
    assert_error_shape(api().get("/api/no/such/thing"), 404, "not_found")
    assert_error_shape(api().get("/api/agencies/NOPE"), 404, "agency_not_found")


def test_a_server_error_uses_the_error_shape(api, monkeypatch):
    from onestop.identity import selectors

    def broken(**kwargs):
        raise RuntimeError("database on fire")

    monkeypatch.setattr(selectors, "agency_list", broken)
    response = api().get("/api/agencies")
    body = assert_error_shape(response, 500, "server_error")
    assert "database on fire" not in response.content.decode()
    assert response["X-Request-ID"] in body["message"]["en"]


def test_a_session_post_without_csrf_token_is_refused(citizen):
    person = citizen()
    client = Client(enforce_csrf_checks=True)
    client.force_login(User.objects.get(pk=person.user_id))
    response = client.post("/api/auth/tokens/1", content_type="application/json")
    assert response.status_code in {403, 405}
    response = client.post(
        "/api/businesses", data={"business": {}}, content_type="application/json"
    )
    assert_error_shape(response, 403, "csrf_failed")


def test_tokens_work_until_revoked_or_expired(citizen, api):
    person = citizen()
    created = api().post(
        "/api/auth/tokens", {"username": person.national_id, "password": PASSWORD, "name": "ERP"}
    )
    assert created.status_code == 201
    token = created.json()["token"]
    bearer = {"Authorization": f"Bearer {token}"}

    me = api(csrf=False).get("/api/me", headers=bearer)
    assert me.status_code == 200 and me.json()["username"] == person.username

    # a bearer POST needs no CSRF token
    business = api(csrf=False).post(
        "/api/businesses",
        {"business": {"juristic_id": juristic_id(), "name_th": "บริษัท ก จำกัด"}},
        headers=bearer,
    )
    assert business.status_code == 201

    ApiToken.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert_error_shape(api(csrf=False).get("/api/me", headers=bearer), 401, "not_authenticated")
    ApiToken.objects.update(expires_at=timezone.now() + dt.timedelta(days=1))
    revoke = api(csrf=False).delete(f"/api/auth/tokens/{created.json()['id']}", headers=bearer)
    assert revoke.status_code == 204
    assert_error_shape(api(csrf=False).get("/api/me", headers=bearer), 401)


def test_a_business_registers_with_its_contact_account(api):
    number = juristic_id()
    response = api().post(
        "/api/businesses",
        {
            "business": {"juristic_id": number, "name_th": "บริษัท ใหม่ จำกัด", "kind": "limited"},
            "account": {
                "username": "new.owner",
                "first_name": "วีระ",
                "last_name": "ค้าขาย",
                "email": "owner@example.com",
                "password": PASSWORD,
            },
        },
    )
    assert response.status_code == 201 and response.json()["juristic_id"] == number
    owner = User.objects.get(username="new.owner")
    assert Business.objects.get(juristic_id=number).members.get().user == owner


def test_an_anonymous_business_registration_needs_an_account(api):
    response = api().post(
        "/api/businesses", {"business": {"juristic_id": juristic_id(), "name_th": "x"}}
    )
    assert_error_shape(response, 422, "account_required")
    assert Business.objects.count() == 0


def test_hostile_text_is_stored_as_text_and_escaped_in_pages(citizen):
    person = citizen(first_name="<script>alert(1)</script>", last_name="' OR 1=1 --")
    client = Client()
    client.force_login(User.objects.get(pk=person.user_id))
    page = client.get("/home/citizen/").content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert User.objects.get(pk=person.user_id).first_name == "<script>alert(1)</script>"


@pytest.mark.parametrize(
    "search", ["' OR 1=1 --", "%", "_", "CGD'; DROP TABLE identity_agency; --"]
)
def test_search_text_is_never_sql(api, cgd, search):
    response = (
        api().get("/api/agencies", data=None)
        if False
        else Client().get("/api/agencies", {"q": search})
    )
    assert response.status_code == 200
    assert response.json() == []
    assert Client().get("/api/agencies").json()  # the table is still there
