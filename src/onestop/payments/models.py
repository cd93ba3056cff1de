"""Payments (C-06): orders to pay suppliers, bills payable by Thai QR, and every bank event."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

MONEY = {"max_digits": 14, "decimal_places": 2}


class PaymentOrder(models.Model):
    """An order to the bank to pay someone. The row is its own outbox: it is written in the
    caller's transaction and a task sends it until the bank accepts it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent to the bank")
        SENT = "sent", _("Accepted by the bank")
        PAID = "paid", _("Paid")
        FAILED = "failed", _("Failed")

    class Method(models.TextChoices):
        PROMPTPAY = "promptpay", _("PromptPay")
        BANK_ACCOUNT = "bank_account", _("Bank account")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    reference = models.CharField(_("reference"), max_length=30, unique=True)
    idempotency_key = models.CharField(max_length=100, unique=True)
    source = models.CharField(max_length=50)
    source_id = models.CharField(max_length=64)
    payer_name = models.CharField(_("payer"), max_length=255)
    payer_account = models.CharField(_("payer account"), max_length=50)
    payee_name = models.CharField(_("payee"), max_length=255)
    payee_method = models.CharField(_("paid by"), max_length=16, choices=Method)
    payee_promptpay_id = models.CharField(max_length=15, blank=True)
    payee_bank_code = models.CharField(max_length=3, blank=True)
    payee_account_number = models.CharField(max_length=15, blank=True)
    amount = models.DecimalField(_("amount"), **MONEY)
    description = models.CharField(_("description"), max_length=255)
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    bank_reference = models.CharField(max_length=64, blank=True)
    failure_reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    settled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["payer_account", "-created_at"], name="payment_payer"),
            models.Index(fields=["source", "source_id"], name="payment_source"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.amount} → {self.payee_name}"


class Bill(models.Model):
    """Money someone owes the government, payable by scanning a Thai QR (bill payment)."""

    class Status(models.TextChoices):
        OPEN = "open", _("Waiting for payment")
        PAID = "paid", _("Paid")
        CANCELLED = "cancelled", _("Cancelled")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    biller_id = models.CharField(_("biller ID"), max_length=15)
    ref1 = models.CharField(_("reference 1"), max_length=20)
    ref2 = models.CharField(_("reference 2"), max_length=20, blank=True)
    amount = models.DecimalField(_("amount"), **MONEY)
    description = models.CharField(_("description"), max_length=255)
    source = models.CharField(max_length=50)
    source_id = models.CharField(max_length=64)
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    payer_name = models.CharField(max_length=255, blank=True)
    bank_reference = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["biller_id", "ref1", "ref2"], name="bill_refs_once")
        ]

    def __str__(self) -> str:
        return f"{self.ref1} {self.amount}"


class BankEvent(models.Model):
    """Every callback the bank sent, applied or refused, kept for the record and reconciliation."""

    class Outcome(models.TextChoices):
        APPLIED = "applied", pgettext_lazy("bank callback outcome", "Applied")
        DUPLICATE = "duplicate", _("Already applied")
        REFUSED = "refused", _("Refused")

    event_id = models.CharField(max_length=100, blank=True)
    type = models.CharField(max_length=50, blank=True)
    bank_reference = models.CharField(max_length=64, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome)
    detail = models.CharField(max_length=300, blank=True)
    body = models.TextField()
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["event_id"],
                condition=models.Q(outcome="applied"),
                name="bank_event_applied_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.event_id} {self.type} {self.outcome}"
