"""Tender API after the invitation (P-09, P-11, P-12, P-14 to P-16): the annual plan, tender
documents, questions and published answers, evaluation, award, complaints during the standstill,
the contract and the suppliers' track record."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Field, Router, Schema, Status

from onestop.core.http.api import ErrorOut
from onestop.identity.public import require_authenticated
from onestop.procurement import selectors
from onestop.procurement.http.api_tendering import PUBLIC, TenderOut
from onestop.procurement.http.common import decoded, file_response
from onestop.procurement.models import TenderDocument
from onestop.procurement.services import awarding, documents, planning

router = Router(tags=["plans, award and contract"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
P = "/procurement"
T = f"{P}/tenders"


# Plans ---------------------------------------------------------------------------------------


class PlanItemIn(Schema):
    title: str
    method: str = Field(description="e_bidding, e_market or specific")
    budget: Decimal
    expected_month: dt.date = Field(description="Any day of the month the invitation is due")


class PlanIn(Schema):
    fiscal_year: int = Field(description="Buddhist Era, e.g. 2570 (October 2026 to September 2027)")
    items: list[PlanItemIn]


class PlanItemOut(Schema):
    id: int
    position: int
    title: str
    method: str
    budget: Decimal
    expected_month: dt.date


class PlanOut(Schema):
    agency: str = Field(alias="agency.code")
    fiscal_year: int
    status: str
    published_at: dt.datetime | None
    items: list[PlanItemOut]

    @staticmethod
    def resolve_items(plan) -> list:
        return list(plan.items.all())


@router.get(
    f"{P}/plans",
    auth=None,
    response={200: list[PlanOut], 422: ErrorOut},
    summary="Published plans (public)",
)
def plan_list(request: HttpRequest, fiscal_year: int | None = None):
    plans = selectors.published_plans()
    if fiscal_year:
        plans = plans.filter(fiscal_year=fiscal_year)
    return list(plans[:200])


@router.put(
    f"{P}/plans/{{fiscal_year}}", response={200: PlanOut, **ERRORS}, summary="Save my draft plan"
)
def plan_save(request: HttpRequest, fiscal_year: int, payload: PlanIn):
    items = [planning.PlanItemInput(**item.dict()) for item in payload.items]
    return planning.plan_save(actor=request.principal, fiscal_year=fiscal_year, items=items)


@router.post(
    f"{P}/plans/{{fiscal_year}}/publish",
    response={200: PlanOut, **ERRORS},
    summary="Publish my plan",
)
def plan_publish(request: HttpRequest, fiscal_year: int):
    return planning.plan_publish(actor=request.principal, fiscal_year=fiscal_year)


# Tender documents ----------------------------------------------------------------------------


class DocumentIn(Schema):
    kind: str = Field(
        TenderDocument.Kind.OTHER,
        description="invitation, terms, reference_price, answer, result or other",
    )
    file_name: str = Field(..., max_length=200)
    content_base64: str = Field(
        ..., description="PDF, DOCX, XLSX, PNG or JPEG, at most 10 MB, base64"
    )


class DocumentOut(Schema):
    id: int
    kind: str
    file_name: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: dt.datetime


@router.post(
    f"{T}/{{reference}}/documents",
    response={201: DocumentOut, **ERRORS},
    summary="Attach a document to my agency's tender",
)
def document_add(request: HttpRequest, reference: str, payload: DocumentIn):
    upload = documents.DocumentUpload(
        file_name=payload.file_name,
        data=decoded(payload.content_base64, field="document"),
        kind=payload.kind,
    )
    created = documents.tender_document_add(
        actor=request.principal, reference=reference, upload=upload
    )
    return Status(201, created)


@router.get(
    f"{T}/{{reference}}/documents",
    auth=PUBLIC,
    response={200: list[DocumentOut], **ERRORS},
    summary="A tender's documents (public once published)",
)
def document_list(request: HttpRequest, reference: str):
    tender = selectors.tender_detail(principal=request.principal, reference=reference)
    return list(selectors.tender_documents(tender))


@router.get(
    f"{T}/{{reference}}/documents/{{document_id}}",
    auth=PUBLIC,
    response={404: ErrorOut},
    summary="Download a tender document",
)
def document_download(request: HttpRequest, reference: str, document_id: int):
    document = selectors.tender_document(
        principal=request.principal, reference=reference, document_id=document_id
    )
    return file_response(bytes(document.data), document.content_type, document.file_name)


# Questions and answers -----------------------------------------------------------------------


class QuestionIn(Schema):
    supplier_id: int
    question: str


class AnswerIn(Schema):
    answer: str


class QuestionOut(Schema):
    id: int
    question: str
    asked_at: dt.datetime
    answer: str
    answered_at: dt.datetime | None


@router.post(
    f"{T}/{{reference}}/questions",
    response={201: QuestionOut, **ERRORS},
    summary="Ask about a tender (before the clarification deadline)",
)
def question_ask(request: HttpRequest, reference: str, payload: QuestionIn):
    asked = awarding.question_ask(
        actor=request.principal,
        reference=reference,
        supplier_id=payload.supplier_id,
        question=payload.question,
    )
    return Status(201, asked)


@router.get(
    f"{T}/{{reference}}/questions",
    auth=PUBLIC,
    response={200: list[QuestionOut], **ERRORS},
    summary="Published answers (and, for the agency and the asker, open questions)",
)
def question_list(request: HttpRequest, reference: str):
    tender = selectors.tender_detail(principal=request.principal, reference=reference)
    return selectors.tender_questions(principal=request.principal, tender=tender)


@router.post(
    f"{T}/{{reference}}/questions/{{question_id}}/answer",
    response={200: QuestionOut, **ERRORS},
    summary="Answer a question; the answer is published to everyone",
)
def question_answer(request: HttpRequest, reference: str, question_id: int, payload: AnswerIn):
    return awarding.question_answer(
        actor=request.principal, reference=reference, question_id=question_id, answer=payload.answer
    )


# Evaluation and award ------------------------------------------------------------------------


class EvaluationIn(Schema):
    qualified: bool
    note: str = Field("", description="Required when not qualified: which rule it fails")
    technical_score: Decimal | None = Field(None, description="0 to 100, price-performance only")


class EvaluationOut(Schema):
    sequence: int
    price: Decimal | None
    qualified: bool | None
    qualification_note: str
    technical_score: Decimal | None
    score: Decimal | None
    rank: int | None


class NoteIn(Schema):
    note: str = ""


class ReasonIn(Schema):
    reason: str


@router.post(
    f"{T}/{{reference}}/bids/{{sequence}}/evaluation",
    response={200: EvaluationOut, **ERRORS},
    summary="Record whether an opened bid qualifies (committee)",
)
def bid_evaluate(request: HttpRequest, reference: str, sequence: int, payload: EvaluationIn):
    return awarding.submission_evaluate(
        actor=request.principal, reference=reference, sequence=sequence, **payload.dict()
    )


@router.post(
    f"{T}/{{reference}}/award",
    response={200: TenderOut, **ERRORS},
    summary="Award to the best-ranked qualified bid; the standstill starts (approver)",
)
def tender_award(request: HttpRequest, reference: str, payload: NoteIn):
    return awarding.tender_award(actor=request.principal, reference=reference, note=payload.note)


@router.post(
    f"{T}/{{reference}}/cancel", response={200: TenderOut, **ERRORS}, summary="Cancel a tender"
)
def tender_cancel(request: HttpRequest, reference: str, payload: ReasonIn):
    return awarding.tender_cancel(
        actor=request.principal, reference=reference, reason=payload.reason
    )


# Complaints ----------------------------------------------------------------------------------


class ComplaintIn(Schema):
    supplier_id: int
    grounds: str


class DecisionIn(Schema):
    upheld: bool
    decision: str


class ComplaintOut(Schema):
    id: int
    status: str
    filed_at: dt.datetime
    grounds: str | None = Field(None, description="Only for the agency and the complainant")
    decision: str
    decided_at: dt.datetime | None

    @staticmethod
    def resolve_grounds(complaint) -> str | None:
        return complaint.grounds if getattr(complaint, "grounds_visible", True) else None


@router.post(
    f"{T}/{{reference}}/complaints",
    response={201: ComplaintOut, **ERRORS},
    summary="Complain about the award during the standstill (a bidder)",
)
def complaint_file(request: HttpRequest, reference: str, payload: ComplaintIn):
    filed = awarding.complaint_file(
        actor=request.principal,
        reference=reference,
        supplier_id=payload.supplier_id,
        grounds=payload.grounds,
    )
    return Status(201, filed)


@router.get(
    f"{T}/{{reference}}/complaints",
    auth=PUBLIC,
    response={200: list[ComplaintOut], **ERRORS},
    summary="Complaints and decisions (public; grounds for the parties)",
)
def complaint_list(request: HttpRequest, reference: str):
    tender = selectors.tender_detail(principal=request.principal, reference=reference)
    return selectors.tender_complaints(principal=request.principal, tender=tender)


@router.post(
    f"{T}/{{reference}}/complaints/{{complaint_id}}/decision",
    response={200: ComplaintOut, **ERRORS},
    summary="Decide a complaint: upheld withdraws the award (approver)",
)
def complaint_decide(request: HttpRequest, reference: str, complaint_id: int, payload: DecisionIn):
    return awarding.complaint_decide(
        actor=request.principal,
        reference=reference,
        complaint_id=complaint_id,
        upheld=payload.upheld,
        decision=payload.decision,
    )


# Contract ------------------------------------------------------------------------------------


class ContractIn(Schema):
    budget_line_id: int
    delivery_due: dt.date
    delivery_address: str
    penalty_rate: Decimal = Field(
        awarding.DEFAULT_PENALTY_RATE, description="Late penalty, percent of the late value a day"
    )


class ContractOut(Schema):
    number: str
    tender: str = Field(alias="tender.reference")
    supplier: str = Field(alias="supplier.business.juristic_id")
    amount: Decimal
    delivery_due: dt.date
    penalty_rate: Decimal
    order: str = Field(alias="order.number")
    signed_at: dt.datetime


@router.post(
    f"{T}/{{reference}}/contract",
    response={201: ContractOut, **ERRORS},
    summary="Sign the contract after the standstill; issues its purchase order (approver)",
)
def contract_sign(request: HttpRequest, reference: str, payload: ContractIn):
    contract = awarding.contract_sign(
        actor=request.principal, reference=reference, **payload.dict()
    )
    return Status(201, contract)


@router.get(
    f"{T}/{{reference}}/contract",
    auth=PUBLIC,
    response={200: ContractOut, **ERRORS},
    summary="The tender's contract (public)",
)
def contract_detail(request: HttpRequest, reference: str):
    tender = selectors.tender_detail(principal=request.principal, reference=reference)
    contract = selectors.contract_of(tender)
    if contract is None:
        raise awarding.NotFoundError(
            _("Tender %(reference)s has no contract yet."), params={"reference": reference}
        )
    return contract


# Track record --------------------------------------------------------------------------------


class TrackRecordOut(Schema):
    orders: int
    delivered: int
    on_time: int
    late: int
    on_time_percent: int | None
    rejected_deliveries: int
    penalties: Decimal
    contracts: int


@router.get(
    f"{P}/suppliers/{{supplier_id}}/track-record",
    response={200: TrackRecordOut, **ERRORS},
    summary="A supplier's record on past orders and contracts (officers)",
)
def track_record(request: HttpRequest, supplier_id: int):
    require_authenticated(request.principal)
    if request.principal.agency_id is None and not request.principal.is_auditor:
        raise awarding.PermissionDeniedError(_("Only officers read suppliers' track records."))
    record = selectors.track_record(supplier_id)
    return {**record.__dict__, "on_time_percent": record.on_time_percent}


@router.get(
    f"{T}/{{reference}}/bids/{{sequence}}/documents/{{position}}",
    response={404: ErrorOut, 401: ErrorOut},
    summary="Download a bid's document (the agency, after the opening)",
)
def proposal_document(request: HttpRequest, reference: str, sequence: int, position: int):
    document = selectors.proposal_document(
        principal=request.principal, reference=reference, sequence=sequence, position=position
    )
    return file_response(bytes(document.data), document.content_type, document.file_name)
