"""Live auction updates over the channel layer (in memory, or Redis with `REDIS_URL`, so that
every server process hears every bid).

A committed bid is announced with the auction's public state only: amounts and anonymous
labels, never a bidder's name. Each WebSocket consumer adds what its own viewer may see (the
buyer: names; a bidder: its own rank) from what it loaded when it connected.
"""

from __future__ import annotations

import logging
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

logger = logging.getLogger(__name__)


# A change is announced with the last few bids only (the state sent on connect has the last 50):
# a watcher that missed more (a slow connection, two announcements crossing) asks for the gap.
ANNOUNCED_BIDS = 10


def auction_group(reference: str) -> str:
    return "auction." + "".join(ch if ch.isalnum() else "_" for ch in reference)


def announce_bid(reference: str) -> None:
    """Tell every watcher of the auction its new public state (after the bid committed)."""
    from onestop.procurement.selectors_auctions import auction_public_state

    layer = get_channel_layer()
    if layer is None:
        return
    state = auction_public_state(reference, history=ANNOUNCED_BIDS)
    try:
        async_to_sync(layer.group_send)(
            auction_group(reference), {"type": "auction.state", "state": state}
        )
    except Exception:  # the bid is committed; watchers catch up when they reconnect
        logger.exception("could not announce a bid on %s", reference)


def state_message(state: dict[str, Any]) -> dict[str, Any]:
    return {"type": "state", "state": state}
