"""API shapes of procurement."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from ninja import Field, Schema


class CategoryOut(Schema):
    code: str
    name_th: str
    name_en: str
    parent: str | None = Field(None, alias="parent.code")


class DocumentIn(Schema):
    kind: str = Field(..., description="company_certificate, vat_registration, bank_book, other")
    file_name: str = Field(..., max_length=200)
    content_base64: str = Field(
        ..., description="The file (PDF, PNG or JPEG, at most 5 MB), base64"
    )


class SupplierApplyIn(Schema):
    juristic_id: str
    categories: list[str] = Field(..., examples=[["14111500", "44121600"]])
    address: str
    contact_name: str
    contact_phone: str
    contact_email: str
    payout_method: str = Field(..., description="promptpay or bank_account")
    promptpay_id: str = ""
    bank_code: str = ""
    bank_account_number: str = ""
    bank_account_name: str = ""
    documents: list[DocumentIn] = []


class SupplierOut(Schema):
    juristic_id: str = Field(..., alias="business.juristic_id")
    name_th: str = Field(..., alias="business.name_th")
    status: str
    categories: list[str]
    payout_method: str
    applied_at: dt.datetime
    reviewed_at: dt.datetime | None
    decision_reason: str
    documents: list[dict[str, Any]]

    @staticmethod
    def resolve_categories(supplier) -> list[str]:
        return [category.code for category in supplier.categories.all()]

    @staticmethod
    def resolve_documents(supplier) -> list[dict[str, Any]]:
        return [
            {
                "id": d.pk,
                "kind": d.kind,
                "file_name": d.file_name,
                "size": d.size,
                "sha256": d.sha256,
            }
            for d in supplier.documents.all()
        ]


class ReviewIn(Schema):
    decision: str = Field(..., description="approve, reject, suspend or reinstate")
    reason: str = ""


class ItemIn(Schema):
    category: str
    sku: str
    name_th: str
    name_en: str = ""
    description: str = ""
    specs: dict[str, str] = {}
    unit: str
    price: str = Field(..., description="Baht per unit, VAT included, at most two decimals")
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None


class ItemPatchIn(Schema):
    category: str | None = None
    sku: str | None = None
    name_th: str | None = None
    name_en: str | None = None
    description: str | None = None
    specs: dict[str, str] | None = None
    unit: str | None = None
    price: str | None = None
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None
    active: bool | None = None


class ItemOut(Schema):
    id: int
    sku: str
    name_th: str
    name_en: str
    description: str
    specs: dict[str, Any]
    unit: str
    price: Decimal
    category: str = Field(..., alias="category.code")
    supplier: str = Field(..., alias="supplier.business.name_th")
    supplier_juristic_id: str = Field(..., alias="supplier.business.juristic_id")
    valid_from: dt.date
    valid_until: dt.date | None
    framework_agreement: bool
    active: bool


class CatalogOut(Schema):
    items: list[ItemOut]
    total: int
    corrected: dict[str, str]


class ShoppingLineIn(Schema):
    item_id: int
    quantity: str


class QuantityIn(Schema):
    quantity: str


class ShoppingLineOut(Schema):
    item: ItemOut
    quantity: Decimal


class BudgetLineIn(Schema):
    fiscal_year: int = Field(..., examples=[2570])
    code: str
    name: str
    amount: str


class BudgetLineOut(Schema):
    id: int
    fiscal_year: int
    code: str
    name: str
    amount: Decimal
    reserved: Decimal
    spent: Decimal
    available: Decimal


class ApprovalLevelIn(Schema):
    min_amount: str
    title: str = ""


class ApprovalLevelOut(Schema):
    level: int
    min_amount: Decimal
    title: str


class RequisitionIn(Schema):
    budget_line_id: int
    justification: str
    needed_by: dt.date | None = None
    store: str = ""
    delivery_address: str = ""


class DecisionIn(Schema):
    decision: str = Field(..., description="approve, reject or return")
    reason: str = ""


class ResubmitIn(Schema):
    quantities: dict[int, str] = Field(
        {}, description="Line id → new quantity (0 removes the line)"
    )
    justification: str | None = None


class ReasonIn(Schema):
    reason: str = ""


class RequisitionLineOut(Schema):
    id: int
    description: str
    unit: str
    quantity: Decimal
    unit_price: Decimal
    line_total: Decimal
    supplier: str = Field(..., alias="supplier.business.name_th")


class DecisionOut(Schema):
    level: int
    decision: str
    reason: str
    approver: str = Field(..., alias="approver.username")
    decided_at: dt.datetime


class RequisitionOut(Schema):
    number: str
    agency: str = Field(..., alias="agency.code")
    status: str
    source: str
    requester: str = Field(..., alias="requester.username")
    budget_line: str = Field(..., alias="budget_line.code")
    justification: str
    total: Decimal
    required_levels: int
    approved_levels: int
    note: str
    submitted_at: dt.datetime | None
    lines: list[RequisitionLineOut]
    decisions: list[DecisionOut]
    orders: list[str]

    @staticmethod
    def resolve_orders(requisition) -> list[str]:
        return [order.number for order in requisition.orders.all()]


class OrderLineOut(Schema):
    id: int
    description: str
    unit: str
    quantity: Decimal
    unit_price: Decimal
    line_total: Decimal
    accepted: Decimal
    invoiced: Decimal


class OrderEventOut(Schema):
    status: str
    actor_name: str
    note: str
    at: dt.datetime


class OrderOut(Schema):
    number: str
    agency: str = Field(..., alias="agency.code")
    supplier: str = Field(..., alias="supplier.business.name_th")
    supplier_juristic_id: str = Field(..., alias="supplier.business.juristic_id")
    requisition: str = Field(..., alias="requisition.number")
    status: str
    total: Decimal
    vat: Decimal
    delivery_address: str
    delivery_due: dt.date | None
    issued_at: dt.datetime
    document_id: Any = None
    lines: list[OrderLineOut]
    events: list[OrderEventOut]


class ShipIn(Schema):
    note: str = ""


class ReceiptLineIn(Schema):
    order_line_id: int
    delivered: str
    accepted: str
    reason: str = ""


class ReceiptIn(Schema):
    lines: list[ReceiptLineIn]
    inspectors: list[str] = Field([], description="Usernames of the other committee members")
    note: str = ""


class ReceiptOut(Schema):
    number: str
    result: str
    inspected_at: dt.datetime


class InvoiceLineIn(Schema):
    order_line_id: int
    quantity: str
    unit_price: str


class InvoiceIn(Schema):
    supplier_number: str
    invoice_date: dt.date
    total: str
    lines: list[InvoiceLineIn]


class InvoiceOut(Schema):
    id: int
    order: str = Field(..., alias="order.number")
    supplier_number: str
    invoice_date: dt.date
    total: Decimal
    status: str
    mismatches: list[dict[str, Any]]
    payment_order_id: Any = None
    paid_at: dt.datetime | None
    bank_reference: str


class StoreIn(Schema):
    code: str
    name: str
    address: str
    keeper: str
    budget_line_id: int


class StockItemOut(Schema):
    item_id: int
    item: str = Field(..., alias="item.name_th")
    on_hand: Decimal
    reorder_point: Decimal
    reorder_quantity: Decimal


class StoreOut(Schema):
    code: str
    name: str
    address: str
    keeper: str = Field(..., alias="keeper.username")
    stock: list[StockItemOut]


class StockSetIn(Schema):
    reorder_point: str
    reorder_quantity: str


class StockIssueIn(Schema):
    item_id: int
    quantity: str
    reference: str = ""


class MovementOut(Schema):
    kind: str
    quantity: Decimal
    balance: Decimal
    reference: str
