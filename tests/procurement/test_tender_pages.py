"""Tender pages with bad input: the buyer sees what is wrong, in Thai, and nothing is saved; a
second click on a sealed bid is a second, superseding bid, never a half-stored one."""

from __future__ import annotations

import datetime as dt

from django.test import Client
from django.utils import timezone

from onestop.identity.models import User
from onestop.procurement.models import Submission, Tender
from tests.procurement.test_tendering import (
    published,
    seal,
    supplier_id,
)


def logged_in(principal) -> Client:
    client = Client()
    client.force_login(User.objects.get(pk=principal.user_id))
    return client


def form(**overrides) -> dict[str, str]:
    now = timezone.localtime() + dt.timedelta(hours=1)
    return {
        "title": "จ้างพัฒนาระบบ",
        "method": "e_bidding",
        "budget": "500000",
        "lines": "พัฒนาระบบ | 1 | ระบบ | 400000",
        "clarification_deadline": now.strftime("%Y-%m-%dT%H:%M"),
        "submission_deadline": (now + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
        "opening_at": (now + dt.timedelta(days=1, hours=1)).strftime("%Y-%m-%dT%H:%M"),
    } | overrides


def test_a_line_without_its_price_is_explained_in_thai(buyer):
    answer = logged_in(buyer).post(
        "/procurement/tenders/new/", form(lines="พัฒนาระบบ | 1 | ระบบ"), HTTP_ACCEPT_LANGUAGE="th"
    )
    assert answer.status_code == 200
    error = answer.context["error"]
    assert error.field == "lines"
    assert error.text("th") != error.text("en")
    assert error.text("th") in answer.content.decode()
    assert "พัฒนาระบบ | 1 | ระบบ" in answer.content.decode()  # what was typed is kept
    assert not Tender.objects.exists()


def test_a_date_that_is_not_a_date_is_refused(buyer):
    answer = logged_in(buyer).post("/procurement/tenders/new/", form(opening_at="พรุ่งนี้"))
    assert answer.context["error"].field == "opening_at"
    assert not Tender.objects.exists()


def test_a_supplier_cannot_draft_a_tender(approved_supplier):
    answer = logged_in(approved_supplier()).post("/procurement/tenders/new/", form())
    assert answer.status_code == 403
    assert not Tender.objects.exists()


def test_a_second_click_on_seal_and_submit_supersedes_the_first(
    buyer,
    committee,
    approved_supplier,
    clock,
):
    tender = published(buyer, committee, clock)
    owner = approved_supplier()
    client = logged_in(owner)
    url = f"/procurement/tenders/{tender.reference}/bid/"
    for _ in range(2):
        answer = client.post(
            url,
            {
                "supplier_id": supplier_id(owner),
                "sealed_bid": seal(tender, owner, "450000.00").decode(),
            },
        )
        assert answer.status_code == 302
    assert list(Submission.objects.values_list("superseded", flat=True)) == [True, False]


def test_an_empty_sealed_bid_is_refused_with_a_message(
    buyer,
    committee,
    approved_supplier,
    clock,
):
    tender = published(buyer, committee, clock)
    owner = approved_supplier()
    answer = logged_in(owner).post(
        f"/procurement/tenders/{tender.reference}/bid/",
        {"supplier_id": supplier_id(owner), "sealed_bid": ""},
        follow=True,
    )
    assert any(message.level_tag == "error" for message in answer.context["messages"]), (
        "the refusal is shown"
    )
    assert not Submission.objects.exists()
