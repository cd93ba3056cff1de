"""Two-step verification (TOTP, RFC 6238): set up, confirm, verify once, sealed at rest, the page."""

from __future__ import annotations

import base64
import json
import re
import time
from urllib.parse import parse_qs, urlparse

import pytest
from django.db import connection
from django.test import Client

from onestop.core.errors import ConflictError
from onestop.core.models import AuditEntry
from onestop.demo import loader
from onestop.identity import public as identity
from onestop.identity import selectors, services
from onestop.identity.domain import totp
from onestop.identity.http.views import _qr_svg
from onestop.identity.models import TotpDevice, User
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

NOW = 1_800_000_015.0  # a fixed instant, 15 seconds into its 30-second step
STEP = totp.STEP_SECONDS


@pytest.fixture
def clock(monkeypatch):
    """Services see a fixed time: codes are made for exact steps around it."""
    monkeypatch.setattr(services, "_timestamp", lambda: NOW)
    return NOW


def _secret_of(uri: str) -> str:
    return parse_qs(urlparse(uri).query)["secret"][0]


def _turned_on(person: identity.Principal) -> str:
    """Enrol and confirm through the services (code of the step before NOW); return the secret."""
    _device, uri = services.totp_enroll(actor=person)
    secret = _secret_of(uri)
    services.totp_confirm(actor=person, code=totp.code_at(secret, NOW - STEP))
    return secret


def _device(person: identity.Principal) -> TotpDevice:
    return TotpDevice.objects.get(user_id=person.user_id)


# Services ----------------------------------------------------------------------------------------


def test_enrolling_then_confirming_a_first_code_turns_it_on(citizen, clock):
    # given
    person = citizen()
    # when
    device, uri = services.totp_enroll(actor=person)
    # then
    assert uri.startswith("otpauth://totp/OneStop:")
    assert "issuer=OneStop" in uri
    assert person.national_id not in uri  # the app shows the citizen's ID masked only
    assert device.confirmed_at is None
    assert identity.has_second_factor(person.user_id) is False
    # when
    secret = _secret_of(uri)
    services.totp_confirm(actor=person, code=totp.code_at(secret, NOW))
    # then
    device = _device(person)
    assert device.confirmed_at is not None
    assert device.last_used_step == totp.step_at(NOW)
    assert identity.has_second_factor(person.user_id) is True
    actions = list(
        AuditEntry.objects.filter(action__startswith="identity.totp").values_list(
            "action", flat=True
        )
    )
    assert actions == ["identity.totp.enroll", "identity.totp.confirm"]


def test_the_audit_log_holds_neither_the_secret_nor_a_code(citizen, clock):
    # given
    person = citizen()
    _enrolled, uri = services.totp_enroll(actor=person)
    secret = _secret_of(uri)
    code = totp.code_at(secret, NOW)
    # when
    services.totp_confirm(actor=person, code=code)
    # then
    for entry in AuditEntry.objects.filter(action__startswith="identity.totp"):
        logged = json.dumps([entry.before, entry.after, entry.object_label])
        assert secret not in logged
        assert code not in logged


def test_a_valid_code_passes_verification(citizen, clock):
    person = citizen()
    secret = _turned_on(person)

    identity.totp_verify(user_id=person.user_id, code=totp.code_at(secret, NOW))

    assert _device(person).last_used_step == totp.step_at(NOW)


@pytest.mark.parametrize("offset", [-1, 0, 1])
def test_codes_of_one_step_either_side_are_accepted(citizen, clock, offset):
    person = citizen()
    _enrolled, uri = services.totp_enroll(actor=person)

    services.totp_confirm(actor=person, code=totp.code_at(_secret_of(uri), NOW + offset * STEP))

    assert _device(person).last_used_step == totp.step_at(NOW) + offset


@pytest.mark.parametrize("offset", [-2, 2])
def test_codes_two_steps_away_are_refused(citizen, clock, offset):
    person = citizen()
    _enrolled, uri = services.totp_enroll(actor=person)

    with pytest.raises(identity.SecondFactorWrongError) as refused:
        services.totp_confirm(actor=person, code=totp.code_at(_secret_of(uri), NOW + offset * STEP))

    assert type(refused.value) is identity.SecondFactorWrongError
    assert identity.has_second_factor(person.user_id) is False


@pytest.mark.parametrize("code", ["000000", "12345", "1234567", "abcdef", ""])
def test_a_wrong_code_is_refused_and_changes_nothing(citizen, clock, code):
    # given
    person = citizen()
    secret = _turned_on(person)
    if code == "000000" and totp.code_at(secret, NOW) == code:
        code = "000001"
    before = (_device(person).last_used_step, AuditEntry.objects.count())
    # when
    with pytest.raises(identity.SecondFactorWrongError) as refused:
        identity.totp_verify(user_id=person.user_id, code=code)
    # then
    assert type(refused.value) is identity.SecondFactorWrongError
    assert refused.value.code == "second_factor_wrong"
    assert refused.value.field == "code"
    assert (_device(person).last_used_step, AuditEntry.objects.count()) == before


def test_a_code_typed_with_thai_digits_and_spaces_is_accepted(citizen, clock):
    person = citizen()
    secret = _turned_on(person)
    code = totp.code_at(secret, NOW)
    typed = f"{code[:3]} {code[3:]}".translate(str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙"))

    identity.totp_verify(user_id=person.user_id, code=typed)

    assert _device(person).last_used_step == totp.step_at(NOW)


def test_a_code_works_only_once(citizen, clock):
    # given
    person = citizen()
    secret = _turned_on(person)
    code = totp.code_at(secret, NOW)
    identity.totp_verify(user_id=person.user_id, code=code)
    # when
    with pytest.raises(identity.SecondFactorReplayedError) as refused:
        identity.totp_verify(user_id=person.user_id, code=code)
    # then
    assert refused.value.code == "second_factor_replayed"
    assert isinstance(refused.value, identity.SecondFactorWrongError)
    assert "already been used" in refused.value.text("en")
    assert refused.value.text("en") != identity.SecondFactorWrongError().text("en")
    assert _device(person).last_used_step == totp.step_at(NOW)


def test_the_confirming_code_cannot_be_used_again(citizen, clock):
    person = citizen()
    _enrolled, uri = services.totp_enroll(actor=person)
    code = totp.code_at(_secret_of(uri), NOW)
    services.totp_confirm(actor=person, code=code)

    with pytest.raises(identity.SecondFactorReplayedError):
        identity.totp_verify(user_id=person.user_id, code=code)


def test_an_older_code_is_refused_after_a_newer_one(citizen, clock):
    person = citizen()
    secret = _turned_on(person)  # spent the step before NOW
    identity.totp_verify(user_id=person.user_id, code=totp.code_at(secret, NOW + STEP))

    with pytest.raises(identity.SecondFactorReplayedError):
        identity.totp_verify(user_id=person.user_id, code=totp.code_at(secret, NOW))

    assert _device(person).last_used_step == totp.step_at(NOW) + 1


def test_without_a_device_verification_says_where_to_set_it_up(citizen):
    person = citizen()

    with pytest.raises(identity.SecondFactorMissingError) as refused:
        identity.totp_verify(user_id=person.user_id, code="123456")

    assert refused.value.code == "second_factor_missing"
    assert refused.value.status == 403
    assert "/account/security/" in refused.value.text("en")
    assert "/account/security/" in refused.value.text("th")


def test_an_unconfirmed_device_is_no_second_factor(citizen, clock):
    person = citizen()
    _enrolled, uri = services.totp_enroll(actor=person)

    with pytest.raises(identity.SecondFactorMissingError):
        identity.totp_verify(user_id=person.user_id, code=totp.code_at(_secret_of(uri), NOW))

    assert identity.has_second_factor(person.user_id) is False
    assert _device(person).last_used_step is None


def test_enrolling_again_replaces_an_unconfirmed_device(citizen):
    person = citizen()
    _first, first_uri = services.totp_enroll(actor=person)

    _second, second_uri = services.totp_enroll(actor=person)

    assert _secret_of(first_uri) != _secret_of(second_uri)
    assert TotpDevice.objects.filter(user_id=person.user_id).count() == 1
    assert _device(person).open_secret() == _secret_of(second_uri)


def test_a_confirmed_device_is_replaced_only_on_reset_with_the_password(citizen, clock):
    # given
    person = citizen()
    secret = _turned_on(person)
    before = (_device(person).pk, AuditEntry.objects.count())
    # when / then: not without reset, not with a wrong password
    with pytest.raises(ConflictError) as refused:
        services.totp_enroll(actor=person)
    assert refused.value.code == "second_factor_already_on"
    with pytest.raises(services.WrongPasswordError):
        services.totp_enroll(actor=person, reset=True, password="not-the-password")
    assert (_device(person).pk, AuditEntry.objects.count()) == before
    assert _device(person).open_secret() == secret
    # when
    _enrolled, uri = services.totp_enroll(actor=person, reset=True, password=PASSWORD)
    # then: off until the new phone proves a code; the old phone no longer works
    assert _secret_of(uri) != secret
    assert identity.has_second_factor(person.user_id) is False
    assert AuditEntry.objects.filter(action="identity.totp.reset").count() == 1
    services.totp_confirm(actor=person, code=totp.code_at(_secret_of(uri), NOW))
    with pytest.raises(identity.SecondFactorWrongError):
        identity.totp_verify(user_id=person.user_id, code=totp.code_at(secret, NOW + STEP))


def test_confirming_needs_a_started_set_up(citizen):
    person = citizen()

    with pytest.raises(ConflictError) as refused:
        services.totp_confirm(actor=person, code="123456")

    assert refused.value.code == "second_factor_not_started"


# At rest ------------------------------------------------------------------------------------------


def test_the_secret_is_not_stored_in_plain_text(citizen):
    # given
    person = citizen()
    _enrolled, uri = services.totp_enroll(actor=person)
    secret = _secret_of(uri)
    # when
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM identity_totpdevice WHERE user_id = %s", [person.user_id])
        (row,) = cursor.fetchall()
    # then
    raw = b"".join(
        bytes(value) if isinstance(value, bytes | memoryview) else str(value).encode()
        for value in row
    )
    assert secret.encode() not in raw
    assert secret.lower().encode() not in raw
    assert totp.grouped(secret).encode() not in raw
    assert base64.b32decode(secret) not in raw
    assert _device(person).open_secret() == secret


def test_a_sealed_secret_copied_to_another_account_does_not_open(citizen):
    first, second = citizen(), citizen()
    services.totp_enroll(actor=first)
    services.totp_enroll(actor=second)
    stolen = _device(first)
    TotpDevice.objects.filter(user_id=second.user_id).update(
        secret_nonce=stolen.secret_nonce, secret_ciphertext=stolen.secret_ciphertext
    )

    with pytest.raises(totp.SecretUnavailableError):
        _device(second).open_secret()


def test_after_the_secret_key_changes_the_person_is_told_to_set_it_up_again(
    citizen, clock, settings
):
    person = citizen()
    secret = _turned_on(person)
    settings.SECRET_KEY = "another-secret-key-that-is-long-enough-for-checks-0123456789"

    with pytest.raises(identity.SecondFactorMissingError) as refused:
        identity.totp_verify(user_id=person.user_id, code=totp.code_at(secret, NOW))

    assert refused.value.code == "second_factor_unavailable"
    assert "/account/security/" in refused.value.text("en")


# Demo ----------------------------------------------------------------------------------------------


def test_the_demo_secret_is_valid_base32_and_a_bad_one_is_refused(citizen):
    assert totp.normalize_secret(identity.DEMO_TOTP_SECRET) == identity.DEMO_TOTP_SECRET
    person = User.objects.get(pk=citizen().user_id)

    with pytest.raises(services.InputError):
        identity.totp_enroll_known_secret(
            person, "ONESTOPDEMOTOTPSECRETA2569AAAAAA"
        )  # 9: not base32

    assert not TotpDevice.objects.filter(user=person).exists()


def test_the_demo_enrols_committee_members_with_the_demo_secret_once(cgd, officer, clock):
    # given
    member = officer("CGD", "committee")
    buyer = officer("CGD", "buyer")
    # when
    loader._second_factors()
    entries = AuditEntry.objects.count()
    loader._second_factors()
    # then
    assert AuditEntry.objects.count() == entries
    assert identity.has_second_factor(member.user_id) is True
    assert identity.has_second_factor(buyer.user_id) is False
    identity.totp_verify(user_id=member.user_id, code=totp.code_at(identity.DEMO_TOTP_SECRET, NOW))


# The page ------------------------------------------------------------------------------------------

PAGE = "/account/security/"


def _browser(person: identity.Principal) -> tuple[Client, str]:
    """A client that enforces CSRF, logged in as the person, with its CSRF token."""
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(User.objects.get(pk=person.user_id))
    client.get(PAGE)
    return client, client.cookies["csrftoken"].value


def test_the_page_needs_a_login():
    response = Client().get(PAGE)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_the_account_page_links_to_the_page(citizen):
    client, _token = _browser(citizen())
    page = client.get("/account/").content.decode()
    assert f'href="{PAGE}"' in page


def test_the_page_shows_a_qr_code_of_the_new_key(citizen):
    # given
    person = citizen()
    client, token = _browser(person)
    assert 'id="totp-start"' in client.get(PAGE).content.decode()
    # when
    response = client.post(PAGE, {"form": "enroll", "csrfmiddlewaretoken": token})
    # then
    assert response.status_code == 302
    response = client.get(PAGE)
    page = response.content.decode()
    assert "no-store" in response["Cache-Control"]
    status = selectors.totp_status(principal=person)
    assert '<div id="totp-qr"' in page
    assert str(_qr_svg(status.provisioning_uri)) in page
    assert "<svg" in page
    assert f'<code id="totp-secret" lang="en">{totp.grouped(status.secret)}</code>' in page
    assert 'name="code"' in page
    assert identity.has_second_factor(person.user_id) is False


def test_the_page_confirms_a_code_and_then_shows_it_is_on(citizen):
    # given
    person = citizen()
    client, token = _browser(person)
    client.post(PAGE, {"form": "enroll", "csrfmiddlewaretoken": token})
    page = client.get(PAGE).content.decode()
    shown = re.search(r'<code id="totp-secret" lang="en">([A-Z2-7 ]+)</code>', page).group(1)
    secret = shown.replace(" ", "")
    # when: a wrong code
    wrong = "000000" if totp.code_at(secret, time.time()) != "000000" else "111111"
    response = client.post(PAGE, {"form": "confirm", "code": wrong, "csrfmiddlewaretoken": token})
    # then
    assert response.status_code == 200
    assert 'id="id_code-error"' in response.content.decode()
    assert identity.has_second_factor(person.user_id) is False
    # when: the code the app shows
    response = client.post(
        PAGE,
        {
            "form": "confirm",
            "code": totp.code_at(secret, time.time()),
            "csrfmiddlewaretoken": token,
        },
        follow=True,
    )
    # then
    page = response.content.decode()
    assert response.redirect_chain == [(PAGE, 302)]
    assert 'id="totp-on"' in page
    assert shown not in page and secret not in page
    assert "<svg" not in page
    assert identity.has_second_factor(person.user_id) is True


def test_the_page_refuses_a_post_without_the_csrf_token(citizen):
    person = citizen()
    client, _token = _browser(person)

    response = client.post(PAGE, {"form": "enroll"})

    assert response.status_code == 403
    assert not TotpDevice.objects.filter(user_id=person.user_id).exists()


def test_the_page_moves_it_to_a_new_phone_with_the_password(citizen, clock):
    # given
    person = citizen()
    _turned_on(person)
    client, token = _browser(person)
    # when: a wrong password
    response = client.post(
        PAGE, {"form": "reset", "password": "wrong-password", "csrfmiddlewaretoken": token}
    )
    # then
    assert response.status_code == 200
    assert 'id="id_password-error"' in response.content.decode()
    assert identity.has_second_factor(person.user_id) is True
    # when
    response = client.post(
        PAGE, {"form": "reset", "password": PASSWORD, "csrfmiddlewaretoken": token}, follow=True
    )
    # then
    assert 'id="totp-qr"' in response.content.decode()
    assert identity.has_second_factor(person.user_id) is False
