"""Identity pages with a real form post: errors next to fields, success lands somewhere useful."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from onestop.core.models import Job
from onestop.identity.models import Agency, ApiToken, Business, User
from tests.conftest import PASSWORD, juristic_id, national_id

pytestmark = pytest.mark.django_db


def _as(principal) -> Client:
    client = Client()
    client.force_login(User.objects.get(pk=principal.user_id))
    return client


def _registration(**overrides):
    return {
        "national_id": national_id(),
        "title": "mr",
        "first_name": "สมชาย",
        "last_name": "ใจดี",
        "first_name_en": "",
        "last_name_en": "",
        "birth_date": "",
        "email": "",
        "phone": "",
        "password": PASSWORD,
        "password_again": PASSWORD,
    } | overrides


def test_a_citizen_registers_on_the_page_and_is_logged_in():
    client = Client()
    form = _registration()
    response = client.post("/register/citizen/", form, follow=True)
    assert response.redirect_chain[-1][0] == "/home/citizen/"
    assert User.objects.filter(username=form["national_id"]).exists()
    assert "สมชาย" in response.content.decode()


@pytest.mark.parametrize(
    ("overrides", "field", "fragment"),
    [
        ({"national_id": "1101700230709"}, "national_id", "last digit does not match"),
        ({"national_id": "12345"}, "national_id", "13 digits"),
        ({"password_again": "something-else"}, "password_again", "two passwords are different"),
        (
            {"password": "1234567890", "password_again": "1234567890"},
            "password",
            "entirely numeric",
        ),
        ({"birth_date": "2999-01-01"}, "birth_date", "future"),
    ],
)
def test_registration_errors_appear_next_to_the_field_and_in_the_summary(
    overrides, field, fragment
):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.cookies["onestop_language"] = "en"
    response = client.post("/register/citizen/", _registration(**overrides))
    page = response.content.decode()
    assert response.status_code == 200
    assert 'class="error-summary"' in page
    assert f'href="#id_{field}"' in page
    assert re.search(rf'id="id_{field}-error">[^<]*{fragment}', page), page
    assert 'aria-invalid="true"' in page
    assert User.objects.count() == 0


def test_the_registration_page_is_thai_by_default():
    page = Client().get("/register/citizen/").content.decode()
    assert '<html lang="th">' in page


def test_a_business_registers_with_a_new_account_on_the_page():
    number = juristic_id()
    client = Client()
    response = client.post(
        "/register/business/",
        {
            "business-juristic_id": number,
            "business-name_th": "บริษัท ตัวอย่าง จำกัด",
            "business-name_en": "",
            "business-kind": "limited",
            "business-address": "",
            "business-business_phone": "",
            "business-business_email": "",
            "account-username": "owner.one",
            "account-first_name": "วีระ",
            "account-last_name": "ค้าขาย",
            "account-email": "owner@example.com",
            "account-phone": "",
            "account-password": PASSWORD,
        },
    )
    assert response.status_code == 302 and response["Location"] == "/home/business/"
    assert Business.objects.get(juristic_id=number).members.get().user.username == "owner.one"


def test_a_business_owner_adds_staff_and_strangers_cannot(supplier, citizen):
    owner = supplier()
    business = Business.objects.get(members__user_id=owner.user_id)
    staff = citizen()
    response = _as(owner).post(
        "/home/business/", {"juristic_id": business.juristic_id, "user": staff.username}
    )
    assert response.status_code == 302
    assert business.members.filter(user_id=staff.user_id, role="staff").exists()

    stranger = supplier()
    page = _as(stranger).post(
        "/home/business/", {"juristic_id": business.juristic_id, "user": citizen().username}
    )
    assert page.status_code == 200 and "error-summary" in page.content.decode()
    assert business.members.count() == 2


def test_an_agency_admin_manages_roles_on_the_page(officer, citizen, cgd):
    agency_admin = officer("CGD", "agency_admin")
    person = citizen()
    client = _as(agency_admin)

    appointed = client.post(
        "/agencies/CGD/officers/",
        {"user": person.national_id, "position": "เจ้าพนักงานพัสดุ", "roles": ["buyer"]},
    )
    assert appointed.status_code == 302
    client.post(
        f"/agencies/CGD/officers/{person.username}/",
        {"action": "roles", "roles": ["buyer", "inspector"]},
    )
    roles = set(
        User.objects.get(pk=person.user_id).officer.role_grants.values_list("role", flat=True)
    )
    assert roles == {"buyer", "inspector"}

    refused = client.post(
        f"/agencies/CGD/officers/{agency_admin.username}/",
        {"action": "roles", "roles": []},
        follow=True,
    )
    assert (
        "at least one agency administrator" in refused.content.decode()
        or "ผู้ดูแลระบบของหน่วยงาน" in refused.content.decode()
    )

    client.post(f"/agencies/CGD/officers/{person.username}/", {"action": "release"})
    assert not User.objects.filter(pk=person.user_id, officer__isnull=False).exists()


def test_another_agencys_admin_gets_a_403_page(officer, cgd, dlt):
    dlt_admin = officer("DLT", "agency_admin")
    buyer = officer("CGD", "buyer")
    client = _as(dlt_admin)
    assert client.get("/agencies/CGD/officers/").status_code == 403
    response = client.post(f"/agencies/CGD/officers/{buyer.username}/", {"action": "release"})
    assert response.status_code == 403
    assert User.objects.filter(pk=buyer.user_id, officer__agency__code="CGD").exists()


def test_a_platform_admin_adds_an_agency_and_an_auditor(admin, citizen):
    client = _as(admin)
    client.post(
        "/home/platform/",
        {
            "form": "agency",
            "code": "MOE",
            "name_th": "กระทรวงศึกษาธิการ",
            "name_en": "Ministry of Education",
            "kind": "ministry",
            "parent": "",
        },
    )
    assert Agency.objects.filter(code="MOE", kind="ministry").exists()
    person = citizen()
    client.post("/home/platform/", {"form": "flags", "user": person.username, "is_auditor": "on"})
    assert User.objects.get(pk=person.user_id).is_auditor
    bad = client.post(
        "/home/platform/",
        {
            "form": "agency",
            "code": "x",
            "name_th": "",
            "name_en": "",
            "kind": "department",
            "parent": "",
        },
    )
    assert bad.status_code == 200 and "error-summary" in bad.content.decode()


def test_a_token_is_shown_once_on_the_account_page(citizen):
    person = citizen()
    client = _as(person)
    page = client.post("/account/", {"form": "token", "name": "ERP", "days": "30"}).content.decode()
    token = re.search(r'<code id="new-token">(ost_[^<]+)</code>', page).group(1)
    assert ApiToken.objects.get().key_prefix == token[:12]
    assert token not in client.get("/account/").content.decode()


def test_an_auditor_starts_a_verification_from_the_page(auditor):
    response = _as(auditor).post("/audit/verify/")
    job = Job.objects.get(kind="audit.verify")
    assert response["Location"] == f"/jobs/{job.id}/"
    assert _as(auditor).get(f"/jobs/{job.id}/").status_code == 200


def test_language_switch_keeps_the_page(citizen):
    client = Client()
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/register/citizen/"})
    assert response["Location"] == "/register/citizen/"
    assert '<html lang="en">' in client.get("/register/citizen/").content.decode()
