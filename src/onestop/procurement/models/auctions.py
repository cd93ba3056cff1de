"""Live e-Auctions (P-17 to P-20): the clock, the standing and every accepted bid live in the
database, so a restarted server resumes each auction where it was and no acknowledged bid is
lost."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from onestop.procurement.models.purchasing import MONEY


class Auction(models.Model):
    class Kind(models.TextChoices):
        REVERSE = "reverse", _("Reverse auction (lowest price wins)")
        FORWARD = "forward", _("Forward auction of assets (highest price wins)")
        SEALED = "sealed", _("Sealed-bid auction (lowest sealed price wins)")

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        CLOSED = "closed", _("Closed")
        CANCELLED = "cancelled", _("Cancelled")

    reference = models.CharField(_("reference"), max_length=30, unique=True)
    agency = models.ForeignKey("identity.Agency", on_delete=models.PROTECT, related_name="+")
    tender = models.ForeignKey(
        "procurement.Tender",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="auctions",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    reference_price = models.DecimalField(_("reference price"), null=True, blank=True, **MONEY)
    start_price = models.DecimalField(_("start price"), **MONEY)
    reserve_price = models.DecimalField(_("reserve price"), null=True, blank=True, **MONEY)
    step_amount = models.DecimalField(_("minimum step (baht)"), null=True, blank=True, **MONEY)
    step_percent = models.DecimalField(
        _("minimum step, percent"), null=True, blank=True, max_digits=5, decimal_places=2
    )
    opens_at = models.DateTimeField(_("starts at"))
    planned_end = models.DateTimeField(_("ends at"))
    ends_at = models.DateTimeField(_("ends at, with extensions"))
    extension_window = models.PositiveIntegerField(
        _("a bid this many seconds before the end extends it"), default=180
    )
    extension = models.PositiveIntegerField(_("extension (seconds)"), default=180)
    deposit = models.DecimalField(_("deposit"), default=0, **MONEY)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    # The standing, kept with the auction row and changed under its lock.
    best_bid = models.ForeignKey(
        "procurement.AuctionBid", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    bids_count = models.PositiveIntegerField(default=0)
    extensions = models.PositiveIntegerField(default=0)
    closed_at = models.DateTimeField(null=True, blank=True)
    # A sealed-bid auction (P-18) keeps its bids in the vault: sealed to this key, whose private
    # half is split among the opening committee (AuctionSeat) like a tender's, so nobody, the
    # database's owner included, learns a price before the committee opens it after the close.
    allow_resubmission = models.BooleanField(
        _("bidders may seal a new bid within the time; the last one counts"), default=False
    )
    vault_public = models.BinaryField(null=True)
    vault_kid = models.CharField(max_length=32, blank=True)
    threshold = models.PositiveSmallIntegerField(null=True, blank=True)
    vault_private_revealed = models.BinaryField(null=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-opens_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(opens_at__lt=models.F("planned_end"))
                & models.Q(planned_end__lte=models.F("ends_at")),
                name="auction_timeline_in_order",
            ),
            models.CheckConstraint(
                condition=models.Q(start_price__gt=0), name="auction_start_price_positive"
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(step_amount__isnull=False, step_percent__isnull=True)
                    | models.Q(step_amount__isnull=True, step_percent__isnull=False)
                    | models.Q(kind="sealed", step_amount__isnull=True, step_percent__isnull=True)
                ),
                name="auction_one_kind_of_step",
            ),
        ]
        indexes = [models.Index(fields=["status", "ends_at"], name="auction_status_end")]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"


class AuctionBidder(models.Model):
    """A bidder admitted to an auction, known to other bidders only by its label."""

    auction = models.ForeignKey(Auction, on_delete=models.CASCADE, related_name="bidders")
    supplier = models.ForeignKey(
        "procurement.Supplier", on_delete=models.PROTECT, related_name="auction_seats"
    )
    label = models.CharField(max_length=20)
    deposit_paid_at = models.DateTimeField(null=True, blank=True)
    deposit_bill = models.UUIDField(null=True, blank=True)
    admitted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["auction", "label"]
        constraints = [
            models.UniqueConstraint(fields=["auction", "supplier"], name="auction_bidder_once"),
            models.UniqueConstraint(fields=["auction", "label"], name="auction_label_once"),
        ]

    def __str__(self) -> str:
        return f"{self.auction_id} {self.label}"


class AuctionSeat(models.Model):
    """A member of a sealed-bid auction's opening committee: their share of its vault key,
    sealed to their own key."""

    auction = models.ForeignKey(Auction, on_delete=models.CASCADE, related_name="committee")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    share_index = models.PositiveSmallIntegerField()
    sealed_share = models.BinaryField()
    share_digest = models.CharField(max_length=64)
    released_at = models.DateTimeField(null=True, blank=True)
    # Kept only between the release (after the close) and the opening; wiped once opened.
    released_share = models.BinaryField(null=True)

    class Meta:
        ordering = ["auction", "share_index"]
        constraints = [
            models.UniqueConstraint(fields=["auction", "user"], name="auction_seat_once"),
            models.UniqueConstraint(
                fields=["auction", "share_index"], name="auction_seat_index_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.auction_id} seat {self.share_index}"


class AuctionBid(models.Model):
    """An accepted bid. Written in the same transaction that moves the standing: once the bidder
    has its acknowledgement, the bid is on disk.

    In a sealed-bid auction the bid arrives as a vault envelope with a signed receipt and its
    amount stays empty until the committee opens the vault after the close."""

    auction = models.ForeignKey(Auction, on_delete=models.PROTECT, related_name="bids")
    bidder = models.ForeignKey(AuctionBidder, on_delete=models.PROTECT, related_name="bids")
    sequence = models.PositiveIntegerField()
    amount = models.DecimalField(null=True, blank=True, **MONEY)
    received_at = models.DateTimeField()
    request_id = models.CharField(max_length=64)
    extended_to = models.DateTimeField(null=True, blank=True)
    sealed = models.BinaryField(null=True)
    sha256 = models.CharField(max_length=64, blank=True)
    receipt = models.BinaryField(null=True)
    receipt_signature = models.TextField(blank=True)
    receipt_certificate = models.TextField(blank=True)
    # A later sealed bid of the same bidder replaced this one (when the auction allows it).
    superseded = models.BooleanField(default=False)
    # Why a sealed bid did not count when opened (it did not open, or its price is not valid).
    problem = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["auction", "sequence"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__isnull=False) | models.Q(sealed__isnull=False),
                name="auction_bid_amount_or_sealed",
            ),
            models.UniqueConstraint(fields=["auction", "sequence"], name="auction_bid_sequence"),
            models.UniqueConstraint(
                fields=["bidder", "request_id"], name="auction_bid_request_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.auction_id} #{self.sequence} {self.amount}"
