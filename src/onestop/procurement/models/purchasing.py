"""Buying from the catalog: budget, requisition and its approvals (P-03, P-04), purchase order
(P-05), inspection and goods receipt (P-06), invoice and payment (P-07)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

MONEY = {"max_digits": 14, "decimal_places": 2}
QUANTITY = {"max_digits": 12, "decimal_places": 3}


class DocumentCounter(models.Model):
    """Running numbers per agency, kind and fiscal year: PR-2570-000001, PO-2570-000001."""

    agency = models.ForeignKey("identity.Agency", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=8)
    fiscal_year = models.PositiveIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "kind", "fiscal_year"], name="counter_once")
        ]

    def __str__(self) -> str:
        return f"{self.kind}-{self.fiscal_year} #{self.last}"


class BudgetLine(models.Model):
    """An agency's budget for one purpose in one fiscal year (Buddhist Era, from 1 October)."""

    agency = models.ForeignKey(
        "identity.Agency", on_delete=models.PROTECT, related_name="budget_lines"
    )
    fiscal_year = models.PositiveIntegerField(_("fiscal year"))
    code = models.CharField(_("budget code"), max_length=30)
    name = models.CharField(_("name"), max_length=200)
    amount = models.DecimalField(_("allocated"), **MONEY)
    reserved = models.DecimalField(_("reserved by requisitions and orders"), default=0, **MONEY)
    spent = models.DecimalField(_("paid"), default=0, **MONEY)

    class Meta:
        ordering = ["fiscal_year", "code"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "fiscal_year", "code"], name="budget_once"),
            models.CheckConstraint(
                condition=models.Q(reserved__gte=0) & models.Q(spent__gte=0),
                name="budget_not_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(amount__gte=models.F("reserved") + models.F("spent")),
                name="budget_not_overrun",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name} ({self.fiscal_year})"

    @property
    def available(self):
        return self.amount - self.reserved - self.spent


class ApprovalLevel(models.Model):
    """Requisitions of at least `min_amount` need an approval at this level (1, 2, 3...)."""

    agency = models.ForeignKey(
        "identity.Agency", on_delete=models.PROTECT, related_name="approval_levels"
    )
    level = models.PositiveSmallIntegerField(_("level"))
    min_amount = models.DecimalField(_("from amount"), **MONEY)
    title = models.CharField(_("who approves at this level"), max_length=200, blank=True)

    class Meta:
        ordering = ["level"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "level"], name="approval_level_once")
        ]

    def __str__(self) -> str:
        return f"{self.agency_id} L{self.level} ≥ {self.min_amount}"


class Requisition(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Waiting for approval")
        RETURNED = "returned", _("Returned for changes")
        REJECTED = "rejected", _("Rejected")
        CANCELLED = "cancelled", _("Cancelled")
        APPROVED = "approved", _("Approved")
        ORDERED = "ordered", _("Ordered")
        PAID = "paid", _("Paid")

    class Source(models.TextChoices):
        OFFICER = "officer", _("An officer")
        REORDER = "reorder", _("Automatic reorder")

    number = models.CharField(_("number"), max_length=20, unique=True)
    agency = models.ForeignKey("identity.Agency", on_delete=models.PROTECT, related_name="+")
    fiscal_year = models.PositiveIntegerField(_("fiscal year"))
    requester = models.ForeignKey("identity.User", on_delete=models.PROTECT, related_name="+")
    budget_line = models.ForeignKey(BudgetLine, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=16, choices=Status, default=Status.DRAFT)
    source = models.CharField(max_length=16, choices=Source, default=Source.OFFICER)
    justification = models.TextField(_("reason for buying"))
    needed_by = models.DateField(_("needed by"), null=True, blank=True)
    store = models.ForeignKey(
        "procurement.Store",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("deliver to store"),
    )
    delivery_address = models.TextField(_("deliver to"), blank=True)
    total = models.DecimalField(_("total"), **MONEY)
    required_levels = models.PositiveSmallIntegerField(default=1)
    approved_levels = models.PositiveSmallIntegerField(default=0)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["agency", "status"], name="requisition_agency_status")]

    def __str__(self) -> str:
        return self.number


class RequisitionLine(models.Model):
    requisition = models.ForeignKey(Requisition, on_delete=models.CASCADE, related_name="lines")
    item = models.ForeignKey("procurement.CatalogItem", on_delete=models.PROTECT, related_name="+")
    supplier = models.ForeignKey("procurement.Supplier", on_delete=models.PROTECT, related_name="+")
    description = models.CharField(max_length=255)
    unit = models.CharField(max_length=30)
    quantity = models.DecimalField(**QUANTITY)
    unit_price = models.DecimalField(**MONEY)
    line_total = models.DecimalField(**MONEY)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.quantity} {self.unit} {self.description}"


class RequisitionDecision(models.Model):
    class Decision(models.TextChoices):
        APPROVE = "approve", _("Approved")
        REJECT = "reject", _("Rejected")
        RETURN = "return", _("Returned for changes")

    requisition = models.ForeignKey(Requisition, on_delete=models.CASCADE, related_name="decisions")
    approver = models.ForeignKey("identity.User", on_delete=models.PROTECT, related_name="+")
    level = models.PositiveSmallIntegerField()
    decision = models.CharField(max_length=8, choices=Decision)
    reason = models.TextField(blank=True)
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["decided_at", "pk"]

    def __str__(self) -> str:
        return f"{self.requisition} L{self.level} {self.decision}"


class PurchaseOrder(models.Model):
    class Status(models.TextChoices):
        ISSUED = "issued", _("Issued")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged by the supplier")
        SHIPPED = "shipped", _("Shipped")
        PARTIALLY_DELIVERED = "partially_delivered", _("Partly delivered")
        DELIVERED = "delivered", _("Delivered")
        CLOSED = "closed", _("Closed (paid)")
        CANCELLED = "cancelled", _("Cancelled")

    number = models.CharField(_("number"), max_length=20, unique=True)
    agency = models.ForeignKey("identity.Agency", on_delete=models.PROTECT, related_name="+")
    supplier = models.ForeignKey(
        "procurement.Supplier", on_delete=models.PROTECT, related_name="orders"
    )
    # A catalog order comes from a requisition; a tender's order from its contract.
    requisition = models.ForeignKey(
        Requisition, on_delete=models.PROTECT, null=True, blank=True, related_name="orders"
    )
    budget_line = models.ForeignKey(BudgetLine, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=20, choices=Status, default=Status.ISSUED)
    total = models.DecimalField(_("total, VAT included"), **MONEY)
    vat = models.DecimalField(_("of which VAT"), **MONEY)
    delivery_address = models.TextField(_("deliver to"))
    delivery_due = models.DateField(_("deliver by"), null=True, blank=True)
    store = models.ForeignKey(
        "procurement.Store", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    document = models.ForeignKey(
        "documents.Document", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    issued_by = models.ForeignKey("identity.User", on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField()
    # Late delivery: a daily penalty on the value delivered late (contracts), and its total.
    penalty_rate = models.DecimalField(default=0, max_digits=4, decimal_places=2)
    penalty = models.DecimalField(default=0, **MONEY)

    class Meta:
        ordering = ["-issued_at"]
        indexes = [
            models.Index(fields=["agency", "status"], name="po_agency_status"),
            models.Index(fields=["supplier", "status"], name="po_supplier_status"),
        ]

    def __str__(self) -> str:
        return self.number


class PurchaseOrderLine(models.Model):
    order = models.ForeignKey(PurchaseOrder, on_delete=models.CASCADE, related_name="lines")
    item = models.ForeignKey(
        "procurement.CatalogItem", on_delete=models.PROTECT, null=True, related_name="+"
    )
    description = models.CharField(max_length=255)
    unit = models.CharField(max_length=30)
    quantity = models.DecimalField(**QUANTITY)
    unit_price = models.DecimalField(**MONEY)
    line_total = models.DecimalField(**MONEY)
    accepted = models.DecimalField(default=0, **QUANTITY)
    invoiced = models.DecimalField(default=0, **QUANTITY)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.quantity} {self.unit} {self.description}"


class PurchaseOrderEvent(models.Model):
    """The order's tracking timeline: one row per status change, with who and a note."""

    order = models.ForeignKey(PurchaseOrder, on_delete=models.CASCADE, related_name="events")
    status = models.CharField(max_length=20, choices=PurchaseOrder.Status)
    actor_name = models.CharField(max_length=200)
    note = models.TextField(blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.order} {self.status}"


class GoodsReceipt(models.Model):
    """The inspection committee's record of a delivery (ใบตรวจรับพัสดุ)."""

    class Result(models.TextChoices):
        FULL = "full", _("Accepted in full")
        PARTIAL = "partial", _("Partly accepted")
        REJECTED = "rejected", _("Rejected")

    number = models.CharField(_("number"), max_length=20, unique=True)
    order = models.ForeignKey(PurchaseOrder, on_delete=models.PROTECT, related_name="receipts")
    result = models.CharField(_("result"), max_length=10, choices=Result)
    recorded_by = models.ForeignKey("identity.User", on_delete=models.PROTECT, related_name="+")
    inspectors = models.ManyToManyField("identity.User", related_name="+")
    note = models.TextField(_("note"), blank=True)
    inspected_at = models.DateTimeField()

    class Meta:
        ordering = ["inspected_at", "pk"]

    def __str__(self) -> str:
        return self.number


class GoodsReceiptLine(models.Model):
    receipt = models.ForeignKey(GoodsReceipt, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(PurchaseOrderLine, on_delete=models.PROTECT, related_name="+")
    delivered = models.DecimalField(**QUANTITY)
    accepted = models.DecimalField(**QUANTITY)
    reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.receipt}: {self.accepted}/{self.delivered}"


class Invoice(models.Model):
    class Status(models.TextChoices):
        MISMATCH = "mismatch", _("Does not match the order and receipt")
        MATCHED = "matched", _("Matched: payment started")
        PAID = "paid", _("Paid")
        PAYMENT_FAILED = "payment_failed", _("Payment failed")

    order = models.ForeignKey(PurchaseOrder, on_delete=models.PROTECT, related_name="invoices")
    supplier_number = models.CharField(_("invoice number"), max_length=40)
    invoice_date = models.DateField(_("invoice date"))
    total = models.DecimalField(_("total, VAT included"), **MONEY)
    status = models.CharField(_("status"), max_length=16, choices=Status)
    mismatches = models.JSONField(default=list, blank=True)
    # The contract's late-delivery penalty kept back from this payment.
    penalty_deducted = models.DecimalField(default=0, **MONEY)
    payment_order_id = models.UUIDField(null=True, blank=True)
    payment_attempts = models.PositiveSmallIntegerField(default=0)
    submitted_by = models.ForeignKey("identity.User", on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(auto_now_add=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    bank_reference = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-submitted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["order", "supplier_number"], name="invoice_number_once_per_order"
            )
        ]

    def __str__(self) -> str:
        return f"{self.supplier_number} ({self.order})"


class InvoiceLine(models.Model):
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(PurchaseOrderLine, on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(**QUANTITY)
    unit_price = models.DecimalField(**MONEY)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.invoice}: {self.quantity} × {self.unit_price}"
