"""Reads of e-Auctions, shaped for who is looking.

* everyone (bidders and observers during the auction): the best amount, the anonymous labels
  and their standing, the clock;
* a bidder: also its own label, rank and last bid;
* the buyer's agency (and auditors): also who each label is;
* after the close: the full history with names, for everyone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Max, Min, QuerySet
from django.utils import timezone

from onestop.identity.public import Principal
from onestop.procurement.domain import vault
from onestop.procurement.models import Auction, AuctionBid, AuctionBidder
from onestop.procurement.policies import may_read_agency
from onestop.procurement.services.auctions import AuctionNotFoundError, step_of

HISTORY = 50


def _money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def auction_public_state(reference: str, *, history: int = HISTORY) -> dict[str, Any]:
    """What anyone watching may see now; safe to broadcast to every watcher. `bids` holds the
    last `history` bids (the announcement of a change sends only the last few)."""
    auction = Auction.objects.select_related("best_bid__bidder").filter(reference=reference).first()
    if auction is None:
        raise AuctionNotFoundError(params={"reference": reference})
    if auction.kind == Auction.Kind.SEALED:
        return sealed_public_state(auction)
    reverse = auction.kind == Auction.Kind.REVERSE
    best_of = Min("bids__amount") if reverse else Max("bids__amount")
    standings = [
        {"label": label, "amount": _money(amount)}
        for label, amount in AuctionBidder.objects.filter(auction=auction)
        .annotate(best=best_of)
        .filter(best__isnull=False)
        .order_by("best" if reverse else "-best", "label")
        .values_list("label", "best")
    ]
    recent = list(
        AuctionBid.objects.filter(auction=auction)
        .select_related("bidder")
        .order_by("-sequence")[:history]
    )
    best = auction.best_bid
    now = timezone.now()
    closed = auction.status != Auction.Status.SCHEDULED
    return {
        "reference": auction.reference,
        "kind": auction.kind,
        "status": auction.status,
        "running": not closed and auction.opens_at <= now < auction.ends_at,
        "opens_at": auction.opens_at.isoformat(),
        "ends_at": auction.ends_at.isoformat(),
        "server_time": now.isoformat(),
        "start_price": _money(auction.start_price),
        "next_step": _money(step_of(auction, best.amount if best else auction.start_price)),
        "best_amount": _money(best.amount) if best else None,
        "best_label": best.bidder.label if best else None,
        "bids_count": auction.bids_count,
        "extensions": auction.extensions,
        "standings": standings,
        "bids": [_bid(bid) for bid in reversed(recent)],
    }


def sealed_public_state(auction: Auction) -> dict[str, Any]:
    """A sealed-bid auction (P-18): until its committee opens the vault after the close, only
    the clock and the number of sealed envelopes; then every price, the standing and the
    winner. A price the platform cannot read cannot leak: before the opening there is none."""
    now = timezone.now()
    opened = auction.opened_at is not None
    standings: list[dict[str, Any]] = []
    bids: list[dict[str, Any]] = []
    best = auction.best_bid if opened else None
    if opened:
        rows = list(
            AuctionBid.objects.filter(auction=auction).select_related("bidder").order_by("sequence")
        )
        counting = sorted(
            (bid for bid in rows if not bid.superseded and bid.amount is not None),
            key=lambda bid: (bid.amount, bid.sequence),
        )
        standings = [{"label": bid.bidder.label, "amount": _money(bid.amount)} for bid in counting]
        bids = [_bid(bid) | {"superseded": bid.superseded, "problem": bid.problem} for bid in rows]
    return {
        "reference": auction.reference,
        "kind": auction.kind,
        "status": auction.status,
        "running": auction.status == Auction.Status.SCHEDULED
        and auction.opens_at <= now < auction.ends_at,
        "opens_at": auction.opens_at.isoformat(),
        "ends_at": auction.ends_at.isoformat(),
        "server_time": now.isoformat(),
        "start_price": _money(auction.start_price),
        "next_step": None,
        "best_amount": _money(best.amount) if best else None,
        "best_label": best.bidder.label if best else None,
        "bids_count": auction.bids_count,
        "extensions": 0,
        "standings": standings,
        "bids": bids,
        "sealed": True,
        # What a bidder seals to (public): the auction's vault key and its fingerprint.
        "vault_key": vault.b64url(bytes(auction.vault_public)) if auction.vault_public else None,
        "vault_kid": auction.vault_kid,
        "opened": opened,
        "opened_at": auction.opened_at.isoformat() if opened else None,
    }


def _bid(bid: AuctionBid) -> dict[str, Any]:
    return {
        "sequence": bid.sequence,
        "label": bid.bidder.label,
        "amount": _money(bid.amount),
        "at": bid.received_at.isoformat(),
        "extended_to": bid.extended_to.isoformat() if bid.extended_to else None,
    }


@dataclass
class Viewer:
    """Who is looking, decided once (at page load or WebSocket connect)."""

    role: str  # "buyer", "bidder" or "observer"
    labels: dict[int, str] = field(default_factory=dict)  # supplier id -> own label(s)
    names: dict[str, str] = field(default_factory=dict)  # label -> name, for the buyer

    @property
    def own_labels(self) -> set[str]:
        return set(self.labels.values())


def viewer_for(principal: Principal, auction: Auction) -> Viewer:
    bidders = AuctionBidder.objects.filter(auction=auction).select_related("supplier__business")
    if principal.is_authenticated and may_read_agency(principal, auction.agency_id):
        return Viewer(
            "buyer", names={bidder.label: bidder.supplier.business.name_th for bidder in bidders}
        )
    own = {
        bidder.supplier_id: bidder.label
        for bidder in bidders
        if principal.is_authenticated and bidder.supplier.business_id in principal.business_ids
    }
    if own:
        return Viewer("bidder", labels=own)
    return Viewer("observer")


def view_for(viewer: Viewer, state: dict[str, Any], names_after_close: dict[str, str]) -> dict:
    """The public state with what this viewer may add; never another bidder's name to a
    bidder while the auction runs."""
    return {**state, **view_extra(viewer, state, names_after_close)}


def view_extra(
    viewer: Viewer, state: dict[str, Any], names_after_close: dict[str, str]
) -> dict[str, Any]:
    """What `view_for` adds to the public state for this viewer (in this order): `names` (the
    buyer's agency; everyone after the close), `me` (a bidder's own labels, ranks and amounts),
    `viewer`. The live server encodes the state once and appends this per kind of viewer."""
    extra: dict[str, Any] = {}
    names = viewer.names or (names_after_close if state["status"] != "scheduled" else {})
    if names:
        extra["names"] = names
    if viewer.role == "bidder":
        ranks = [row["label"] for row in state["standings"]]
        amounts = {row["label"]: row["amount"] for row in state["standings"]}
        mine = []
        for label in sorted(viewer.own_labels):
            rank = ranks.index(label) + 1 if label in amounts else None
            mine.append({"label": label, "rank": rank, "amount": amounts.get(label)})
        extra["me"] = mine
    extra["viewer"] = viewer.role
    return extra


def closed_names(auction: Auction) -> dict[str, str]:
    """After the close the history is public with names (a sealed-bid auction's once opened)."""
    if auction.status == Auction.Status.SCHEDULED:
        return {}
    if auction.kind == Auction.Kind.SEALED and auction.opened_at is None:
        return {}
    return {
        bidder.label: bidder.supplier.business.name_th
        for bidder in AuctionBidder.objects.filter(auction=auction).select_related(
            "supplier__business"
        )
    }


def auction_detail(reference: str) -> Auction:
    auction = (
        Auction.objects.select_related("agency", "tender", "best_bid__bidder__supplier__business")
        .filter(reference=reference)
        .first()
    )
    if auction is None:
        raise AuctionNotFoundError(params={"reference": reference})
    return auction


def auction_view(principal: Principal, reference: str) -> dict[str, Any]:
    auction = auction_detail(reference)
    state = auction_public_state(reference)
    return view_for(viewer_for(principal, auction), state, closed_names(auction))


def bids_after(reference: str, sequence: int) -> list[dict[str, Any]]:
    """Bids a watcher missed while disconnected (labels only)."""
    return [
        _bid(bid)
        for bid in AuctionBid.objects.filter(auction__reference=reference, sequence__gt=sequence)
        .select_related("bidder")
        .order_by("sequence")
    ]


def auctions_listed() -> QuerySet[Auction]:
    return Auction.objects.select_related("agency").exclude(status=Auction.Status.CANCELLED)


# Results (P-20): public once known, on the page, in the API and in the signed result document ---


def lowest_wins(auction: Auction) -> bool:
    """Reverse and sealed-bid auctions buy at the lowest price; forward auctions sell at the
    highest."""
    return auction.kind != Auction.Kind.FORWARD


def results_known(auction: Auction) -> bool:
    """Whether the results are known, and so public: the auction has closed and, for a
    sealed-bid auction, its committee has opened the vault (before that nobody knows a price)."""
    if auction.status != Auction.Status.CLOSED:
        return False
    if auction.kind == "sealed":
        return getattr(auction, "opened_at", None) is not None
    return True


@dataclass(frozen=True)
class Result:
    """The outcome of an auction whose results are known, for everyone to see."""

    winner: str | None
    label: str | None
    amount: Decimal | None
    savings: Decimal | None  # lowest price wins: reference price − winning price
    savings_percent: Decimal | None
    gain: Decimal | None  # forward: winning price − start price
    gain_percent: Decimal | None
    reserve_met: bool | None


def _percent(part: Decimal, whole: Decimal) -> Decimal:
    return (part * 100 / whole).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def auction_result(auction: Auction) -> Result | None:
    """The result, or None while it is not known (see results_known). The winner is the
    auction's best bid (reads `best_bid__bidder__supplier__business`, as auction_detail loads)."""
    if not results_known(auction):
        return None
    best = auction.best_bid
    if best is None or best.amount is None:
        return Result(None, None, None, None, None, None, None, None)
    savings = savings_percent = gain = gain_percent = reserve_met = None
    if lowest_wins(auction) and auction.reference_price:
        savings = auction.reference_price - best.amount
        savings_percent = _percent(savings, auction.reference_price)
    if auction.kind == Auction.Kind.FORWARD:
        gain = best.amount - auction.start_price
        gain_percent = _percent(gain, auction.start_price)
        reserve_met = auction.reserve_price is None or best.amount >= auction.reserve_price
    return Result(
        winner=best.bidder.supplier.business.name_th,
        label=best.bidder.label,
        amount=best.amount,
        savings=savings,
        savings_percent=savings_percent,
        gain=gain,
        gain_percent=gain_percent,
        reserve_met=reserve_met,
    )


@dataclass(frozen=True)
class BidderStanding:
    rank: int | None  # None: no bid that counts
    label: str
    name: str
    juristic_id: str
    best: Decimal | None
    bids: int


@dataclass(frozen=True)
class ResultSheet:
    """Everything the result document shows: the result, each bidder's best price and rank,
    and every bid with a price, in order (a sealed bid that did not open has none)."""

    auction: Auction
    result: Result
    standings: list[BidderStanding]
    history: list[AuctionBid]
    bidders: int
    bidders_bidding: int


def _counts(bid: AuctionBid) -> bool:
    """A bid that takes part in the ranking: it has a price, and no later sealed bid of the
    same bidder replaced it."""
    return bid.amount is not None and not getattr(bid, "superseded", False)


def auction_result_sheet(auction: Auction) -> ResultSheet:
    """The result sheet of an auction whose results are known (check results_known first)."""
    result = auction_result(auction)
    if result is None:
        raise ValueError(f"the results of auction {auction.reference} are not known yet")
    history = [
        bid
        for bid in AuctionBid.objects.filter(auction=auction)
        .select_related("bidder__supplier__business")
        .order_by("sequence")
        if bid.amount is not None
    ]
    lowest = lowest_wins(auction)
    best: dict[int, AuctionBid] = {}
    made: dict[int, int] = {}
    for bid in history:
        made[bid.bidder_id] = made.get(bid.bidder_id, 0) + 1
        if not _counts(bid):
            continue
        held = best.get(bid.bidder_id)
        if held is None or (bid.amount < held.amount if lowest else bid.amount > held.amount):
            best[bid.bidder_id] = bid
    # Best first; of equal prices the earlier bid.
    ranked = sorted(
        best.values(), key=lambda bid: (bid.amount if lowest else -bid.amount, bid.sequence)
    )
    rank_of = {bid.bidder_id: rank for rank, bid in enumerate(ranked, start=1)}
    bidders = list(
        AuctionBidder.objects.filter(auction=auction).select_related("supplier__business")
    )
    unranked = len(bidders) + 1  # after every ranked bidder (not inside the sort: the list
    # is empty while it sorts)
    bidders.sort(key=lambda bidder: (rank_of.get(bidder.pk, unranked), bidder.label))
    standings = [
        BidderStanding(
            rank=rank_of.get(bidder.pk),
            label=bidder.label,
            name=bidder.supplier.business.name_th,
            juristic_id=bidder.supplier.business.juristic_id,
            best=best[bidder.pk].amount if bidder.pk in best else None,
            bids=made.get(bidder.pk, 0),
        )
        for bidder in bidders
    ]
    return ResultSheet(
        auction=auction,
        result=result,
        standings=standings,
        history=history,
        bidders=len(bidders),
        bidders_bidding=len(made),
    )


def sealed_released(auction: Auction) -> int:
    """How many opening-committee shares of a sealed-bid auction are released."""
    return auction.committee.filter(released_at__isnull=False).count()


def sealed_bids_of(auction: Auction, bidder_ids: list[int]) -> list[AuctionBid]:
    """A bidder's own sealed bids with their receipts (the amount only once opened)."""
    if not bidder_ids:
        return []
    return list(
        AuctionBid.objects.filter(auction=auction, bidder_id__in=bidder_ids).order_by("sequence")
    )


def committee_seat(auction: Auction, principal: Principal):
    """The principal's seat on a sealed-bid auction's opening committee, if any."""
    if not principal.is_authenticated:
        return None
    return auction.committee.filter(user_id=principal.user_id).first()
