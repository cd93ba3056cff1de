"""The demo data: idempotent, valid, and covers every role."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from onestop.core import audit
from onestop.demo import data, loader
from onestop.identity import public as identity
from onestop.identity.models import Agency, Business, Citizen, OfficerRoleGrant, Role, User

pytestmark = pytest.mark.django_db


def test_the_demo_loads_once_and_again_without_duplicates(capsys):
    call_command("demo")
    counts = (User.objects.count(), Agency.objects.count(), audit.head()[0])
    out = capsys.readouterr().out
    assert data.DEMO_PASSWORD in out and "cgd.buyer" in out and "1101700230708" in out

    call_command("demo", "--quiet")

    assert (User.objects.count(), Agency.objects.count(), audit.head()[0]) == counts
    assert audit.verify().ok


def test_the_demo_covers_every_role_with_valid_ids():
    call_command("demo", "--quiet")
    assert set(OfficerRoleGrant.objects.values_list("role", flat=True)) == set(Role.values)
    for citizen in Citizen.objects.all():
        assert identity.validate_national_id(citizen.national_id) == citizen.national_id
    for business in Business.objects.all():
        assert identity.validate_juristic_id(business.juristic_id) == business.juristic_id
    assert User.objects.filter(is_auditor=True).exists()
    assert User.objects.filter(is_platform_admin=True).exists()
    for account in loader.accounts():
        user = identity.user_find(account.login)
        assert user.check_password(data.DEMO_PASSWORD), account.login
