"""Live e-Auction pages (P-17 to P-20): the list, the buyer's scheduling form, and the live page
of an auction (countdown from the server's clock, standing by anonymous label, the bid form,
the history; the result with the savings after the close).

The live page follows `ws/auctions/<reference>/` (`procurement/consumers.py`) with
`static/procurement/js/auction-live.js`; bids go to the API (`POST /api/procurement/auctions/
<reference>/bids`), which acknowledges only what is committed.
"""

from __future__ import annotations

import datetime as dt

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
from onestop.documents.public import document_pdf
from onestop.identity.public import Role
from onestop.procurement import selectors_auctions as reads
from onestop.procurement.domain import vault
from onestop.procurement.http.common import int_or_zero, page, perform, whole_number
from onestop.procurement.models import (
    Auction,
    AuctionBidder,
    Submission,
    Supplier,
    Tender,
    VaultMemberKey,
)
from onestop.procurement.policies import require_own_role
from onestop.procurement.services import auction_results, auctions, sealed_auctions


def _close_due_lazily() -> None:
    """Close auctions whose end has passed when no worker did it (the clock is the database's)."""
    if Auction.objects.filter(
        status=Auction.Status.SCHEDULED, ends_at__lte=timezone.now()
    ).exists():
        auctions.auctions_close_due()


@require_GET
def auction_list(request: HttpRequest) -> HttpResponse:
    _close_due_lazily()
    now = timezone.now()
    rows = list(reads.auctions_listed().select_related("best_bid")[:200])
    for auction in rows:
        auction.phase = _phase(auction, now)
    return render(
        request,
        "procurement/auctions.html",
        {"auctions": rows, "may_create": Role.BUYER in request.principal.roles},
    )


def _phase(auction: Auction, now: dt.datetime) -> str:
    if auction.status != Auction.Status.SCHEDULED:
        return auction.status
    if now < auction.opens_at:
        return "upcoming"
    return "running" if now < auction.ends_at else "closing"


@require_GET
def auction_detail(request: HttpRequest, reference: str) -> HttpResponse:
    principal = request.principal
    try:
        auction = reads.auction_detail(reference)
        if auction.status == Auction.Status.SCHEDULED and auction.ends_at <= timezone.now():
            auctions.auctions_close_due()
            auction = reads.auction_detail(reference)
        if auction.kind == Auction.Kind.SEALED:
            return _sealed_detail(request, auction)
        viewer = reads.viewer_for(principal, auction)
        state = reads.view_for(
            viewer, reads.auction_public_state(reference), reads.closed_names(auction)
        )
    except ApplicationError as error:
        return error_response(request, error)
    seats = []
    registrable = []
    if principal.business_ids:
        seats = list(
            AuctionBidder.objects.filter(
                auction=auction, supplier__business_id__in=principal.business_ids
            ).select_related("supplier__business")
        )
        open_for_registration = (
            auction.kind == Auction.Kind.FORWARD
            and auction.status == Auction.Status.SCHEDULED
            and timezone.now() < auction.ends_at
        )
        if open_for_registration:
            seated = {seat.supplier_id for seat in seats}
            registrable = [
                supplier
                for supplier in Supplier.objects.select_related("business").filter(
                    business_id__in=principal.business_ids, status=Supplier.Status.APPROVED
                )
                if supplier.pk not in seated
            ]
    return render(
        request,
        "procurement/auction.html",
        {
            "auction": auction,
            "state": state,
            "viewer": viewer,
            "seats": seats,
            "bidding_seats": [
                seat for seat in seats if seat.deposit_paid_at is not None or auction.deposit == 0
            ],
            "registrable": registrable,
            "result": reads.auction_result(auction),
            "standings": _with_names(state["standings"], state),
            "history": _with_names(reversed(state["bids"]), state),
        },
    )


@require_GET
def auction_result_pdf(request: HttpRequest, reference: str) -> HttpResponse:
    """The signed result document, public once the results are known (as stored: every
    download is the same file)."""
    try:
        document = auction_results.auction_result_document(reference)
    except ApplicationError as error:
        return error_response(request, error)
    response = HttpResponse(document_pdf(document), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{document.reference}-result.pdf"'
    return response


def _with_names(rows, state: dict) -> list[dict]:
    """Rows of the state as the viewer may see them (a name only where the view has names)."""
    names = state.get("names", {})
    own = {mine["label"] for mine in state.get("me", [])}
    return [
        row
        | {
            "name": names.get(row["label"], ""),
            "own": row["label"] in own,
            "moment": parse_datetime(row["at"]) if "at" in row else None,
            "extended": parse_datetime(row["extended_to"]) if row.get("extended_to") else None,
        }
        for row in rows
    ]


def _moment(value: str, field: str) -> dt.datetime:
    moment = parse_datetime(value.strip()) if value else None
    if moment is None:
        raise InputError(gettext_lazy("Enter a date and time, like 2026-12-01 10:00."), field=field)
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def _input(values) -> auctions.AuctionInput:
    try:
        suppliers = [int(pk) for pk in values.getlist("suppliers")]
    except ValueError:
        raise InputError(gettext_lazy("Choose the bidders."), field="suppliers") from None
    return auctions.AuctionInput(
        kind=values.get("kind", ""),
        title=values.get("title", ""),
        description=values.get("description", ""),
        tender_reference=values.get("tender_reference") or None,
        suppliers=suppliers,
        reference_price=values.get("reference_price") or None,
        start_price=values.get("start_price", ""),
        step_amount=values.get("step_amount") or None,
        step_percent=values.get("step_percent") or None,
        reserve_price=values.get("reserve_price") or None,
        deposit=values.get("deposit") or 0,
        opens_at=_moment(values.get("opens_at", ""), "opens_at"),
        ends_at=_moment(values.get("ends_at", ""), "ends_at"),
        extension_window=whole_number(values.get("extension_window", ""), "extension_window", 180),
        extension=whole_number(values.get("extension", ""), "extension", 180),
        committee=values.getlist("committee"),
        threshold=whole_number(values.get("threshold", ""), "threshold", 0) or None,
        allow_resubmission=values.get("allow_resubmission") == "on",
    )


@page
@require_http_methods(["GET", "POST"])
def auction_new(request: HttpRequest) -> HttpResponse:
    agency = require_own_role(request.principal, Role.BUYER)
    values = request.POST if request.method == "POST" else {}
    error = None
    if request.method == "POST":
        try:
            auction = auctions.auction_create(actor=request.principal, data=_input(values))
        except ApplicationError as refused:
            if refused.status in (401, 403):
                return error_response(request, refused)
            error = refused
        else:
            return redirect("procurement:auction_detail", auction.reference)
    tenders = list(
        Tender.objects.filter(agency=agency, status=Tender.Status.OPENED).order_by("-opened_at")
    )
    for tender in tenders:
        tender.qualified = Submission.objects.filter(
            tender=tender, superseded=False, qualified=True
        ).count()
    chosen = set(values.getlist("suppliers")) if values else set()
    return render(
        request,
        "procurement/auction_new.html",
        {
            "values": values,
            "error": error,
            "kinds": Auction.Kind.choices,
            "tenders": tenders,
            "suppliers": Supplier.objects.select_related("business")
            .filter(status=Supplier.Status.APPROVED)
            .order_by("business__name_th"),
            "chosen": chosen,
            "committee_candidates": VaultMemberKey.objects.filter(
                user__officer__agency_id=agency.pk,
                user__officer__role_grants__role=Role.COMMITTEE,
            ).select_related("user"),
            "committee_chosen": set(values.getlist("committee")) if values else set(),
        },
    )


@page
@require_http_methods(["POST"])
def auction_register(request: HttpRequest, reference: str) -> HttpResponse:
    url = reverse("procurement:auction_detail", args=[reference])
    supplier_id = int_or_zero(request.POST.get("supplier_id"))
    return perform(
        request,
        lambda: auctions.auction_register(
            actor=request.principal, reference=reference, supplier_id=supplier_id
        ),
        success=_("Registered. Bid on this page from the opening time."),
        redirect_to=url,
    )


def _countdown(seconds: float) -> str:
    seconds = max(0, int(seconds))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    clock = f"{hours:02d}:{minutes:02d}:{seconds:02d}"
    return _("%(days)s d %(clock)s") % {"days": days, "clock": clock} if days else clock


def _sealed_detail(request: HttpRequest, auction: Auction) -> HttpResponse:
    """A sealed-bid auction's page (P-18): sealing in the browser, receipts, the committee's
    release after the close, and the opened result. Its status part refreshes itself (htmx)."""
    principal = request.principal
    now = timezone.now()
    if auction.opened_at:
        phase = "opened"
    elif auction.status != Auction.Status.SCHEDULED:
        phase = auction.status
    else:
        phase = "upcoming" if now < auction.opens_at else "running"
    target = auction.opens_at if phase == "upcoming" else auction.ends_at
    context = {
        "auction": auction,
        "phase": phase,
        "time_left": _countdown((target - now).total_seconds()),
        "released": reads.sealed_released(auction),
    }
    if request.GET.get("part") == "status":
        return render(request, "procurement/_auction_sealed_status.html", context)
    viewer = reads.viewer_for(principal, auction)
    state = reads.view_for(
        viewer, reads.auction_public_state(auction.reference), reads.closed_names(auction)
    )
    seats = []
    if principal.business_ids:
        seats = list(
            AuctionBidder.objects.filter(
                auction=auction,
                supplier__business_id__in=principal.business_ids,
                supplier__status=Supplier.Status.APPROVED,
            ).select_related("supplier__business")
        )
        for seat in seats:
            seat.bid_context = sealed_auctions.bid_context(auction.reference, seat.supplier_id)
    context |= {
        "state": state,
        "viewer": viewer,
        "bidding_seats": seats,
        "my_bids": reads.sealed_bids_of(auction, [seat.pk for seat in seats]),
        "seat": reads.committee_seat(auction, principal),
        "committee_size": auction.committee.count(),
        "vault_key": vault.b64url(bytes(auction.vault_public)) if auction.vault_public else "",
        "result": reads.auction_result(auction) if auction.opened_at else None,
        "standings": _with_names(state["standings"], state),
        "history": _with_names(state["bids"], state),
    }
    return render(request, "procurement/auction_sealed.html", context)


@page
@require_http_methods(["POST"])
def auction_sealed_bid(request: HttpRequest, reference: str) -> HttpResponse:
    url = reverse("procurement:auction_detail", args=[reference])
    supplier_id = int_or_zero(request.POST.get("supplier_id"))
    return perform(
        request,
        lambda: sealed_auctions.sealed_bid_submit(
            actor=request.principal,
            reference=reference,
            supplier_id=supplier_id,
            sealed=request.POST.get("sealed_bid", "").encode(),
        ),
        success=_("Your bid is sealed and received; your signed receipt is below."),
        redirect_to=url,
    )


@page
@require_http_methods(["POST"])
def auction_share_release(request: HttpRequest, reference: str) -> HttpResponse:
    url = reverse("procurement:auction_detail", args=[reference])
    return perform(
        request,
        lambda: sealed_auctions.sealed_share_release(
            actor=request.principal,
            reference=reference,
            passphrase=request.POST.get("passphrase", ""),
            second_factor=request.POST.get("second_factor", ""),
        ),
        success=_(
            "Your share is released. The bids open when enough members have released theirs."
        ),
        redirect_to=url,
    )
