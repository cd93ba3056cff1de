"""Live e-Auctions (P-17, P-19, P-20): reverse auctions among a tender's qualified bidders and
forward auctions of surplus assets.

Every bid is placed under the auction row's lock, in one transaction that writes the bid and
moves the standing, so bids are ordered by their arrival at the lock (ties go to the earlier
bid: a later bid of the same amount does not improve on it) and an acknowledged bid is on disk.
The clock is the database's too: the end time (with its extensions) is a column, so a restarted
server carries on every auction where it was.
"""

from __future__ import annotations

import datetime as dt
import math
import secrets
import string
import threading
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, Decimal

from django.db import transaction
from django.db.models import Min, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onestop.core import audit, money
from onestop.core.errors import (
    ApplicationError,
    ConflictError,
    InputError,
    NotFoundError,
    PermissionDeniedError,
    choice_label,
    required_text,
)
from onestop.identity.public import Principal, Role
from onestop.procurement.models import (
    Auction,
    AuctionBid,
    AuctionBidder,
    Submission,
    Supplier,
    Tender,
)
from onestop.procurement.numbering import next_number
from onestop.procurement.policies import require_own_role, require_supplier_member

DEPOSIT_SOURCE = "procurement.auction_deposit"
CENT = Decimal("0.01")
MAX_STEP_PERCENT = Decimal("20")


class AuctionNotFoundError(NotFoundError):
    code = "auction_not_found"
    message = _("There is no auction %(reference)s.")


class AuctionNotOpenError(ConflictError):
    code = "auction_not_open"
    message = _("Auction %(reference)s opens at %(at)s; bids are accepted from then.")


class AuctionClosedError(ConflictError):
    code = "auction_closed"
    message = _("Auction %(reference)s closed at %(at)s; this bid came too late.")


class NotAdmittedError(PermissionDeniedError):
    code = "auction_not_admitted"
    message = _("%(business)s is not a qualified bidder of auction %(reference)s.")


class DepositUnpaidError(ConflictError):
    code = "auction_deposit_unpaid"
    message = _("Pay the deposit of %(amount)s baht (Thai QR on the auction page) before bidding.")


class SealedOnlyError(ConflictError):
    code = "auction_sealed_only"
    message = _(
        "Auction %(reference)s takes sealed bids only: seal your price on the auction page."
    )


class BidNotBetterError(InputError):
    code = "bid_not_better"
    message = _("%(need)s. Your bid of %(amount)s baht does not improve on it.")


class BidStepError(InputError):
    code = "bid_step"
    message = _(
        "Bids move in whole steps of %(step)s baht from the start price %(start)s baht; "
        "%(amount)s baht is not on a step. Try %(nearest)s baht."
    )


@dataclass(frozen=True)
class AuctionInput:
    kind: str
    title: str
    start_price: object
    opens_at: dt.datetime
    ends_at: dt.datetime
    step_amount: object = None
    step_percent: object = None
    reserve_price: object = None
    deposit: object = 0
    extension_window: int = 180
    extension: int = 180
    tender_reference: str | None = None
    suppliers: Sequence[int] = field(default_factory=tuple)
    description: str = ""
    # A reverse auction without a tender may carry the buyer's own reference price (the
    # auction of a tender always takes the tender's).
    reference_price: object = None
    # Sealed-bid auctions: the opening committee (usernames; a tender's auction may leave it
    # empty to take the tender's committee and threshold) and whether a bidder may seal again.
    committee: Sequence[str] = field(default_factory=tuple)
    threshold: int | None = None
    allow_resubmission: bool = False


@dataclass(frozen=True)
class BidOutcome:
    bid: AuctionBid
    auction: Auction
    replayed: bool


def _auction(reference: str, *, lock: bool = False) -> Auction:
    """The auction with its best bid. With `lock`, the row is locked first and read after: on
    PostgreSQL a locking query that also joins the best bid can return the join of the row as
    it was before the lock was granted (the best bid missing)."""
    if lock:
        locked = list(
            Auction.objects.select_for_update().filter(reference=reference).values_list("pk")
        )
        if not locked:
            raise AuctionNotFoundError(params={"reference": reference})
    auction = (
        Auction.objects.select_related("agency", "best_bid__bidder")
        .filter(reference=reference)
        .first()
    )
    if auction is None:
        raise AuctionNotFoundError(params={"reference": reference})
    return auction


def _local(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S")


def _labels(count: int) -> list[str]:
    """Anonymous labels in a random order (not the order of admission)."""
    letters = string.ascii_uppercase
    labels = [
        letters[i] if i < 26 else f"{letters[i // 26 - 1]}{letters[i % 26]}" for i in range(count)
    ]
    secrets.SystemRandom().shuffle(labels)
    return labels


def _positive(value: object, field_name: str) -> Decimal:
    return money.amount(value, field=field_name)


def _tender_for(reference: str, agency) -> Tender:
    tender = Tender.objects.filter(reference=reference).first()
    if tender is None or tender.agency_id != agency.pk:
        raise InputError(_("Choose one of your agency's tenders."), field="tender")
    if tender.status != Tender.Status.OPENED:
        raise InputError(
            _("An auction follows the opening and evaluation of tender %(reference)s."),
            field="tender",
            params={"reference": reference},
        )
    return tender


@transaction.atomic
def auction_create(*, actor: Principal, data: AuctionInput) -> Auction:
    """Schedule an auction. A reverse auction of a tender admits its qualified bidders and may
    not start above the reference price."""
    agency = require_own_role(actor, Role.BUYER)
    if data.kind not in Auction.Kind.values:
        raise InputError(
            _("Choose the kind: %(kinds)s."),
            field="kind",
            params={"kinds": ", ".join(Auction.Kind.values)},
        )
    title = required_text(data.title, field="title", label=_("title"), max_length=300)
    start = _positive(data.start_price, "start_price")
    step_amount = step_percent = None
    sealed = data.kind == Auction.Kind.SEALED
    if not sealed:
        if (data.step_amount in (None, "")) == (data.step_percent in (None, "")):
            raise InputError(
                _("Give the minimum step either in baht or in percent, not both."),
                field="step_amount",
            )
        if data.step_amount not in (None, ""):
            step_amount = _positive(data.step_amount, "step_amount")
            if step_amount >= start:
                raise InputError(
                    _("The step must be smaller than the start price."), field="step_amount"
                )
        else:
            step_percent = _positive(data.step_percent, "step_percent")
            if step_percent > MAX_STEP_PERCENT:
                raise InputError(
                    _("A step of at most %(max)s percent."),
                    field="step_percent",
                    params={"max": MAX_STEP_PERCENT},
                )
    now = timezone.now()
    opens_at, ends_at = (moment.replace(microsecond=0) for moment in (data.opens_at, data.ends_at))
    if not now < opens_at < ends_at:
        raise InputError(
            _("The auction must open in the future and end after it opens."), field="opens_at"
        )
    if not 0 <= int(data.extension_window) <= 3600 or not 0 <= int(data.extension) <= 3600:
        raise InputError(_("Extensions are between 0 and 3600 seconds."), field="extension")
    # A sealed bid is not seen by anyone before the close: there is nothing to react to late.
    extension_window, extension = (0, 0) if sealed else (data.extension_window, data.extension)
    tender = None
    reference_price = reserve = None
    suppliers: list[Supplier]
    if data.kind in (Auction.Kind.REVERSE, Auction.Kind.SEALED):
        if data.tender_reference:
            tender = _tender_for(data.tender_reference, agency)
            reference_price = tender.reference_price
            qualified = Submission.objects.filter(
                tender=tender, superseded=False, qualified=True
            ).values_list("supplier_id", flat=True)
            supplier_ids = list(qualified)
        else:
            supplier_ids = list(dict.fromkeys(int(pk) for pk in data.suppliers))
            if data.reference_price not in (None, ""):
                reference_price = _positive(data.reference_price, "reference_price")
        if reference_price is not None and start > reference_price:
            raise InputError(
                _("An auction may not start above the reference price of %(price)s baht."),
                field="start_price",
                params={"price": f"{reference_price:,.2f}"},
            )
        suppliers = list(
            Supplier.objects.filter(pk__in=supplier_ids, status=Supplier.Status.APPROVED)
        )
        if len(suppliers) < 2:
            raise InputError(
                _("An auction among suppliers needs at least two qualified, approved bidders."),
                field="suppliers",
            )
    else:
        if data.reserve_price not in (None, ""):
            reserve = _positive(data.reserve_price, "reserve_price")
            if reserve < start:
                raise InputError(
                    _("The reserve price cannot be below the start price."),
                    field="reserve_price",
                )
        suppliers = []
    deposit = money.amount(data.deposit or 0, field="deposit", allow_zero=True)
    reference, _year = next_number(agency, "AU")
    auction = Auction.objects.create(
        reference=reference,
        agency=agency,
        tender=tender,
        kind=data.kind,
        title=title,
        description=(data.description or "").strip(),
        reference_price=reference_price,
        start_price=start,
        reserve_price=reserve,
        step_amount=step_amount,
        step_percent=step_percent,
        opens_at=opens_at,
        planned_end=ends_at,
        ends_at=ends_at,
        extension_window=int(extension_window),
        extension=int(extension),
        deposit=deposit,
        allow_resubmission=sealed and bool(data.allow_resubmission),
        created_by_id=actor.user_id,
    )
    AuctionBidder.objects.bulk_create(
        AuctionBidder(auction=auction, supplier=supplier, label=label)
        for supplier, label in zip(suppliers, _labels(len(suppliers)), strict=True)
    )
    committee: list[str] = []
    if sealed:
        from onestop.procurement.services.sealed_auctions import seal_vault

        committee = seal_vault(auction, tender, data.committee, data.threshold)
    audit.record(
        actor=actor,
        action="procurement.auction.create",
        obj=auction,
        object_label=reference,
        agency_code=agency.code,
        after={
            "kind": data.kind,
            "start_price": start,
            "tender": tender.reference if tender else None,
            "bidders": len(suppliers),
            "committee": committee,
            "threshold": auction.threshold,
            "opens_at": opens_at.isoformat(),
            "ends_at": ends_at.isoformat(),
        },
    )
    from onestop.procurement.tasks import auction_close_schedule

    transaction.on_commit(lambda: auction_close_schedule(reference, ends_at))
    return auction


@transaction.atomic
def auction_register(*, actor: Principal, reference: str, supplier_id: int) -> AuctionBidder:
    """A business registers for a forward auction before it closes; with a deposit, a Thai QR
    bill is issued and bidding waits for its payment."""
    from onestop.payments.public import bill_create

    supplier = Supplier.objects.select_related("business").filter(pk=supplier_id).first()
    if supplier is None:
        raise NotFoundError(_("There is no supplier %(id)s."), params={"id": supplier_id})
    require_supplier_member(actor, supplier.business_id, supplier.business.name_th)
    auction = _auction(reference, lock=True)
    if auction.kind != Auction.Kind.FORWARD:
        raise ConflictError(
            _(
                "Only forward auctions take registrations; reverse auctions admit a tender's qualified bidders."
            )
        )
    if auction.status != Auction.Status.SCHEDULED or timezone.now() >= auction.ends_at:
        raise AuctionClosedError(params={"reference": reference, "at": _local(auction.ends_at)})
    if supplier.status != Supplier.Status.APPROVED:
        raise PermissionDeniedError(
            _("%(business)s is %(status)s and cannot bid."),
            params={"business": supplier.business.name_th, "status": choice_label(supplier)},
        )
    existing = AuctionBidder.objects.filter(auction=auction, supplier=supplier).first()
    if existing is not None:
        return existing
    taken = set(AuctionBidder.objects.filter(auction=auction).values_list("label", flat=True))
    label = next(label for label in _labels(len(taken) + 1 + 26) if label not in taken)
    bidder = AuctionBidder.objects.create(auction=auction, supplier=supplier, label=label)
    if auction.deposit > 0:
        bill = bill_create(
            actor=actor,
            source=DEPOSIT_SOURCE,
            source_id=str(bidder.pk),
            amount=auction.deposit,
            description=f"หลักประกันการประมูล {auction.reference}",
            ref2=auction.reference.replace("-", "")[-20:],
        )
        bidder.deposit_bill = bill.pk
        bidder.save(update_fields=["deposit_bill"])
    else:
        bidder.deposit_paid_at = timezone.now()
        bidder.save(update_fields=["deposit_paid_at"])
    audit.record(
        actor=actor,
        action="procurement.auction.register",
        obj=bidder,
        object_label=f"{auction.reference} {label}",
        agency_code=auction.agency.code,
        after={"supplier": supplier.pk, "deposit": auction.deposit},
    )
    return bidder


def on_deposit_settled(settlement) -> None:
    """The bank reported on a deposit bill (inside the callback's transaction)."""
    if not settlement.paid:
        return
    AuctionBidder.objects.filter(pk=int(settlement.source_id), deposit_paid_at__isnull=True).update(
        deposit_paid_at=timezone.now()
    )


def step_of(auction: Auction, current: Decimal) -> Decimal:
    """The minimum step at the current price (a percent step is rounded up to the satang)."""
    if auction.step_amount is not None:
        return auction.step_amount
    return (current * auction.step_percent / 100).quantize(CENT, rounding=ROUND_CEILING)


def _check_amount(auction: Auction, amount: Decimal, best: Decimal | None) -> None:
    reverse = auction.kind == Auction.Kind.REVERSE
    if best is None:
        allowed = amount <= auction.start_price if reverse else amount >= auction.start_price
        need = (
            _("The first bid may be at most the start price of %(price)s baht")
            if reverse
            else _("The first bid must be at least the start price of %(price)s baht")
        ) % {"price": f"{auction.start_price:,.2f}"}
    else:
        step = step_of(auction, best)
        limit = best - step if reverse else best + step
        allowed = amount <= limit if reverse else amount >= limit
        need = (
            _("The best bid is %(best)s baht; bid at most %(limit)s baht")
            if reverse
            else _("The best bid is %(best)s baht; bid at least %(limit)s baht")
        ) % {"best": f"{best:,.2f}", "limit": f"{limit:,.2f}"}
    if not allowed:
        raise BidNotBetterError(field="amount", params={"need": need, "amount": f"{amount:,.2f}"})
    if auction.step_amount is not None:
        distance = abs(auction.start_price - amount)
        if distance % auction.step_amount:
            steps = math.floor(distance / auction.step_amount)
            nearest = auction.start_price + (-1 if reverse else 1) * auction.step_amount * steps
            raise BidStepError(
                field="amount",
                params={
                    "step": f"{auction.step_amount:,.2f}",
                    "start": f"{auction.start_price:,.2f}",
                    "amount": f"{amount:,.2f}",
                    "nearest": f"{nearest:,.2f}",
                },
            )


# Bids on one auction queue here, one at a time in this process, before they meet at the
# database's lock (the auction row; on SQLite the whole database), which still orders them
# across processes. Waiting in the database instead, a bid could starve: SQLite retries a busy
# lock after sleeps of up to 100 ms, so later bids overtook it until its busy timeout made it an
# error (docs/performance.md, e-Auctions). Striped: bounded memory.
_BID_LOCKS = tuple(threading.Lock() for _ in range(64))


def bid_place(
    *, actor: Principal, reference: str, supplier_id: int, amount: object, request_id: str
) -> BidOutcome:
    """Place a bid. The same request sent again (same bidder and request id) returns the first
    acknowledgement and places nothing new.

    Most bids of a storm are refused: someone was faster. Those are answered from committed
    reads, without the locks or a write transaction (`_bid_early`); a bid that may be accepted
    is placed under the locks (`_bid_place`), which check everything again."""
    request_id = (request_id or "").strip()[:64]
    replay = _bid_early(
        actor=actor,
        reference=reference,
        supplier_id=supplier_id,
        amount=amount,
        request_id=request_id,
    )
    if replay is not None:
        return replay
    with _BID_LOCKS[zlib.crc32(reference.encode()) % len(_BID_LOCKS)]:
        return _bid_place(
            actor=actor,
            reference=reference,
            supplier_id=supplier_id,
            amount=amount,
            request_id=request_id,
        )


def _bid_early(
    *, actor: Principal, reference: str, supplier_id: int, amount: object, request_id: str
) -> BidOutcome | None:
    """What can be decided without the auction's lock, from committed reads: the replay of an
    acknowledged bid (returned), and a bid that does not improve on the committed best
    (BidNotBetterError). Either is what `_bid_place` would answer under the lock:

    * the best only improves, so a bid that is not better than a committed best is not better
      than the best it would meet under the lock either;
    * the best and the replay check are read in one statement (one snapshot): if the first of
      two copies of a request committed before it, the second finds it (a replay); if not, the
      best read is one the first copy improves on, so the second (same amount) is not refused
      here.

    Any other refusal, or a bid that may be accepted, goes to `_bid_place` (returns None)."""
    if not request_id:
        return None
    # One statement, so one snapshot: the seat, the auction with its best, the supplier, and
    # whether this request was placed already (the best and the replay check agree). Plain
    # values, no model instances: this runs for most of the requests of a storm.
    seat = list(
        AuctionBidder.objects.filter(auction__reference=reference, supplier_id=supplier_id)
        .annotate(
            earlier_id=Subquery(
                AuctionBid.objects.filter(bidder=OuterRef("pk"), request_id=request_id).values(
                    "pk"
                )[:1]
            )
        )
        .order_by()
        .values_list(*_EARLY_FIELDS)[:1]
    )
    if not seat:
        return None  # no such supplier, auction or seat: answered under the lock
    row = dict(zip(_EARLY_FIELDS, seat[0], strict=True))
    require_supplier_member(actor, row["supplier__business_id"], row["supplier__business__name_th"])
    if row["auction__kind"] not in (Auction.Kind.REVERSE, Auction.Kind.FORWARD):
        return None  # open bidding only
    if row["earlier_id"] is not None:
        earlier = AuctionBid.objects.select_related("bidder", "auction").get(pk=row["earlier_id"])
        return BidOutcome(earlier, earlier.auction, replayed=True)
    now = timezone.now()
    best = row["auction__best_bid__amount"]
    if (
        row["supplier__status"] != Supplier.Status.APPROVED
        or row["auction__status"] != Auction.Status.SCHEDULED
        or not row["auction__opens_at"] <= now < row["auction__ends_at"]
        or (row["auction__deposit"] > 0 and row["deposit_paid_at"] is None)
        or best is None
    ):
        return None  # the locked path gives the answer
    rules = Auction(
        kind=row["auction__kind"],
        start_price=row["auction__start_price"],
        step_amount=row["auction__step_amount"],
        step_percent=row["auction__step_percent"],
    )
    try:
        _check_amount(rules, money.amount(amount, field="amount"), best)
    except BidNotBetterError:
        raise
    except ApplicationError:
        pass  # not a whole step, a malformed amount: answered under the lock, in its order
    return None


_EARLY_FIELDS = (
    "auction__kind",
    "auction__status",
    "auction__opens_at",
    "auction__ends_at",
    "auction__deposit",
    "auction__start_price",
    "auction__step_amount",
    "auction__step_percent",
    "auction__best_bid__amount",
    "deposit_paid_at",
    "supplier__status",
    "supplier__business_id",
    "supplier__business__name_th",
    "earlier_id",
)


@transaction.atomic
def _bid_place(
    *, actor: Principal, reference: str, supplier_id: int, amount: object, request_id: str
) -> BidOutcome:
    request_id = (request_id or "").strip()[:64]
    if not request_id:
        raise InputError(
            _("Send a request id with each bid (any unique text)."), field="request_id"
        )
    supplier = Supplier.objects.select_related("business").filter(pk=supplier_id).first()
    if supplier is None:
        raise NotFoundError(_("There is no supplier %(id)s."), params={"id": supplier_id})
    require_supplier_member(actor, supplier.business_id, supplier.business.name_th)
    auction = _auction(reference, lock=True)
    if auction.kind == Auction.Kind.SEALED:  # sealed bids go to services/sealed_auctions.py
        raise SealedOnlyError(params={"reference": reference})
    now = timezone.now()
    bidder = AuctionBidder.objects.filter(auction=auction, supplier=supplier).first()
    if bidder is None:
        raise NotAdmittedError(
            params={"business": supplier.business.name_th, "reference": reference}
        )
    earlier = AuctionBid.objects.filter(bidder=bidder, request_id=request_id).first()
    if earlier is not None:
        return BidOutcome(earlier, auction, replayed=True)
    if supplier.status != Supplier.Status.APPROVED:
        raise PermissionDeniedError(
            _("%(business)s is %(status)s and cannot bid."),
            params={"business": supplier.business.name_th, "status": choice_label(supplier)},
        )
    if auction.status != Auction.Status.SCHEDULED or now >= auction.ends_at:
        raise AuctionClosedError(params={"reference": reference, "at": _local(auction.ends_at)})
    if now < auction.opens_at:
        raise AuctionNotOpenError(params={"reference": reference, "at": _local(auction.opens_at)})
    if auction.deposit > 0 and bidder.deposit_paid_at is None:
        raise DepositUnpaidError(params={"amount": f"{auction.deposit:,.2f}"})
    value = money.amount(amount, field="amount")
    best = auction.best_bid.amount if auction.best_bid_id else None
    _check_amount(auction, value, best)
    extended_to = None
    if (auction.ends_at - now).total_seconds() <= auction.extension_window:
        candidate = now.replace(microsecond=0) + dt.timedelta(seconds=auction.extension)
        if candidate > auction.ends_at:
            extended_to = candidate
    bid = AuctionBid.objects.create(
        auction=auction,
        bidder=bidder,
        sequence=auction.bids_count + 1,
        amount=value,
        received_at=now,
        request_id=request_id,
        extended_to=extended_to,
    )
    auction.best_bid = bid
    auction.bids_count = bid.sequence
    fields = ["best_bid", "bids_count"]
    if extended_to is not None:
        auction.ends_at = extended_to
        auction.extensions += 1
        fields += ["ends_at", "extensions"]
    auction.save(update_fields=fields)
    audit.record(
        actor=actor,
        action="procurement.auction.bid",
        obj=bid,
        object_label=f"{reference} #{bid.sequence}",
        agency_code=auction.agency.code,
        after={
            "bidder": bidder.label,
            "amount": value,
            "extended_to": extended_to.isoformat() if extended_to else None,
        },
    )
    from onestop.procurement.live import announce_bid

    transaction.on_commit(lambda: announce_bid(auction.reference))
    return BidOutcome(bid, auction, replayed=False)


@transaction.atomic
def auction_close(*, reference: str, actor: audit.Actor = audit.SYSTEM) -> Auction:
    """Close an auction whose time is up (the worker does it; closing twice changes nothing)."""
    auction = _auction(reference, lock=True)
    if auction.status != Auction.Status.SCHEDULED:
        return auction
    now = timezone.now()
    if now < auction.ends_at:
        raise ConflictError(
            _("Auction %(reference)s runs until %(at)s."),
            params={"reference": reference, "at": _local(auction.ends_at)},
        )
    auction.status = Auction.Status.CLOSED
    auction.closed_at = now
    auction.save(update_fields=["status", "closed_at"])
    # A sealed-bid auction's prices are known only once its committee opens the vault
    # (services/sealed_auctions.py), which then decides the winner and the tender's prices.
    if auction.tender_id and auction.kind == Auction.Kind.REVERSE:
        from onestop.procurement.services.awarding import apply_auction_result

        best = (
            AuctionBid.objects.filter(auction=auction)
            .values("bidder__supplier_id")
            .annotate(best=Min("amount"))
        )
        apply_auction_result(
            auction.tender_id, {row["bidder__supplier_id"]: row["best"] for row in best}
        )
    winner = auction.best_bid
    met_reserve = winner is not None and (
        auction.reserve_price is None or winner.amount >= auction.reserve_price
    )
    audit.record(
        actor=actor,
        action="procurement.auction.close",
        obj=auction,
        object_label=reference,
        agency_code=auction.agency.code,
        after={
            "bids": auction.bids_count,
            "winner": winner.bidder.label if winner else None,
            "amount": winner.amount if winner else None,
            "reserve_met": met_reserve,
        },
    )
    from onestop.procurement.live import announce_bid
    from onestop.procurement.tasks import auction_result_enqueue

    transaction.on_commit(lambda: announce_bid(auction.reference))
    transaction.on_commit(lambda: auction_result_enqueue(reference))
    return auction


def auctions_close_due() -> list[str]:
    """Close every auction whose end has passed; returns their references."""
    due = Auction.objects.filter(
        status=Auction.Status.SCHEDULED, ends_at__lte=timezone.now()
    ).values_list("reference", flat=True)
    closed = []
    for reference in list(due):
        auction_close(reference=reference)
        closed.append(reference)
    return closed
