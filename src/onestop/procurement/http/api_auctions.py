"""e-Auction API (P-17, P-19, P-20). A bid is acknowledged (201) only after it is committed;
send a request id with each bid so that a retried request never places a second bid (the
retry gets 200 and the first acknowledgement)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from onestop.core.http.api import ErrorOut
from onestop.procurement import selectors_auctions as reads
from onestop.procurement.http.api_tendering import PUBLIC
from onestop.procurement.services import auctions

router = Router(tags=["e-auctions"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
A = "/procurement/auctions"


class AuctionIn(Schema):
    kind: str = Field(description="reverse or forward")
    title: str
    description: str = ""
    tender_reference: str | None = Field(
        None, description="Reverse: the opened tender whose qualified bidders take part"
    )
    suppliers: list[int] = Field(default_factory=list, description="Reverse without a tender")
    reference_price: Decimal | None = Field(
        None, description="Reverse without a tender: the buyer's reference price (ราคากลาง)"
    )
    start_price: Decimal
    step_amount: Decimal | None = None
    step_percent: Decimal | None = None
    reserve_price: Decimal | None = None
    deposit: Decimal = Decimal("0")
    opens_at: dt.datetime
    ends_at: dt.datetime
    extension_window: int = Field(180, description="A bid this close to the end extends it (s)")
    extension: int = Field(180, description="By how much, from the bid (s)")


class AuctionOut(Schema):
    reference: str
    agency: str = Field(alias="agency.code")
    kind: str
    title: str
    status: str
    start_price: Decimal
    reference_price: Decimal | None
    reserve_price: Decimal | None
    step_amount: Decimal | None
    step_percent: Decimal | None
    deposit: Decimal
    opens_at: dt.datetime
    planned_end: dt.datetime
    ends_at: dt.datetime


class RegisterIn(Schema):
    supplier_id: int


class RegisteredOut(Schema):
    label: str
    deposit_bill: str | None = Field(None, description="Bill id; pay its Thai QR to bid")

    @staticmethod
    def resolve_deposit_bill(bidder) -> str | None:
        return str(bidder.deposit_bill) if bidder.deposit_bill else None


class BidIn(Schema):
    supplier_id: int
    amount: Decimal
    request_id: str = Field(description="Unique per bid; a retry with the same id is not a new bid")


class BidOut(Schema):
    sequence: int
    amount: Decimal
    received_at: dt.datetime
    label: str
    ends_at: dt.datetime
    replayed: bool


@router.post(A, response={201: AuctionOut, **ERRORS}, summary="Schedule an auction (buyer)")
def auction_create(request: HttpRequest, payload: AuctionIn):
    data = auctions.AuctionInput(**payload.dict())
    return Status(201, auctions.auction_create(actor=request.principal, data=data))


@router.get(A, auth=None, response=list[AuctionOut], summary="Auctions (public)")
def auction_list(request: HttpRequest):
    return list(reads.auctions_listed()[:200])


@router.get(
    f"{A}/{{reference}}",
    auth=PUBLIC,
    response={200: dict[str, Any], **ERRORS},
    summary="The auction as you may see it: best price; your rank (bidder); names (buyer, or "
    "everyone after the close)",
)
def auction_state(request: HttpRequest, reference: str):
    return reads.auction_view(request.principal, reference)


@router.get(
    f"{A}/{{reference}}/bids",
    auth=PUBLIC,
    response={200: list[dict[str, Any]], **ERRORS},
    summary="Bids after a sequence number (catch up after a network drop); labels only",
)
def auction_bids(request: HttpRequest, reference: str, after: int = 0):
    reads.auction_detail(reference)
    return reads.bids_after(reference, after)


@router.post(
    f"{A}/{{reference}}/register",
    response={201: RegisteredOut, **ERRORS},
    summary="Register for a forward auction (a deposit bill is issued when one is required)",
)
def auction_register(request: HttpRequest, reference: str, payload: RegisterIn):
    bidder = auctions.auction_register(
        actor=request.principal, reference=reference, supplier_id=payload.supplier_id
    )
    return Status(201, bidder)


@router.post(
    f"{A}/{{reference}}/bids",
    response={200: BidOut, 201: BidOut, **ERRORS},
    summary="Place a bid; acknowledged only once committed",
)
def bid_place(request: HttpRequest, reference: str, payload: BidIn):
    outcome = auctions.bid_place(
        actor=request.principal,
        reference=reference,
        supplier_id=payload.supplier_id,
        amount=payload.amount,
        request_id=payload.request_id,
    )
    body = {
        "sequence": outcome.bid.sequence,
        "amount": outcome.bid.amount,
        "received_at": outcome.bid.received_at,
        "label": outcome.bid.bidder.label,
        "ends_at": outcome.auction.ends_at,
        "replayed": outcome.replayed,
    }
    return Status(200 if outcome.replayed else 201, body)
