"""After the invitation: questions and published answers, evaluation of the opened bids, the
award, the standstill with its complaints, and the contract whose purchase order carries
delivery, inspection and payment (P-14 to P-16)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onestop.core import audit, money
from onestop.core.errors import (
    ConflictError,
    InputError,
    NotFoundError,
    PermissionDeniedError,
    choice_label,
    required_text,
)
from onestop.identity.public import Principal, Role
from onestop.procurement.models import (
    BudgetLine,
    Clarification,
    Complaint,
    Contract,
    Submission,
    Supplier,
    Tender,
)
from onestop.procurement.numbering import next_number
from onestop.procurement.policies import require_agency_role, require_supplier_member
from onestop.procurement.services import budget
from onestop.procurement.services.catalog import SupplierNotApprovedError
from onestop.procurement.services.orders import OrderLineIn, OrderSource, order_issue

CENT = Decimal("0.01")
DEFAULT_PENALTY_RATE = Decimal("0.10")


class ClarificationClosedError(ConflictError):
    code = "clarification_closed"
    message = _(
        "Questions on %(reference)s closed at %(deadline)s. Read the published answers on the "
        "tender page."
    )


class StandstillOverError(ConflictError):
    code = "standstill_over"
    message = _("The standstill of %(reference)s ended at %(until)s; complaints are closed.")


class StandstillRunningError(ConflictError):
    code = "standstill_running"
    message = _(
        "The standstill of %(reference)s runs until %(until)s; the contract can be signed after it."
    )


class ComplaintPendingError(ConflictError):
    code = "complaint_pending"
    message = _(
        "A complaint on %(reference)s is under review; the award waits until it is decided."
    )


class NotEvaluatedError(ConflictError):
    code = "not_evaluated"
    message = _(
        "%(count)s opened bid(s) of %(reference)s have no qualification result yet; evaluate "
        "every bid before the award."
    )


class NoAwardableBidError(ConflictError):
    code = "no_awardable_bid"
    message = _(
        "No qualified bid of %(reference)s is within the budget. Cancel the tender and tender "
        "again, or record a different evaluation."
    )


@dataclass(frozen=True)
class Ranked:
    submission: Submission
    score: Decimal


def _tender(reference: str) -> Tender:
    tender = (
        Tender.objects.select_for_update(of=("self",))
        .select_related("agency")
        .filter(reference=reference)
        .first()
    )
    if tender is None:
        raise NotFoundError(_("There is no tender %(reference)s."), params={"reference": reference})
    return tender


def _require_status(tender: Tender, *states: str) -> None:
    if tender.status not in states:
        raise ConflictError(
            _("Tender %(reference)s is %(status)s; this step is not possible now."),
            params={"reference": tender.reference, "status": choice_label(tender)},
        )


def _supplier(actor: Principal, supplier_id: int) -> Supplier:
    supplier = Supplier.objects.select_related("business").filter(pk=supplier_id).first()
    if supplier is None:
        raise NotFoundError(_("There is no supplier %(id)s."), params={"id": supplier_id})
    require_supplier_member(actor, supplier.business_id, supplier.business.name_th)
    if supplier.status != Supplier.Status.APPROVED:
        raise SupplierNotApprovedError(
            params={"business": supplier.business.name_th, "status": choice_label(supplier)}
        )
    return supplier


def _local(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S")


def _record(actor: Principal, action: str, tender: Tender, obj=None, **after) -> None:
    audit.record(
        actor=actor,
        action=action,
        obj=obj or tender,
        object_label=tender.reference,
        agency_code=tender.agency.code,
        after=after,
    )


# Questions and answers ---------------------------------------------------------------------


@transaction.atomic
def question_ask(
    *, actor: Principal, reference: str, supplier_id: int, question: str
) -> Clarification:
    """An approved supplier asks about the invitation before the clarification deadline."""
    supplier = _supplier(actor, supplier_id)
    tender = _tender(reference)
    _require_status(tender, Tender.Status.PUBLISHED)
    now = timezone.now()
    if now >= tender.clarification_deadline:
        raise ClarificationClosedError(
            params={"reference": reference, "deadline": _local(tender.clarification_deadline)}
        )
    text = required_text(question, field="question", label=_("question"), max_length=4000)
    asked = Clarification.objects.create(
        tender=tender, supplier=supplier, asked_by_id=actor.user_id, question=text, asked_at=now
    )
    _record(actor, "procurement.tender.question", tender, asked, question=asked.pk)
    return asked


@transaction.atomic
def question_answer(
    *, actor: Principal, reference: str, question_id: int, answer: str
) -> Clarification:
    """The buyer answers; the answer is published to every participant and the public, without
    naming who asked."""
    tender = _tender(reference)
    require_agency_role(actor, Role.BUYER, tender.agency)
    _require_status(tender, Tender.Status.PUBLISHED)
    asked = Clarification.objects.select_for_update().filter(pk=question_id, tender=tender).first()
    if asked is None:
        raise NotFoundError(_("There is no such question on this tender."))
    if asked.answered_at is not None:
        raise ConflictError(
            _("This question is already answered; a published answer is not changed.")
        )
    asked.answer = required_text(answer, field="answer", label=_("answer"), max_length=8000)
    asked.answered_by_id = actor.user_id
    asked.answered_at = timezone.now()
    asked.save(update_fields=["answer", "answered_by", "answered_at"])
    _record(actor, "procurement.tender.answer", tender, asked, question=asked.pk)
    return asked


# Evaluation and award ----------------------------------------------------------------------


@transaction.atomic
def submission_evaluate(
    *,
    actor: Principal,
    reference: str,
    sequence: int,
    qualified: bool,
    note: str = "",
    technical_score: object = None,
) -> Submission:
    """The committee records whether an opened bid meets the qualification rules (and, for
    price-performance tenders, its technical score out of 100)."""
    tender = _tender(reference)
    require_agency_role(actor, Role.COMMITTEE, tender.agency)
    _require_status(tender, Tender.Status.OPENED)
    submission = (
        Submission.objects.select_for_update()
        .filter(tender=tender, sequence=sequence, superseded=False)
        .first()
    )
    if submission is None:
        raise NotFoundError(
            _("Bid #%(sequence)s is not a current bid of %(reference)s."),
            params={"sequence": sequence, "reference": reference},
        )
    if submission.outcome != Submission.Outcome.OPENED:
        raise ConflictError(
            _("Bid #%(sequence)s could not be opened; it cannot qualify."),
            params={"sequence": sequence},
        )
    note = (note or "").strip()[:500]
    if not qualified and not note:
        raise InputError(
            _("Say which qualification rule the bid fails; the bidder sees it."), field="note"
        )
    score = None
    if tender.award_criteria == Tender.AwardCriteria.PRICE_PERFORMANCE and qualified:
        if technical_score in (None, ""):
            raise InputError(_("Give the technical score (0 to 100)."), field="technical_score")
        score = money.amount(technical_score, field="technical_score", allow_zero=True)
        if score > 100:
            raise InputError(_("The technical score is at most 100."), field="technical_score")
    submission.qualified = bool(qualified)
    submission.qualification_note = note
    submission.technical_score = score
    submission.save(update_fields=["qualified", "qualification_note", "technical_score"])
    _record(
        actor,
        "procurement.bid.evaluate",
        tender,
        submission,
        sequence=sequence,
        qualified=bool(qualified),
        technical_score=score,
    )
    return submission


def rank_bids(tender: Tender, bids: list[Submission]) -> list[Ranked]:
    """Qualified bids within the budget, best first. Lowest price: the price decides, then the
    time of arrival. Price and performance: lowest price scores full price weight, others in
    proportion, plus the technical score on the remaining weight."""
    eligible = [
        bid
        for bid in bids
        if bid.qualified and bid.final_price and bid.final_price <= tender.budget
    ]
    if not eligible:
        return []
    lowest = min(bid.final_price for bid in eligible)
    ranked = []
    for bid in eligible:
        price_points = lowest / bid.final_price * 100
        if tender.award_criteria == Tender.AwardCriteria.PRICE_PERFORMANCE:
            weight = Decimal(tender.price_weight) / 100
            score = price_points * weight + (bid.technical_score or 0) * (1 - weight)
        else:
            score = price_points
        ranked.append(Ranked(bid, score.quantize(CENT)))
    ranked.sort(
        key=lambda row: (-row.score, row.submission.final_price, row.submission.submitted_at)
    )
    return ranked


@transaction.atomic
def tender_award(*, actor: Principal, reference: str, note: str = "") -> Tender:
    """The approver announces the award to the best-ranked bid; the standstill starts."""
    tender = _tender(reference)
    require_agency_role(actor, Role.APPROVER, tender.agency)
    _require_status(tender, Tender.Status.OPENED)
    bids = list(
        Submission.objects.select_for_update().filter(
            tender=tender, superseded=False, outcome=Submission.Outcome.OPENED
        )
    )
    pending = [bid for bid in bids if bid.qualified is None]
    if pending:
        raise NotEvaluatedError(params={"count": len(pending), "reference": reference})
    ranked = rank_bids(tender, bids)
    if not ranked:
        raise NoAwardableBidError(params={"reference": reference})
    for position, row in enumerate(ranked, start=1):
        row.submission.score = row.score
        row.submission.rank = position
    Submission.objects.bulk_update([row.submission for row in ranked], ["score", "rank"])
    winner = ranked[0].submission
    now = timezone.now()
    tender.awarded_submission = winner
    tender.awarded_at = now
    tender.standstill_until = now + dt.timedelta(days=tender.standstill_days)
    tender.status = Tender.Status.AWARDED
    tender.status_note = (note or "").strip()[:500]
    tender.save(
        update_fields=[
            "awarded_submission",
            "awarded_at",
            "standstill_until",
            "status",
            "status_note",
        ]
    )
    _record(
        actor,
        "procurement.tender.award",
        tender,
        supplier=winner.supplier_id,
        price=winner.final_price,
        score=ranked[0].score,
        standstill_until=tender.standstill_until.isoformat(),
    )
    return tender


@transaction.atomic
def tender_cancel(*, actor: Principal, reference: str, reason: str) -> Tender:
    """Cancel a tender that has no contract (no qualified bid, the need has gone, ...)."""
    tender = _tender(reference)
    require_agency_role(actor, Role.APPROVER, tender.agency)
    _require_status(
        tender,
        Tender.Status.DRAFT,
        Tender.Status.PUBLISHED,
        Tender.Status.OPENED,
        Tender.Status.AWARDED,
    )
    reason = required_text(reason, field="reason", label=_("reason"), max_length=500)
    before = tender.status
    tender.status = Tender.Status.CANCELLED
    tender.status_note = reason
    tender.save(update_fields=["status", "status_note"])
    Complaint.objects.filter(tender=tender, status=Complaint.Status.OPEN).update(
        status=Complaint.Status.DISMISSED,
        decision=str(_("The tender was cancelled: %(reason)s") % {"reason": reason}),
        decided_by_id=actor.user_id,
        decided_at=timezone.now(),
    )
    _record(actor, "procurement.tender.cancel", tender, before=before, reason=reason)
    return tender


# Complaints during the standstill -----------------------------------------------------------


@transaction.atomic
def complaint_file(
    *, actor: Principal, reference: str, supplier_id: int, grounds: str
) -> Complaint:
    """A bidder appeals against the award during the standstill; the contract waits."""
    supplier = _supplier(actor, supplier_id)
    tender = _tender(reference)
    if not Submission.objects.filter(tender=tender, supplier=supplier).exists():
        raise PermissionDeniedError(_("Only a bidder of this tender may complain about its award."))
    _require_status(tender, Tender.Status.AWARDED)
    if timezone.now() >= tender.standstill_until:
        raise StandstillOverError(
            params={"reference": reference, "until": _local(tender.standstill_until)}
        )
    text = required_text(grounds, field="grounds", label=_("grounds"), max_length=8000)
    complaint = Complaint.objects.create(
        tender=tender,
        supplier=supplier,
        filed_by_id=actor.user_id,
        grounds=text,
        filed_at=timezone.now(),
    )
    _record(actor, "procurement.complaint.file", tender, complaint, supplier=supplier.pk)
    return complaint


@transaction.atomic
def complaint_decide(
    *, actor: Principal, reference: str, complaint_id: int, upheld: bool, decision: str
) -> Complaint:
    """Upheld: the award is withdrawn and the bids go back to evaluation. Dismissed: the award
    stands and the contract may follow once the standstill has ended."""
    tender = _tender(reference)
    require_agency_role(actor, Role.APPROVER, tender.agency)
    complaint = Complaint.objects.select_for_update().filter(pk=complaint_id, tender=tender).first()
    if complaint is None:
        raise NotFoundError(_("There is no such complaint on this tender."))
    if complaint.status != Complaint.Status.OPEN:
        raise ConflictError(_("This complaint is already decided."))
    decision = required_text(decision, field="decision", label=_("decision"), max_length=8000)
    now = timezone.now()
    complaint.status = Complaint.Status.UPHELD if upheld else Complaint.Status.DISMISSED
    complaint.decision = decision
    complaint.decided_by_id = actor.user_id
    complaint.decided_at = now
    complaint.save(update_fields=["status", "decision", "decided_by", "decided_at"])
    if upheld:
        withdrawn = tender.awarded_submission_id
        Complaint.objects.filter(tender=tender, status=Complaint.Status.OPEN).update(
            status=Complaint.Status.UPHELD,
            decision=str(_("Settled by the decision on complaint %(id)s.") % {"id": complaint.pk}),
            decided_by_id=actor.user_id,
            decided_at=now,
        )
        Submission.objects.filter(tender=tender).update(score=None, rank=None)
        tender.awarded_submission = None
        tender.awarded_at = None
        tender.standstill_until = None
        tender.status = Tender.Status.OPENED
        tender.status_note = decision[:500]
        tender.save(
            update_fields=[
                "awarded_submission",
                "awarded_at",
                "standstill_until",
                "status",
                "status_note",
            ]
        )
        _record(actor, "procurement.award.withdraw", tender, withdrawn_submission=withdrawn)
    _record(
        actor,
        "procurement.complaint.decide",
        tender,
        complaint,
        upheld=bool(upheld),
        complaint=complaint.pk,
    )
    return complaint


# Contract ------------------------------------------------------------------------------------


def _bid_lines(tender: Tender, winner: Submission) -> list[OrderLineIn]:
    """Order lines at the bid's own unit prices when the bid gives them for every tender line
    and they add up to its price; otherwise the whole contract as one lump-sum line."""
    tender_lines = list(tender.lines.all())
    try:
        content = json.loads(winner.opened_content or "{}")
        quoted = {
            int(row["position"]): money.amount(row["unit_price"], field="lines")
            for row in content.get("lines", [])
        }
    except (ValueError, TypeError, KeyError, AttributeError, InputError):
        quoted = {}
    if quoted and set(quoted) == {line.position for line in tender_lines}:
        lines = [
            OrderLineIn(
                description=line.description,
                unit=line.unit,
                quantity=line.quantity,
                unit_price=quoted[line.position],
                line_total=(line.quantity * quoted[line.position]).quantize(CENT),
            )
            for line in tender_lines
        ]
        if sum(line.line_total for line in lines) == winner.final_price:
            return lines
    return [
        OrderLineIn(
            description=f"{tender.title} ({tender.reference})"[:255],
            unit="งาน",
            quantity=Decimal("1"),
            unit_price=winner.final_price,
            line_total=winner.final_price,
        )
    ]


@transaction.atomic
def contract_sign(
    *,
    actor: Principal,
    reference: str,
    budget_line_id: int,
    delivery_due: dt.date,
    delivery_address: str,
    penalty_rate: object = DEFAULT_PENALTY_RATE,
) -> Contract:
    """After the standstill, with no complaint open: the contract with the winner, its budget
    reserved, and its purchase order issued and signed for delivery, inspection and payment."""
    tender = _tender(reference)
    require_agency_role(actor, Role.APPROVER, tender.agency)
    _require_status(tender, Tender.Status.AWARDED)
    if Complaint.objects.filter(tender=tender, status=Complaint.Status.OPEN).exists():
        raise ComplaintPendingError(params={"reference": reference})
    now = timezone.now()
    if now < tender.standstill_until:
        raise StandstillRunningError(
            params={"reference": reference, "until": _local(tender.standstill_until)}
        )
    if delivery_due <= timezone.localdate():
        raise InputError(_("The delivery date must be in the future."), field="delivery_due")
    address = required_text(
        delivery_address, field="delivery_address", label=_("delivery address"), max_length=2000
    )
    rate = money.amount(penalty_rate, field="penalty_rate", allow_zero=True)
    if rate > Decimal("0.20"):
        raise InputError(
            _("The late penalty is at most 0.20 percent per day."), field="penalty_rate"
        )
    line = BudgetLine.objects.filter(pk=budget_line_id, agency=tender.agency).first()
    if line is None:
        raise InputError(_("Choose one of your agency's budget lines."), field="budget_line")
    winner = Submission.objects.select_related("supplier__business").get(
        pk=tender.awarded_submission_id
    )
    budget.reserve(line.pk, winner.final_price, budget_label=str(line))
    number, _year = next_number(tender.agency, "CT")
    order = order_issue(
        actor,
        OrderSource(
            agency=tender.agency,
            budget_line_id=line.pk,
            delivery_address=address,
            delivery_due=delivery_due,
            note=str(_("Issued from contract %(number)s") % {"number": number}),
            penalty_rate=rate,
            basis=number,
        ),
        winner.supplier,
        _bid_lines(tender, winner),
    )
    contract = Contract.objects.create(
        number=number,
        tender=tender,
        submission=winner,
        supplier=winner.supplier,
        amount=winner.final_price,
        delivery_due=delivery_due,
        penalty_rate=rate,
        order=order,
        signed_by_id=actor.user_id,
        signed_at=now,
    )
    tender.status = Tender.Status.CONTRACTED
    tender.save(update_fields=["status"])
    _record(
        actor,
        "procurement.contract.sign",
        tender,
        contract,
        contract=number,
        order=order.number,
        amount=winner.final_price,
        budget_line=line.code,
    )
    return contract


def apply_auction_result(tender_id: int, best_prices: dict[int, Decimal]) -> None:
    """A tender's reverse auction closed: each bidder's best auction price replaces its sealed
    price for the award (runs in the auction's closing transaction). The award itself stays
    the approver's step, on the ranking this gives."""
    tender = Tender.objects.select_for_update().get(pk=tender_id)
    if tender.status != Tender.Status.OPENED:
        return
    for supplier_id, amount in best_prices.items():
        Submission.objects.filter(
            tender=tender, supplier_id=supplier_id, superseded=False, qualified=True
        ).update(auction_price=amount)
