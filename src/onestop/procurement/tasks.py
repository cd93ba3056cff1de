"""Background tasks of e-Procurement: closing live auctions at their end (P-20).

The end of an auction is a column (`Auction.ends_at`), so the clock survives a restart: the
close task is a queue row in the database with `run_after` = the end. A late bid that extends
the end does not touch the queue; the task, when it runs before the (new) end, puts itself
back for that end. Without a worker, the auction pages and WebSocket consumers close due
auctions lazily (`services.auctions.auctions_close_due`), so an auction never stays open past
its end because nothing ran.

When the results are known, a task issues the auction's signed result document
(`auction_result_enqueue`, `services.auction_results`).
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.utils import timezone

from onestop.core.jobs import background

logger = logging.getLogger(__name__)


@background(queue_name="default", max_attempts=5, backoff_seconds=5)
def auction_close_task(reference: str) -> str:
    """Close the auction if its end has come; otherwise wait for its (extended) end."""
    from onestop.procurement.models import Auction
    from onestop.procurement.services.auctions import auction_close

    with transaction.atomic():
        auction = (
            Auction.objects.select_for_update(of=("self",))
            .filter(reference=reference)
            .only("reference", "status", "ends_at")
            .first()
        )
        if auction is None or auction.status != Auction.Status.SCHEDULED:
            return auction.status if auction else "missing"
        if timezone.now() < auction.ends_at:
            auction_close_schedule(reference, auction.ends_at)
            return "rescheduled"
        auction_close(reference=reference)
    return Auction.Status.CLOSED


def auction_close_schedule(reference: str, ends_at: dt.datetime) -> None:
    """Put the close task on the queue for `ends_at` (in the caller's transaction)."""
    auction_close_task.using(run_after=ends_at).enqueue(reference=reference)


@background(queue_name="default", max_attempts=5, backoff_seconds=10)
def auction_result_task(reference: str) -> str:
    """Issue the signed result document of an auction once its results are known (issuing again
    returns the stored document, so a repeated task changes nothing)."""
    from onestop.procurement.models import Auction
    from onestop.procurement.selectors_auctions import results_known
    from onestop.procurement.services.auction_results import auction_result_issue

    auction = Auction.objects.filter(reference=reference).first()
    if auction is None:
        return "missing"
    if not results_known(auction):
        return "not_known"
    document = auction_result_issue(reference=reference)
    return str(document.pk)


def auction_result_enqueue(reference: str) -> None:
    """Queue the result document of an auction. Call it on commit of what makes the results
    known: the close (`auction_close`), or the opening of a sealed-bid auction's vault:
    `transaction.on_commit(lambda: auction_result_enqueue(reference))`."""
    auction_result_task.enqueue(reference=reference)
