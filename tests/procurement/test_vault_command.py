"""`onestop vault verify TENDER`: the command-line check of a tender's electronic vault."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from onestop.procurement.models import Submission
from onestop.procurement.services import tendering
from tests.procurement.test_tendering import (
    PASSPHRASE,
    PRICES,
    Clock,
    bid,
    draft,
    enrol,
    otp,
    published,
    seal,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


@pytest.fixture
def committee(cgd, officer):
    members = [officer("CGD", "committee") for _ in range(3)]
    for member in members:
        tendering.vault_key_create(actor=member, passphrase=PASSPHRASE)
        enrol(member)
    return members


@pytest.fixture
def buyer(cgd, officer):
    return officer("CGD", "buyer")


def verify(reference: str) -> str:
    out = StringIO()
    call_command("vault", "verify", reference, stdout=out)
    return out.getvalue()


@pytest.fixture
def sealed_tender(buyer, committee, approved_supplier, clock):
    tender = published(buyer, committee, clock)
    owners = [approved_supplier() for _ in PRICES]
    for owner, price in zip(owners, PRICES, strict=True):
        bid(tender, owner, price)
    return tender, owners


def test_a_sealed_tender_verifies(sealed_tender):
    tender, _owners = sealed_tender
    printed = verify(tender.reference)
    assert f"{tender.reference}: sealed, 3 submissions" in printed
    assert printed.count("receipt signed: ok  envelope matches: ok  re-opens: sealed") == 3
    assert "FAIL" not in printed and "published vault key" not in printed
    assert printed.strip().endswith("the vault verifies")


def test_an_opened_tender_verifies(sealed_tender, committee, clock):
    tender, _owners = sealed_tender
    clock.to(tender.opening_at)
    for member in committee[:2]:
        tendering.share_release(
            actor=member, reference=tender.reference, passphrase=PASSPHRASE, second_factor=otp()
        )
    printed = verify(tender.reference)
    assert f"{tender.reference}: opened, 3 submissions" in printed
    assert "published vault key matches the tender's public key: ok" in printed
    assert printed.count("receipt signed: ok  envelope matches: ok  re-opens: ok") == 3
    assert "FAIL" not in printed
    assert printed.strip().endswith("the vault verifies")


def test_a_tampered_envelope_does_not_verify(sealed_tender):
    tender, owners = sealed_tender
    victim = Submission.objects.get(tender=tender, sequence=2)
    Submission.objects.filter(pk=victim.pk).update(sealed=seal(tender, owners[1], "1.00"))
    out = StringIO()
    with pytest.raises(CommandError, match="the vault does NOT verify"):
        call_command("vault", "verify", tender.reference, stdout=out)
    lines = out.getvalue().splitlines()
    (failed,) = [line for line in lines if "FAIL" in line]
    assert failed.startswith("#2 ") and "envelope matches: FAIL" in failed
    assert "the vault verifies" not in out.getvalue()


def test_a_tampered_envelope_is_caught_after_opening_too(sealed_tender, committee, clock):
    tender, owners = sealed_tender
    clock.to(tender.opening_at)
    for member in committee[:2]:
        tendering.share_release(
            actor=member, reference=tender.reference, passphrase=PASSPHRASE, second_factor=otp()
        )
    Submission.objects.filter(tender=tender, sequence=1).update(
        sealed=seal(tender, owners[0], "1.00")
    )
    out = StringIO()
    with pytest.raises(CommandError, match="the vault does NOT verify"):
        call_command("vault", "verify", tender.reference, stdout=out)
    assert "envelope matches: FAIL  re-opens: FAIL" in out.getvalue()


def test_an_unknown_tender_is_named(db):
    with pytest.raises(CommandError, match="There is no tender CGD-TD-2569-99999"):
        call_command("vault", "verify", "CGD-TD-2569-99999", stdout=StringIO())


def test_a_draft_has_no_public_vault(buyer, clock):
    tender = draft(buyer, clock)
    with pytest.raises(CommandError, match=f"There is no tender {tender.reference}"):
        call_command("vault", "verify", tender.reference, stdout=StringIO())
