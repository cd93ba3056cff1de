"""Live e-Auctions (P-17 to P-20): the WebSocket consumer (what each viewer receives, catching
up after a drop, closing at the end without a worker), the close task on the queue (re-enqueued
when a late bid extends the end), and the pages."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.layers import get_channel_layer
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from onestop.identity.models import User
from onestop.procurement import live
from onestop.procurement.models import Auction, Supplier
from onestop.procurement.routing import websocket_urlpatterns
from onestop.procurement.selectors_auctions import auction_public_state
from onestop.procurement.services import auctions
from onestop.procurement.tasks import auction_close_task
from tests.procurement.conftest import Clock
from tests.procurement.test_auctions import place, schedule, supplier_of

TIMEOUT = 5


def name_of(owner) -> str:
    return Supplier.objects.get(pk=supplier_of(owner)).business.name_th


def user_of(principal):
    return User.objects.get(pk=principal.user_id) if principal else AnonymousUser()


class _WithUser:
    """Put a user into the WebSocket scope, as the session middleware would."""

    def __init__(self, app, user):
        self.app, self.user = app, user

    async def __call__(self, scope, receive, send):
        return await self.app({**scope, "user": self.user}, receive, send)


class Watcher:
    """A WebSocket client of one auction that keeps every frame it received, as text."""

    def __init__(self, user, reference: str) -> None:
        app = _WithUser(URLRouter(websocket_urlpatterns), user)
        self.communicator = WebsocketCommunicator(app, f"/ws/auctions/{reference}/")
        self.frames: list[str] = []

    async def connect(self):
        connected, code = await self.communicator.connect()
        return connected, code

    async def next(self) -> dict:
        text = await self.communicator.receive_from(timeout=TIMEOUT)
        self.frames.append(text)
        return json.loads(text)

    async def state_until(self, predicate) -> dict:
        while True:
            message = await self.next()
            if message["type"] == "state" and predicate(message["state"]):
                return message["state"]

    async def send(self, message) -> None:
        await self.communicator.send_to(text_data=json.dumps(message))

    async def close(self) -> None:
        await self.communicator.disconnect()

    def text(self) -> str:
        """Every frame as received and decoded (escaped or not, a name would show)."""
        decoded = [json.dumps(json.loads(frame), ensure_ascii=False) for frame in self.frames]
        return "\n".join(self.frames + decoded)


@pytest.fixture
def scene(cgd, officer, approved_supplier, monkeypatch):
    clock = Clock(monkeypatch)
    buyer = officer("CGD", "buyer")
    bidders = [approved_supplier() for _ in range(3)]
    return clock, buyer, bidders


@pytest.mark.django_db(transaction=True)
def test_bidders_never_receive_other_bidders_names_the_buyer_does(scene):
    clock, buyer, bidders = scene
    auction = schedule(buyer, clock, bidders, extension_window=120, extension=180)
    names = [name_of(owner) for owner in bidders]
    clock.to(auction.opens_at)
    users = [user_of(owner) for owner in bidders]
    buyer_user, observer_user = user_of(buyer), AnonymousUser()

    async def scenario():
        watchers = [Watcher(user, auction.reference) for user in users]
        buyer_watch = Watcher(buyer_user, auction.reference)
        observer = Watcher(observer_user, auction.reference)
        everyone = [*watchers, buyer_watch, observer]
        for watcher in everyone:
            assert (await watcher.connect())[0]
            first = await watcher.next()
            assert first["type"] == "state" and first["state"]["bids_count"] == 0
        assert first["state"]["viewer"] == "observer"

        amounts = ["995000", "990000", "985000", "980000"]
        for number, amount in enumerate(amounts):
            await sync_to_async(place)(auction, bidders[number % 3], amount)
            for watcher in everyone:
                await watcher.state_until(lambda state, n=number: state["bids_count"] == n + 1)
        # a late bid extends the end, and every watcher sees the new end
        clock.to(auction.ends_at - dt.timedelta(seconds=60))
        await sync_to_async(place)(auction, bidders[1], "975000")
        extended = [
            await watcher.state_until(lambda state: state["bids_count"] == 5)
            for watcher in everyone
        ]
        assert {state["ends_at"] for state in extended} == {
            (clock.now + dt.timedelta(seconds=180)).replace(microsecond=0).isoformat()
        }
        assert all(state["extensions"] == 1 for state in extended)
        running = [watcher.text() for watcher in everyone]

        # the close: now everyone may see who bid
        clock.to(clock.now + dt.timedelta(seconds=181))
        await sync_to_async(auctions.auction_close)(reference=auction.reference)
        closed = [
            await watcher.state_until(lambda state: state["status"] == "closed")
            for watcher in everyone
        ]
        for watcher in everyone:
            await watcher.close()
        return running, extended, closed

    running, extended, closed = async_to_sync(scenario)()

    for index in range(3):
        others = [name for number, name in enumerate(names) if number != index]
        assert not any(name in running[index] for name in others), f"bidder {index} saw a name"
        assert "names" not in extended[index]
        mine = extended[index]["me"]
        assert len(mine) == 1 and mine[0]["rank"] is not None
    assert extended[1]["me"][0]["rank"] == 1  # bidder 1 placed the last, lowest bid
    assert all(name in running[3] for name in names), "the buyer sees every name"
    assert extended[3]["viewer"] == "buyer" and set(extended[3]["names"].values()) == set(names)
    assert not any(name in running[4] for name in names), "an observer sees no name"
    for state in closed:
        assert set(state["names"].values()) == set(names)
        assert state["best_amount"] == "975000.00"


@pytest.mark.django_db(transaction=True)
def test_a_change_reaches_every_watcher_without_a_query_each(scene, monkeypatch):
    """Many watchers: a bid is sent to all without touching the database; at the close the
    names are loaded once for all of them."""
    clock, buyer, bidders = scene
    auction = schedule(buyer, clock, bidders)
    clock.to(auction.opens_at)
    users = [user_of(bidders[0]), user_of(buyer), AnonymousUser()] * 10
    monkeypatch.setattr(live, "announce_bid", lambda reference: None)
    layer = get_channel_layer()
    group = live.auction_group(auction.reference)

    # Count the queries of this thread's connection, where the consumers' database work runs.
    async def counting() -> CaptureQueriesContext:
        context = CaptureQueriesContext(connection)
        await sync_to_async(context.__enter__)()
        return context

    async def done(context: CaptureQueriesContext) -> None:
        await sync_to_async(context.__exit__)(None, None, None)

    async def scenario():
        watchers = [Watcher(user, auction.reference) for user in users]
        for watcher in watchers:
            await watcher.connect()
            await watcher.next()
        await sync_to_async(place)(auction, bidders[1], "995000")
        state = await sync_to_async(auction_public_state)(auction.reference)
        per_bid = await counting()
        await layer.group_send(group, {"type": "auction.state", "state": state})
        running = [await watcher.next() for watcher in watchers]
        await done(per_bid)
        clock.to(auction.ends_at)
        await sync_to_async(auctions.auction_close)(reference=auction.reference)
        state = await sync_to_async(auction_public_state)(auction.reference)
        at_close = await counting()
        await layer.group_send(group, {"type": "auction.state", "state": state})
        closed = [await watcher.next() for watcher in watchers]
        await done(at_close)
        control = await counting()
        await watchers[0].send({"type": "catch_up", "after": 0})
        await watchers[0].next()
        await done(control)
        for watcher in watchers:
            await watcher.close()
        return running, closed, per_bid, at_close, control

    running, closed, per_bid, at_close, control = async_to_sync(scenario)()
    assert len(control.captured_queries) >= 1  # the capture sees the consumers' queries
    assert per_bid.captured_queries == []
    assert len(at_close.captured_queries) <= 3  # the names, once for all 30 watchers
    assert {message["state"]["bids_count"] for message in running} == {1}
    assert [message["state"]["viewer"] for message in running[:3]] == [
        "bidder",
        "buyer",
        "observer",
    ]
    assert "names" not in running[0]["state"] and "names" not in running[2]["state"]
    assert all(name_of(bidders[1]) in message["state"]["names"].values() for message in closed)


@pytest.mark.django_db(transaction=True)
def test_a_client_catches_up_on_the_bids_it_missed(scene):
    clock, buyer, bidders = scene
    auction = schedule(buyer, clock, bidders)
    clock.to(auction.opens_at)
    user = user_of(bidders[0])

    async def scenario():
        watcher = Watcher(user, auction.reference)
        await watcher.connect()
        await watcher.next()
        await sync_to_async(place)(auction, bidders[0], "995000")
        seen = await watcher.state_until(lambda state: state["bids_count"] == 1)
        await watcher.close()
        # the connection drops; two bids are placed meanwhile
        await sync_to_async(place)(auction, bidders[1], "990000")
        await sync_to_async(place)(auction, bidders[2], "985000")
        again = Watcher(user, auction.reference)
        await again.connect()
        await again.next()
        await again.send({"type": "catch_up", "after": seen["bids"][-1]["sequence"]})
        missed = await again.next()
        await again.send({"type": "catch_up", "after": "one"})
        refused = await again.next()
        await again.send({"type": "hello"})
        unknown = await again.next()
        await again.communicator.send_to(text_data="not json")
        garbled = await again.next()
        await again.close()
        return missed, refused, unknown, garbled, again.text()

    missed, refused, unknown, garbled, frames = async_to_sync(scenario)()
    assert missed["type"] == "bids"
    assert [(bid["sequence"], bid["amount"]) for bid in missed["bids"]] == [
        (2, "990000.00"),
        (3, "985000.00"),
    ]
    assert all(
        set(bid) == {"sequence", "label", "amount", "at", "extended_to"} for bid in missed["bids"]
    )
    assert refused == unknown == garbled == {"type": "error", "code": "bad_message"}
    assert name_of(bidders[1]) not in frames and name_of(bidders[2]) not in frames


@pytest.mark.django_db(transaction=True)
def test_an_unknown_auction_is_refused():
    async def scenario():
        return await Watcher(AnonymousUser(), "CGD-AU-2569-99999").connect()

    assert async_to_sync(scenario)() == (False, 4404)


@pytest.mark.django_db(transaction=True)
def test_watchers_see_the_close_at_the_end_without_a_worker(scene):
    clock, buyer, bidders = scene
    auction = schedule(buyer, clock, bidders)
    clock.to(auction.opens_at)
    place(auction, bidders[0], "995000")
    clock.to(auction.ends_at - dt.timedelta(seconds=0.3))
    user = user_of(bidders[1])

    async def scenario():
        watcher = Watcher(user, auction.reference)
        await watcher.connect()
        first = (await watcher.next())["state"]
        clock.to(auction.ends_at + dt.timedelta(seconds=1))  # time passes; no worker runs
        closed = await watcher.state_until(lambda state: state["status"] == "closed")
        await watcher.close()
        return first, closed

    first, closed = async_to_sync(scenario)()
    assert first["status"] == "scheduled" and "names" not in first
    assert closed["best_amount"] == "995000.00"
    assert name_of(bidders[0]) in closed["names"].values()
    assert Auction.objects.get(pk=auction.pk).status == Auction.Status.CLOSED


@pytest.mark.django_db(transaction=True)
def test_a_watcher_arriving_after_the_end_finds_it_closed(scene):
    clock, buyer, bidders = scene
    auction = schedule(buyer, clock, bidders)
    clock.to(auction.ends_at + dt.timedelta(minutes=5))

    async def scenario():
        watcher = Watcher(AnonymousUser(), auction.reference)
        await watcher.connect()
        state = (await watcher.next())["state"]
        await watcher.close()
        return state

    state = async_to_sync(scenario)()
    assert state["status"] == "closed" and state["best_amount"] is None


def _close_tasks():
    return DBTaskResult.objects.filter(task_path=auction_close_task.module_path).order_by(
        "enqueued_at"
    )


@pytest.mark.django_db
def test_the_close_task_closes_at_the_end_and_waits_for_an_extension(
    scene, run_tasks, django_capture_on_commit_callbacks
):
    clock, buyer, bidders = scene
    with django_capture_on_commit_callbacks(execute=True):
        auction = schedule(buyer, clock, bidders, extension_window=120, extension=300)
    planned_end = auction.ends_at
    assert [(row.args_kwargs["kwargs"], row.run_after) for row in _close_tasks()] == [
        ({"reference": auction.reference}, planned_end)
    ]

    # nothing runs before the end
    clock.to(auction.opens_at)
    run_tasks()
    assert _close_tasks().get().status == "READY"

    # a late bid moves the end; at the planned end the task waits for the new one
    clock.to(planned_end - dt.timedelta(seconds=30))
    place(auction, bidders[0], "995000")
    auction.refresh_from_db()
    assert auction.ends_at > planned_end
    clock.to(planned_end)
    run_tasks()
    first, second = _close_tasks()
    assert first.status == "SUCCESSFUL" and first.return_value == "rescheduled"
    assert second.status == "READY" and second.run_after == auction.ends_at
    assert Auction.objects.get(pk=auction.pk).status == Auction.Status.SCHEDULED

    # at the new end it closes
    clock.to(auction.ends_at)
    run_tasks()
    second.refresh_from_db()
    assert second.status == "SUCCESSFUL" and second.return_value == "closed"
    closed = Auction.objects.get(pk=auction.pk)
    assert closed.status == Auction.Status.CLOSED and closed.best_bid.amount == 995000
    assert _close_tasks().count() == 2


@pytest.mark.django_db
def test_the_close_task_changes_nothing_once_closed(scene):
    clock, buyer, bidders = scene
    auction = schedule(buyer, clock, bidders)
    clock.to(auction.ends_at)
    assert auctions.auctions_close_due() == [auction.reference]
    assert auction_close_task.call(reference=auction.reference) == "closed"
    assert auction_close_task.call(reference="CGD-AU-2569-99999") == "missing"


def _client(principal=None) -> Client:
    client = Client()
    if principal is not None:
        client.force_login(user_of(principal))
    return client


@pytest.mark.django_db
def test_the_pages_show_each_viewer_what_it_may_see(scene):
    clock, buyer, bidders = scene
    auction = schedule(buyer, clock, bidders)
    clock.to(auction.opens_at)
    place(auction, bidders[0], "995000")
    place(auction, bidders[1], "990000")
    names = [name_of(owner) for owner in bidders]
    url = f"/procurement/auctions/{auction.reference}/"

    listing = _client().get("/procurement/auctions/")
    assert listing.status_code == 200 and auction.reference in listing.content.decode()

    page = _client(bidders[0]).get(url).content.decode()
    assert names[0] in page  # its own name, in its own bid form
    assert names[1] not in page and names[2] not in page
    assert 'id="bid-form"' in page and 'data-viewer="bidder"' in page
    assert "ws/auctions/" in page and "auction-live.js" in page

    page = _client().get(url).content.decode()
    assert not any(name in page for name in names) and 'id="bid-form"' not in page

    page = _client(buyer).get(url).content.decode()
    assert all(name in page for name in names[:2])

    # after the end, the first viewer closes it; the result names the winner with the savings
    clock.to(auction.ends_at)
    page = _client(bidders[2]).get(url).content.decode()
    assert Auction.objects.get(pk=auction.pk).status == Auction.Status.CLOSED
    winner = re.search(r'id="winner">([^<]*)<', page).group(1)
    assert names[1] in winner
    assert "990,000.00" in re.search(r'id="winning-amount">([^<]*)<', page).group(1)


@pytest.mark.django_db
def test_the_buyer_schedules_a_reverse_auction_on_the_page(scene):
    clock, buyer, bidders = scene
    client = _client(buyer)
    assert client.get("/procurement/auctions/new/").status_code == 200
    local = timezone.localtime(clock.now)
    response = client.post(
        "/procurement/auctions/new/",
        {
            "kind": "reverse",
            "title": "ประมูลจ้างพิมพ์เอกสาร",
            "suppliers": [supplier_of(owner) for owner in bidders],
            "reference_price": "500000",
            "start_price": "480000",
            "step_amount": "1000",
            "opens_at": (local + dt.timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%S"),
            "ends_at": (local + dt.timedelta(minutes=35)).strftime("%Y-%m-%dT%H:%M:%S"),
            "extension_window": "20",
            "extension": "20",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    auction = Auction.objects.get()
    assert response["Location"] == f"/procurement/auctions/{auction.reference}/"
    assert auction.reference_price == 500000 and auction.bidders.count() == 3
    assert (auction.extension_window, auction.extension) == (20, 20)

    refused = client.post(
        "/procurement/auctions/new/",
        {
            "kind": "reverse",
            "title": "x",
            "start_price": "600000",
            "step_amount": "1000",
            "reference_price": "500000",
            "suppliers": [supplier_of(owner) for owner in bidders],
            "opens_at": (local + dt.timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%S"),
            "ends_at": (local + dt.timedelta(minutes=35)).strftime("%Y-%m-%dT%H:%M:%S"),
        },
    )
    assert refused.status_code == 200 and 'id="form-error"' in refused.content.decode()
    assert _client(bidders[0]).get("/procurement/auctions/new/").status_code == 403


@pytest.mark.django_db
def test_a_business_registers_for_a_forward_auction_on_its_page(scene, bank):
    clock, buyer, bidders = scene
    auction = schedule(
        buyer,
        clock,
        [],
        kind="forward",
        title="ขายรถยนต์ราชการ 1 คัน",
        start_price="150000",
        step_amount="2000",
        reserve_price="180000",
        deposit="10000",
    )
    url = f"/procurement/auctions/{auction.reference}/"
    client = _client(bidders[0])
    page = client.get(url).content.decode()
    assert 'id="register"' in page and 'id="bid-form"' not in page

    response = client.post(f"{url}register/", {"supplier_id": supplier_of(bidders[0])})
    assert response.status_code == 302 and response["Location"] == url
    page = client.get(url).content.decode()
    seat = auction.bidders.get()
    assert f"/payments/bills/{seat.deposit_bill}/" in page  # pay the deposit first
    assert 'id="bid-form"' not in page and 'id="register"' not in page

    auction.bidders.update(deposit_paid_at=clock.now)
    page = client.get(url).content.decode()
    assert 'id="bid-form"' in page and f'data-label="{seat.label}"' in page


@pytest.mark.django_db
def test_the_buyer_schedules_the_auction_of_an_opened_tender(
    buyer, committee, clock, approved_supplier
):
    from tests.procurement.test_analytics import opened_tender

    owners = [approved_supplier() for _ in range(3)]
    tender = opened_tender(
        buyer,
        committee,
        clock,
        clock.now,
        list(zip(owners, ["1150000", "1100000", "1190000"], strict=True)),
    )
    qualified = [supplier_of(owner) for owner in owners[:2]]
    tender.submissions.filter(supplier_id__in=qualified).update(qualified=True)
    tender.submissions.exclude(supplier_id__in=qualified).update(qualified=False)
    client = _client(buyer)
    form = client.get("/procurement/auctions/new/").content.decode()
    assert f'<option value="{tender.reference}"' in form

    local = timezone.localtime(clock.now)
    response = client.post(
        "/procurement/auctions/new/",
        {
            "kind": "reverse",
            "title": f"ประมูลย้อนกลับ {tender.reference}",
            "tender_reference": tender.reference,
            "start_price": "1100000",
            "step_amount": "5000",
            "opens_at": (local + dt.timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%S"),
            "ends_at": (local + dt.timedelta(minutes=35)).strftime("%Y-%m-%dT%H:%M:%S"),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    auction = Auction.objects.get(tender=tender)
    assert auction.reference_price == tender.reference_price
    assert set(auction.bidders.values_list("supplier_id", flat=True)) == set(qualified)


@pytest.mark.django_db
def test_the_api_takes_a_reference_price_for_a_reverse_auction_without_tender(scene):
    from tests.conftest import ApiClient, assert_error_shape

    clock, buyer, bidders = scene
    body = {
        "kind": "reverse",
        "title": "ประมูลย้อนกลับ",
        "reference_price": "500000",
        "start_price": "490000",
        "step_amount": "1000",
        "opens_at": (clock.now + dt.timedelta(minutes=5)).isoformat(),
        "ends_at": (clock.now + dt.timedelta(minutes=35)).isoformat(),
        "suppliers": [supplier_of(owner) for owner in bidders],
    }
    created = ApiClient(buyer).post("/api/procurement/auctions", body)
    assert created.status_code == 201, created.content
    assert created.json()["reference_price"] == "500000.00"
    above = ApiClient(buyer).post("/api/procurement/auctions", body | {"start_price": "510000"})
    assert assert_error_shape(above, 422)["field"] == "start_price"
