"""Sealed-bid auctions (P-18): the buyer sees neither the standing nor the lowest price until the
close; one sealed bid per bidder, or several within the time when the auction allows it (the
last one counts). Sealing uses the vault (P-13):

* at scheduling, the auction gets its own vault key, split k-of-n among an opening committee
  (a tender's auction takes the tender's committee and threshold by default);
* each bid is sealed on the bidder's side to that key (the same envelope as a tender's bid, with
  the context `auction-bid|<auction>|<supplier>`) and gets a receipt signed by the platform;
  the database holds only the ciphertext;
* after the close, committee members release their shares (passphrase and authenticator code);
  the k-th release opens every bid, decides the winner (the lowest valid price; a tie goes to
  the bid sealed first) and, for a tender's auction, sets the prices its award is decided on.

The start price is the ceiling: an opened price above it, or not a positive amount in baht and
satang, does not count, and the reason is kept with the bid.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onestop.core import audit, money
from onestop.core.errors import ConflictError, InputError, PermissionDeniedError, choice_label
from onestop.documents.public import sign_statement
from onestop.identity.public import Principal
from onestop.procurement.domain import vault
from onestop.procurement.models import (
    Auction,
    AuctionBid,
    AuctionBidder,
    AuctionSeat,
    CommitteeSeat,
    Supplier,
    Tender,
)
from onestop.procurement.policies import require_supplier_member
from onestop.procurement.services.auctions import (
    AuctionClosedError,
    AuctionNotOpenError,
    NotAdmittedError,
    _auction,
    _local,
)
from onestop.procurement.services.vaults import committee_members, share_unlock, vault_seal


class NotSealedAuctionError(ConflictError):
    code = "auction_not_sealed"
    message = _("Auction %(reference)s is not a sealed-bid auction.")


class SealedBidMalformedError(InputError):
    code = "sealed_bid_malformed"
    message = _(
        "The sealed bid is not a vault envelope (%(problem)s). Seal it on the auction page or "
        "with the OneStop client."
    )


class SealedBidWrongKeyError(InputError):
    code = "sealed_bid_wrong_key"
    message = _(
        "This bid is sealed to another key, not to auction %(reference)s's vault. Reload the "
        "auction page and seal it again."
    )


class SealedBidOnceError(ConflictError):
    code = "sealed_bid_once"
    message = _("Auction %(reference)s takes one sealed bid per bidder; yours is already sealed.")


class NotOpeningCommitteeError(PermissionDeniedError):
    code = "auction_not_committee"
    message = _("You are not on the opening committee of auction %(reference)s.")


class OpeningTooEarlyError(ConflictError):
    code = "auction_opening_too_early"
    message = _(
        "The sealed bids of auction %(reference)s open after its close at %(at)s, not before."
    )


class AlreadyOpenedError(ConflictError):
    code = "auction_already_opened"
    message = _("The sealed bids of auction %(reference)s are already open.")


class ShareAlreadyReleasedError(ConflictError):
    code = "auction_share_released"
    message = _("You have already released your share of auction %(reference)s.")


def bid_context(reference: str, supplier_id: int) -> str:
    """What a sealed auction bid is bound to: this auction and this bidder."""
    return f"auction-bid|{reference}|{supplier_id}"


def _share_context(auction: Auction, index: int) -> str:
    return f"auction-share|{auction.reference}|{index}"


def seal_vault(
    auction: Auction, tender: Tender | None, committee: Sequence[str], threshold: int | None
) -> list[str]:
    """Give a new sealed-bid auction its vault (inside auction_create's transaction). Returns
    the committee's usernames."""
    usernames = [name.strip() for name in committee if name.strip()]
    if not usernames and tender is not None:
        seats = CommitteeSeat.objects.filter(tender=tender).select_related("user")
        usernames = [seat.user.get_username() for seat in seats]
        threshold = threshold or tender.threshold
    if threshold in (None, ""):
        raise InputError(
            _("Say how many committee members must release their share to open the bids."),
            field="threshold",
        )
    try:
        needed = int(threshold)
    except (TypeError, ValueError):
        raise InputError(_("Enter a whole number."), field="threshold") from None
    members = committee_members(auction.agency, usernames, needed)
    sealed = vault_seal(members, needed, lambda index: _share_context(auction, index))
    AuctionSeat.objects.bulk_create(
        AuctionSeat(
            auction=auction,
            user=seat.user,
            share_index=seat.share_index,
            share_digest=seat.share_digest,
            sealed_share=seat.sealed_share,
        )
        for seat in sealed.seats
    )
    auction.vault_public = sealed.public
    auction.vault_kid = sealed.kid
    auction.threshold = needed
    auction.save(update_fields=["vault_public", "vault_kid", "threshold"])
    return [user.get_username() for user, _key in members]


def _sealed_auction(reference: str) -> Auction:
    auction = _auction(reference, lock=True)
    if auction.kind != Auction.Kind.SEALED:
        raise NotSealedAuctionError(params={"reference": reference})
    return auction


@transaction.atomic
def sealed_bid_submit(
    *, actor: Principal, reference: str, supplier_id: int, sealed: bytes
) -> AuctionBid:
    """Store a sealed bid and give it a signed receipt; the platform never sees the price. The
    same envelope sent again returns its first receipt (a retry after a lost answer)."""
    supplier = Supplier.objects.select_related("business").filter(pk=supplier_id).first()
    if supplier is None:
        raise InputError(_("Choose the business you bid for."), field="supplier_id")
    require_supplier_member(actor, supplier.business_id, supplier.business.name_th)
    auction = _sealed_auction(reference)
    now = timezone.now()
    bidder = AuctionBidder.objects.filter(auction=auction, supplier=supplier).first()
    if bidder is None:
        raise NotAdmittedError(
            params={"business": supplier.business.name_th, "reference": reference}
        )
    sealed = bytes(sealed or b"")
    try:
        envelope = vault.inspect(sealed)
    except vault.VaultError as error:
        raise SealedBidMalformedError(field="sealed_bid", params={"problem": str(error)}) from error
    sha256 = vault.digest(sealed)
    earlier = AuctionBid.objects.filter(bidder=bidder, request_id=sha256).first()
    if earlier is not None:
        return earlier
    if supplier.status != Supplier.Status.APPROVED:
        raise PermissionDeniedError(
            _("%(business)s is %(status)s and cannot bid."),
            params={"business": supplier.business.name_th, "status": choice_label(supplier)},
        )
    if auction.status != Auction.Status.SCHEDULED or now >= auction.ends_at:
        raise AuctionClosedError(params={"reference": reference, "at": _local(auction.ends_at)})
    if now < auction.opens_at:
        raise AuctionNotOpenError(params={"reference": reference, "at": _local(auction.opens_at)})
    if envelope.kid != auction.vault_kid:
        raise SealedBidWrongKeyError(field="sealed_bid", params={"reference": reference})
    current = AuctionBid.objects.filter(bidder=bidder, superseded=False)
    if current.exists():
        if not auction.allow_resubmission:
            raise SealedBidOnceError(params={"reference": reference})
        current.update(superseded=True)
    sequence = auction.bids_count + 1
    receipt = vault.receipt_payload(
        tender=auction.reference,
        bidder=str(supplier.pk),
        submitted_at=now.isoformat(),
        sha256=sha256,
        sequence=sequence,
    )
    signed = sign_statement(receipt)
    bid = AuctionBid.objects.create(
        auction=auction,
        bidder=bidder,
        sequence=sequence,
        amount=None,
        received_at=now,
        request_id=sha256,
        sealed=sealed,
        sha256=sha256,
        receipt=receipt,
        receipt_signature=signed.signature,
        receipt_certificate=signed.certificate_pem,
    )
    auction.bids_count = sequence
    auction.save(update_fields=["bids_count"])
    audit.record(
        actor=actor,
        action="procurement.auction.sealed_bid",
        obj=bid,
        object_label=f"{reference} #{sequence}",
        agency_code=auction.agency.code,
        after={"bidder": bidder.label, "sha256": sha256},
    )
    from onestop.procurement.live import announce_bid

    transaction.on_commit(lambda: announce_bid(reference))
    return bid


@transaction.atomic
def sealed_share_release(
    *, actor: Principal, reference: str, passphrase: str, second_factor: str
) -> Auction:
    """A committee member releases their share after the close; the k-th release opens every
    sealed bid and decides the result."""
    from onestop.procurement.services.auctions import auctions_close_due

    if not actor.is_authenticated:
        raise NotOpeningCommitteeError(params={"reference": reference})
    auctions_close_due()
    auction = _sealed_auction(reference)
    seat = AuctionSeat.objects.filter(auction=auction, user_id=actor.user_id).first()
    if seat is None:
        raise NotOpeningCommitteeError(params={"reference": reference})
    if auction.status != Auction.Status.CLOSED:
        raise OpeningTooEarlyError(params={"reference": reference, "at": _local(auction.ends_at)})
    if auction.opened_at is not None:
        raise AlreadyOpenedError(params={"reference": reference})
    if seat.released_at is not None:
        raise ShareAlreadyReleasedError(params={"reference": reference})
    share = share_unlock(
        actor=actor,
        seat=seat,
        context=_share_context(auction, seat.share_index),
        reference=reference,
        passphrase=passphrase,
        second_factor=second_factor,
    )
    seat.released_at = timezone.now()
    seat.released_share = vault.share_bytes(share)
    seat.save(update_fields=["released_at", "released_share"])
    released = AuctionSeat.objects.filter(auction=auction, released_at__isnull=False).count()
    audit.record(
        actor=actor,
        action="procurement.auction.share_release",
        obj=auction,
        object_label=reference,
        agency_code=auction.agency.code,
        after={"share_index": seat.share_index, "released": released, "needed": auction.threshold},
    )
    if released >= auction.threshold:
        _open(auction, actor)
    return auction


def _price(content: bytes, ceiling: Decimal) -> Decimal:
    data = json.loads(content)
    if not isinstance(data, dict) or "price" not in data:
        raise ValueError("the bid has no price")
    price = money.amount(data["price"], field="price")
    if price > ceiling:
        raise ValueError(f"{price:,.2f} baht is above the start price of {ceiling:,.2f} baht")
    return price


def _open(auction: Auction, actor: Principal) -> None:
    seats = list(AuctionSeat.objects.filter(auction=auction, released_at__isnull=False))
    shares = [vault.share_from_bytes(bytes(seat.released_share)) for seat in seats]
    private = vault.combine(shares, auction.threshold, bytes(auction.vault_public))
    best: AuctionBid | None = None
    opened = invalid = 0
    bids = AuctionBid.objects.filter(auction=auction).select_related("bidder").order_by("sequence")
    for bid in bids:
        problem = ""
        price = None
        if vault.digest(bytes(bid.sealed)) != bid.sha256:
            problem = "The stored envelope does not match its receipt."
        else:
            try:
                content = vault.open_sealed(
                    private,
                    bytes(bid.sealed),
                    bid_context(auction.reference, bid.bidder.supplier_id),
                )
                price = _price(content, auction.start_price)
            except (vault.VaultError, ValueError, UnicodeDecodeError, InputError) as error:
                problem = str(error)[:300]
        bid.amount = price
        bid.problem = problem
        bid.save(update_fields=["amount", "problem"])
        if problem:
            invalid += 1
            continue
        opened += 1
        # The lowest counting price wins; of equal prices the one sealed first (lower sequence).
        if not bid.superseded and (best is None or price < best.amount):
            best = bid
    AuctionSeat.objects.filter(auction=auction).update(released_share=None)
    auction.vault_private_revealed = vault.private_scalar(private)
    auction.opened_at = timezone.now()
    auction.best_bid = best
    auction.save(update_fields=["vault_private_revealed", "opened_at", "best_bid"])
    if auction.tender_id:
        from onestop.procurement.services.awarding import apply_auction_result

        apply_auction_result(
            auction.tender_id,
            {
                bid.bidder.supplier_id: bid.amount
                for bid in AuctionBid.objects.filter(
                    auction=auction, superseded=False, amount__isnull=False
                ).select_related("bidder")
            },
        )
    audit.record(
        actor=actor,
        action="procurement.auction.open",
        obj=auction,
        object_label=auction.reference,
        agency_code=auction.agency.code,
        after={
            "opened": opened,
            "invalid": invalid,
            "vault_kid": auction.vault_kid,
            "winner": best.bidder.label if best else None,
            "amount": best.amount if best else None,
        },
    )
    from onestop.procurement.live import announce_bid
    from onestop.procurement.tasks import auction_result_enqueue

    reference = auction.reference
    transaction.on_commit(lambda: announce_bid(reference))
    transaction.on_commit(lambda: auction_result_enqueue(reference))
