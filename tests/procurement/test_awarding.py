"""After the vault opens: questions and published answers, evaluation, award, standstill,
complaints, contract and its purchase order (P-14 to P-16), through the services."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from onestop.core.errors import ApplicationError
from onestop.core.thai import fiscal_year
from onestop.procurement.models import (
    BudgetLine,
    Complaint,
    Contract,
    PurchaseOrder,
    Submission,
    Tender,
)
from onestop.procurement.services import awarding, budget, receiving, tendering
from tests.procurement.test_tendering import (
    PASSPHRASE,
    bid,
    otp,
    published,
    supplier_id,
)


@pytest.fixture
def approver(cgd, officer):
    return officer("CGD", "approver")


@pytest.fixture
def budget_line(cgd, officer):
    admin = officer("CGD", "agency_admin")
    return budget.budget_line_create(
        actor=admin,
        agency_code="CGD",
        fiscal_year=fiscal_year(timezone.now()),
        code="INV-01",
        name="ค่าครุภัณฑ์และระบบสารสนเทศ",
        amount=Decimal("5000000.00"),
    )


def opened(tender, committee, clock):
    clock.to(tender.opening_at)
    for member in committee[:2]:
        tendering.share_release(
            actor=member, reference=tender.reference, passphrase=PASSPHRASE, second_factor=otp()
        )
    return Tender.objects.get(pk=tender.pk)


def evaluate_all(tender, member, **verdicts):
    for submission in Submission.objects.filter(tender=tender, superseded=False):
        qualified, note, score = verdicts.get(str(submission.sequence), (True, "", None))
        awarding.submission_evaluate(
            actor=member,
            reference=tender.reference,
            sequence=submission.sequence,
            qualified=qualified,
            note=note,
            technical_score=score,
        )


@pytest.fixture
def bidding(buyer, committee, approved_supplier, clock):
    """A published tender with three bids, opened; returns (tender, bidders)."""

    def make(prices=("1180000.00", "1095500.50", "1210000.00"), **overrides):
        tender = published(buyer, committee, clock, **overrides)
        bidders = [approved_supplier() for _ in prices]
        for owner, price in zip(bidders, prices, strict=True):
            bid(tender, owner, price)
        return opened(tender, committee, clock), bidders

    return make


def test_a_question_before_the_deadline_and_its_published_answer(
    buyer, committee, approved_supplier, clock
):
    tender = published(buyer, committee, clock)
    owner = approved_supplier()
    asked = awarding.question_ask(
        actor=owner,
        reference=tender.reference,
        supplier_id=supplier_id(owner),
        question="ต้องแนบหนังสือรับรองผลงานกี่ฉบับ",
    )
    answered = awarding.question_answer(
        actor=buyer, reference=tender.reference, question_id=asked.pk, answer="อย่างน้อย 1 ฉบับ"
    )
    assert answered.answered_at is not None and answered.answer == "อย่างน้อย 1 ฉบับ"
    with pytest.raises(ApplicationError):
        awarding.question_answer(
            actor=buyer, reference=tender.reference, question_id=asked.pk, answer="แก้คำตอบ"
        )


def test_a_question_after_the_clarification_deadline_is_refused(
    buyer, committee, approved_supplier, clock
):
    tender = published(buyer, committee, clock)
    owner = approved_supplier()
    clock.to(tender.clarification_deadline)
    with pytest.raises(awarding.ClarificationClosedError) as refused:
        awarding.question_ask(
            actor=owner, reference=tender.reference, supplier_id=supplier_id(owner), question="?"
        )
    assert tender.reference in refused.value.text("en")


def test_lowest_price_award_standstill_and_contract(
    bidding, committee, approver, budget_line, clock
):
    tender, _bidders = bidding()
    evaluate_all(tender, committee[0])
    awarded = awarding.tender_award(actor=approver, reference=tender.reference)
    assert awarded.status == Tender.Status.AWARDED
    winner = Submission.objects.get(pk=awarded.awarded_submission_id)
    assert winner.price == Decimal("1095500.50") and winner.rank == 1
    assert awarded.standstill_until == awarded.awarded_at + dt.timedelta(days=7)

    # the contract waits for the standstill
    due = timezone.localdate() + dt.timedelta(days=60)
    sign = dict(
        actor=approver,
        reference=tender.reference,
        budget_line_id=budget_line.pk,
        delivery_due=due,
        delivery_address="กรมบัญชีกลาง ถนนพระรามที่ 6 กรุงเทพฯ",
    )
    with pytest.raises(awarding.StandstillRunningError):
        awarding.contract_sign(**sign)
    assert not Contract.objects.exists()

    clock.to(awarded.standstill_until)
    sign["delivery_due"] = timezone.localdate(clock.now) + dt.timedelta(days=60)
    contract = awarding.contract_sign(**sign)
    assert contract.amount == Decimal("1095500.50")
    order = PurchaseOrder.objects.get(pk=contract.order_id)
    assert order.total == contract.amount and order.requisition_id is None
    assert order.penalty_rate == Decimal("0.10")
    assert BudgetLine.objects.get(pk=budget_line.pk).reserved == contract.amount
    assert Tender.objects.get(pk=tender.pk).status == Tender.Status.CONTRACTED


def test_the_bid_unit_prices_become_order_lines(
    buyer, committee, approved_supplier, approver, budget_line, clock
):
    tender = published(buyer, committee, clock)
    owner = approved_supplier()
    quoted = [{"position": 1, "unit_price": "950000.00"}, {"position": 2, "unit_price": "90000"}]
    bid(tender, owner, "1130000.00", lines=quoted)
    tender = opened(tender, committee, clock)
    evaluate_all(tender, committee[0])
    awarding.tender_award(actor=approver, reference=tender.reference)
    clock.advance(days=8)
    contract = awarding.contract_sign(
        actor=approver,
        reference=tender.reference,
        budget_line_id=budget_line.pk,
        delivery_due=timezone.localdate(clock.now) + dt.timedelta(days=30),
        delivery_address="กรมบัญชีกลาง",
    )
    lines = list(contract.order.lines.values_list("description", "quantity", "unit_price"))
    assert lines == [
        ("พัฒนาระบบ", Decimal("1.000"), Decimal("950000.00")),
        ("ฝึกอบรมผู้ใช้", Decimal("2.000"), Decimal("90000.00")),
    ]


def test_price_performance_can_prefer_a_dearer_bid(bidding, committee, approver):
    tender, _bidders = bidding(
        terms=tendering.TenderTerms(award_criteria="price_performance", price_weight=30)
    )
    # bid #2 is cheapest; #3 is dearest but technically far better
    evaluate_all(
        tender,
        committee[0],
        **{"1": (True, "", "70"), "2": (True, "", "40"), "3": (True, "", "98")},
    )
    awarded = awarding.tender_award(actor=approver, reference=tender.reference)
    winner = Submission.objects.get(pk=awarded.awarded_submission_id)
    assert winner.sequence == 3
    ranks = dict(Submission.objects.filter(tender=tender).values_list("sequence", "rank"))
    assert ranks[3] == 1 and ranks[2] == 3


def test_award_waits_for_every_evaluation_and_skips_disqualified(bidding, committee, approver):
    tender, _ = bidding()
    awarding.submission_evaluate(
        actor=committee[0],
        reference=tender.reference,
        sequence=2,
        qualified=False,
        note="ไม่มีหนังสือรับรองผลงาน",
    )
    with pytest.raises(awarding.NotEvaluatedError):
        awarding.tender_award(actor=approver, reference=tender.reference)
    with pytest.raises(ApplicationError):  # a disqualification needs its reason
        awarding.submission_evaluate(
            actor=committee[0], reference=tender.reference, sequence=1, qualified=False
        )
    evaluate_all(tender, committee[0], **{"2": (False, "ไม่มีหนังสือรับรองผลงาน", None)})
    awarded = awarding.tender_award(actor=approver, reference=tender.reference)
    assert Submission.objects.get(pk=awarded.awarded_submission_id).price == Decimal("1180000.00")


def test_no_qualified_bid_within_budget_is_no_award(bidding, committee, approver):
    tender, _ = bidding(prices=("1300000.00",))
    evaluate_all(tender, committee[0])
    with pytest.raises(awarding.NoAwardableBidError):
        awarding.tender_award(actor=approver, reference=tender.reference)
    cancelled = awarding.tender_cancel(
        actor=approver, reference=tender.reference, reason="ราคาสูงกว่างบประมาณ"
    )
    assert cancelled.status == Tender.Status.CANCELLED


def test_a_complaint_pauses_the_contract_and_upheld_withdraws_the_award(
    bidding, committee, approver, budget_line, clock
):
    tender, bidders = bidding()
    evaluate_all(tender, committee[0])
    awarding.tender_award(actor=approver, reference=tender.reference)
    loser = bidders[0]
    complaint = awarding.complaint_file(
        actor=loser,
        reference=tender.reference,
        supplier_id=supplier_id(loser),
        grounds="ผู้ชนะไม่มีคุณสมบัติตามข้อ 3",
    )
    clock.advance(days=8)
    with pytest.raises(awarding.ComplaintPendingError):
        awarding.contract_sign(
            actor=approver,
            reference=tender.reference,
            budget_line_id=budget_line.pk,
            delivery_due=timezone.localdate(clock.now) + dt.timedelta(days=30),
            delivery_address="กรมบัญชีกลาง",
        )
    decided = awarding.complaint_decide(
        actor=approver,
        reference=tender.reference,
        complaint_id=complaint.pk,
        upheld=True,
        decision="ผู้ชนะขาดคุณสมบัติ ให้พิจารณาใหม่",
    )
    assert decided.status == Complaint.Status.UPHELD
    tender.refresh_from_db()
    assert tender.status == Tender.Status.OPENED and tender.awarded_submission_id is None
    # the committee re-evaluates: the former winner is out, the next lowest wins
    evaluate_all(tender, committee[0], **{"2": (False, "ขาดคุณสมบัติตามข้อ 3", None)})
    awarded = awarding.tender_award(actor=approver, reference=tender.reference)
    assert Submission.objects.get(pk=awarded.awarded_submission_id).price == Decimal("1180000.00")


def test_a_dismissed_complaint_lets_the_contract_follow(
    bidding, committee, approver, budget_line, clock
):
    tender, bidders = bidding()
    evaluate_all(tender, committee[0])
    awarding.tender_award(actor=approver, reference=tender.reference)
    complaint = awarding.complaint_file(
        actor=bidders[2],
        reference=tender.reference,
        supplier_id=supplier_id(bidders[2]),
        grounds="ราคาของผู้ชนะต่ำเกินจริง",
    )
    awarding.complaint_decide(
        actor=approver,
        reference=tender.reference,
        complaint_id=complaint.pk,
        upheld=False,
        decision="ราคาอยู่ในเกณฑ์ที่ทำได้จริง",
    )
    clock.advance(days=7)
    contract = awarding.contract_sign(
        actor=approver,
        reference=tender.reference,
        budget_line_id=budget_line.pk,
        delivery_due=timezone.localdate(clock.now) + dt.timedelta(days=30),
        delivery_address="กรมบัญชีกลาง",
    )
    assert contract.supplier_id == supplier_id(bidders[1])


def test_complaints_only_from_bidders_and_only_during_the_standstill(
    bidding, committee, approver, approved_supplier, clock
):
    tender, bidders = bidding()
    evaluate_all(tender, committee[0])
    awarding.tender_award(actor=approver, reference=tender.reference)
    stranger = approved_supplier()
    with pytest.raises(ApplicationError):
        awarding.complaint_file(
            actor=stranger,
            reference=tender.reference,
            supplier_id=supplier_id(stranger),
            grounds="ไม่ได้เข้าร่วม",
        )
    clock.advance(days=7)
    with pytest.raises(awarding.StandstillOverError):
        awarding.complaint_file(
            actor=bidders[0],
            reference=tender.reference,
            supplier_id=supplier_id(bidders[0]),
            grounds="ช้าไป",
        )
    assert not Complaint.objects.exists()


def test_roles_are_checked(bidding, committee, buyer, approver, approved_supplier):
    tender, bidders = bidding()
    with pytest.raises(ApplicationError):  # a bidder does not evaluate
        awarding.submission_evaluate(
            actor=bidders[0], reference=tender.reference, sequence=1, qualified=True
        )
    evaluate_all(tender, committee[0])
    with pytest.raises(ApplicationError):  # the buyer does not award; the approver does
        awarding.tender_award(actor=buyer, reference=tender.reference)
    assert Tender.objects.get(pk=tender.pk).status == Tender.Status.OPENED


def test_late_delivery_is_fined_and_the_fine_kept_from_payment(
    bidding, committee, approver, budget_line, clock, officer
):
    tender, bidders = bidding(prices=("1000000.00",))
    evaluate_all(tender, committee[0])
    awarding.tender_award(actor=approver, reference=tender.reference)
    clock.advance(days=8)
    due = timezone.localdate(clock.now) + dt.timedelta(days=10)
    contract = awarding.contract_sign(
        actor=approver,
        reference=tender.reference,
        budget_line_id=budget_line.pk,
        delivery_due=due,
        delivery_address="กรมบัญชีกลาง",
    )
    order = contract.order
    inspector = officer("CGD", "inspector")
    line = order.lines.get()
    # delivered 3 days late: 0.10% a day of 1,000,000 = 1,000 baht a day
    clock.to(clock.now + dt.timedelta(days=13))
    from onestop.procurement.services import orders as order_services

    order_services.purchase_order_acknowledge(actor=bidders[0], number=order.number)
    order_services.purchase_order_ship(actor=bidders[0], number=order.number)
    receiving.goods_receipt_record(
        actor=inspector,
        number=order.number,
        lines=[receiving.ReceiptLineIn(line.pk, Decimal("1"), Decimal("1"))],
    )
    order.refresh_from_db()
    assert order.penalty == Decimal("3000.00")
    assert order.status == PurchaseOrder.Status.DELIVERED


def test_a_reverse_auction_result_decides_the_award(bidding, committee, approver):
    tender, bidders = bidding()
    evaluate_all(tender, committee[0])
    # in the auction the dearest sealed bidder (#3) went lowest
    awarding.apply_auction_result(
        tender.pk,
        {
            supplier_id(bidders[0]): Decimal("1050000.00"),
            supplier_id(bidders[1]): Decimal("1045000.00"),
            supplier_id(bidders[2]): Decimal("1040000.00"),
        },
    )
    awarded = awarding.tender_award(actor=approver, reference=tender.reference)
    winner = Submission.objects.get(pk=awarded.awarded_submission_id)
    assert winner.supplier_id == supplier_id(bidders[2])
    assert winner.final_price == Decimal("1040000.00") and winner.price == Decimal("1210000.00")


def test_closing_a_tender_auction_sets_the_prices_the_award_uses(
    bidding, committee, approver, buyer, clock
):
    from onestop.procurement.services import auctions

    tender, bidders = bidding()
    evaluate_all(tender, committee[0])
    auction = auctions.auction_create(
        actor=buyer,
        data=auctions.AuctionInput(
            kind="reverse",
            title="ประมูลต่อจากการประกวดราคา",
            tender_reference=tender.reference,
            start_price="1200000.00",
            step_amount="5000.00",
            opens_at=clock.now + dt.timedelta(minutes=5),
            ends_at=clock.now + dt.timedelta(minutes=35),
        ),
    )
    clock.advance(minutes=5)
    for owner, amount in ((bidders[0], "1100000"), (bidders[2], "1090000")):
        auctions.bid_place(
            actor=owner,
            reference=auction.reference,
            supplier_id=supplier_id(owner),
            amount=amount,
            request_id=f"r-{amount}",
        )
    clock.advance(minutes=31)
    auctions.auction_close(reference=auction.reference)
    awarded = awarding.tender_award(actor=approver, reference=tender.reference)
    winner = Submission.objects.get(pk=awarded.awarded_submission_id)
    assert winner.supplier_id == supplier_id(bidders[2])
    assert winner.final_price == Decimal("1090000.00")
