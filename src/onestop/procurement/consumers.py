"""Live e-Auctions over WebSockets (P-17 to P-20): `ws/auctions/<reference>/`.

Protocol (JSON text frames):

* server → client, on connect and after every change: `{"type": "state", "state": <view>}`,
  the auction's public state as this viewer may see it (`selectors_auctions.view_for`). The
  state sent on connect carries the last 50 bids; the states after a change carry only the last
  few (`live.ANNOUNCED_BIDS`): a client keeps the bids it has and merges the new ones by sequence;
* client → server: `{"type": "catch_up", "after": N}`; the answer is
  `{"type": "bids", "bids": [...]}`, every bid with a sequence above N (labels only), for a
  client that reconnects after a drop, or that sees a gap between the bids it has and the
  oldest bid of a new state;
* a malformed client message gets `{"type": "error", "code": "bad_message"}`; an unknown
  auction closes the socket with code 4404.

States only move forward: one with fewer bids than the last one sent (announcements of two bids
may cross), or the same one again, is not sent. Frames are compact UTF-8 JSON (Thai is not
escaped).

Who is looking is decided once, at connect, from the session (anonymous: an observer). The
changes come from the channel-layer group `live.auction_group(reference)` with the public
state only (amounts and anonymous labels). Each process joins that group once per watched
auction (`_Hub`), not once per watcher: the hub receives a change once, encodes it once per
kind of viewer (observers; each bidder label; the buyer's agency) and hands the encoded frame to
each of its watchers, without touching the database and without a thread hop per watcher. A
bidder never receives another bidder's name while the auction runs (its frame is built for its
own labels only), the buyer's agency sees the names it loaded at connect. Only once the auction
is over are the names loaded (once per process, shared by every watcher) and shown to everyone.

Each server process also keeps one timer per watched auction (`AuctionClock`): at the end it
closes the auction if no worker has yet (`auctions_close_due`) and tells its watchers the final
state. The worker's close task does the same without watchers; either may come first.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import logging
from collections import OrderedDict
from typing import Any

from channels.db import database_sync_to_async
from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from channels.layers import get_channel_layer
from channels.utils import await_many_dispatch
from django.utils import timezone

from onestop.identity.public import principal_for
from onestop.procurement import selectors_auctions as reads
from onestop.procurement.live import auction_group, state_message

logger = logging.getLogger(__name__)

CLOSE_NOT_FOUND = 4404
SCHEDULED = "scheduled"
# After the end, wait this long before closing (the clocks of the processes may differ a little).
CLOSE_GRACE_SECONDS = 0.05
# When closing fails (a busy database), try again after this long.
CLOSE_RETRY_SECONDS = 2.0
NAMES_KEPT = 64
# The message that ends a hub's receive loop when its last watcher leaves, and how long to wait.
STOP = "hub.stop"
STOP_SECONDS = 10.0


def _order(state: dict[str, Any]) -> tuple[int, int]:
    """States only move forward: more bids, then closed. An older state is never sent after a
    newer one (two bids' announcements may arrive in either order), nor the same one twice (the
    standing and the end change only with a bid)."""
    # A sealed-bid auction moves once more after its close: its committee opens the bids.
    phase = 0 if state["status"] == SCHEDULED else (2 if state.get("opened") else 1)
    return (int(state["bids_count"]), phase)


def _identity(state: dict[str, Any]) -> tuple[str, str, str]:
    """What never changes in an auction: tells its states from another one's that reached the
    same group (two installations on one Redis)."""
    return (state["kind"], state["start_price"], state["opens_at"])


def _close_due(reference: str) -> tuple[str, dt.datetime] | None:
    """Close the auction if its end has passed (no worker may have run) and announce its state.
    Returns its status and end, None if it is gone."""
    from onestop.procurement.live import announce_bid
    from onestop.procurement.models import Auction
    from onestop.procurement.services.auctions import auctions_close_due

    auctions_close_due()
    # Whoever closed it (this process, the worker, another server), tell this process's
    # watchers: with the in-memory channel layer the worker's announcement does not reach them.
    # A watcher that already has this state skips it.
    announce_bid(reference)
    return Auction.objects.filter(reference=reference).values_list("status", "ends_at").first()


def _load(user: Any, reference: str) -> tuple[reads.Viewer, Any, dict, dict] | None:
    """The viewer, the principal, the current public state and the names after the close."""
    from onestop.procurement.models import Auction
    from onestop.procurement.services.auctions import auctions_close_due

    auction = Auction.objects.filter(reference=reference).only("status", "ends_at").first()
    if auction is None:
        return None
    if auction.status == Auction.Status.SCHEDULED and auction.ends_at <= timezone.now():
        auctions_close_due()  # lazily, when no worker closed it in time
    principal = principal_for(user)
    auction = reads.auction_detail(reference)
    viewer = reads.viewer_for(principal, auction)
    state = reads.auction_public_state(reference)
    return viewer, principal, state, reads.closed_names(auction)


def _closed_names(reference: str) -> dict[str, str]:
    return reads.closed_names(reads.auction_detail(reference))


class _NamesAfterClose:
    """The names after the close, loaded once per auction and process for all its watchers."""

    def __init__(self) -> None:
        self.loads: OrderedDict[tuple[str, str], asyncio.Task] = OrderedDict()

    async def get(self, reference: str, state: dict[str, Any]) -> dict[str, str]:
        key = (reference, state["opens_at"])
        load = self.loads.get(key)
        if load is None or load.get_loop() is not asyncio.get_running_loop():
            load = asyncio.ensure_future(database_sync_to_async(_closed_names)(reference))
            self.loads[key] = load
            while len(self.loads) > NAMES_KEPT:
                self.loads.popitem(last=False)
        try:
            return await asyncio.shield(load)
        except Exception:
            self.loads.pop(key, None)
            raise


NAMES_AFTER_CLOSE = _NamesAfterClose()


class AuctionClock:
    """One timer per watched auction in this process: wakes at the end, closes the auction when
    no worker did, and so sends the final state to the watchers. Follows extensions from the
    states the watchers receive; stops when the last watcher leaves."""

    def __init__(self) -> None:
        self.ends: dict[str, dt.datetime] = {}
        self.watchers: dict[str, int] = {}
        self.timers: dict[str, asyncio.Task] = {}

    def watch(self, reference: str, state: dict[str, Any]) -> None:
        self.watchers[reference] = self.watchers.get(reference, 0) + 1
        self.follow(reference, state)

    def leave(self, reference: str) -> None:
        count = self.watchers.get(reference, 0) - 1
        if count > 0:
            self.watchers[reference] = count
            return
        self.watchers.pop(reference, None)
        self.ends.pop(reference, None)
        timer = self.timers.pop(reference, None)
        if timer is not None:
            timer.cancel()

    def follow(self, reference: str, state: dict[str, Any]) -> None:
        if reference not in self.watchers:
            return
        if state["status"] != SCHEDULED:
            self.ends.pop(reference, None)
            return
        self.ends[reference] = dt.datetime.fromisoformat(state["ends_at"])
        timer = self.timers.get(reference)
        loop = asyncio.get_running_loop()
        if timer is None or timer.done() or timer.get_loop() is not loop:
            self.timers[reference] = loop.create_task(self._run(reference))

    async def _run(self, reference: str) -> None:
        while reference in self.ends:
            ends_at = self.ends[reference]
            delay = (ends_at - timezone.now()).total_seconds() + CLOSE_GRACE_SECONDS
            if delay > 0:
                await asyncio.sleep(delay)
                continue  # the end may have moved meanwhile: look again
            try:
                row = await database_sync_to_async(_close_due)(reference)
            except Exception:
                logger.exception("could not close auction %s; trying again", reference)
                await asyncio.sleep(CLOSE_RETRY_SECONDS)
                continue
            if row is None or row[0] != SCHEDULED:
                self.ends.pop(reference, None)
                return
            if self.ends.get(reference) == ends_at:
                self.ends[reference] = max(row[1], ends_at)
                if row[1] <= ends_at:  # not closed although due: let the database catch up
                    await asyncio.sleep(CLOSE_RETRY_SECONDS)


CLOCK = AuctionClock()


def _encode(content: Any) -> str:
    return json.dumps(content, ensure_ascii=False, separators=(",", ":"))


def _frame_key(viewer: reads.Viewer) -> tuple:
    """Watchers with the same key receive the same frame for the same state."""
    if viewer.role == "buyer":
        return ("buyer", tuple(sorted(viewer.names.items())))
    if viewer.role == "bidder":
        return ("bidder", tuple(sorted(viewer.own_labels)))
    return (viewer.role,)


def _frame(viewer: reads.Viewer, state: dict[str, Any], body: str, names: dict[str, str]) -> str:
    """The state frame for this viewer: `state_message(view_for(viewer, state, names))`,
    encoded, from the state encoded once (`body`) and what this viewer adds to it."""
    extra = reads.view_extra(viewer, state, names)
    added = "".join(f",{_encode(key)}:{_encode(value)}" for key, value in extra.items())
    return f'{{"type":"state","state":{body[:-1]}{added}}}}}'


class _Hub:
    """The watchers of one auction in this process (and event loop): one member of the channel
    layer's group for all of them. A change is received once and encoded once per kind of
    viewer; each watcher gets the encoded frame in its inbox and sends it from its own task (a
    slow client delays only itself)."""

    def __init__(self, reference: str, layer: Any) -> None:
        self.reference = reference
        self.layer = layer
        self.group = auction_group(reference)
        self.loop = asyncio.get_running_loop()
        self.members = 0
        self.watchers: set[AuctionConsumer] = set()
        self.latest: dict[tuple, dict[str, Any]] = {}  # identity -> newest state received
        self.channel: str | None = None
        self.task: asyncio.Task | None = None
        self.joined = asyncio.ensure_future(self._join())

    async def _join(self) -> None:
        self.channel = await self.layer.new_channel()
        await self.layer.group_add(self.group, self.channel)
        self.task = asyncio.ensure_future(self._run())

    async def _run(self) -> None:
        rejoin = self.loop.time() + REJOIN_SECONDS
        while True:
            try:
                message = await self.layer.receive(self.channel)
            except Exception:  # Redis gone for a moment: keep listening
                logger.exception("lost the channel layer for auction %s", self.reference)
                await asyncio.sleep(RETRY_SECONDS)
                continue
            if message.get("type") == STOP:
                return
            if message.get("type") == "auction.state":
                try:
                    await self.publish(message["state"])
                except Exception:
                    logger.exception("could not send a state of auction %s", self.reference)
            if self.loop.time() > rejoin:  # group memberships expire (a day by default)
                rejoin = self.loop.time() + REJOIN_SECONDS
                await self.layer.group_add(self.group, self.channel)

    async def close(self) -> None:
        try:
            await asyncio.shield(self.joined)
        except Exception:  # never joined: nothing to leave
            return
        await self.layer.group_discard(self.group, self.channel)
        if self.task is None:
            return
        # Stop the receive loop with a message, not by cancelling it: channels_redis's receive,
        # cancelled while it waits on Redis, could leave a future that nothing completes, and
        # the event loop then never finished shutting down (PostgreSQL + Redis test runs hung).
        await self.layer.send(self.channel, {"type": STOP})
        _done, pending = await asyncio.wait({self.task}, timeout=STOP_SECONDS)
        for task in pending:
            task.cancel()

    async def publish(self, state: dict[str, Any]) -> None:
        identity, order = _identity(state), _order(state)
        latest = self.latest.get(identity)
        if latest is None or _order(latest) < order:
            self.latest[identity] = state
        CLOCK.follow(self.reference, state)
        names: dict[str, str] = {}
        if state["status"] != SCHEDULED:
            names = await NAMES_AFTER_CLOSE.get(self.reference, state)
        frames: dict[tuple, str | None] = {}
        body = None
        for watcher in list(self.watchers):
            if watcher.identity != identity or (watcher.last is not None and order <= watcher.last):
                continue
            key = watcher.frame_key
            if key not in frames:
                viewer = watcher.viewer
                if viewer.role == "buyer" and any(
                    row["label"] not in viewer.names for row in state["standings"]
                ):  # a bidder registered after the buyer connected (forward auctions)
                    frames[key] = None
                else:
                    if body is None:
                        body = _encode(state)
                    frames[key] = _frame(viewer, state, body, names)
            frame = frames[key]
            watcher.last = order
            watcher.inbox.put_nowait(frame if frame is not None else (state, names))

    def ready(self, watcher: AuctionConsumer) -> None:
        """The watcher has sent its first state: from now on it gets every change (and the
        newest one received meanwhile, if it is newer than what the watcher sent)."""
        self.watchers.add(watcher)
        latest = self.latest.get(watcher.identity)
        if latest is not None and _order(latest) > watcher.last:
            watcher.last = _order(latest)
            watcher.inbox.put_nowait((latest, None))


class _Hubs:
    def __init__(self) -> None:
        self.hubs: dict[str, _Hub] = {}

    def enter(self, reference: str, layer: Any) -> _Hub:
        hub = self.hubs.get(reference)
        if (
            hub is None
            or hub.loop is not asyncio.get_running_loop()
            or (hub.joined.done() and hub.joined.exception() is not None)
        ):
            hub = self.hubs[reference] = _Hub(reference, layer)
        hub.members += 1
        return hub

    async def leave(self, hub: _Hub, watcher: AuctionConsumer) -> None:
        hub.watchers.discard(watcher)
        hub.members -= 1
        if hub.members <= 0:
            if self.hubs.get(hub.reference) is hub:
                del self.hubs[hub.reference]
            await hub.close()


HUBS = _Hubs()
REJOIN_SECONDS = 3600.0
RETRY_SECONDS = 1.0


class AuctionConsumer(AsyncJsonWebsocketConsumer):
    async def __call__(self, scope, receive, send) -> None:
        """As channels' `AsyncConsumer.__call__`, with an inbox in this process (filled by the
        auction's `_Hub`) in place of a channel of the watcher's own on the channel layer, and
        a task that sends what arrives there (no database, no thread hop per frame)."""
        self.scope = scope
        self.channel_layer = get_channel_layer(self.channel_layer_alias)
        self.inbox: asyncio.Queue = asyncio.Queue()
        self.base_send = send
        sender = asyncio.ensure_future(self._sender())
        try:
            with contextlib.suppress(StopConsumer):
                await await_many_dispatch([receive], self.dispatch)
        finally:
            sender.cancel()

    async def _sender(self) -> None:
        while True:
            item = await self.inbox.get()
            while isinstance(item, str) and not self.inbox.empty():
                following = self.inbox.get_nowait()  # behind: only the newest frame matters
                if not isinstance(following, str):
                    await self.send(text_data=item)
                item = following
            try:
                if isinstance(item, str):
                    await self.send(text_data=item)
                else:  # a state this watcher's frame could not be built for
                    await self._send_view(*item)
            except Exception:  # the socket is closing: its disconnect ends this task
                logger.debug("could not send to a watcher of %s", self.reference, exc_info=True)

    async def connect(self) -> None:
        self.reference = str(self.scope["url_route"]["kwargs"]["reference"])
        self.last: tuple[int, int] | None = None
        self.hub: _Hub | None = None
        if self.channel_layer is not None:
            # Join before reading the state, so that no change between the two is missed.
            self.hub = HUBS.enter(self.reference, self.channel_layer)
        try:
            await self._connect()
        except BaseException:  # no disconnect follows a failed connect: leave here
            await self._leave_hub()
            raise

    async def _leave_hub(self) -> None:
        hub, self.hub = getattr(self, "hub", None), None
        if hub is not None:
            await HUBS.leave(hub, self)

    async def _connect(self) -> None:
        if self.hub is not None:
            await asyncio.shield(self.hub.joined)
        loaded = await database_sync_to_async(_load)(self.scope.get("user"), self.reference)
        if loaded is None:
            await self._leave_hub()
            await self.close(code=CLOSE_NOT_FOUND)
            return
        self.viewer, self.principal, state, self.names = loaded
        self.frame_key = _frame_key(self.viewer)
        self.identity = _identity(state)
        await self.accept()
        self.last = _order(state)
        await self.send(text_data=_encode(state_message(self._view(state, self.names))))
        CLOCK.watch(self.reference, state)
        self.watching = True
        if self.hub is not None:
            self.hub.ready(self)

    async def disconnect(self, code: int) -> None:
        if getattr(self, "watching", False):
            self.watching = False
            CLOCK.leave(self.reference)
        await self._leave_hub()

    def _view(self, state: dict[str, Any], names: dict[str, str]) -> dict[str, Any]:
        return reads.view_for(self.viewer, state, names)

    async def _send_view(self, state: dict[str, Any], names: dict[str, str] | None) -> None:
        """The slow path: a buyer that must first learn a new bidder's name, or the newest state
        that reached the hub while this watcher connected."""
        if names is None:
            names = self.names
            if state["status"] != SCHEDULED and not names and not self.viewer.names:
                names = await NAMES_AFTER_CLOSE.get(self.reference, state)
        if self.viewer.role == "buyer" and any(
            row["label"] not in self.viewer.names for row in state["standings"]
        ):
            self.viewer = await database_sync_to_async(self._reload_viewer)()
            self.frame_key = _frame_key(self.viewer)
        await self.send(text_data=_encode(state_message(self._view(state, names))))

    def _reload_viewer(self) -> reads.Viewer:
        return reads.viewer_for(self.principal, reads.auction_detail(self.reference))

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        try:
            content = json.loads(text_data or "")
        except ValueError:
            content = None
        await self.receive_json(content)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        after = content.get("after", 0) if isinstance(content, dict) else None
        if (
            not isinstance(content, dict)
            or content.get("type") != "catch_up"
            or not isinstance(after, int)
            or isinstance(after, bool)
            or after < 0
        ):
            await self.send_json({"type": "error", "code": "bad_message"})
            return
        bids = await database_sync_to_async(reads.bids_after)(self.reference, after)
        await self.send_json({"type": "bids", "bids": bids})

    @classmethod
    async def encode_json(cls, content: Any) -> str:
        return json.dumps(content, ensure_ascii=False, separators=(",", ":"))
