"""The tender page from the invitation to the contract, with the test client: each role sees
its own forms, each form calls its service, refusals come back as messages in Thai."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from onestop.core.thai import fiscal_year
from onestop.procurement.models import Clarification, Contract, ProcurementPlan, Tender
from onestop.procurement.services import budget
from tests.procurement.test_tender_pages import logged_in
from tests.procurement.test_tendering import bid, published, supplier_id

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(cgd, officer, committee, buyer):
    admin = officer("CGD", "agency_admin")
    line = budget.budget_line_create(
        actor=admin,
        agency_code="CGD",
        fiscal_year=fiscal_year(timezone.now()),
        code="IT-02",
        name="ค่าจ้างพัฒนาระบบ",
        amount=Decimal("2000000"),
    )
    return {
        "buyer": buyer,
        "approver": officer("CGD", "approver"),
        "committee": committee,
        "line": line,
    }


def page_of(client, tender) -> str:
    return client.get(f"/procurement/tenders/{tender.reference}/").content.decode()


def test_question_answer_evaluation_award_and_contract_on_the_page(
    people, approved_supplier, clock
):
    tender = published(people["buyer"], people["committee"], clock)
    url = f"/procurement/tenders/{tender.reference}/"
    owners = [approved_supplier() for _ in range(2)]

    # a supplier asks; the buyer answers; everyone reads the answer
    supplier_page = logged_in(owners[0])
    assert 'id="ask-form"' in page_of(supplier_page, tender)
    supplier_page.post(
        url + "questions/", {"supplier_id": supplier_id(owners[0]), "question": "ส่งมอบที่ใด"}
    )
    question = Clarification.objects.get()
    buyer_page = logged_in(people["buyer"])
    buyer_page.post(url + f"questions/{question.pk}/answer/", {"answer": "กรมบัญชีกลาง"})
    from django.test import Client

    assert "กรมบัญชีกลาง" in page_of(Client(), tender)

    # the buyer attaches the TOR; a program file is refused with a message
    buyer_page.post(
        url + "documents/",
        {"kind": "terms", "document": SimpleUploadedFile("tor.pdf", b"%PDF-1.4\n%%EOF")},
    )
    answer = buyer_page.post(
        url + "documents/",
        {"kind": "other", "document": SimpleUploadedFile("x.exe", b"MZ\x90")},
        follow=True,
    )
    assert "PDF" in answer.content.decode()
    assert list(tender.documents.values_list("file_name", flat=True)) == ["tor.pdf"]

    # bids, opening
    bid(tender, owners[0], "1150000.00")
    bid(tender, owners[1], "1100000.00")
    clock.to(tender.opening_at)
    from onestop.procurement.services import tendering
    from tests.procurement.conftest import PASSPHRASE, otp

    for member in people["committee"][:2]:
        tendering.share_release(
            actor=member, reference=tender.reference, passphrase=PASSPHRASE, second_factor=otp()
        )

    # the committee records the evaluation; the approver awards
    member_page = logged_in(people["committee"][0])
    assert 'id="evaluation-table"' in page_of(member_page, tender)
    for sequence in (1, 2):
        member_page.post(url + f"bids/{sequence}/evaluation/", {"qualified": "yes"})
    approver_page = logged_in(people["approver"])
    approver_page.post(url + "award/", {"note": ""})
    tender.refresh_from_db()
    assert tender.status == Tender.Status.AWARDED
    assert "standstill-running" in page_of(approver_page, tender)

    # signing during the standstill is refused with a message; after it, the contract is made
    early = approver_page.post(
        url + "contract/",
        {
            "budget_line_id": people["line"].pk,
            "delivery_due": (timezone.localdate(clock.now) + dt.timedelta(days=30)).isoformat(),
            "delivery_address": "กรมบัญชีกลาง",
        },
        follow=True,
    )
    assert "standstill" in early.content.decode().lower() or "ระยะ" in early.content.decode()
    assert not Contract.objects.exists()
    clock.advance(days=8)
    approver_page = logged_in(people["approver"])  # a new session: the old one has expired
    signed = approver_page.post(
        url + "contract/",
        {
            "budget_line_id": people["line"].pk,
            "delivery_due": (timezone.localdate(clock.now) + dt.timedelta(days=30)).isoformat(),
            "delivery_address": "กรมบัญชีกลาง",
            "penalty_rate": "0.10",
        },
        follow=True,
    )
    assert not list(signed.context["messages"]) or "error" not in str(
        [m.tags for m in signed.context["messages"]]
    ), [m.message for m in signed.context["messages"]]
    contract = Contract.objects.get()
    assert contract.supplier_id == supplier_id(owners[1])
    assert contract.number in page_of(Client(), tender)


def test_a_supplier_sees_no_evaluation_forms_and_cannot_award(people, approved_supplier, clock):
    tender = published(people["buyer"], people["committee"], clock)
    owner = approved_supplier()
    bid(tender, owner, "1000000.00")
    clock.to(tender.opening_at)
    from onestop.procurement.services import tendering
    from tests.procurement.conftest import PASSPHRASE, otp

    for member in people["committee"][:2]:
        tendering.share_release(
            actor=member, reference=tender.reference, passphrase=PASSPHRASE, second_factor=otp()
        )
    supplier_page = logged_in(owner)
    html = page_of(supplier_page, tender)
    assert 'id="award-form"' not in html and "bid_evaluate" not in html
    refused = supplier_page.post(f"/procurement/tenders/{tender.reference}/award/", {})
    assert refused.status_code == 403
    assert Tender.objects.get(pk=tender.pk).status == Tender.Status.OPENED


def test_the_plan_page_drafts_and_publishes(people):
    page = logged_in(people["buyer"])
    year = fiscal_year(timezone.now())
    month = timezone.localdate().strftime("%Y-%m")
    answer = page.post(
        "/procurement/plans/",
        {
            "action": "save",
            "fiscal_year": year,
            "items": f"จ้างพัฒนาระบบ | e_bidding | 1250000 | {month}\nซื้อกระดาษ | e_market | 90000 | {month}",
        },
    )
    assert answer.status_code == 302
    plan = ProcurementPlan.objects.get()
    assert plan.items.count() == 2
    bad = page.post(
        "/procurement/plans/", {"action": "save", "fiscal_year": year, "items": "ไม่มีตัวคั่น"}
    )
    assert "|" in bad.content.decode()
    page.post("/procurement/plans/", {"action": "publish", "fiscal_year": year})
    plan.refresh_from_db()
    assert plan.status == ProcurementPlan.Status.PUBLISHED
