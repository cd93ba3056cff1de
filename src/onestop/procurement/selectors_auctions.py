"""Reads of e-Auctions, shaped for who is looking.

* everyone (bidders and observers during the auction): the best amount, the anonymous labels
  and their standing, the clock;
* a bidder: also its own label, rank and last bid;
* the buyer's agency (and auditors): also who each label is;
* after the close: the full history with names, for everyone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Max, Min, QuerySet
from django.utils import timezone

from onestop.identity.public import Principal
from onestop.procurement.models import Auction, AuctionBid, AuctionBidder
from onestop.procurement.policies import may_read_agency
from onestop.procurement.services.auctions import AuctionNotFoundError, step_of

HISTORY = 50


def _money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def auction_public_state(reference: str) -> dict[str, Any]:
    """What anyone watching may see now; safe to broadcast to every watcher."""
    auction = Auction.objects.select_related("best_bid__bidder").filter(reference=reference).first()
    if auction is None:
        raise AuctionNotFoundError(params={"reference": reference})
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
        .order_by("-sequence")[:HISTORY]
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
    view = dict(state)
    names = viewer.names or (names_after_close if state["status"] != "scheduled" else {})
    if names:
        view["names"] = names
    if viewer.role == "bidder":
        mine = []
        for label in sorted(viewer.own_labels):
            ranks = [row["label"] for row in state["standings"]]
            rank = ranks.index(label) + 1 if label in ranks else None
            amount = next(
                (row["amount"] for row in state["standings"] if row["label"] == label), None
            )
            mine.append({"label": label, "rank": rank, "amount": amount})
        view["me"] = mine
    view["viewer"] = viewer.role
    return view


def closed_names(auction: Auction) -> dict[str, str]:
    """After the close the history is public with names."""
    if auction.status == Auction.Status.SCHEDULED:
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
