"""e-Auctions past one server: two server processes share the database and Redis (the channel
layer); a bid placed over HTTP on one reaches a watcher connected by WebSocket to the other."""

from __future__ import annotations

import datetime as dt
import json
import secrets
import time
from decimal import Decimal

import httpx
import pytest
from django.utils import timezone
from websockets.sync.client import connect

from onestop.procurement.services import auctions
from tests.procurement.real_server import REDIS_URL, Server, redis_answers
from tests.procurement.test_auctions import supplier_of

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not redis_answers(),
        reason=f"no Redis answers at {REDIS_URL} (set REDIS_URL; .ci/run starts one)",
    ),
]

STEP = Decimal("100.00")
WAIT = 10  # seconds for a frame to arrive
QUIET = 6  # seconds without a message, more than the channel layer's 5 s wait on Redis


@pytest.fixture
def servers(tmp_path):
    """Two server processes on the test's database and one Redis."""
    started = []
    try:
        for number in (1, 2):
            server = Server(tmp_path / f"server{number}.log", redis_url=REDIS_URL)
            started.append(server)
            server.start()
        yield started
    finally:
        for server in started:
            server.stop()


class Watcher:
    """A WebSocket client of one auction on one server. States of other auctions that share the
    reference (another run on the same Redis) are not ours: they have another start price."""

    def __init__(self, socket, start: Decimal) -> None:
        self.socket = socket
        self.start = f"{start:.2f}"

    def state_until(self, predicate) -> dict:
        deadline = time.monotonic() + WAIT
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError("no such state arrived")
            message = json.loads(self.socket.recv(timeout=left))
            if message["type"] != "state" or message["state"]["start_price"] != self.start:
                continue
            if predicate(message["state"]):
                return message["state"]

    def catch_up(self, after: int) -> list[dict]:
        self.socket.send(json.dumps({"type": "catch_up", "after": after}))
        deadline = time.monotonic() + WAIT
        while True:
            message = json.loads(self.socket.recv(timeout=max(0.1, deadline - time.monotonic())))
            if message["type"] == "bids":
                return message["bids"]


def watch(server: Server, reference: str):
    return connect(
        server.ws_url(f"/ws/auctions/{reference}/"), origin=server.base, open_timeout=WAIT
    )


def test_a_bid_on_one_server_reaches_a_watcher_on_the_other(
    cgd, officer, approved_supplier, servers
):
    # given: a running reverse auction; a unique start price, so that no other run sharing this
    # Redis can be mistaken for ours
    buyer = officer("CGD", "buyer")
    bidders = [approved_supplier() for _ in range(2)]
    start = Decimal(1_000_000 + secrets.randbelow(10_000) * 100)
    now = timezone.now()
    auction = auctions.auction_create(
        actor=buyer,
        data=auctions.AuctionInput(
            kind="reverse",
            title="ประมูลซื้อครุภัณฑ์คอมพิวเตอร์",
            start_price=start,
            step_amount=STEP,
            opens_at=now + dt.timedelta(seconds=2),
            ends_at=now + dt.timedelta(minutes=30),
            suppliers=[supplier_of(owner) for owner in bidders],
        ),
    )
    one, two = servers
    tokens = [one.token(bidders[0].username), two.token(bidders[1].username)]
    time.sleep(max(0.0, (auction.opens_at - timezone.now()).total_seconds() + 0.1))
    with (
        watch(two, auction.reference) as socket_two,
        watch(one, auction.reference) as socket_one,
    ):
        on_two, on_one = Watcher(socket_two, start), Watcher(socket_one, start)
        assert on_two.state_until(lambda state: True)["bids_count"] == 0
        assert on_one.state_until(lambda state: True)["bids_count"] == 0
        # quiet for longer than the channel layer's blocking wait on Redis (5 s): the sockets
        # stay up (redis-py 8's default read timeout of 5 s used to kill a consumer each time)
        time.sleep(QUIET)

        # when: a bid is placed over HTTP on server 1
        amount = f"{start - STEP:.2f}"
        placed = httpx.post(
            f"{one.base}/api/procurement/auctions/{auction.reference}/bids",
            json={
                "supplier_id": supplier_of(bidders[0]),
                "amount": amount,
                "request_id": "two-servers-1",
            },
            headers={"Authorization": f"Bearer {tokens[0]}"},
            timeout=10,
        )
        assert placed.status_code == 201, placed.text

        # then: the watcher on server 2 receives it, and so does the one on server 1
        for watcher in (on_two, on_one):
            state = watcher.state_until(lambda state: state["bids_count"] >= 1)
            assert state["bids_count"] == 1
            assert state["best_amount"] == amount
            assert [bid["sequence"] for bid in state["bids"]] == [1]

        # and the other way round: a bid on server 2 reaches the watcher on server 1
        better = f"{start - 2 * STEP:.2f}"
        placed = httpx.post(
            f"{two.base}/api/procurement/auctions/{auction.reference}/bids",
            json={
                "supplier_id": supplier_of(bidders[1]),
                "amount": better,
                "request_id": "two-servers-2",
            },
            headers={"Authorization": f"Bearer {tokens[1]}"},
            timeout=10,
        )
        assert placed.status_code == 201, placed.text
        state = on_one.state_until(lambda state: state["bids_count"] >= 2)
        assert (state["bids_count"], state["best_amount"]) == (2, better)
        # a watcher of server 2 that missed frames catches up from the shared database
        assert [(bid["sequence"], bid["amount"]) for bid in on_two.catch_up(0)] == [
            (1, amount),
            (2, better),
        ]
