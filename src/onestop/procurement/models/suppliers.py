"""Suppliers (P-01): a registered business that applied to sell to government and was approved."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

BANKS = [
    ("002", "ธนาคารกรุงเทพ (BBL)"),
    ("004", "ธนาคารกสิกรไทย (KBANK)"),
    ("006", "ธนาคารกรุงไทย (KTB)"),
    ("011", "ธนาคารทหารไทยธนชาต (TTB)"),
    ("014", "ธนาคารไทยพาณิชย์ (SCB)"),
    ("022", "ธนาคารซีไอเอ็มบีไทย (CIMBT)"),
    ("024", "ธนาคารยูโอบี (UOB)"),
    ("025", "ธนาคารกรุงศรีอยุธยา (BAY)"),
    ("030", "ธนาคารออมสิน (GSB)"),
    ("033", "ธนาคารอาคารสงเคราะห์ (GHB)"),
    ("034", "ธนาคารเพื่อการเกษตรและสหกรณ์การเกษตร (BAAC)"),
    ("066", "ธนาคารอิสลามแห่งประเทศไทย (IBANK)"),
    ("067", "ธนาคารทิสโก้ (TISCO)"),
    ("069", "ธนาคารเกียรตินาคินภัทร (KKP)"),
    ("073", "ธนาคารแลนด์ แอนด์ เฮ้าส์ (LHB)"),
]


class Supplier(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for review")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        SUSPENDED = "suspended", _("Suspended")

    class PayoutMethod(models.TextChoices):
        PROMPTPAY = "promptpay", _("PromptPay")
        BANK_ACCOUNT = "bank_account", _("Bank account")

    business = models.OneToOneField(
        "identity.Business", on_delete=models.PROTECT, related_name="supplier"
    )
    status = models.CharField(_("status"), max_length=16, choices=Status, default=Status.PENDING)
    categories = models.ManyToManyField("procurement.Category", related_name="suppliers")
    address = models.TextField(_("address for orders and deliveries"))
    contact_name = models.CharField(_("contact person"), max_length=200)
    contact_phone = models.CharField(_("contact telephone"), max_length=20)
    contact_email = models.EmailField(_("contact e-mail"))
    payout_method = models.CharField(_("paid by"), max_length=16, choices=PayoutMethod)
    promptpay_id = models.CharField(_("PromptPay ID"), max_length=15, blank=True)
    bank_code = models.CharField(_("bank"), max_length=3, choices=BANKS, blank=True)
    bank_account_number = models.CharField(_("account number"), max_length=15, blank=True)
    bank_account_name = models.CharField(_("account name"), max_length=200, blank=True)
    applied_at = models.DateTimeField(_("applied"))
    applied_by = models.ForeignKey(
        "identity.User", on_delete=models.PROTECT, related_name="+", null=True
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        "identity.User", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    decision_reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("supplier")
        verbose_name_plural = _("suppliers")
        indexes = [models.Index(fields=["status", "applied_at"], name="supplier_status")]

    def __str__(self) -> str:
        return self.business.name_th

    @property
    def may_sell(self) -> bool:
        return self.status == self.Status.APPROVED


class SupplierDocument(models.Model):
    class Kind(models.TextChoices):
        COMPANY_CERTIFICATE = "company_certificate", _("Company registration certificate")
        VAT_REGISTRATION = "vat_registration", _("VAT registration (ภ.พ.20)")
        BANK_BOOK = "bank_book", _("Bank book page")
        OTHER = "other", _("Other document")

    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("kind"), max_length=32, choices=Kind)
    file_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    data = models.BinaryField()
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.file_name}"
