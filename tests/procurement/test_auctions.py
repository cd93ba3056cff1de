"""e-Auctions (P-17, P-19, P-20) through the services: the rules of a bid, extensions, ties,
replays, qualified bidders only, the close; and a stateful property test over random bid
sequences."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from onestop.core.errors import ApplicationError
from onestop.identity.public import ANONYMOUS
from onestop.procurement import selectors_auctions as reads
from onestop.procurement.models import Auction, AuctionBid, AuctionBidder, Supplier
from onestop.procurement.services import auctions, suppliers
from tests.procurement.conftest import Clock, juristic_of

pytestmark = pytest.mark.django_db


def supplier_of(owner) -> int:
    return Supplier.objects.get(business__juristic_id=juristic_of(owner)).pk


def schedule(buyer, clock, bidders, **overrides) -> Auction:
    fields = {
        "kind": "reverse",
        "title": "ประมูลจ้างพัฒนาระบบ",
        "start_price": "1000000.00",
        "step_amount": "5000.00",
        "opens_at": clock.now + dt.timedelta(minutes=10),
        "ends_at": clock.now + dt.timedelta(minutes=40),
        "suppliers": [supplier_of(owner) for owner in bidders],
    } | overrides
    return auctions.auction_create(actor=buyer, data=auctions.AuctionInput(**fields))


def place(auction, owner, amount, request_id=None):
    return auctions.bid_place(
        actor=owner,
        reference=auction.reference,
        supplier_id=supplier_of(owner),
        amount=amount,
        request_id=request_id or f"{owner.username}-{amount}-{timezone.now().timestamp()}",
    )


@pytest.fixture
def scene(cgd, officer, approved_supplier, monkeypatch):
    clock = Clock(monkeypatch)
    buyer = officer("CGD", "buyer")
    bidders = [approved_supplier() for _ in range(3)]
    return clock, buyer, bidders


def test_a_reverse_auction_from_start_to_close(scene):
    clock, buyer, bidders = scene
    auction = schedule(buyer, clock, bidders)
    labels = set(AuctionBidder.objects.filter(auction=auction).values_list("label", flat=True))
    assert labels == {"A", "B", "C"}

    with pytest.raises(auctions.AuctionNotOpenError):
        place(auction, bidders[0], "995000")
    clock.to(auction.opens_at)
    place(auction, bidders[0], "995000")
    place(auction, bidders[1], "990000")
    with pytest.raises(auctions.BidNotBetterError):  # above the best
        place(auction, bidders[2], "992000")
    with pytest.raises(auctions.BidNotBetterError):  # equal to the best: the earlier bid holds
        place(auction, bidders[2], "990000")
    with pytest.raises(auctions.BidStepError) as off_step:  # not a whole step
        place(auction, bidders[2], "983000")
    assert "985,000.00" in off_step.value.text("en")
    place(auction, bidders[2], "980000")

    clock.to(auction.ends_at)
    with pytest.raises(auctions.AuctionClosedError):
        place(auction, bidders[0], "900000")
    closed = auctions.auction_close(reference=auction.reference)
    assert closed.status == Auction.Status.CLOSED
    assert closed.best_bid.amount == Decimal("980000.00")
    assert closed.best_bid.bidder.supplier_id == supplier_of(bidders[2])
    assert AuctionBid.objects.count() == 3


def test_a_late_bid_extends_the_end(scene):
    clock, buyer, bidders = scene
    auction = schedule(buyer, clock, bidders, extension_window=120, extension=180)
    clock.to(auction.ends_at - dt.timedelta(seconds=60))
    place(auction, bidders[0], "995000")
    auction.refresh_from_db()
    assert auction.ends_at == (clock.now + dt.timedelta(seconds=180)).replace(microsecond=0)
    assert auction.extensions == 1
    clock.advance(seconds=100)  # past the planned end, within the extension
    place(auction, bidders[1], "990000")


def test_a_replayed_request_places_nothing_new(scene):
    clock, buyer, bidders = scene
    auction = schedule(buyer, clock, bidders)
    clock.to(auction.opens_at)
    first = place(auction, bidders[0], "995000", request_id="req-1")
    again = place(auction, bidders[0], "995000", request_id="req-1")
    assert again.replayed and again.bid.pk == first.bid.pk
    assert AuctionBid.objects.count() == 1


def test_only_admitted_approved_bidders_bid(scene, approved_supplier, admin):
    clock, buyer, bidders = scene
    auction = schedule(buyer, clock, bidders[:2])
    clock.to(auction.opens_at)
    with pytest.raises(auctions.NotAdmittedError):
        place(auction, bidders[2], "995000")
    supplier = Supplier.objects.get(pk=supplier_of(bidders[1]))
    suppliers.supplier_review(
        actor=admin, juristic_id=supplier.business.juristic_id, decision="suspend", reason="ทิ้งงาน"
    )
    with pytest.raises(ApplicationError):
        place(auction, bidders[1], "995000")
    assert not AuctionBid.objects.exists()


def test_a_reverse_auction_never_starts_above_the_reference_price(scene):
    clock, buyer, bidders = scene
    with pytest.raises(ApplicationError):
        schedule(buyer, clock, bidders, step_amount="", step_percent="")
    with pytest.raises(ApplicationError):
        schedule(buyer, clock, bidders, opens_at=clock.now - dt.timedelta(minutes=1))


def test_a_forward_auction_sells_to_the_highest_with_a_deposit(scene, bank):
    clock, buyer, bidders = scene
    auction = schedule(
        buyer,
        clock,
        [],
        kind="forward",
        title="ขายรถยนต์ราชการ 1 คัน",
        start_price="150000",
        step_amount="",
        step_percent="2",
        reserve_price="180000",
        deposit="10000",
    )
    seats = [
        auctions.auction_register(
            actor=owner, reference=auction.reference, supplier_id=supplier_of(owner)
        )
        for owner in bidders[:2]
    ]
    assert all(seat.deposit_bill for seat in seats)
    clock.to(auction.opens_at)
    with pytest.raises(auctions.DepositUnpaidError):
        place(auction, bidders[0], "150000")
    AuctionBidder.objects.update(deposit_paid_at=clock.now)
    place(auction, bidders[0], "150000")
    with pytest.raises(auctions.BidNotBetterError) as low:  # 2% of 150,000 = 3,000
        place(auction, bidders[1], "152000")
    assert "153,000.00" in low.value.text("en")
    place(auction, bidders[1], "190000")
    clock.to(auction.ends_at)
    closed = auctions.auction_close(reference=auction.reference)
    assert closed.best_bid.amount == Decimal("190000.00")


def test_bidders_never_see_names_the_buyer_does(scene):
    clock, buyer, bidders = scene
    auction = schedule(buyer, clock, bidders)
    clock.to(auction.opens_at)
    place(auction, bidders[0], "995000")
    place(auction, bidders[1], "990000")
    names = [Supplier.objects.get(pk=supplier_of(owner)).business.name_th for owner in bidders]
    bidder_view = reads.auction_view(bidders[0], auction.reference)
    assert not any(name in str(bidder_view) for name in names)
    assert bidder_view["me"][0]["rank"] == 2
    buyer_view = reads.auction_view(buyer, auction.reference)
    assert names[1] in buyer_view["names"].values()
    assert buyer_view["best_amount"] == "990000.00"
    clock.to(auction.ends_at)
    auctions.auction_close(reference=auction.reference)
    public = reads.auction_view(ANONYMOUS, auction.reference)
    assert names[1] in str(public)


class ReverseAuctionMachine(RuleBasedStateMachine):
    """Random bids from three bidders at random times: the best price only improves, the
    winner holds the best price, nothing is accepted after the close, no name leaks."""

    def __init__(self) -> None:
        super().__init__()
        self.accepted: list[tuple[int, Decimal]] = []

    @initialize()
    def start(self) -> None:
        clock, buyer, bidders = self.scene
        self.auction = schedule(buyer, clock, bidders, extension_window=30, extension=30)
        clock.to(self.auction.opens_at)
        self.closed = False

    @rule(
        who=st.integers(0, 2),
        steps=st.integers(-2, 6),
        wait=st.integers(0, 400),
        odd=st.booleans(),
    )
    def bid(self, who: int, steps: int, wait: int, odd: bool) -> None:
        clock, _buyer, bidders = self.scene
        clock.advance(seconds=wait)
        self.auction.refresh_from_db()
        best = self.accepted[-1][1] if self.accepted else None
        base = best if best is not None else Decimal("1000000.00")
        amount = base - Decimal("5000") * steps + (Decimal("1234") if odd else 0)
        try:
            outcome = place(self.auction, bidders[who], amount)
        except ApplicationError:
            return
        assert not self.closed
        assert clock.now < self.auction.ends_at or outcome.replayed
        self.accepted.append((who, outcome.bid.amount))

    @rule(wait=st.integers(0, 2000))
    def close_when_due(self, wait: int) -> None:
        clock, _buyer, _bidders = self.scene
        clock.advance(seconds=wait)
        self.auction.refresh_from_db()
        if clock.now >= self.auction.ends_at:
            auctions.auction_close(reference=self.auction.reference)
            self.closed = True

    @invariant()
    def the_best_only_improves_and_the_winner_holds_it(self) -> None:
        amounts = [amount for _who, amount in self.accepted]
        assert amounts == sorted(amounts, reverse=True)
        assert len(set(amounts)) == len(amounts)
        if self.accepted:
            auction = Auction.objects.select_related("best_bid__bidder").get(pk=self.auction.pk)
            assert auction.best_bid.amount == amounts[-1]
            _clock, _buyer, bidders = self.scene
            assert auction.best_bid.bidder.supplier_id == supplier_of(bidders[self.accepted[-1][0]])

    @invariant()
    def bidders_see_no_names(self) -> None:
        if self.closed:
            return
        _clock, _buyer, bidders = self.scene
        view = str(reads.auction_view(bidders[0], self.auction.reference))
        for owner in bidders[1:]:
            assert Supplier.objects.get(pk=supplier_of(owner)).business.name_th not in view


def test_random_bid_sequences_keep_the_invariants(scene):
    ReverseAuctionMachine.scene = scene
    machine = ReverseAuctionMachine.TestCase
    machine.settings = settings(
        max_examples=15,
        stateful_step_count=25,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    machine().runTest()


def test_the_api_acknowledges_once_and_refuses_clearly(scene):
    from tests.conftest import ApiClient, assert_error_shape

    clock, buyer, bidders = scene
    created = ApiClient(buyer).post(
        "/api/procurement/auctions",
        {
            "kind": "reverse",
            "title": "ประมูลย้อนกลับ",
            "start_price": "500000",
            "step_amount": "1000",
            "opens_at": (clock.now + dt.timedelta(minutes=5)).isoformat(),
            "ends_at": (clock.now + dt.timedelta(minutes=35)).isoformat(),
            "suppliers": [supplier_of(owner) for owner in bidders],
        },
    )
    assert created.status_code == 201, created.content
    reference = created.json()["reference"]
    clock.to(clock.now + dt.timedelta(minutes=5))
    url = f"/api/procurement/auctions/{reference}/bids"
    body = {"supplier_id": supplier_of(bidders[0]), "amount": "499000", "request_id": "r1"}
    first = ApiClient(bidders[0]).post(url, body)
    assert first.status_code == 201, first.content
    again = ApiClient(bidders[0]).post(url, body)
    assert again.status_code == 200 and again.json()["replayed"] is True
    worse = ApiClient(bidders[1]).post(
        url, {"supplier_id": supplier_of(bidders[1]), "amount": "499500", "request_id": "r2"}
    )
    assert assert_error_shape(worse, 422)["code"] == "bid_not_better"
    state = ApiClient(bidders[1]).get(f"/api/procurement/auctions/{reference}").json()
    assert state["best_amount"] == "499000.00" and state["me"][0]["rank"] is None
    assert "names" not in state
    missed = ApiClient().get(f"{url}?after=0").json()
    assert [bid["amount"] for bid in missed] == ["499000.00"]
