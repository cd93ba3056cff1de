"""The result document of an e-Auction (P-20): the winner, the winning price, the savings
against the reference price (or whether a forward auction met its reserve), every bidder's best
price and rank and the full bid history, as an official PDF in Thai signed with the agency's
certificate, like a purchase order (documents.document_issue).

It is issued once, when the results become known: a task is queued when the auction closes
(`tasks.auction_result_enqueue`; a sealed-bid auction queues it when its committee opens the
vault), and the first request for it issues it if no worker has yet. It is stored and served as
stored, so every download is the same signed file; issuing again returns the stored one.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from pythainlp.util import thai_strftime

from onestop.core import audit, thai
from onestop.core.errors import NotFoundError
from onestop.documents.public import Document, DocumentExistsError, document_find, document_issue
from onestop.procurement import selectors_auctions as reads
from onestop.procurement.models import Auction
from onestop.procurement.services.auctions import _local, auction_close

DOCUMENT_KIND = "auction_result"
TEMPLATE = "procurement/pdf/auction_result.html"


class AuctionResultNotReadyError(NotFoundError):
    code = "auction_result_not_ready"
    message = _(
        "The result of auction %(reference)s is published when it closes, at %(at)s at the "
        "earliest."
    )


def _not_ready(auction: Auction) -> AuctionResultNotReadyError:
    params = {"reference": auction.reference, "at": _local(auction.ends_at)}
    if auction.status == Auction.Status.CANCELLED:
        return AuctionResultNotReadyError(
            _("Auction %(reference)s was cancelled; it has no result."), params=params
        )
    if auction.status == Auction.Status.CLOSED:
        return AuctionResultNotReadyError(
            _(
                "Auction %(reference)s has closed; its result is published once the opening "
                "committee opens the sealed bids."
            ),
            params=params,
        )
    return AuctionResultNotReadyError(params=params)


def _moment(value: dt.datetime | None) -> str:
    """'25 พฤศจิกายน 2569 เวลา 14:05:09 น.': bids are seconds apart."""
    if value is None:
        return ""
    return thai_strftime(timezone.localtime(value), "%-d %B %Y เวลา %H:%M:%S น.")


def _time(value: dt.datetime | None, day: dt.date) -> str:
    """A bid's time in the history: the time alone on the auction's first day."""
    if value is None:
        return ""
    local = timezone.localtime(value)
    if local.date() == day:
        return local.strftime("%H:%M:%S")
    return thai_strftime(local, "%-d %b %Y %H:%M:%S")


def _pdf_context(sheet: reads.ResultSheet) -> dict:
    auction = sheet.auction
    day = timezone.localtime(auction.opens_at).date()
    names = {standing.label: standing.name for standing in sheet.standings}
    return {
        "auction": auction,
        "tender": auction.tender,
        "kind_label": auction.get_kind_display(),
        "lowest_wins": reads.lowest_wins(auction),
        "result": sheet.result,
        "winner": next((row for row in sheet.standings if row.rank == 1), None),
        "amount_words": thai.baht_in_words(sheet.result.amount) if sheet.result.amount else "",
        "opened": _moment(auction.opens_at),
        "planned_end": _moment(auction.planned_end),
        "actual_end": _moment(auction.ends_at),
        "closed": _moment(auction.closed_at),
        "unsealed": _moment(getattr(auction, "opened_at", None)),
        "standings": sheet.standings,
        "history": [
            {
                "sequence": bid.sequence,
                "label": bid.bidder.label,
                "name": names.get(bid.bidder.label, ""),
                "amount": bid.amount,
                "time": _time(bid.received_at, day),
                "extended_to": _time(bid.extended_to, day),
                "superseded": getattr(bid, "superseded", False),
            }
            for bid in sheet.history
        ],
        "bidders": sheet.bidders,
        "bidders_bidding": sheet.bidders_bidding,
        "bids": len(sheet.history),
    }


def auction_result_issue(*, reference: str, actor: audit.Actor = audit.SYSTEM) -> Document:
    """Render, sign (with the agency's certificate) and store the result document of an auction
    whose results are known; when it exists already, the stored one. Two at once issue one: the
    second insert fails on the document's unique reference and returns the first.

    No transaction around it: rendering takes a moment and must not hold the database's write
    lock; document_issue signs, stores and audits in its own. Raises AuctionNotFoundError and
    AuctionResultNotReadyError.
    """
    auction = reads.auction_detail(reference)
    if not reads.results_known(auction):
        raise _not_ready(auction)
    existing = _stored(auction)
    if existing is not None:
        return existing
    try:
        return document_issue(
            actor=actor,
            kind=DOCUMENT_KIND,
            reference=auction.reference,
            title=f"ผลการประมูลอิเล็กทรอนิกส์ {auction.reference}",
            agency_code=auction.agency.code,
            template_name=TEMPLATE,
            context=_pdf_context(reads.auction_result_sheet(auction)),
        )
    except DocumentExistsError:
        stored = _stored(auction)
        if stored is None:
            raise
        return stored


def _stored(auction: Auction) -> Document | None:
    return document_find(
        agency_code=auction.agency.code, kind=DOCUMENT_KIND, reference=auction.reference
    )


def auction_result_document(reference: str) -> Document:
    """The result document for anyone who asks (results are public once known): closes the
    auction if its end has passed and no worker did (like the auction page), and issues the
    document if its task has not run yet."""
    auction = reads.auction_detail(reference)
    if auction.status == Auction.Status.SCHEDULED and auction.ends_at <= timezone.now():
        auction_close(reference=reference)
        auction = reads.auction_detail(reference)
    if not reads.results_known(auction):
        raise _not_ready(auction)
    return _stored(auction) or auction_result_issue(reference=reference)
