"""e-Auctions in a bid storm: the refusals answered without the auction's lock (and what is
never answered there), replays, and the live server's frames encoded once per kind of viewer
(never a name to a bidder)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.layers import get_channel_layer
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext

from onestop.procurement import consumers, live
from onestop.procurement import selectors_auctions as reads
from onestop.procurement.models import AuctionBid
from onestop.procurement.policies import NotSupplierMemberError
from onestop.procurement.selectors_auctions import auction_public_state
from onestop.procurement.services import auctions
from tests.procurement.conftest import Clock
from tests.procurement.test_auction_live import Watcher, name_of, user_of
from tests.procurement.test_auctions import place, schedule, supplier_of


@pytest.fixture
def scene(cgd, officer, approved_supplier, monkeypatch):
    clock = Clock(monkeypatch)
    buyer = officer("CGD", "buyer")
    bidders = [approved_supplier() for _ in range(3)]
    return clock, buyer, bidders


class CountingLock:
    def __init__(self) -> None:
        self.taken = 0

    def __enter__(self):
        self.taken += 1

    def __exit__(self, *exc):
        return False


@pytest.fixture
def locks(monkeypatch):
    lock = CountingLock()
    monkeypatch.setattr(auctions, "_BID_LOCKS", (lock,))
    return lock


def _writes(queries) -> list[str]:
    markers = ("INSERT", "UPDATE", "DELETE", "FOR UPDATE", "SAVEPOINT", "BEGIN")
    return [q["sql"] for q in queries if any(marker in q["sql"].upper() for marker in markers)]


@pytest.mark.django_db
def test_a_bid_that_does_not_improve_on_the_best_is_refused_without_the_lock(scene, locks):
    clock, buyer, bidders = scene
    auction = schedule(buyer, clock, bidders)
    clock.to(auction.opens_at)
    place(auction, bidders[0], "995000")
    assert locks.taken == 1  # accepted under the lock
    supplier_id = supplier_of(bidders[1])
    for amount in ("995000", "996000", "990001"):  # equal (the earlier holds), worse, too little
        with (
            CaptureQueriesContext(connection) as queries,
            pytest.raises(auctions.BidNotBetterError) as refused,
        ):
            auctions.bid_place(
                actor=bidders[1],
                reference=auction.reference,
                supplier_id=supplier_id,
                amount=amount,
                request_id=f"r-{amount}",
            )
        assert "995,000.00" in refused.value.text("en")
        assert _writes(queries.captured_queries) == []
        assert len(queries.captured_queries) == 1
    assert locks.taken == 1
    # a better bid goes on to the lock and is placed; off its step it is refused there
    with pytest.raises(auctions.BidStepError):
        place(auction, bidders[1], "989000.50")
    assert locks.taken == 2
    assert place(auction, bidders[1], "990000").bid.sequence == 2
    assert locks.taken == 3


@pytest.mark.django_db
def test_a_replay_returns_the_first_acknowledgement_even_once_it_would_be_refused(scene, locks):
    clock, buyer, bidders = scene
    auction = schedule(buyer, clock, bidders, extension_window=0, extension=0)
    clock.to(auction.opens_at)
    first = place(auction, bidders[0], "995000", request_id="same-request")
    place(auction, bidders[1], "990000")
    taken = locks.taken
    with CaptureQueriesContext(connection) as queries:
        again = place(auction, bidders[0], "995000", request_id="same-request")
    assert again.replayed and again.bid.pk == first.bid.pk and again.bid.sequence == 1
    assert again.bid.bidder.label == first.bid.bidder.label
    assert _writes(queries.captured_queries) == [] and locks.taken == taken
    # the same request id of another bidder is another request
    with pytest.raises(auctions.BidNotBetterError):
        place(auction, bidders[2], "995000", request_id="same-request")
    # after the close the replay is still the acknowledgement, a new bid is too late
    clock.to(auction.ends_at + dt.timedelta(seconds=1))
    assert place(auction, bidders[0], "995000", request_id="same-request").replayed
    with pytest.raises(auctions.AuctionClosedError):
        place(auction, bidders[0], "995000", request_id="new-request")
    assert AuctionBid.objects.filter(auction=auction).count() == 2


@pytest.mark.django_db
def test_only_bids_not_better_than_the_best_are_refused_early(scene, locks):
    """Every other refusal is given under the lock, in the order of `_bid_place`: a late bid
    that does not improve is told that the auction closed; a first bid meets the start price
    there; another supplier's people are refused whatever they bid."""
    clock, buyer, bidders = scene
    auction = schedule(buyer, clock, bidders)
    with pytest.raises(auctions.AuctionNotOpenError):
        place(auction, bidders[0], "2000000")
    clock.to(auction.opens_at)
    with pytest.raises(auctions.BidNotBetterError):  # above the start price: no best yet
        place(auction, bidders[0], "1000001")
    place(auction, bidders[0], "995000")
    with pytest.raises(NotSupplierMemberError):
        auctions.bid_place(
            actor=bidders[1],
            reference=auction.reference,
            supplier_id=supplier_of(bidders[0]),
            amount="900000",
            request_id="not-mine",
        )
    clock.to(auction.ends_at)
    with pytest.raises(auctions.AuctionClosedError):
        place(auction, bidders[1], "999000")


@pytest.mark.django_db
def test_a_late_bid_that_extended_the_end_is_no_reason_to_refuse_early(scene, locks):
    clock, buyer, bidders = scene
    auction = schedule(buyer, clock, bidders, extension_window=120, extension=180)
    clock.to(auction.ends_at - dt.timedelta(seconds=10))
    place(auction, bidders[0], "995000")
    clock.to(auction.ends_at + dt.timedelta(seconds=60))  # past the planned end, in the extension
    with pytest.raises(auctions.BidNotBetterError):
        place(auction, bidders[1], "996000")
    assert place(auction, bidders[1], "990000").bid.sequence == 2


@pytest.mark.django_db
def test_an_announcement_carries_the_last_few_bids(scene):
    clock, buyer, bidders = scene
    auction = schedule(buyer, clock, bidders, step_amount="1000.00")
    clock.to(auction.opens_at)
    for number in range(live.ANNOUNCED_BIDS + 3):
        place(auction, bidders[number % 3], str(999000 - 1000 * number))
    announced = auction_public_state(auction.reference, history=live.ANNOUNCED_BIDS)
    full = auction_public_state(auction.reference)
    assert [bid["sequence"] for bid in announced["bids"]] == list(range(4, live.ANNOUNCED_BIDS + 4))
    assert len(full["bids"]) == live.ANNOUNCED_BIDS + 3
    assert {
        key: value for key, value in announced.items() if key not in ("bids", "server_time")
    } == {key: value for key, value in full.items() if key not in ("bids", "server_time")}


@pytest.mark.django_db(transaction=True)
def test_a_change_is_encoded_once_per_kind_of_viewer_and_names_reach_only_the_buyer(
    scene, monkeypatch
):
    clock, buyer, bidders = scene
    auction = schedule(buyer, clock, bidders)
    clock.to(auction.opens_at)
    names = [name_of(owner) for owner in bidders]
    monkeypatch.setattr(live, "announce_bid", lambda reference: None)
    users = [user_of(bidders[0]), user_of(bidders[1]), user_of(buyer), AnonymousUser()] * 5
    extras = []
    view_extra = reads.view_extra

    def counting(viewer, state, names_after_close):
        extras.append(viewer.role)
        return view_extra(viewer, state, names_after_close)

    layer = get_channel_layer()
    group = live.auction_group(auction.reference)

    async def scenario():
        watchers = [Watcher(user, auction.reference) for user in users]
        for watcher in watchers:
            await watcher.connect()
            await watcher.next()
        await sync_to_async(place)(auction, bidders[1], "995000")
        await sync_to_async(place)(auction, bidders[0], "990000")
        state = await sync_to_async(auction_public_state)(
            auction.reference, history=live.ANNOUNCED_BIDS
        )
        older = await sync_to_async(auction_public_state)(auction.reference, history=1)
        older["bids_count"] = 1  # an announcement that crossed a newer one
        monkeypatch.setattr(reads, "view_extra", counting)
        await layer.group_send(group, {"type": "auction.state", "state": state})
        await layer.group_send(group, {"type": "auction.state", "state": older})
        frames = [await watcher.communicator.receive_from(timeout=5) for watcher in watchers]
        quiet = [await watcher.communicator.receive_nothing(timeout=0.2) for watcher in watchers]
        for watcher in watchers:
            await watcher.close()
        return state, frames, quiet

    state, frames, quiet = async_to_sync(scenario)()
    assert all(quiet), "the older state is not sent after the newer one"
    assert sorted(extras) == ["bidder", "bidder", "buyer", "observer"]  # not one per watcher
    assert len(consumers.HUBS.hubs) == 0  # the last watcher to leave closed the hub
    for frame in frames[:4]:
        viewer_state = json.loads(frame)["state"]
        assert viewer_state["bids_count"] == 2
        assert [bid["sequence"] for bid in viewer_state["bids"]] == [1, 2]
    by_role = [json.loads(frame)["state"] for frame in frames[:4]]
    first, second, buyer_view, observer = by_role
    assert first["viewer"] == second["viewer"] == "bidder"
    assert first["me"][0]["rank"] == 1 and second["me"][0]["rank"] == 2
    assert first["me"][0]["label"] != second["me"][0]["label"]
    assert buyer_view["viewer"] == "buyer" and set(buyer_view["names"].values()) == set(names)
    assert observer["viewer"] == "observer"
    for index in (0, 1, 3):
        assert not any(name in frames[index] for name in names)
        assert "names" not in by_role[index]
    # the frames are what view_for gives each viewer, for every watcher of that kind
    assert frames[4:8] == frames[:4] and frames[16:20] == frames[:4]
    expected_observer = {"type": "state", "state": {**state, "viewer": "observer"}}
    assert json.loads(frames[3]) == expected_observer
