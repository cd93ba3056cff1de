"""Reads of procurement, always scoped to who is asking."""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Max, Prefetch, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onestop.core.errors import NotFoundError
from onestop.documents.public import verify_statement
from onestop.identity.public import Principal, Role, require_authenticated
from onestop.procurement.domain import vault
from onestop.procurement.models import (
    BudgetLine,
    CatalogItem,
    Category,
    Clarification,
    Complaint,
    Contract,
    GoodsReceipt,
    Invoice,
    ProcurementPlan,
    ProposalDocument,
    PurchaseOrder,
    Requisition,
    StockItem,
    Store,
    Submission,
    Supplier,
    Tender,
    TenderDocument,
)
from onestop.procurement.policies import (
    NotVisibleError,
    may_read_agency,
    require_read_order,
    require_registrar,
)
from onestop.procurement.services.catalog import INDEX, SELLABLE
from onestop.procurement.services.orders import OrderNotFoundError
from onestop.procurement.services.receiving import RECEIVABLE
from onestop.procurement.services.tendering import TenderNotFoundError, bid_context
from onestop.search.public import search as search_documents


@dataclass(frozen=True)
class CatalogResults:
    items: list[CatalogItem]
    total: int
    corrected: dict[str, str]


def categories() -> QuerySet[Category]:
    return Category.objects.select_related("parent").order_by("code")


def catalog_search(
    *,
    query: str = "",
    category: str | None = None,
    supplier_id: int | None = None,
    price_min: Decimal | None = None,
    price_max: Decimal | None = None,
    limit: int = 20,
    offset: int = 0,
) -> CatalogResults:
    """Items on sale, best matches first (Thai-aware), filtered by category, supplier and price."""
    tags = [SELLABLE]
    if category:
        tags.append(f"category:{category}")
    if supplier_id:
        tags.append(f"supplier:{supplier_id}")
    results = search_documents(
        index=INDEX,
        query=query,
        tags=tags,
        amount_min=price_min,
        amount_max=price_max,
        limit=limit,
        offset=offset,
    )
    keys = [int(hit.key) for hit in results.hits]
    today = timezone.localdate()
    items = CatalogItem.objects.select_related("supplier__business", "category").in_bulk(keys)
    ranked = [items[key] for key in keys if key in items and items[key].is_valid_on(today)]
    return CatalogResults(ranked, results.total, results.corrected)


def items_compare(ids: list[int]) -> tuple[list[CatalogItem], list[str]]:
    """Items side by side with the union of their specification names."""
    items = list(
        CatalogItem.objects.select_related("supplier__business", "category").filter(pk__in=ids[:6])
    )
    names: list[str] = []
    for item in items:
        for name in item.specs or {}:
            if name not in names:
                names.append(name)
    return items, names


def catalog_item(item_id: int) -> CatalogItem:
    item = (
        CatalogItem.objects.select_related("supplier__business", "category")
        .filter(pk=item_id)
        .first()
    )
    if item is None:
        raise NotFoundError(field="item")
    return item


def supplier_of_business(juristic_id: str) -> Supplier | None:
    return (
        Supplier.objects.select_related("business")
        .prefetch_related("categories", "documents")
        .filter(business__juristic_id=juristic_id)
        .first()
    )


def suppliers_for_review(*, principal: Principal, status: str | None = None) -> QuerySet[Supplier]:
    require_registrar(principal)
    suppliers = Supplier.objects.select_related("business").prefetch_related(
        "categories", "documents"
    )
    if status:
        suppliers = suppliers.filter(status=status)
    return suppliers.order_by("status", "applied_at")


def supplier_items(*, principal: Principal, supplier: Supplier) -> QuerySet[CatalogItem]:
    if supplier.business_id not in principal.business_ids:
        raise NotVisibleError()
    return supplier.items.select_related("category").order_by("-active", "name_th")


def _agency_scope(
    principal: Principal, queryset: QuerySet, agency_field: str = "agency"
) -> QuerySet:
    require_authenticated(principal)
    if principal.is_auditor or principal.is_platform_admin:
        return queryset
    if principal.agency_id is None:
        raise NotVisibleError()
    return queryset.filter(**{f"{agency_field}_id": principal.agency_id})


def requisitions(*, principal: Principal, status: str | None = None) -> QuerySet[Requisition]:
    rows = _agency_scope(
        principal, Requisition.objects.select_related("agency", "requester", "budget_line")
    )
    return rows.filter(status=status) if status else rows


def requisition_detail(*, principal: Principal, number: str) -> Requisition:
    requisition = (
        Requisition.objects.select_related("agency", "requester", "budget_line", "store")
        .prefetch_related("lines__supplier__business", "decisions__approver", "orders")
        .filter(number=number)
        .first()
    )
    if requisition is None:
        raise NotFoundError(field="number")
    if not may_read_agency(principal, requisition.agency_id):
        raise NotVisibleError()
    return requisition


def approval_queue(*, principal: Principal) -> list[Requisition]:
    """Requisitions waiting at the next level that this approver may decide."""
    if principal.agency_id is None or Role.APPROVER not in principal.roles:
        return []
    waiting = Requisition.objects.filter(
        agency_id=principal.agency_id, status=Requisition.Status.SUBMITTED
    )
    return list(
        waiting.exclude(requester_id=principal.user_id)
        .exclude(decisions__approver_id=principal.user_id, decisions__decision="approve")
        .select_related("requester", "budget_line")
        .prefetch_related("lines")
        .order_by("submitted_at")
    )


def orders(*, principal: Principal, status: str | None = None) -> QuerySet[PurchaseOrder]:
    """An agency's orders for its officers; a supplier's for its people; all for auditors."""
    require_authenticated(principal)
    rows = PurchaseOrder.objects.select_related("agency", "supplier__business", "requisition")
    if principal.is_auditor or principal.is_platform_admin:
        pass
    elif principal.agency_id is not None:
        rows = rows.filter(agency_id=principal.agency_id)
    elif principal.business_ids:
        rows = rows.filter(supplier__business_id__in=principal.business_ids)
    else:
        raise NotVisibleError()
    return rows.filter(status=status) if status else rows


def order_detail(*, principal: Principal, number: str) -> PurchaseOrder:
    order = (
        PurchaseOrder.objects.select_related("agency", "supplier__business", "requisition", "store")
        .prefetch_related(
            "lines",
            "events",
            "receipts__lines",
            "receipts__inspectors",
            Prefetch("invoices", queryset=Invoice.objects.prefetch_related("lines")),
        )
        .filter(number=number)
        .first()
    )
    if order is None:
        raise OrderNotFoundError(params={"number": number})
    require_read_order(principal, order.agency_id, order.supplier.business_id)
    return order


def inspection_queue(*, principal: Principal) -> QuerySet[PurchaseOrder]:
    if principal.agency_id is None or Role.INSPECTOR not in principal.roles:
        return PurchaseOrder.objects.none()
    return (
        PurchaseOrder.objects.filter(agency_id=principal.agency_id, status__in=RECEIVABLE)
        .select_related("supplier__business")
        .order_by("delivery_due", "issued_at")
    )


def invoices(*, principal: Principal) -> QuerySet[Invoice]:
    require_authenticated(principal)
    rows = Invoice.objects.select_related("order__agency", "order__supplier__business")
    if principal.is_auditor or principal.is_platform_admin:
        return rows
    if principal.agency_id is not None:
        return rows.filter(order__agency_id=principal.agency_id)
    if principal.business_ids:
        return rows.filter(order__supplier__business_id__in=principal.business_ids)
    raise NotVisibleError()


def budget_lines(*, principal: Principal, fiscal_year: int | None = None) -> QuerySet[BudgetLine]:
    rows = _agency_scope(principal, BudgetLine.objects.select_related("agency"))
    return rows.filter(fiscal_year=fiscal_year) if fiscal_year else rows


def stores(*, principal: Principal) -> QuerySet[Store]:
    return _agency_scope(
        principal, Store.objects.select_related("keeper", "budget_line")
    ).prefetch_related(
        Prefetch(
            "stock", queryset=StockItem.objects.select_related("item").order_by("item__name_th")
        )
    )


# Tenders and the vault -------------------------------------------------------------------------


def tenders_public() -> QuerySet[Tender]:
    """Tenders anyone may read (no login): every tender once published, whatever came after."""
    return Tender.objects.select_related("agency").filter(published_at__isnull=False)


def tenders_of_agency(*, principal: Principal) -> QuerySet[Tender]:
    require_authenticated(principal)
    return Tender.objects.select_related("agency").filter(agency_id=principal.agency_id)


def tender_detail(*, principal: Principal, reference: str) -> Tender:
    """A published tender for anyone; a draft only for its agency's officers."""
    tender = (
        Tender.objects.select_related("agency")
        .prefetch_related("lines", "committee")
        .filter(reference=reference)
        .first()
    )
    if tender is None or (
        tender.published_at is None and not may_read_agency(principal, tender.agency_id)
    ):
        raise TenderNotFoundError(params={"reference": reference})
    return tender


def tender_receipts(tender: Tender) -> QuerySet[Submission]:
    """The public list of sealed bids: sequence, time, SHA-256; bidders stay unnamed until
    opening."""
    return Submission.objects.filter(tender=tender).only(
        "sequence", "submitted_at", "sha256", "superseded", "outcome", "tender_id"
    )


def my_submissions(*, principal: Principal, tender: Tender) -> QuerySet[Submission]:
    require_authenticated(principal)
    return Submission.objects.filter(
        tender=tender, supplier__business_id__in=principal.business_ids
    ).select_related("supplier__business")


def opened_bids(tender: Tender) -> list[Submission]:
    """After opening: every submission with its bidder, lowest valid current price first."""
    if tender.opened_at is None:
        return []
    return sorted(
        Submission.objects.filter(tender=tender).select_related("supplier__business"),
        key=lambda s: (s.superseded, s.price is None, s.price or Decimal("0"), s.sequence),
    )


@dataclass(frozen=True)
class SubmissionCheck:
    sequence: int
    sha256: str
    receipt_signed: bool
    envelope_matches: bool
    reopens: bool | None  # None while the vault is closed

    @property
    def ok(self) -> bool:
        return self.receipt_signed and self.envelope_matches and self.reopens is not False


@dataclass(frozen=True)
class VaultReport:
    reference: str
    opened: bool
    key_matches: bool | None
    checks: list[SubmissionCheck]

    @property
    def ok(self) -> bool:
        return self.key_matches is not False and all(check.ok for check in self.checks)


def _receipt_says(submission: Submission, tender: Tender) -> bool:
    try:
        data = json.loads(bytes(submission.receipt))
    except ValueError:
        return False
    return (
        data.get("tender") == tender.reference
        and data.get("sha256") == submission.sha256
        and data.get("sequence") == submission.sequence
        and data.get("bidder") == str(submission.supplier_id)
    )


def vault_verify(reference: str) -> VaultReport:
    """What anyone can check, from public data only: each receipt is signed by the platform and
    names the SHA-256 of the stored envelope; after opening, the published key matches the
    tender's public key and re-opens each envelope to exactly what was announced."""
    tender = Tender.objects.filter(reference=reference, published_at__isnull=False).first()
    if tender is None:
        raise TenderNotFoundError(params={"reference": reference})
    private = None
    key_matches = None
    if tender.opened_at is not None and tender.vault_private_revealed:
        private = vault.private_from_scalar(bytes(tender.vault_private_revealed))
        key_matches = vault.public_point(private) == bytes(tender.vault_public)
    checks = []
    for submission in Submission.objects.filter(tender=tender).order_by("sequence"):
        sealed = bytes(submission.sealed)
        receipt = bytes(submission.receipt)
        signed = verify_statement(
            receipt, submission.receipt_signature, submission.receipt_certificate
        ) and _receipt_says(submission, tender)
        matches = vault.digest(sealed) == submission.sha256
        reopens = None
        if private is not None and key_matches:
            try:
                content = vault.open_sealed(
                    private, sealed, bid_context(tender.reference, submission.supplier_id)
                )
                reopens = content.decode("utf-8", errors="replace") == submission.opened_content
            except vault.VaultError:
                reopens = submission.outcome == Submission.Outcome.INVALID
        checks.append(
            SubmissionCheck(
                sequence=submission.sequence,
                sha256=submission.sha256,
                receipt_signed=signed,
                envelope_matches=matches,
                reopens=reopens,
            )
        )
    return VaultReport(
        reference=tender.reference,
        opened=tender.opened_at is not None,
        key_matches=key_matches,
        checks=checks,
    )


# After the opening: questions, evaluation, award, complaints, contract, track record ----------


def tender_questions(*, principal: Principal, tender: Tender) -> list[Clarification]:
    """Answered questions for everyone (without the asker's name); the buyer's agency also sees
    the unanswered ones, and a supplier its own."""
    rows = Clarification.objects.filter(tender=tender).select_related("supplier__business")
    if may_read_agency(principal, tender.agency_id):
        return list(rows)
    return [
        row
        for row in rows
        if row.answered_at is not None or row.supplier.business_id in principal.business_ids
    ]


def tender_complaints(*, principal: Principal, tender: Tender) -> list[Complaint]:
    """Complaints and their decisions are public; the grounds are for the agency and the
    complainant (templates and API show them only when `grounds_visible`)."""
    rows = list(Complaint.objects.filter(tender=tender).select_related("supplier__business"))
    agency = may_read_agency(principal, tender.agency_id)
    for row in rows:
        row.grounds_visible = agency or row.supplier.business_id in principal.business_ids
    return rows


def tender_documents(tender: Tender) -> QuerySet[TenderDocument]:
    return TenderDocument.objects.filter(tender=tender).defer("data")


def tender_document(*, principal: Principal, reference: str, document_id: int) -> TenderDocument:
    tender = tender_detail(principal=principal, reference=reference)
    document = TenderDocument.objects.filter(tender=tender, pk=document_id).first()
    if document is None:
        raise NotFoundError(_("There is no such document on this tender."))
    return document


def proposal_document(
    *, principal: Principal, reference: str, sequence: int, position: int
) -> ProposalDocument:
    """A bid's document: after the opening, for the agency; its bidder sees it listed, but
    nobody (the platform included) can read it before the vault opens."""
    tender = tender_detail(principal=principal, reference=reference)
    document = (
        ProposalDocument.objects.select_related("submission__supplier")
        .filter(submission__tender=tender, submission__sequence=sequence, position=position)
        .first()
    )
    if document is None or not may_read_agency(principal, tender.agency_id):
        raise NotFoundError(_("There is no such document on this tender."))
    if document.data is None:
        raise NotFoundError(_("This document opens with the vault; it is sealed until then."))
    return document


def contract_of(tender: Tender) -> Contract | None:
    return (
        Contract.objects.select_related("order", "supplier__business").filter(tender=tender).first()
    )


@dataclass(frozen=True)
class TrackRecord:
    """A supplier's record on past orders and contracts (P-12)."""

    orders: int
    delivered: int
    on_time: int
    late: int
    rejected_deliveries: int
    penalties: Decimal
    contracts: int

    @property
    def on_time_percent(self) -> int | None:
        return round(self.on_time * 100 / self.delivered) if self.delivered else None


def track_record(supplier_id: int) -> TrackRecord:
    """Computed from the supplier's purchase orders: on time when the delivery that completed
    the order was inspected by its due date; rejected deliveries; penalties charged."""
    done = (PurchaseOrder.Status.DELIVERED, PurchaseOrder.Status.CLOSED)
    orders = PurchaseOrder.objects.filter(supplier_id=supplier_id).exclude(
        status=PurchaseOrder.Status.CANCELLED
    )
    completed = orders.filter(status__in=done).annotate(completed_at=Max("receipts__inspected_at"))
    on_time = late = 0
    for order in completed.only("delivery_due"):
        if (
            order.delivery_due is None
            or order.completed_at is None
            or timezone.localdate(order.completed_at) <= order.delivery_due
        ):
            on_time += 1
        else:
            late += 1
    return TrackRecord(
        orders=orders.count(),
        delivered=on_time + late,
        on_time=on_time,
        late=late,
        rejected_deliveries=GoodsReceipt.objects.filter(
            order__supplier_id=supplier_id, result=GoodsReceipt.Result.REJECTED
        ).count(),
        penalties=orders.aggregate(total=Sum("penalty"))["total"] or Decimal("0"),
        contracts=Contract.objects.filter(supplier_id=supplier_id).count(),
    )


def published_plans() -> QuerySet[ProcurementPlan]:
    return (
        ProcurementPlan.objects.filter(status=ProcurementPlan.Status.PUBLISHED)
        .select_related("agency")
        .prefetch_related("items")
    )


def agency_plans(*, principal: Principal) -> QuerySet[ProcurementPlan]:
    require_authenticated(principal)
    return (
        ProcurementPlan.objects.filter(agency_id=principal.agency_id)
        .select_related("agency")
        .prefetch_related("items")
    )
