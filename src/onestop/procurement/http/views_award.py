"""Tender pages after the invitation: documents, questions and published answers, the
committee's evaluation, the award and its standstill, complaints, and the contract. Each form
posts to one handler here that calls one service and returns to the tender page."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from onestop.core.errors import ApplicationError, InputError
from onestop.core.http.errors import error_response
from onestop.identity.public import Role
from onestop.procurement import selectors
from onestop.procurement.http.common import file_response, int_or_zero, page, perform
from onestop.procurement.models import Complaint, Submission, Tender, TenderDocument
from onestop.procurement.policies import may_read_agency
from onestop.procurement.services import awarding, documents

POST = require_http_methods(["POST"])


def _back(reference: str, anchor: str = "") -> str:
    url = reverse("procurement:tender", args=[reference])
    return f"{url}#{anchor}" if anchor else url


def _uploads(request: HttpRequest, name: str, kind: str = "") -> list[documents.DocumentUpload]:
    return [
        documents.DocumentUpload(
            file_name=upload.name,
            data=upload.read(),
            **({"kind": kind} if kind else {}),
        )
        for upload in request.FILES.getlist(name)
    ]


def after_opening_context(principal, tender: Tender) -> dict:
    """What the tender page shows and offers from the invitation to the contract."""
    roles = principal.roles if principal.is_authenticated else set()
    own = principal.is_authenticated and principal.agency_id == tender.agency_id
    context = {
        "documents": selectors.tender_documents(tender),
        "questions": selectors.tender_questions(principal=principal, tender=tender),
        "complaints": selectors.tender_complaints(principal=principal, tender=tender),
        "contract": selectors.contract_of(tender),
        "winner": (
            Submission.objects.select_related("supplier__business").get(
                pk=tender.awarded_submission_id
            )
            if tender.awarded_submission_id
            else None
        ),
        "document_kinds": TenderDocument.Kind.choices,
        "may_add_documents": own and Role.BUYER in roles,
        "may_answer": own and Role.BUYER in roles and tender.status == Tender.Status.PUBLISHED,
        "may_evaluate": own and Role.COMMITTEE in roles and tender.status == Tender.Status.OPENED,
        "may_decide": own and Role.APPROVER in roles,
        "agency_view": may_read_agency(principal, tender.agency_id)
        if principal.is_authenticated
        else False,
        "open_complaints": Complaint.objects.filter(
            tender=tender, status=Complaint.Status.OPEN
        ).exists(),
    }
    if context["may_decide"] and tender.status == Tender.Status.AWARDED:
        context["budget_lines"] = selectors.budget_lines(principal=principal)
        context["default_due"] = (timezone.localdate() + dt.timedelta(days=60)).isoformat()
    context["may_cancel"] = tender.status in (
        Tender.Status.DRAFT,
        Tender.Status.PUBLISHED,
        Tender.Status.OPENED,
        Tender.Status.AWARDED,
    )
    if tender.opened_at:
        bids = list(
            Submission.objects.filter(tender=tender, superseded=False)
            .select_related("supplier__business")
            .prefetch_related("documents")
            .order_by("rank", "price", "sequence")
        )
        if context["agency_view"]:
            for bid in bids:
                bid.track_record = selectors.track_record(bid.supplier_id)
        context["current_bids"] = bids
    return context


@page
@POST
def document_add(request: HttpRequest, reference: str) -> HttpResponse:
    uploads = _uploads(request, "document", request.POST.get("kind", ""))

    def add() -> None:
        if not uploads:
            raise InputError(_("Choose a file to upload."), field="document")
        for upload in uploads:
            documents.tender_document_add(
                actor=request.principal, reference=reference, upload=upload
            )

    return perform(
        request,
        add,
        success=_("The document is attached."),
        redirect_to=_back(reference, "documents"),
    )


@require_GET
def document_download(request: HttpRequest, reference: str, document_id: int) -> HttpResponse:
    try:
        document = selectors.tender_document(
            principal=request.principal, reference=reference, document_id=document_id
        )
    except ApplicationError as error:
        return error_response(request, error)
    return file_response(bytes(document.data), document.content_type, document.file_name)


@page
@require_GET
def proposal_document(
    request: HttpRequest, reference: str, sequence: int, position: int
) -> HttpResponse:
    document = selectors.proposal_document(
        principal=request.principal, reference=reference, sequence=sequence, position=position
    )
    return file_response(bytes(document.data), document.content_type, document.file_name)


@page
@POST
def question_ask(request: HttpRequest, reference: str) -> HttpResponse:
    return perform(
        request,
        lambda: awarding.question_ask(
            actor=request.principal,
            reference=reference,
            supplier_id=int_or_zero(request.POST.get("supplier_id")),
            question=request.POST.get("question", ""),
        ),
        success=_("Your question is sent. The answer will be published on this page."),
        redirect_to=_back(reference, "questions"),
    )


@page
@POST
def question_answer(request: HttpRequest, reference: str, question_id: int) -> HttpResponse:
    return perform(
        request,
        lambda: awarding.question_answer(
            actor=request.principal,
            reference=reference,
            question_id=question_id,
            answer=request.POST.get("answer", ""),
        ),
        success=_("The answer is published to every participant."),
        redirect_to=_back(reference, "questions"),
    )


@page
@POST
def bid_evaluate(request: HttpRequest, reference: str, sequence: int) -> HttpResponse:
    return perform(
        request,
        lambda: awarding.submission_evaluate(
            actor=request.principal,
            reference=reference,
            sequence=sequence,
            qualified=request.POST.get("qualified") == "yes",
            note=request.POST.get("note", ""),
            technical_score=request.POST.get("technical_score") or None,
        ),
        success=_("The evaluation of bid #%(sequence)s is recorded.") % {"sequence": sequence},
        redirect_to=_back(reference, "evaluation"),
    )


@page
@POST
def tender_award(request: HttpRequest, reference: str) -> HttpResponse:
    return perform(
        request,
        lambda: awarding.tender_award(
            actor=request.principal, reference=reference, note=request.POST.get("note", "")
        ),
        success=_("The award is announced; the standstill has started."),
        redirect_to=_back(reference, "award"),
    )


@page
@POST
def tender_cancel(request: HttpRequest, reference: str) -> HttpResponse:
    return perform(
        request,
        lambda: awarding.tender_cancel(
            actor=request.principal, reference=reference, reason=request.POST.get("reason", "")
        ),
        success=_("The tender is cancelled."),
        redirect_to=_back(reference),
    )


@page
@POST
def complaint_file(request: HttpRequest, reference: str) -> HttpResponse:
    return perform(
        request,
        lambda: awarding.complaint_file(
            actor=request.principal,
            reference=reference,
            supplier_id=int_or_zero(request.POST.get("supplier_id")),
            grounds=request.POST.get("grounds", ""),
        ),
        success=_("Your complaint is filed. The contract waits until it is decided."),
        redirect_to=_back(reference, "complaints"),
    )


@page
@POST
def complaint_decide(request: HttpRequest, reference: str, complaint_id: int) -> HttpResponse:
    return perform(
        request,
        lambda: awarding.complaint_decide(
            actor=request.principal,
            reference=reference,
            complaint_id=complaint_id,
            upheld=request.POST.get("upheld") == "yes",
            decision=request.POST.get("decision", ""),
        ),
        success=_("The decision is recorded and published."),
        redirect_to=_back(reference, "complaints"),
    )


@page
@POST
def contract_sign(request: HttpRequest, reference: str) -> HttpResponse:
    def sign() -> None:
        try:
            due = dt.date.fromisoformat(request.POST.get("delivery_due", ""))
        except ValueError:
            raise InputError(
                _("Enter the delivery date as a date (day, month, year)."), field="delivery_due"
            ) from None
        awarding.contract_sign(
            actor=request.principal,
            reference=reference,
            budget_line_id=int_or_zero(request.POST.get("budget_line_id")),
            delivery_due=due,
            delivery_address=request.POST.get("delivery_address", ""),
            penalty_rate=request.POST.get("penalty_rate") or awarding.DEFAULT_PENALTY_RATE,
        )

    return perform(
        request,
        sign,
        success=_("The contract is signed and its purchase order issued to the supplier."),
        redirect_to=_back(reference, "contract"),
    )
