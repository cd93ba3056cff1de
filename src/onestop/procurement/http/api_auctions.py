"""e-Auction API (P-17, P-19, P-20). A bid is acknowledged (201) only after it is committed;
send a request id with each bid so that a retried request never places a second bid (the
retry gets 200 and the first acknowledgement)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema, Status

from onestop.core.http.api import ErrorOut
from onestop.documents.public import document_pdf
from onestop.procurement import selectors_auctions as reads
from onestop.procurement.domain import vault
from onestop.procurement.http.api_tendering import PUBLIC, ShareIn, SignedReceiptOut
from onestop.procurement.services import auction_results, auctions, sealed_auctions

router = Router(tags=["e-auctions"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
A = "/procurement/auctions"


class AuctionIn(Schema):
    kind: str = Field(description="reverse, forward or sealed")
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
    committee: list[str] = Field(
        default_factory=list,
        description="Sealed: usernames of the opening committee (a tender's auction may leave it "
        "empty to take the tender's committee)",
    )
    threshold: int | None = Field(None, description="Sealed: members needed to open the bids")
    allow_resubmission: bool = Field(
        False, description="Sealed: a bidder may seal a new bid within the time (the last counts)"
    )


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
    allow_resubmission: bool
    threshold: int | None
    vault_key: str | None = Field(
        None, description="Sealed: the vault public key (base64url P-256 point) to seal bids to"
    )
    vault_kid: str

    @staticmethod
    def resolve_vault_key(auction) -> str | None:
        return vault.b64url(bytes(auction.vault_public)) if auction.vault_public else None


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


class SealedBidIn(Schema):
    supplier_id: int
    sealed_bid: str = Field(
        description="The envelope JSON exactly as sealed by the client, to the auction's vault "
        'key with the context "auction-bid|<reference>|<supplier_id>" and the plaintext '
        '{"price": "<baht>"}'
    )


class SealedReceiptOut(SignedReceiptOut):
    sequence: int
    received_at: dt.datetime
    label: str = Field(alias="bidder.label")


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


@router.get(
    f"{A}/{{reference}}/result.pdf",
    auth=PUBLIC,
    response={200: None, **ERRORS},
    summary="The signed result document (PDF; public once the results are known: after the "
    "close, for a sealed-bid auction once its bids are opened)",
)
def auction_result_pdf(request: HttpRequest, reference: str):
    document = auction_results.auction_result_document(reference)
    response = HttpResponse(document_pdf(document), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{document.reference}-result.pdf"'
    return response


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


@router.post(
    f"{A}/{{reference}}/sealed-bids",
    response={201: SealedReceiptOut, **ERRORS},
    summary="Sealed-bid auction: submit a sealed bid; returns the signed receipt (the same "
    "envelope sent again returns its first receipt)",
)
def sealed_bid_submit(request: HttpRequest, reference: str, payload: SealedBidIn):
    bid = sealed_auctions.sealed_bid_submit(
        actor=request.principal,
        reference=reference,
        supplier_id=payload.supplier_id,
        sealed=payload.sealed_bid.encode(),
    )
    return Status(201, bid)


@router.post(
    f"{A}/{{reference}}/shares",
    response={200: AuctionOut, **ERRORS},
    summary="Sealed-bid auction: release my share (opening committee, after the close); the "
    "last share needed opens every bid",
)
def sealed_share_release(request: HttpRequest, reference: str, payload: ShareIn):
    return sealed_auctions.sealed_share_release(
        actor=request.principal,
        reference=reference,
        passphrase=payload.passphrase,
        second_factor=payload.second_factor,
    )
