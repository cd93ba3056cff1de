"""Tender and vault API (P-10 to P-13): draft, publish, sealed bids with signed receipts, share
release and public verification. Bids are sealed by the client (`onestop.procurement.client`
for Python, the tender page for browsers); the API only ever receives ciphertext."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from onestop.core.http.api import ErrorOut
from onestop.identity.public import API_AUTH
from onestop.procurement import selectors
from onestop.procurement.domain import vault
from onestop.procurement.http.common import decoded
from onestop.procurement.services import tendering
from onestop.procurement.services.documents import DocumentUpload

router = Router(tags=["tenders and vault"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
T = "/procurement/tenders"


def _anyone(request: HttpRequest) -> bool:
    """Lets an endpoint run for anonymous callers too (after session and token were tried)."""
    return True


# Public reads still learn who calls (session or API token): a draft is for its agency's officers.
PUBLIC = [*API_AUTH, _anyone]


class TenderLineIn(Schema):
    description: str
    quantity: Decimal
    unit: str
    unit_reference_price: Decimal = Field(description="Reference unit price (ราคากลาง), baht")
    source: str = ""


class TenderIn(Schema):
    title: str
    description: str = ""
    method: str = Field(description="e_bidding, e_market or specific")
    budget: Decimal
    allow_resubmission: bool = True
    clarification_deadline: dt.datetime
    submission_deadline: dt.datetime
    opening_at: dt.datetime
    lines: list[TenderLineIn]
    qualification_rules: list[str] = Field(default_factory=list)
    award_criteria: str = Field("lowest_price", description="lowest_price or price_performance")
    price_weight: int = Field(100, description="Weight of price in percent (price_performance)")
    standstill_days: int = 7
    award_due: dt.date | None = None
    plan_item_id: int | None = Field(None, description="The project of the published plan")


class PublishIn(Schema):
    committee: list[str] = Field(description="Usernames of the bid-opening committee (3 to 9)")
    threshold: int = Field(description="How many members must release their share to open")


class TenderLineOut(Schema):
    position: int
    description: str
    quantity: Decimal
    unit: str
    unit_reference_price: Decimal
    amount: Decimal
    source: str


class ReceiptOut(Schema):
    sequence: int
    submitted_at: dt.datetime
    sha256: str
    superseded: bool


class TenderOut(Schema):
    reference: str
    agency: str = Field(alias="agency.code")
    title: str
    description: str
    method: str
    status: str
    budget: Decimal
    reference_price: Decimal
    allow_resubmission: bool
    clarification_deadline: dt.datetime
    submission_deadline: dt.datetime
    opening_at: dt.datetime
    threshold: int
    published_at: dt.datetime | None
    opened_at: dt.datetime | None
    vault_public_key: str | None = Field(None, description="P-256 point, base64url; seal to it")
    vault_kid: str
    lines: list[TenderLineOut]
    qualification_rules: list[str]
    award_criteria: str
    price_weight: int
    standstill_days: int
    award_due: dt.date | None
    awarded_at: dt.datetime | None
    standstill_until: dt.datetime | None
    awarded_supplier: str | None = Field(None, description="Juristic ID of the winner")
    awarded_price: Decimal | None = None
    status_note: str

    @staticmethod
    def resolve_awarded_supplier(tender) -> str | None:
        winner = tender.awarded_submission
        return winner.supplier.business.juristic_id if winner else None

    @staticmethod
    def resolve_awarded_price(tender) -> Decimal | None:
        return tender.awarded_submission.final_price if tender.awarded_submission_id else None

    @staticmethod
    def resolve_vault_public_key(tender) -> str | None:
        return vault.b64url(bytes(tender.vault_public)) if tender.vault_public else None

    @staticmethod
    def resolve_lines(tender) -> list:
        return list(tender.lines.all())


class VaultKeyIn(Schema):
    passphrase: str


class VaultKeyOut(Schema):
    fingerprint: str


class ProposalDocumentIn(Schema):
    file_name: str = Field(..., max_length=200)
    content_base64: str = Field(..., description="PDF, DOCX, XLSX, PNG or JPEG, at most 10 MB")


class BidIn(Schema):
    supplier_id: int
    sealed_bid: str = Field(description="The envelope JSON exactly as sealed by the client")
    documents: list[ProposalDocumentIn] = Field(
        default_factory=list,
        description="Proposal documents; the platform seals them to the vault key on arrival",
    )


class SignedReceiptOut(Schema):
    """A sealed bid's receipt signed by the platform (a tender's or a sealed-bid auction's)."""

    sha256: str
    receipt: str = Field(description="The signed statement (canonical JSON)")
    signature: str = Field(description="ECDSA P-256/SHA-256 by the platform, base64")
    certificate_pem: str

    @staticmethod
    def resolve_receipt(submission) -> str:
        return bytes(submission.receipt).decode()

    @staticmethod
    def resolve_signature(submission) -> str:
        return submission.receipt_signature

    @staticmethod
    def resolve_certificate_pem(submission) -> str:
        return submission.receipt_certificate


class BidReceiptOut(SignedReceiptOut):
    sequence: int
    submitted_at: dt.datetime


class ShareIn(Schema):
    passphrase: str
    second_factor: str = Field(description="The 6-digit code of your authenticator app")


class OpenedBidOut(Schema):
    sequence: int
    supplier_id: int
    supplier: str = Field(alias="supplier.business.name_th")
    sha256: str
    superseded: bool
    outcome: str
    price: Decimal | None
    problem: str


class CheckOut(Schema):
    sequence: int
    sha256: str
    receipt_signed: bool
    envelope_matches: bool
    reopens: bool | None
    ok: bool


class VerifyOut(Schema):
    reference: str
    opened: bool
    key_matches: bool | None
    ok: bool
    checks: list[CheckOut]
    vault_private_key: str | None = Field(None, description="Published after opening, base64url")


@router.post(
    "/procurement/vault-key",
    response={201: VaultKeyOut, **ERRORS},
    summary="Create my vault key (committee)",
)
def vault_key_create(request: HttpRequest, payload: VaultKeyIn):
    key = tendering.vault_key_create(actor=request.principal, passphrase=payload.passphrase)
    return Status(201, {"fingerprint": vault.fingerprint(bytes(key.public))})


@router.post(
    T, response={201: TenderOut, **ERRORS}, summary="Draft a tender with its reference price"
)
def tender_create(request: HttpRequest, payload: TenderIn):
    terms_fields = set(tendering.TenderTerms.__dataclass_fields__)
    fields = payload.dict(exclude={"lines", *terms_fields})
    terms = tendering.TenderTerms(**payload.dict(include=terms_fields))
    lines = [tendering.LineInput(**line.dict()) for line in payload.lines]
    return Status(
        201, tendering.tender_create(actor=request.principal, lines=lines, terms=terms, **fields)
    )


@router.get(T, auth=None, response=list[TenderOut], summary="Published tenders (public)")
def tender_list(request: HttpRequest):
    return list(selectors.tenders_public().prefetch_related("lines")[:200])


@router.get(
    f"{T}/{{reference}}",
    auth=PUBLIC,
    response={200: TenderOut, **ERRORS},
    summary="A tender (public once published)",
)
def tender_detail(request: HttpRequest, reference: str):
    return selectors.tender_detail(principal=request.principal, reference=reference)


@router.post(
    f"{T}/{{reference}}/publish",
    response={200: TenderOut, **ERRORS},
    summary="Publish and seal the vault",
)
def tender_publish(request: HttpRequest, reference: str, payload: PublishIn):
    return tendering.tender_publish(
        actor=request.principal,
        reference=reference,
        committee=payload.committee,
        threshold=payload.threshold,
    )


@router.get(
    f"{T}/{{reference}}/receipts",
    auth=PUBLIC,
    response={200: list[ReceiptOut], **ERRORS},
    summary="Receipt hashes of sealed bids (public)",
)
def tender_receipts(request: HttpRequest, reference: str):
    tender = selectors.tender_detail(principal=request.principal, reference=reference)
    return list(selectors.tender_receipts(tender))


@router.post(
    f"{T}/{{reference}}/bids",
    response={201: BidReceiptOut, **ERRORS},
    summary="Submit a sealed bid; returns the signed receipt",
)
def bid_submit(request: HttpRequest, reference: str, payload: BidIn):
    submission = tendering.bid_submit(
        actor=request.principal,
        reference=reference,
        supplier_id=payload.supplier_id,
        sealed=payload.sealed_bid.encode(),
        documents=[
            DocumentUpload(
                file_name=document.file_name,
                data=decoded(document.content_base64, field="documents"),
            )
            for document in payload.documents
        ],
    )
    return Status(201, submission)


@router.post(
    f"{T}/{{reference}}/shares",
    response={200: TenderOut, **ERRORS},
    summary="Release my share (committee, from the opening time)",
)
def share_release(request: HttpRequest, reference: str, payload: ShareIn):
    return tendering.share_release(
        actor=request.principal,
        reference=reference,
        passphrase=payload.passphrase,
        second_factor=payload.second_factor,
    )


@router.get(
    f"{T}/{{reference}}/bids",
    auth=PUBLIC,
    response={200: list[OpenedBidOut], **ERRORS},
    summary="Opened bids (public after opening)",
)
def opened_bids(request: HttpRequest, reference: str):
    tender = selectors.tender_detail(principal=request.principal, reference=reference)
    return selectors.opened_bids(tender)


@router.get(
    f"{T}/{{reference}}/verify",
    auth=PUBLIC,
    response={200: VerifyOut, **ERRORS},
    summary="Verify every receipt and opened bid (public)",
)
def tender_verify(request: HttpRequest, reference: str):
    report = selectors.vault_verify(reference)
    tender = selectors.tender_detail(principal=request.principal, reference=reference)
    return {
        "reference": report.reference,
        "opened": report.opened,
        "key_matches": report.key_matches,
        "ok": report.ok,
        "checks": [{**check.__dict__, "ok": check.ok} for check in report.checks],
        "vault_private_key": vault.b64url(bytes(tender.vault_private_revealed))
        if tender.vault_private_revealed
        else None,
    }
