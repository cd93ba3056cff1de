"""Tenders and the electronic vault (P-10 to P-13).

The vault keeps only what cannot open a bid: the tender's public key, each committee member's
share sealed to that member's own key, and the bidders' sealed envelopes. The private key is
rebuilt in memory at opening from k released shares, and only then published for verification.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from onestop.procurement.models.purchasing import MONEY, QUANTITY


class VaultMemberKey(models.Model):
    """A committee member's own key pair; the private half is wrapped under their passphrase."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="vault_key"
    )
    public = models.BinaryField()
    encrypted_private = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"vault key of user {self.user_id}"


class Tender(models.Model):
    class Method(models.TextChoices):
        E_BIDDING = "e_bidding", _("e-bidding")
        E_MARKET = "e_market", _("e-market (RFQ)")
        SPECIFIC = "specific", _("Specific method")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Open for bids")
        OPENED = "opened", _("Bids opened: evaluation")
        AWARDED = "awarded", _("Awarded: standstill")
        CONTRACTED = "contracted", _("Contract signed")
        CANCELLED = "cancelled", _("Cancelled")

    class AwardCriteria(models.TextChoices):
        LOWEST_PRICE = "lowest_price", _("Lowest price")
        PRICE_PERFORMANCE = "price_performance", _("Price and performance")

    agency = models.ForeignKey("identity.Agency", on_delete=models.PROTECT, related_name="+")
    plan_item = models.ForeignKey(
        "procurement.PlanItem",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tenders",
        verbose_name=_("plan project"),
    )
    reference = models.CharField(_("reference"), max_length=30, unique=True)
    fiscal_year = models.PositiveIntegerField(_("fiscal year"))
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    method = models.CharField(_("method"), max_length=16, choices=Method.choices)
    budget = models.DecimalField(_("budget"), **MONEY)
    reference_price = models.DecimalField(_("reference price"), default=0, **MONEY)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    allow_resubmission = models.BooleanField(_("bidders may submit again"), default=True)
    clarification_deadline = models.DateTimeField(_("questions until"))
    submission_deadline = models.DateTimeField(_("bids until"))
    opening_at = models.DateTimeField(_("opening from"))
    threshold = models.PositiveSmallIntegerField(_("committee members needed to open"), default=2)
    # Evaluation and award (P-14, P-15).
    qualification_rules = models.JSONField(_("qualification rules"), default=list, blank=True)
    award_criteria = models.CharField(
        _("award criteria"),
        max_length=20,
        choices=AwardCriteria.choices,
        default=AwardCriteria.LOWEST_PRICE,
    )
    price_weight = models.PositiveSmallIntegerField(_("weight of price, percent"), default=100)
    award_due = models.DateField(_("award expected by"), null=True, blank=True)
    standstill_days = models.PositiveSmallIntegerField(_("standstill (days)"), default=7)
    awarded_submission = models.ForeignKey(
        "procurement.Submission",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    awarded_at = models.DateTimeField(null=True, blank=True)
    standstill_until = models.DateTimeField(null=True, blank=True)
    status_note = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    # The vault: the public key from publication; the private scalar only after opening.
    vault_public = models.BinaryField(null=True)
    vault_kid = models.CharField(max_length=32, blank=True)
    vault_private_revealed = models.BinaryField(null=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(clarification_deadline__lte=models.F("submission_deadline"))
                & models.Q(submission_deadline__lte=models.F("opening_at")),
                name="tender_timeline_in_order",
            ),
            models.CheckConstraint(condition=models.Q(budget__gt=0), name="tender_budget_positive"),
            models.CheckConstraint(
                condition=models.Q(price_weight__gte=1) & models.Q(price_weight__lte=100),
                name="tender_price_weight_percent",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "published_at"], name="tender_status_published"),
            models.Index(fields=["agency", "status", "published_at"], name="tender_agency_status"),
            models.Index(fields=["published_at", "id"], name="tender_published"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"


class TenderLine(models.Model):
    """What is bought, with the reference price (ราคากลาง) broken down per line."""

    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField()
    description = models.CharField(_("description"), max_length=300)
    quantity = models.DecimalField(_("quantity"), **QUANTITY)
    unit = models.CharField(_("unit"), max_length=30)
    unit_reference_price = models.DecimalField(_("reference unit price"), **MONEY)
    source = models.CharField(_("source of the reference price"), max_length=300, blank=True)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["tender", "position"], name="tender_line_once"),
            models.CheckConstraint(
                condition=models.Q(quantity__gt=0) & models.Q(unit_reference_price__gt=0),
                name="tender_line_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.description

    @property
    def amount(self):
        return (self.quantity * self.unit_reference_price).quantize(self.unit_reference_price)


class CommitteeSeat(models.Model):
    """A bid-opening committee member's seat: their share, sealed to their own key."""

    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="committee")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    share_index = models.PositiveSmallIntegerField()
    sealed_share = models.BinaryField()
    share_digest = models.CharField(max_length=64)
    released_at = models.DateTimeField(null=True, blank=True)
    # Kept only between release and opening (after the opening time); wiped once opened.
    released_share = models.BinaryField(null=True)

    class Meta:
        ordering = ["share_index"]
        constraints = [
            models.UniqueConstraint(fields=["tender", "user"], name="committee_seat_once"),
            models.UniqueConstraint(fields=["tender", "share_index"], name="committee_index_once"),
        ]

    def __str__(self) -> str:
        return f"{self.tender_id} seat {self.share_index}"


class Submission(models.Model):
    """A sealed bid as received: only ciphertext until the vault opens."""

    class Outcome(models.TextChoices):
        SEALED = "sealed", _("Sealed")
        OPENED = "opened", _("Opened")
        INVALID = "invalid", _("Could not be opened")

    tender = models.ForeignKey(Tender, on_delete=models.PROTECT, related_name="submissions")
    supplier = models.ForeignKey(
        "procurement.Supplier", on_delete=models.PROTECT, related_name="submissions"
    )
    sequence = models.PositiveIntegerField()
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField()
    sealed = models.BinaryField()
    sha256 = models.CharField(max_length=64)
    receipt = models.BinaryField()
    receipt_signature = models.TextField()
    receipt_certificate = models.TextField()
    superseded = models.BooleanField(default=False)
    outcome = models.CharField(max_length=8, choices=Outcome.choices, default=Outcome.SEALED)
    opened_content = models.TextField(blank=True)
    price = models.DecimalField(null=True, blank=True, **MONEY)
    problem = models.CharField(max_length=300, blank=True)
    # The bidder's best price in the tender's reverse auction, when one was held: it replaces
    # the sealed price for the award.
    auction_price = models.DecimalField(null=True, blank=True, **MONEY)
    # Evaluation by the committee after opening.
    qualified = models.BooleanField(null=True)
    qualification_note = models.CharField(max_length=500, blank=True)
    technical_score = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    score = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    rank = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["tender", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["tender", "sequence"], name="submission_sequence_once"),
            models.UniqueConstraint(
                fields=["tender", "supplier"],
                condition=models.Q(superseded=False),
                name="submission_one_current_per_supplier",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tender_id} #{self.sequence}"

    @property
    def final_price(self):
        """The price the award is decided on: the auction's, else the sealed bid's."""
        return self.auction_price if self.auction_price is not None else self.price


MAX_DOCUMENT_MB = 10


class TenderDocument(models.Model):
    """Invitation, terms of reference, reference price breakdown: public once published."""

    class Kind(models.TextChoices):
        INVITATION = "invitation", _("Invitation (ประกาศเชิญชวน)")
        TERMS = "terms", _("Terms of reference (TOR)")
        REFERENCE_PRICE = "reference_price", _("Reference price breakdown (ราคากลาง)")
        ANSWER = "answer", _("Clarification annex")
        RESULT = "result", _("Result announcement")
        OTHER = "other", _("Other document")

    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    file_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    data = models.BinaryField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.file_name


class ProposalDocument(models.Model):
    """A document of a bid, sealed by the server to the tender's vault key as it arrives:
    the database holds only ciphertext until the vault opens."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="documents")
    position = models.PositiveSmallIntegerField()
    file_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sealed = models.BinaryField()
    sha256 = models.CharField(max_length=64)
    data = models.BinaryField(null=True)

    class Meta:
        ordering = ["submission", "position"]
        constraints = [
            models.UniqueConstraint(fields=["submission", "position"], name="proposal_doc_once")
        ]

    def __str__(self) -> str:
        return self.file_name


class Clarification(models.Model):
    """A supplier's question before the clarification deadline and the published answer."""

    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="clarifications")
    supplier = models.ForeignKey("procurement.Supplier", on_delete=models.PROTECT, related_name="+")
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    question = models.TextField(_("question"))
    asked_at = models.DateTimeField()
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["asked_at", "pk"]

    def __str__(self) -> str:
        return f"{self.tender_id} Q{self.pk}"


class Complaint(models.Model):
    """An appeal against the award during the standstill: while open, no contract is signed."""

    class Status(models.TextChoices):
        OPEN = "open", _("Under review")
        UPHELD = "upheld", _("Upheld: award withdrawn")
        DISMISSED = "dismissed", _("Dismissed")

    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="complaints")
    supplier = models.ForeignKey("procurement.Supplier", on_delete=models.PROTECT, related_name="+")
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    grounds = models.TextField(_("grounds"))
    filed_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    decision = models.TextField(_("decision"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["filed_at", "pk"]

    def __str__(self) -> str:
        return f"{self.tender_id} complaint {self.pk}"


class Contract(models.Model):
    """The contract with the winner; its purchase order carries delivery, inspection and payment."""

    number = models.CharField(_("contract number"), max_length=30, unique=True)
    tender = models.OneToOneField(Tender, on_delete=models.PROTECT, related_name="contract")
    submission = models.ForeignKey(Submission, on_delete=models.PROTECT, related_name="+")
    supplier = models.ForeignKey(
        "procurement.Supplier", on_delete=models.PROTECT, related_name="contracts"
    )
    amount = models.DecimalField(_("contract value"), **MONEY)
    delivery_due = models.DateField(_("deliver by"))
    penalty_rate = models.DecimalField(
        _("late penalty, percent of the late value a day"), max_digits=4, decimal_places=2
    )
    order = models.OneToOneField(
        "procurement.PurchaseOrder", on_delete=models.PROTECT, related_name="contract"
    )
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField()

    class Meta:
        ordering = ["-signed_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="contract_amount_positive"
            )
        ]
        indexes = [models.Index(fields=["signed_at", "id"], name="contract_signed")]

    def __str__(self) -> str:
        return self.number
