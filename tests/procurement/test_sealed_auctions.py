"""Sealed-bid auctions (P-18) through the services: bids sealed to the auction's vault, nobody
sees a price or the standing before the committee opens it after the close, one bid or the
last of several, the winner, ties, invalid prices, and a tender's sealed auction."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.db import connection

from onestop.core.errors import ApplicationError
from onestop.documents.public import verify_statement
from onestop.identity.models import User
from onestop.identity.public import ANONYMOUS
from onestop.procurement import selectors_auctions as reads
from onestop.procurement.domain import vault
from onestop.procurement.models import Auction, AuctionBid, AuctionSeat, Submission
from onestop.procurement.services import auctions, awarding, sealed_auctions, vaults
from tests.procurement.conftest import PASSPHRASE, otp
from tests.procurement.test_auctions import supplier_of

pytestmark = pytest.mark.django_db


def schedule(buyer, clock, bidders, committee, **overrides) -> Auction:
    fields = {
        "kind": "sealed",
        "title": "ประมูลแบบปิดซื้อรถพยาบาล",
        "start_price": "2500000.00",
        "opens_at": clock.now + dt.timedelta(minutes=10),
        "ends_at": clock.now + dt.timedelta(hours=2),
        "suppliers": [supplier_of(owner) for owner in bidders],
        "committee": [User.objects.get(pk=member.user_id).username for member in committee],
        "threshold": 2,
    } | overrides
    return auctions.auction_create(actor=buyer, data=auctions.AuctionInput(**fields))


def seal(auction, owner, price, **extra) -> bytes:
    """What the bidder's browser does: seal the price to the auction's vault key."""
    auction.refresh_from_db()
    plaintext = json.dumps({"price": price, **extra}).encode()
    return vault.seal(
        bytes(auction.vault_public),
        plaintext,
        sealed_auctions.bid_context(auction.reference, supplier_of(owner)),
    )


def submit(auction, owner, price, **extra) -> AuctionBid:
    return sealed_auctions.sealed_bid_submit(
        actor=owner,
        reference=auction.reference,
        supplier_id=supplier_of(owner),
        sealed=seal(auction, owner, price, **extra),
    )


def release(auction, member, passphrase=PASSPHRASE):
    return sealed_auctions.sealed_share_release(
        actor=member, reference=auction.reference, passphrase=passphrase, second_factor=otp()
    )


@pytest.fixture
def scene(buyer, committee, approved_supplier, clock):
    bidders = [approved_supplier() for _ in range(3)]
    return clock, buyer, bidders, committee


def test_a_sealed_bid_auction_from_sealing_to_opening(scene):
    clock, buyer, bidders, committee = scene
    auction = schedule(buyer, clock, bidders, committee)
    assert auction.step_amount is None and auction.extension_window == 0
    assert AuctionSeat.objects.filter(auction=auction).count() == 3
    assert auction.threshold == 2 and len(auction.vault_kid) == 32

    with pytest.raises(auctions.AuctionNotOpenError):
        submit(auction, bidders[0], "2400000.00")
    clock.to(auction.opens_at)
    first = submit(auction, bidders[0], "2390000.00")
    submit(auction, bidders[1], "2310000.50")
    submit(auction, bidders[2], "2350000.00")

    # The database holds ciphertext only: no amount, and the price is nowhere in the row.
    stored = AuctionBid.objects.get(pk=first.pk)
    assert stored.amount is None
    assert b"2390000" not in bytes(stored.sealed)
    receipt = json.loads(bytes(stored.receipt))
    assert receipt["sha256"] == stored.sha256 == vault.digest(bytes(stored.sealed))
    assert verify_statement(
        bytes(stored.receipt), stored.receipt_signature, stored.receipt_certificate
    )

    # Whoever reads the database directly finds no price in any auction table either.
    with connection.cursor() as cursor:
        for model in (Auction, AuctionBid, AuctionSeat):
            cursor.execute(f"SELECT * FROM {model._meta.db_table}")
            dump = repr(cursor.fetchall())
            assert not any(price in dump for price in ("2390000", "2310000", "2350000"))

    # Nobody sees a price or the standing before the opening: not the buyer, not a bidder.
    for principal in (buyer, bidders[1], ANONYMOUS):
        view = reads.auction_view(principal, auction.reference)
        assert view["bids_count"] == 3
        assert view["best_amount"] is None and view["best_label"] is None
        assert view["standings"] == [] and view["bids"] == []
        assert "2310000" not in json.dumps(view)

    with pytest.raises(sealed_auctions.OpeningTooEarlyError):  # before the close
        release(auction, committee[0])
    clock.to(auction.ends_at)
    with pytest.raises(auctions.AuctionClosedError):  # after it
        submit(auction, bidders[0], "2000000.00")

    release(auction, committee[0])  # closes it too (no worker in a test); one share opens nothing
    auction.refresh_from_db()
    assert auction.status == Auction.Status.CLOSED and auction.opened_at is None
    assert reads.auction_view(ANONYMOUS, auction.reference)["standings"] == []
    with pytest.raises(sealed_auctions.ShareAlreadyReleasedError):
        release(auction, committee[0])

    release(auction, committee[1])  # the second of two needed: every bid opens
    auction.refresh_from_db()
    assert auction.opened_at is not None
    assert auction.best_bid.amount == Decimal("2310000.50")
    assert auction.best_bid.bidder.supplier_id == supplier_of(bidders[1])
    assert AuctionSeat.objects.filter(released_share__isnull=False).count() == 0
    view = reads.auction_view(ANONYMOUS, auction.reference)
    assert [row["amount"] for row in view["standings"]] == [
        "2310000.50",
        "2350000.00",
        "2390000.00",
    ]
    assert view["names"] and len(view["bids"]) == 3  # public with names once opened
    with pytest.raises(sealed_auctions.AlreadyOpenedError):
        release(auction, committee[2])


def test_one_sealed_bid_only_unless_the_auction_allows_several(scene):
    clock, buyer, bidders, committee = scene
    once = schedule(buyer, clock, bidders, committee)
    several = schedule(buyer, clock, bidders, committee, allow_resubmission=True)
    clock.to(once.opens_at)
    submit(once, bidders[0], "2400000.00")
    with pytest.raises(sealed_auctions.SealedBidOnceError):
        submit(once, bidders[0], "2300000.00")

    submit(several, bidders[0], "2200000.00")
    submit(several, bidders[1], "2300000.00")
    submit(several, bidders[0], "2350000.00")  # the last one counts, even though it is dearer
    clock.to(several.ends_at)
    release(several, committee[1])
    release(several, committee[2])
    several.refresh_from_db()
    assert several.best_bid.amount == Decimal("2300000.00")
    assert several.best_bid.bidder.supplier_id == supplier_of(bidders[1])
    standings = reads.auction_public_state(several.reference)["standings"]
    assert [row["amount"] for row in standings] == ["2300000.00", "2350000.00"]
    superseded = AuctionBid.objects.get(auction=several, superseded=True)
    assert superseded.amount == Decimal("2200000.00")  # opened for the record, not counted


def test_equal_prices_go_to_the_bid_sealed_first_and_invalid_prices_do_not_count(scene):
    clock, buyer, bidders, committee = scene
    auction = schedule(buyer, clock, bidders, committee)
    clock.to(auction.opens_at)
    submit(auction, bidders[2], "2600000.00")  # above the start price: does not count
    submit(auction, bidders[0], "2300000.00")
    clock.advance(seconds=5)
    submit(auction, bidders[1], "2300000.00")
    clock.to(auction.ends_at)
    release(auction, committee[0])
    release(auction, committee[2])
    auction.refresh_from_db()
    assert auction.best_bid.bidder.supplier_id == supplier_of(bidders[0])
    dear = AuctionBid.objects.get(auction=auction, bidder__supplier_id=supplier_of(bidders[2]))
    assert dear.amount is None and "above the start price" in dear.problem
    labels = [row["label"] for row in reads.auction_public_state(auction.reference)["standings"]]
    assert len(labels) == 2 and labels[0] == auction.best_bid.bidder.label


def test_bad_envelopes_replays_and_strangers_are_refused(scene, approved_supplier, officer):
    clock, buyer, bidders, committee = scene
    auction = schedule(buyer, clock, bidders[:2], committee)
    other = schedule(buyer, clock, bidders[:2], committee)
    clock.to(auction.opens_at)
    envelope = seal(auction, bidders[0], "2400000.00")

    def send(owner, sealed):
        return sealed_auctions.sealed_bid_submit(
            actor=owner, reference=auction.reference, supplier_id=supplier_of(owner), sealed=sealed
        )

    first = send(bidders[0], envelope)
    assert send(bidders[0], envelope).pk == first.pk  # a retry gets its first receipt
    assert AuctionBid.objects.filter(auction=auction).count() == 1
    with pytest.raises(sealed_auctions.SealedBidMalformedError):
        send(bidders[1], b'{"price": "2000000"}')
    with pytest.raises(sealed_auctions.SealedBidWrongKeyError):
        send(bidders[1], seal(other, bidders[1], "2000000.00"))
    with pytest.raises(auctions.NotAdmittedError):
        send(bidders[2], seal(auction, bidders[2], "2000000.00"))
    with pytest.raises(ApplicationError):  # another business's seat
        sealed_auctions.sealed_bid_submit(
            actor=bidders[1],
            reference=auction.reference,
            supplier_id=supplier_of(bidders[0]),
            sealed=seal(auction, bidders[0], "2000000.00"),
        )
    with pytest.raises(auctions.SealedOnlyError):  # no open bids in a sealed auction
        auctions.bid_place(
            actor=bidders[1],
            reference=auction.reference,
            supplier_id=supplier_of(bidders[1]),
            amount="2000000",
            request_id="x",
        )
    # A bid sealed for another bidder (copied envelope) is stored but does not open for them.
    send(bidders[1], seal(auction, bidders[0], "1000000.00"))
    clock.to(auction.ends_at)
    with pytest.raises(sealed_auctions.NotOpeningCommitteeError):
        release(auction, buyer)
    with pytest.raises(vaults.PassphraseWrongError):
        release(auction, committee[0], passphrase="not the passphrase at all")
    release(auction, committee[0])  # the code was not spent by the failed attempt
    release(auction, committee[1])
    auction.refresh_from_db()
    copied = AuctionBid.objects.get(auction=auction, bidder__supplier_id=supplier_of(bidders[1]))
    assert copied.amount is None and copied.problem
    assert auction.best_bid.pk == first.pk


def test_the_committee_must_be_whole_and_ready(scene, officer):
    clock, buyer, bidders, committee = scene
    with pytest.raises(ApplicationError) as too_few:
        schedule(buyer, clock, bidders, committee[:2])
    assert too_few.value.field == "committee"
    with pytest.raises(ApplicationError) as threshold:
        schedule(buyer, clock, bidders, committee, threshold=4)
    assert threshold.value.field == "threshold"
    without_key = officer("CGD", "committee")
    with pytest.raises(vaults.VaultKeyMissingError):
        schedule(buyer, clock, bidders, [*committee[:2], without_key])
    with pytest.raises(ApplicationError) as missing:
        schedule(buyer, clock, bidders, committee, threshold=None)
    assert missing.value.field == "threshold"
    assert not Auction.objects.exists()  # nothing half-written


def test_a_tenders_sealed_auction_takes_its_committee_and_decides_the_award(
    buyer, committee, clock, approved_supplier, cgd, officer
):
    from tests.procurement.test_awarding import evaluate_all, opened
    from tests.procurement.test_tendering import bid, published

    tender = published(buyer, committee, clock)
    bidders = [approved_supplier() for _ in range(3)]
    for owner, price in zip(bidders, ("1180000.00", "1095500.50", "1210000.00"), strict=True):
        bid(tender, owner, price)
    tender = opened(tender, committee, clock)
    evaluate_all(tender, committee[0])
    auction = auctions.auction_create(
        actor=buyer,
        data=auctions.AuctionInput(
            kind="sealed",
            title="เสนอราคาครั้งสุดท้ายแบบปิด",
            tender_reference=tender.reference,
            start_price="1200000.00",
            opens_at=clock.now + dt.timedelta(minutes=5),
            ends_at=clock.now + dt.timedelta(minutes=65),
        ),
    )
    assert auction.threshold == tender.threshold
    assert auction.reference_price == tender.reference_price
    clock.advance(minutes=5)
    submit(auction, bidders[0], "1050000.00")
    submit(auction, bidders[2], "1040000.00")
    clock.advance(minutes=61)
    release(auction, committee[1])
    release(auction, committee[2])
    approver = officer("CGD", "approver")
    awarded = awarding.tender_award(actor=approver, reference=tender.reference)
    winner = Submission.objects.get(pk=awarded.awarded_submission_id)
    assert winner.supplier_id == supplier_of(bidders[2])
    assert winner.final_price == Decimal("1040000.00")
