"""Tender pages: the public invitation with its reference price and receipt hashes, the buyer's
draft and publication, bids sealed in the bidder's browser, the committee's share release, and
the public verification of the vault."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from onestop.core.errors import ApplicationError, InputError
from onestop.core.http.errors import error_response
from onestop.identity.public import Role
from onestop.procurement import selectors
from onestop.procurement.domain import vault
from onestop.procurement.http.common import int_or_zero, page, perform, whole_number
from onestop.procurement.http.views_award import after_opening_context
from onestop.procurement.models import PlanItem, ProcurementPlan, Supplier, Tender, VaultMemberKey
from onestop.procurement.services import tendering
from onestop.procurement.services.documents import DocumentUpload


@require_GET
def tender_list(request: HttpRequest) -> HttpResponse:
    public = selectors.tenders_public().order_by("-published_at")[:100]
    own = []
    if request.principal.is_officer:
        own = selectors.tenders_of_agency(principal=request.principal).filter(
            status=Tender.Status.DRAFT
        )
    return render(
        request,
        "procurement/tenders.html",
        {"tenders": public, "drafts": own, "may_create": Role.BUYER in request.principal.roles},
    )


def _moment(value: str, field: str) -> dt.datetime:
    moment = parse_datetime(value.strip()) if value else None
    if moment is None:
        raise InputError(gettext_lazy("Enter a date and time, like 2026-12-01 10:00."), field=field)
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def _lines(text: str) -> list[tendering.LineInput]:
    lines = []
    for number, row in enumerate(text.strip().splitlines(), start=1):
        if not row.strip():
            continue
        parts = [part.strip() for part in row.split("|")]
        if len(parts) < 4:
            raise InputError(
                gettext_lazy(
                    "Line %(number)s: write description | quantity | unit | reference unit "
                    "price, separated by |."
                ),
                field="lines",
                params={"number": number},
            )
        lines.append(tendering.LineInput(*parts[:5]))
    return lines


def _terms(values) -> tendering.TenderTerms:
    award_due = None
    if values.get("award_due"):
        try:
            award_due = dt.date.fromisoformat(values["award_due"])
        except ValueError:
            raise InputError(gettext_lazy("Enter a date."), field="award_due") from None
    plan_item = values.get("plan_item_id") or None
    return tendering.TenderTerms(
        qualification_rules=values.get("qualification_rules", "").splitlines(),
        award_criteria=values.get("award_criteria") or Tender.AwardCriteria.LOWEST_PRICE,
        price_weight=whole_number(values.get("price_weight", ""), "price_weight", 100),
        standstill_days=whole_number(values.get("standstill_days", ""), "standstill_days", 7),
        award_due=award_due,
        plan_item_id=whole_number(plan_item, "plan_item_id", 0) if plan_item else None,
    )


@page
@require_http_methods(["GET", "POST"])
def tender_new(request: HttpRequest) -> HttpResponse:
    values = request.POST if request.method == "POST" else {}
    error = None
    if request.method == "POST":
        try:
            tender = tendering.tender_create(
                actor=request.principal,
                title=values.get("title", ""),
                description=values.get("description", ""),
                method=values.get("method", ""),
                budget=values.get("budget", ""),
                lines=_lines(values.get("lines", "")),
                clarification_deadline=_moment(
                    values.get("clarification_deadline", ""), "clarification_deadline"
                ),
                submission_deadline=_moment(
                    values.get("submission_deadline", ""), "submission_deadline"
                ),
                opening_at=_moment(values.get("opening_at", ""), "opening_at"),
                allow_resubmission=values.get("allow_resubmission") == "on",
                terms=_terms(values),
            )
        except ApplicationError as refused:
            if refused.status in (401, 403):
                return error_response(request, refused)
            error = refused
        else:
            return redirect("procurement:tender", tender.reference)
    return render(
        request,
        "procurement/tender_new.html",
        {
            "values": values,
            "error": error,
            "methods": Tender.Method.choices,
            "criteria": Tender.AwardCriteria.choices,
            "plan_items": PlanItem.objects.filter(
                plan__agency_id=request.principal.agency_id,
                plan__status=ProcurementPlan.Status.PUBLISHED,
            ).select_related("plan"),
        },
    )


def _bidder_suppliers(principal) -> list[Supplier]:
    if not principal.business_ids:
        return []
    return list(
        Supplier.objects.select_related("business").filter(
            business_id__in=principal.business_ids, status=Supplier.Status.APPROVED
        )
    )


@require_GET
def tender_detail(request: HttpRequest, reference: str) -> HttpResponse:
    principal = request.principal
    try:
        tender = selectors.tender_detail(principal=principal, reference=reference)
    except ApplicationError as error:
        return error_response(request, error)
    now = timezone.now()
    seat = None
    if principal.is_authenticated:
        seat = tender.committee.filter(user_id=principal.user_id).first()
    context = {
        "tender": tender,
        "lines": tender.lines.all(),
        "receipts": selectors.tender_receipts(tender),
        "opened": selectors.opened_bids(tender),
        "bidding_open": tender.status == Tender.Status.PUBLISHED
        and now < tender.submission_deadline,
        "opening_due": now >= tender.opening_at,
        "seat": seat,
        "released": tender.committee.filter(released_at__isnull=False).count(),
        "vault_key": vault.b64url(bytes(tender.vault_public)) if tender.vault_public else "",
        "bidders": _bidder_suppliers(principal),
        "may_publish": tender.status == Tender.Status.DRAFT
        and Role.BUYER in principal.roles
        and principal.agency_id == tender.agency_id,
    }
    context.update(after_opening_context(principal, tender))
    context["asking_open"] = tender.status == Tender.Status.PUBLISHED and (
        now < tender.clarification_deadline
    )
    context["complaints_open"] = (
        tender.status == Tender.Status.AWARDED and now < tender.standstill_until
    )
    context["standstill_over"] = (
        tender.status == Tender.Status.AWARDED and now >= tender.standstill_until
    )
    if context["bidders"]:
        context["my_submissions"] = selectors.my_submissions(
            principal=principal, tender=tender
        ).prefetch_related("documents")
        for supplier in context["bidders"]:
            supplier.bid_context = tendering.bid_context(tender.reference, supplier.pk)
    if context["may_publish"]:
        context["committee_candidates"] = VaultMemberKey.objects.filter(
            user__officer__agency_id=tender.agency_id,
            user__officer__role_grants__role=Role.COMMITTEE,
        ).select_related("user")
    return render(request, "procurement/tender.html", context)


@page
@require_http_methods(["POST"])
def tender_publish(request: HttpRequest, reference: str) -> HttpResponse:
    url = reverse("procurement:tender", args=[reference])
    threshold = int_or_zero(request.POST.get("threshold"))
    return perform(
        request,
        lambda: tendering.tender_publish(
            actor=request.principal,
            reference=reference,
            committee=request.POST.getlist("committee"),
            threshold=threshold,
        ),
        success=_("Published. The vault is sealed; bids can be submitted until the deadline."),
        redirect_to=url,
    )


@page
@require_http_methods(["POST"])
def bid_submit(request: HttpRequest, reference: str) -> HttpResponse:
    url = reverse("procurement:tender", args=[reference])
    supplier_id = int_or_zero(request.POST.get("supplier_id"))
    return perform(
        request,
        lambda: tendering.bid_submit(
            actor=request.principal,
            reference=reference,
            supplier_id=supplier_id,
            sealed=request.POST.get("sealed_bid", "").encode(),
            documents=[
                DocumentUpload(file_name=upload.name, data=upload.read())
                for upload in request.FILES.getlist("documents")
            ],
        ),
        success=_("Your sealed bid is received. Keep the receipt; its hash is listed publicly."),
        redirect_to=url,
    )


@page
@require_http_methods(["POST"])
def share_release(request: HttpRequest, reference: str) -> HttpResponse:
    url = reverse("procurement:tender", args=[reference])
    return perform(
        request,
        lambda: tendering.share_release(
            actor=request.principal,
            reference=reference,
            passphrase=request.POST.get("passphrase", ""),
            second_factor=request.POST.get("second_factor", ""),
        ),
        success=_("Your share is released."),
        redirect_to=url,
    )


@require_GET
def tender_verify(request: HttpRequest, reference: str) -> HttpResponse:
    try:
        report = selectors.vault_verify(reference)
        tender = selectors.tender_detail(principal=request.principal, reference=reference)
    except ApplicationError as error:
        return error_response(request, error)
    return render(
        request,
        "procurement/tender_verify.html",
        {
            "tender": tender,
            "report": report,
            "private_key": vault.b64url(bytes(tender.vault_private_revealed))
            if tender.vault_private_revealed
            else "",
        },
    )


@page
@require_http_methods(["GET", "POST"])
def vault_key(request: HttpRequest) -> HttpResponse:
    existing = VaultMemberKey.objects.filter(user_id=request.principal.user_id).first()
    if request.method == "POST":
        if request.POST.get("passphrase") != request.POST.get("passphrase_again"):
            messages.error(request, _("The two passphrases differ; type the same one twice."))
            return redirect("procurement:vault_key")
        return perform(
            request,
            lambda: tendering.vault_key_create(
                actor=request.principal, passphrase=request.POST.get("passphrase", "")
            ),
            success=_("Your vault key is ready. Only your passphrase unlocks it: keep it safe."),
            redirect_to=reverse("procurement:vault_key"),
        )
    return render(
        request,
        "procurement/vault_key.html",
        {
            "key": existing,
            "fingerprint": vault.fingerprint(bytes(existing.public)) if existing else "",
        },
    )
