"""Live e-Auctions over WebSockets (P-17 to P-20): `ws/auctions/<reference>/`.

Protocol (JSON text frames):

* server → client, on connect and after every change: `{"type": "state", "state": <view>}`,
  the auction's public state as this viewer may see it (`selectors_auctions.view_for`);
* client → server: `{"type": "catch_up", "after": N}`; the answer is
  `{"type": "bids", "bids": [...]}`, every bid with a sequence above N (labels only), for a
  client that reconnects after a drop;
* a malformed client message gets `{"type": "error", "code": "bad_message"}`; an unknown
  auction closes the socket with code 4404.

States only move forward: one with fewer bids than the last one sent (announcements of two bids
may cross), or the same one again, is not sent. A state carries the last 50 bids; `catch_up`
fills a longer gap. Frames are compact UTF-8 JSON (Thai is not escaped).

Who is looking is decided once, at connect, from the session (anonymous: an observer). The
changes come from the channel-layer group `live.auction_group(reference)` with the public
state only (amounts and anonymous labels); each consumer adds what its viewer may see without
touching the database: a bidder never receives another bidder's name while the auction runs,
the buyer's agency sees the names it loaded at connect. Only once the auction is over are the
names loaded (once per process, shared by every watcher) and shown to everyone.

Each server process also keeps one timer per watched auction (`AuctionClock`): at the end it
closes the auction if no worker has yet (`auctions_close_due`) and tells its watchers the final
state. The worker's close task does the same without watchers; either may come first.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
from collections import OrderedDict
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
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


def _order(state: dict[str, Any]) -> tuple[int, int]:
    """States only move forward: more bids, then closed. An older state is never sent after a
    newer one (two bids' announcements may arrive in either order), nor the same one twice (the
    standing and the end change only with a bid)."""
    return (int(state["bids_count"]), 0 if state["status"] == SCHEDULED else 1)


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


class AuctionConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self) -> None:
        self.reference = str(self.scope["url_route"]["kwargs"]["reference"])
        self.group = auction_group(self.reference)
        # Join before reading the state, so that no change between the two is missed.
        await self.channel_layer.group_add(self.group, self.channel_name)
        loaded = await database_sync_to_async(_load)(self.scope.get("user"), self.reference)
        if loaded is None:
            await self.channel_layer.group_discard(self.group, self.channel_name)
            await self.close(code=CLOSE_NOT_FOUND)
            return
        self.viewer, self.principal, state, self.names = loaded
        self.identity = _identity(state)
        self.last: tuple[int, int] | None = None
        await self.accept()
        await self._send_state(state)
        CLOCK.watch(self.reference, state)
        self.watching = True

    async def disconnect(self, code: int) -> None:
        if getattr(self, "watching", False):
            self.watching = False
            CLOCK.leave(self.reference)
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def auction_state(self, event: dict[str, Any]) -> None:
        """A change of the auction (a bid, an extension, the close): no database reads, except
        the names once the auction is over (shared) and a new bidder's name for the buyer."""
        state = event["state"]
        if not getattr(self, "watching", False) or _identity(state) != self.identity:
            return  # gone, or another auction under this reference (a Redis shared by two sites)
        CLOCK.follow(self.reference, state)
        if self.last is not None and _order(state) <= self.last:
            return
        if state["status"] != SCHEDULED and not self.names and not self.viewer.names:
            self.names = await NAMES_AFTER_CLOSE.get(self.reference, state)
        if self.viewer.role == "buyer" and any(
            row["label"] not in self.viewer.names for row in state["standings"]
        ):  # a bidder registered after the buyer connected (forward auctions)
            self.viewer = await database_sync_to_async(self._reload_viewer)()
        await self._send_state(state)

    async def _send_state(self, state: dict[str, Any]) -> None:
        order = _order(state)
        if self.last is not None and order <= self.last:
            return
        self.last = order
        await self.send_json(state_message(reads.view_for(self.viewer, state, self.names)))

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
