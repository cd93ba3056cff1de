"""Identity use cases: bad input is refused with a clear message and nothing half-written stays."""

from __future__ import annotations

import pytest

from onestop.core.errors import ApplicationError, ConflictError, PermissionDeniedError
from onestop.core.models import AuditEntry
from onestop.identity import public as identity
from onestop.identity import services
from onestop.identity.models import Agency, Business, Citizen, OfficerMembership, User
from tests.conftest import PASSWORD, juristic_id, national_id

pytestmark = pytest.mark.django_db


def _counts() -> tuple[int, ...]:
    return (
        User.objects.count(),
        Citizen.objects.count(),
        Business.objects.count(),
        Agency.objects.count(),
        OfficerMembership.objects.count(),
        AuditEntry.objects.count(),
    )


def test_a_citizen_registers_and_it_is_audited():
    user = identity.citizen_register(
        national_id="1-1017-00230-70-8",
        first_name="สมชาย",
        last_name="ใจดี",
        password=PASSWORD,
        email="s@example.com",
    )
    assert user.username == "1101700230708"
    assert user.citizen.national_id == "1101700230708"
    assert user.check_password(PASSWORD)
    assert user.password.startswith("argon2")
    entry = AuditEntry.objects.get(action="identity.citizen.register")
    assert entry.after["national_id"] == "1-1017-xxxxx-xx-8"  # the full ID never enters the log


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"national_id": "1101700230709"}, "national_id", "invalid_national_id"),
        ({"first_name": "  "}, "first_name", "invalid_input"),
        ({"email": "not-an-email"}, "email", "invalid_input"),
        ({"password": "12345678901"}, "password", "weak_password"),
        ({"password": "short"}, "password", "weak_password"),
        ({"password": "password123"}, "password", "weak_password"),
        ({"title": "king"}, "title", "invalid_input"),
    ],
)
def test_bad_registrations_are_refused_and_leave_nothing(overrides, field, code):
    before = _counts()
    fields = {
        "national_id": national_id(),
        "first_name": "สมชาย",
        "last_name": "ใจดี",
        "password": PASSWORD,
    } | overrides
    with pytest.raises(ApplicationError) as caught:
        identity.citizen_register(**fields)
    assert (caught.value.field, caught.value.code) == (field, code)
    assert caught.value.text("th") and caught.value.text("en")
    assert _counts() == before


def test_a_national_id_registers_once(citizen):
    person = citizen()
    before = _counts()
    with pytest.raises(services.AlreadyRegisteredError):
        identity.citizen_register(
            national_id=person.national_id, first_name="อื่น", last_name="คน", password=PASSWORD
        )
    assert _counts() == before


def test_an_email_belongs_to_one_account(citizen):
    citizen(email="same@example.com")
    with pytest.raises(services.EmailTakenError):
        citizen(email="SAME@example.com")


def test_a_business_and_its_new_account_are_saved_together_or_not_at_all(citizen):
    taken = juristic_id()
    identity.business_register(owner=citizen(), juristic_id=taken, name_th="บริษัท เดิม จำกัด")
    before = _counts()
    with pytest.raises(services.BusinessAlreadyRegisteredError):
        services.business_register_with_account(
            account={
                "username": "newcomer",
                "first_name": "ใหม่",
                "last_name": "คน",
                "password": PASSWORD,
                "email": "n@example.com",
            },
            business={"juristic_id": taken, "name_th": "บริษัท ซ้ำ จำกัด"},
        )
    assert _counts() == before
    assert not User.objects.filter(username="newcomer").exists()


def test_a_business_needs_a_valid_juristic_id(citizen):
    with pytest.raises(ApplicationError) as caught:
        identity.business_register(owner=citizen(), juristic_id="1101700230708", name_th="x")
    assert caught.value.code == "invalid_juristic_id"


def test_only_platform_admins_create_agencies(admin, officer, cgd):
    agency_admin = officer("CGD", "agency_admin")
    with pytest.raises(PermissionDeniedError):
        identity.agency_create(
            actor=agency_admin,
            code="NEW",
            name_th="ใหม่",
            name_en="New",
            kind="department",
            parent_code="MOF",
        )
    assert not Agency.objects.filter(code="NEW").exists()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"code": "cg d"}, "code"),
        ({"code": "1ABC"}, "code"),
        ({"kind": "kingdom"}, "kind"),
        ({"parent_code": "CGD"}, "parent"),  # not a ministry
        ({"parent_code": "NOPE"}, "agency"),
        ({"kind": "ministry", "parent_code": "MOF"}, "parent"),
        ({"code": "CGD"}, "code"),  # taken
        ({"name_en": ""}, "name_en"),
    ],
)
def test_bad_agencies_are_refused(admin, cgd, fields, field):
    values = {
        "code": "NEWDEPT",
        "name_th": "กรมใหม่",
        "name_en": "New Department",
        "kind": "department",
        "parent_code": "MOF",
    } | fields
    before = _counts()
    with pytest.raises(ApplicationError) as caught:
        identity.agency_create(actor=admin, **values)
    assert caught.value.field == field
    assert _counts() == before


def test_an_agency_admin_appoints_and_sets_roles_in_their_agency(officer, citizen, cgd):
    agency_admin = officer("CGD", "agency_admin")
    person = citizen()

    membership = identity.officer_appoint(
        actor=agency_admin, agency_code="CGD", user_identifier=person.national_id, roles=["buyer"]
    )
    identity.officer_roles_set(
        actor=agency_admin, agency_code="CGD", username=person.username, roles=["buyer", "approver"]
    )

    assert membership.agency.code == "CGD"
    assert identity.principal_for(membership.user).roles == {"buyer", "approver"}
    entry = AuditEntry.objects.filter(action="identity.officer.roles_set").get()
    assert (entry.agency_code, entry.before, entry.after) == (
        "CGD",
        {"roles": ["buyer"]},
        {"roles": ["approver", "buyer"]},
    )


def test_an_officer_cannot_act_for_another_agency(officer, citizen, cgd, dlt):
    cgd_admin = officer("CGD", "agency_admin")
    dlt_buyer = officer("DLT", "buyer")
    person = citizen()
    before = _counts()

    with pytest.raises(PermissionDeniedError) as caught:
        identity.officer_appoint(
            actor=cgd_admin, agency_code="DLT", user_identifier=person.username
        )
    assert caught.value.code == "other_agency"
    assert "CGD" in caught.value.text("en") and "DLT" in caught.value.text("en")
    with pytest.raises(PermissionDeniedError):
        identity.officer_roles_set(
            actor=cgd_admin, agency_code="DLT", username=dlt_buyer.username, roles=["agency_admin"]
        )
    with pytest.raises(PermissionDeniedError):
        identity.officer_release(actor=cgd_admin, agency_code="DLT", username=dlt_buyer.username)
    assert _counts() == before
    assert identity.principal_for(User.objects.get(pk=dlt_buyer.user_id)).roles == {"buyer"}


def test_an_officer_without_the_admin_role_cannot_appoint(officer, citizen, cgd):
    buyer = officer("CGD", "buyer")
    with pytest.raises(PermissionDeniedError) as caught:
        identity.officer_appoint(actor=buyer, agency_code="CGD", user_identifier=citizen().username)
    assert caught.value.code == "missing_role"


def test_a_person_is_an_officer_of_one_agency_only(admin, officer, cgd, dlt):
    cgd_buyer = officer("CGD", "buyer")
    with pytest.raises(ConflictError) as caught:
        identity.officer_appoint(actor=admin, agency_code="DLT", user_identifier=cgd_buyer.username)
    assert caught.value.code == "already_officer"


def test_the_last_agency_admin_cannot_remove_themselves(officer, cgd):
    agency_admin = officer("CGD", "agency_admin")
    with pytest.raises(services.LastAgencyAdminError):
        identity.officer_roles_set(
            actor=agency_admin, agency_code="CGD", username=agency_admin.username, roles=["buyer"]
        )
    with pytest.raises(services.LastAgencyAdminError):
        identity.officer_release(
            actor=agency_admin, agency_code="CGD", username=agency_admin.username
        )
    assert identity.principal_for(User.objects.get(pk=agency_admin.user_id)).roles == {
        "agency_admin"
    }


def test_unknown_roles_are_refused(admin, officer, cgd):
    buyer = officer("CGD", "buyer")
    with pytest.raises(ApplicationError) as caught:
        identity.officer_roles_set(
            actor=admin, agency_code="CGD", username=buyer.username, roles=["king"]
        )
    assert caught.value.field == "roles" and "king" in caught.value.text("en")


def test_api_tokens_are_stored_hashed_and_can_be_revoked(citizen):
    person = citizen()
    token, record = services.api_token_create(actor=person, name="ERP")
    assert token.startswith("ost_") and token not in record.key_hash
    assert services.api_token_user(token).pk == person.user_id
    services.api_token_revoke(actor=person, token_id=record.pk)
    assert services.api_token_user(token) is None
    assert services.api_token_user("ost_forged") is None


def test_a_token_cannot_be_revoked_by_someone_else(citizen):
    owner, other = citizen(), citizen()
    _token, record = services.api_token_create(actor=owner, name="ERP")
    with pytest.raises(services.TokenNotFoundError):
        services.api_token_revoke(actor=other, token_id=record.pk)


def test_the_first_platform_admin_can_be_bootstrapped_once(admin):
    with pytest.raises(services.PlatformAlreadyAdministeredError):
        identity.platform_admin_bootstrap(
            username="second", first_name="a", last_name="b", password=PASSWORD
        )
