"""e-Auctions lose no acknowledged bid when the server dies: a storm of concurrent bids on a real
server process, SIGKILL in the middle of it, a restart on the same database. Every bid that got
its 201 is in the database, the standing is the best acknowledged bid, and the auction (its clock
is in the database) goes on.

A bid in flight when the server died may or may not have been committed; its bidder does what
the API asks of a client without an answer: it sends the same request again (same request id)
to the restarted server, and gets either the first acknowledgement (200, replayed) or a fresh
answer."""

from __future__ import annotations

import asyncio
import datetime as dt
import random
import re
import time
from decimal import Decimal

import httpx
import pytest
from django.utils import timezone

from onestop.procurement.models import Auction, AuctionBid
from onestop.procurement.services import auctions
from tests.procurement.real_server import Server
from tests.procurement.test_auctions import supplier_of

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

BIDDERS = 8
START = Decimal("5000000.00")
STEP = Decimal("100.00")
BEST = re.compile(r"The best bid is ([\d,]+\.\d\d) baht")


def money(value) -> str:
    return f"{Decimal(str(value)):.2f}"


@pytest.fixture
def server(tmp_path):
    server = Server(tmp_path / "server.log")
    try:
        yield server
    finally:
        server.stop()


class Storm:
    """Bidders bidding as fast as they can, each a whole step below the best it last saw; it
    notes every acknowledgement and the request each bidder had in flight when it stopped."""

    def __init__(self, base: str, reference: str, bidders: list[dict]) -> None:
        self.base, self.reference, self.bidders = base, reference, bidders
        self.acks: dict[tuple[int, str], dict] = {}  # (supplier id, request id) -> body
        self.in_flight: dict[int, dict] = {}  # bidder number -> the unanswered request
        self.refusals = 0
        self.running = True

    async def bidder(self, number: int, client: httpx.AsyncClient) -> None:
        me = self.bidders[number]
        best, sent = START, 0
        while self.running:
            sent += 1
            body = {
                "supplier_id": me["supplier_id"],
                "amount": f"{best - STEP:.2f}",
                "request_id": f"storm-{number}-{sent}",
            }
            self.in_flight[number] = body
            try:
                response = await client.post(self.path, json=body)
            except httpx.TransportError:
                return  # the server died with this request unanswered
            del self.in_flight[number]
            if response.status_code == 201:
                self.acks[(me["supplier_id"], body["request_id"])] = response.json()
                best = Decimal(body["amount"])
            else:
                assert response.status_code == 422, response.text
                self.refusals += 1
                seen = BEST.search(response.json()["message"]["en"])
                best = Decimal(seen[1].replace(",", "")) if seen else best - STEP

    @property
    def path(self) -> str:
        return f"/api/procurement/auctions/{self.reference}/bids"

    async def run(self, kill_after: float, kill) -> None:
        clients = [
            httpx.AsyncClient(
                base_url=self.base,
                headers={"Authorization": f"Bearer {bidder['token']}", "Accept-Language": "en"},
                timeout=10,
            )
            for bidder in self.bidders
        ]
        try:
            tasks = [
                asyncio.create_task(self.bidder(number, client))
                for number, client in enumerate(clients)
            ]
            await asyncio.sleep(kill_after)
            await asyncio.to_thread(kill)  # SIGKILL mid-storm: requests are in flight
            self.running = False
            await asyncio.wait_for(asyncio.gather(*tasks), timeout=15)
        finally:
            for client in clients:
                await client.aclose()


def test_no_acknowledged_bid_is_lost_when_the_server_is_killed(
    cgd, officer, approved_supplier, server
):
    # given: a running reverse auction among eight bidders, and a real server
    buyer = officer("CGD", "buyer")
    owners = [approved_supplier() for _ in range(BIDDERS)]
    now = timezone.now()
    auction = auctions.auction_create(
        actor=buyer,
        data=auctions.AuctionInput(
            kind="reverse",
            title="ประมูลจ้างก่อสร้างอาคารสำนักงาน",
            start_price=START,
            step_amount=STEP,
            opens_at=now + dt.timedelta(seconds=2),
            ends_at=now + dt.timedelta(minutes=30),
            suppliers=[supplier_of(owner) for owner in owners],
        ),
    )
    ends_at = auction.ends_at
    server.start()
    bidders = [
        {"supplier_id": supplier_of(owner), "token": server.token(owner.username)}
        for owner in owners
    ]
    time.sleep(max(0.0, (auction.opens_at - timezone.now()).total_seconds() + 0.1))

    # when: the server is killed in the middle of a storm of bids
    storm = Storm(server.base, auction.reference, bidders)
    asyncio.run(storm.run(kill_after=random.uniform(2.0, 3.5), kill=server.kill))
    assert len(storm.acks) >= 5, "the storm placed too few bids to mean anything"
    assert storm.in_flight, "the kill found no request in flight"
    acknowledged_before_kill = dict(storm.acks)

    # then: after a restart on the same database, every bid acknowledged before the kill is there
    server.start()
    rows = {
        (row.bidder.supplier_id, row.request_id): row
        for row in AuctionBid.objects.filter(auction=auction).select_related("bidder")
    }
    for key, ack in acknowledged_before_kill.items():
        row = rows.get(key)
        assert row is not None, f"acknowledged bid {key} is lost"
        assert (row.sequence, money(row.amount)) == (ack["sequence"], money(ack["amount"]))
    # the standing is the best acknowledged bid, unless a better one committed just before the
    # kill, unanswered (its bidder is about to ask again)
    auction.refresh_from_db()
    best_acknowledged = min(Decimal(ack["amount"]) for ack in acknowledged_before_kill.values())
    unanswered = {(body["supplier_id"], body["request_id"]) for body in storm.in_flight.values()}
    best_row = auction.best_bid
    assert best_row.amount == best_acknowledged or (
        (best_row.bidder.supplier_id, best_row.request_id) in unanswered
        and best_row.amount < best_acknowledged
    )

    # the bidders without an answer send the same request again: the first acknowledgement, or
    # a fresh decision if it never committed
    with httpx.Client(base_url=server.base, headers={"Accept-Language": "en"}) as client:
        for number, body in storm.in_flight.items():
            retried = client.post(
                storm.path,
                json=body,
                headers={"Authorization": f"Bearer {bidders[number]['token']}"},
            )
            key = (body["supplier_id"], body["request_id"])
            if key in rows:
                assert retried.status_code == 200, retried.text
                assert retried.json()["replayed"] is True
                assert retried.json()["sequence"] == rows[key].sequence
            else:
                assert retried.status_code in (201, 422), retried.text
            if retried.status_code in (200, 201):
                storm.acks[key] = retried.json()

        # every row is an acknowledged bid and every acknowledged bid a row, in one unbroken
        # sequence; the standing is the best acknowledged bid
        rows = {
            (row.bidder.supplier_id, row.request_id): (row.sequence, money(row.amount))
            for row in AuctionBid.objects.filter(auction=auction).select_related("bidder")
        }
        assert rows == {
            key: (ack["sequence"], money(ack["amount"])) for key, ack in storm.acks.items()
        }
        assert sorted(sequence for sequence, _amount in rows.values()) == list(
            range(1, len(rows) + 1)
        )
        auction.refresh_from_db()
        best = min(Decimal(ack["amount"]) for ack in storm.acks.values())
        assert auction.best_bid.amount == best
        assert auction.bids_count == len(rows)

        # and the auction goes on: same clock, open, and it takes the next bid
        assert auction.status == Auction.Status.SCHEDULED and auction.ends_at == ends_at
        state = client.get(f"/api/procurement/auctions/{auction.reference}").json()
        assert state["running"] is True and state["bids_count"] == len(rows)
        assert dt.datetime.fromisoformat(state["ends_at"]) == ends_at
        after = client.post(
            storm.path,
            json={
                "supplier_id": bidders[0]["supplier_id"],
                "amount": f"{best - STEP:.2f}",
                "request_id": "after-restart",
            },
            headers={"Authorization": f"Bearer {bidders[0]['token']}"},
        )
    assert after.status_code == 201, after.text
    assert after.json()["sequence"] == len(rows) + 1
    auction.refresh_from_db()
    assert auction.best_bid.amount == best - STEP
