"""The public procurement information center (P-21): reads anyone may make, without logging in.

Pure reads, never scoped to a person: only what is public is ever selected. A tender is public
from its publication (never a draft, not even a cancelled draft); its documents with it; a
question once it is answered; prices and bidders once the vault is opened.

Lists come newest first and are paged by keyset, never by OFFSET: the cursor is the last row's
(time, id), and each page asks the database for the rows just before it. Tenders are walked one
status at a time along the index `tender_status_published` (status, published_at), or with an
agency `tender_agency_status` (agency, status; with published_at added to it, the page comes
straight from the index instead of a sort of the agency's tenders), reading only (time, id);
the statuses are merged here and the page's rows are then loaded by id in one query. A single
`status IN (...) ORDER BY published_at` would sort every public tender.

A text search goes through the search app (Thai words segmented with pythainlp, typos
corrected, ranked by the database's full-text engine) over the index TENDER_INDEX, which holds
one document per published tender (`tender_search_document`; `tender_publish` puts it there).
Its results come best first, so its pages follow the search app's ranking: the cursor is a
position in that ranking. Agency, method and budget are filters of the index itself; status
and dates are checked on the rows. Plans, a small table, are searched in SQL by their words,
segmented the same way.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import heapq
import json
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import islice
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onestop.core.errors import InputError, NotFoundError
from onestop.identity.public import agency_list
from onestop.procurement.models import (
    Clarification,
    Contract,
    PlanItem,
    ProcurementPlan,
    Submission,
    Tender,
    TenderDocument,
    TenderLine,
)
from onestop.search.public import SearchDocument, tokenize
from onestop.search.public import search as search_documents

TENDER_INDEX = "tenders"
PAGE_SIZE = 25
MAX_PAGE_SIZE = 100
EXPORT_CHUNK = 1000
SEARCH_BATCH = 100  # the search app's largest page
SEARCH_BATCHES = 5  # batches a page may read when rows are filtered out after the search
SEARCH_EXPORT_LIMIT = 5000  # a download of a text search holds its best matches only

PUBLIC_STATES: tuple[str, ...] = tuple(
    value for value in Tender.Status.values if value != Tender.Status.DRAFT
)
RESULT_STATES: tuple[str, ...] = (Tender.Status.AWARDED, Tender.Status.CONTRACTED)
OPENED_STATES: tuple[str, ...] = (
    Tender.Status.OPENED,
    Tender.Status.AWARDED,
    Tender.Status.CONTRACTED,
)
# What a list page shows, and nothing else (a bid row holds its ciphertext and receipt).
TENDER_FIELDS = (
    "reference",
    "title",
    "method",
    "budget",
    "reference_price",
    "status",
    "published_at",
    "submission_deadline",
    "awarded_at",
    "agency__code",
    "agency__name_th",
    "agency__name_en",
)
WINNER_FIELDS = (
    "awarded_submission__price",
    "awarded_submission__auction_price",
    "awarded_submission__supplier__business__name_th",
    "awarded_submission__supplier__business__juristic_id",
)
CONTRACT_FIELDS = (
    "number",
    "amount",
    "signed_at",
    "delivery_due",
    "tender__reference",
    "tender__title",
    "tender__method",
    "tender__agency__code",
    "tender__agency__name_th",
    "supplier__business__name_th",
    "supplier__business__juristic_id",
)


KINDS = ("tenders", "results", "contracts", "plans")


class PublicTenderNotFoundError(NotFoundError):
    code = "tender_not_found"
    message = _("There is no tender %(reference)s.")


class BadCursorError(InputError):
    code = "bad_cursor"
    message = _("This page link is not valid (it may be cut short). Start again from page one.")


class UnknownAgencyError(InputError):
    code = "agency_not_found"
    message = _("There is no agency with the code %(code)s.")


@dataclass(frozen=True)
class Filters:
    """What a person filters a list by; every field is optional."""

    agency: str = ""  # agency code, e.g. CGD
    method: str = ""
    status: str = ""
    amount_min: Decimal | None = None
    amount_max: Decimal | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    q: str = ""


@dataclass(frozen=True)
class Page:
    """One page of a list. `ranked` when a text search orders it (best match first); then
    `total` is the number of matches the search found (before status and date filters) and
    `corrected` maps typed words to the indexed words searched instead."""

    rows: list[Any]
    next_cursor: str | None
    ranked: bool = False
    total: int | None = None
    corrected: dict[str, str] = field(default_factory=dict)


# Cursors -----------------------------------------------------------------------------------------


def _encode(*parts: Any) -> str:
    raw = json.dumps(parts, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _decode(cursor: str) -> list[Any]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        parts = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise BadCursorError(field="cursor") from None
    if not isinstance(parts, list) or not parts:
        raise BadCursorError(field="cursor")
    return parts


def _keyset_cursor(moment: dt.datetime, key: int) -> str:
    return _encode("k", moment.isoformat(), key)


def _search_cursor(offset: int) -> str:
    return _encode("s", offset)


def _after(cursor: str | None) -> tuple[dt.datetime, int] | None:
    """The (time, id) a keyset cursor points after."""
    if not cursor:
        return None
    parts = _decode(cursor)
    try:
        kind, moment, key = parts
        moment = dt.datetime.fromisoformat(moment)
    except (TypeError, ValueError):
        raise BadCursorError(field="cursor") from None
    if kind != "k" or timezone.is_naive(moment) or type(key) is not int or key < 0:
        raise BadCursorError(field="cursor")
    return moment, key


def _search_offset(cursor: str | None) -> int:
    if not cursor:
        return 0
    parts = _decode(cursor)
    if len(parts) != 2 or parts[0] != "s" or type(parts[1]) is not int or parts[1] < 0:
        raise BadCursorError(field="cursor")
    return parts[1]


# Keyset walks ------------------------------------------------------------------------------------


def _walk(
    queryset: QuerySet, time_field: str, after: tuple[dt.datetime, int] | None, chunk: int
) -> Iterator[Any]:
    """Rows newest first by (time_field, id), strictly after `after`, read `chunk` at a time.

    The range `time_field <= t` lets the database start inside its index; the tie on the same
    moment is settled by the id."""
    position = _position(time_field)
    while True:
        rows = queryset
        if after is not None:
            moment, key = after
            rows = rows.filter(**{f"{time_field}__lte": moment}).filter(
                Q(**{f"{time_field}__lt": moment}) | Q(pk__lt=key)
            )
        batch = list(rows.order_by(f"-{time_field}", "-pk")[:chunk])
        yield from batch
        if len(batch) < chunk:
            return
        after = position(batch[-1])


def _position(time_field: str) -> Callable[[Any], tuple[dt.datetime, int]]:
    path = time_field.split("__")

    def position(row: Any) -> tuple[dt.datetime, int]:
        if isinstance(row, tuple):
            return row[0], row[1]
        if isinstance(row, dict):
            return row[time_field], row["pk"]
        value = row
        for name in path:
            value = getattr(value, name)
        return value, row.pk

    return position


def _merged(
    querysets: Sequence[QuerySet],
    time_field: str,
    after: tuple[dt.datetime, int] | None,
    chunk: int,
) -> Iterator[Any]:
    """Several keyset walks (one per status) merged into one, newest first."""
    walks = [_walk(queryset, time_field, after, chunk) for queryset in querysets]
    if len(walks) == 1:
        return walks[0]
    return heapq.merge(*walks, key=_position(time_field), reverse=True)


def _keyset_page(
    rows: QuerySet, parts: Sequence[dict[str, Any]], time_field: str, cursor: str | None, size: int
) -> Page:
    """A page in two steps: the (time, id) of its rows, walked in each part (status) along its
    index and merged here, without loading a row; then just those rows, in one query."""
    walks = [
        rows.filter(**part).prefetch_related(None).values_list(time_field, "pk") for part in parts
    ]
    positions = list(islice(_merged(walks, time_field, _after(cursor), size + 1), size + 1))
    next_cursor = None
    if len(positions) > size:
        positions = positions[:size]
        next_cursor = _keyset_cursor(*positions[-1])
    found = rows.in_bulk([key for _moment, key in positions])
    return Page(
        rows=[found[key] for _moment, key in positions if key in found], next_cursor=next_cursor
    )


# Filters -----------------------------------------------------------------------------------------


def _agency_id(code: str) -> int | None:
    if not code:
        return None
    agency = agency_list().filter(code=code.strip().upper()).values_list("pk", flat=True).first()
    if agency is None:
        raise UnknownAgencyError(field="agency", params={"code": code})
    return agency


def day_start(day: dt.date) -> dt.datetime:
    """Midnight at the start of a day, in the platform's time zone (Bangkok)."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time()))


def _ranged(
    rows: QuerySet, filters: Filters, *, amount_field: str | None, time_field: str
) -> QuerySet:
    if amount_field and filters.amount_min is not None:
        rows = rows.filter(**{f"{amount_field}__gte": filters.amount_min})
    if amount_field and filters.amount_max is not None:
        rows = rows.filter(**{f"{amount_field}__lte": filters.amount_max})
    if filters.date_from is not None:
        rows = rows.filter(**{f"{time_field}__gte": day_start(filters.date_from)})
    if filters.date_to is not None:
        next_day = filters.date_to + dt.timedelta(days=1)
        rows = rows.filter(**{f"{time_field}__lt": day_start(next_day)})
    return rows


def _statuses(filters: Filters, allowed: Sequence[str]) -> list[str]:
    if filters.status:
        return [filters.status] if filters.status in allowed else []
    return list(allowed)


def _tender_rows(filters: Filters, agency_id: int | None, results: bool) -> QuerySet[Tender]:
    rows = Tender.objects.filter(published_at__isnull=False).select_related("agency")
    if results:
        rows = rows.select_related("awarded_submission__supplier__business").only(
            *TENDER_FIELDS, *WINNER_FIELDS
        )
    else:
        rows = rows.only(*TENDER_FIELDS)
    if agency_id is not None:
        rows = rows.filter(agency_id=agency_id)
    if filters.method:
        rows = rows.filter(method=filters.method)
    return _ranged(rows, filters, amount_field="budget", time_field="published_at")


def _contract_rows(filters: Filters, agency_id: int | None) -> QuerySet[Contract]:
    rows = Contract.objects.select_related("tender__agency", "supplier__business").only(
        *CONTRACT_FIELDS
    )
    rows = rows.filter(tender__published_at__isnull=False)
    if agency_id is not None:
        rows = rows.filter(tender__agency_id=agency_id)
    if filters.method:
        rows = rows.filter(tender__method=filters.method)
    return _ranged(rows, filters, amount_field="amount", time_field="signed_at")


def _plan_rows(filters: Filters, agency_id: int | None) -> QuerySet[PlanItem]:
    rows = PlanItem.objects.select_related("plan__agency").filter(
        plan__status=ProcurementPlan.Status.PUBLISHED, plan__published_at__isnull=False
    )
    if agency_id is not None:
        rows = rows.filter(plan__agency_id=agency_id)
    if filters.method:
        rows = rows.filter(method=filters.method)
    for word in dict.fromkeys(tokenize(filters.q)):
        rows = rows.filter(title__icontains=word)
    return _ranged(rows, filters, amount_field="budget", time_field="plan__published_at")


# The search index of tenders ---------------------------------------------------------------------


def tender_search_document(tender: Tender) -> SearchDocument:
    """What the search index holds of a published tender. Its tags and amount (agency, method,
    budget) do not change after publication, so the tender is indexed once, when published. The
    reference is not indexed (its number would add a word per tender to the vocabulary): a
    search for a reference finds it exactly (`_exact`)."""
    agency = tender.agency
    text = " ".join(
        part for part in (agency.code, agency.name_th, agency.name_en, tender.description) if part
    )
    return SearchDocument(
        key=str(tender.pk),
        title=tender.title,
        text=text,
        tags=(f"agency:{agency.code}", f"method:{tender.method}"),
        amount=tender.budget,
    )


def tender_search_documents(chunk_size: int = EXPORT_CHUNK) -> Iterator[SearchDocument]:
    """Every public tender as a search document (to fill the index once, e.g. after an upgrade)."""
    rows = (
        Tender.objects.filter(published_at__isnull=False)
        .exclude(status=Tender.Status.DRAFT)
        .select_related("agency")
        .only(
            "pk",
            "title",
            "description",
            "method",
            "budget",
            "agency__code",
            "agency__name_th",
            "agency__name_en",
        )
        .order_by("pk")
    )
    for tender in rows.iterator(chunk_size=chunk_size):
        yield tender_search_document(tender)


def _search_tags(filters: Filters) -> list[str]:
    tags = []
    if filters.agency:
        tags.append(f"agency:{filters.agency.strip().upper()}")
    if filters.method:
        tags.append(f"method:{filters.method}")
    return tags


def _searched(
    filters: Filters,
    offset: int,
    size: int,
    rows: QuerySet,
    *,
    key: str = "pk",
    budget_range: bool,
    batches: int = SEARCH_BATCHES,
) -> Page:
    """A page of `rows` in the search app's ranking, from `offset` in it. `key` is the column
    holding the tender's id (pk, or tender_id for contracts). Hits that `rows` leaves out
    (status, dates, not public) are skipped; a page reads at most `batches` batches of hits, so
    a page may come short and still have a next one."""
    page: list[int] = []
    total = None
    corrected: dict[str, str] = {}
    for _batch in range(batches):
        results = search_documents(
            index=TENDER_INDEX,
            query=filters.q,
            tags=_search_tags(filters),
            amount_min=filters.amount_min if budget_range else None,
            amount_max=filters.amount_max if budget_range else None,
            limit=SEARCH_BATCH,
            offset=offset,
        )
        total, corrected = results.total, results.corrected
        hits = [int(hit.key) if hit.key.isdigit() else None for hit in results.hits]
        kept = set(rows.filter(**{f"{key}__in": hits}).values_list(key, flat=True))
        for position, hit in enumerate(hits):
            if hit not in kept:
                continue
            if len(page) == size:  # the first row of the next page
                return _search_page(rows, key, page, offset + position, total, corrected)
            page.append(hit)
        offset += len(hits)
        if len(hits) < SEARCH_BATCH:
            return _search_page(rows, key, page, None, total, corrected)
    return _search_page(rows, key, page, offset, total, corrected)


def _search_page(
    rows: QuerySet,
    key: str,
    page: list[int],
    next_offset: int | None,
    total: int | None,
    corrected: dict[str, str],
) -> Page:
    found = {getattr(row, key): row for row in rows.filter(**{f"{key}__in": page})}
    return Page(
        rows=[found[hit] for hit in page if hit in found],
        next_cursor=None if next_offset is None else _search_cursor(next_offset),
        ranked=True,
        total=total,
        corrected=corrected,
    )


# The lists ---------------------------------------------------------------------------------------


def _size(size: int) -> int:
    return max(1, min(int(size), MAX_PAGE_SIZE))


REFERENCE = re.compile(r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+$")


def _exact(rows: QuerySet, query: str, field: str) -> Page | None:
    """A query that is a reference or a contract number (CGD-TD-2570-00001) finds just that
    row; None when it is not one (and the text search runs)."""
    text = query.strip().upper()
    if not REFERENCE.match(text):
        return None
    found = list(rows.filter(**{field: text})[:1])
    return Page(rows=found, next_cursor=None) if found else None


def _tender_list(
    filters: Filters, cursor: str | None, size: int, allowed: Sequence[str], results: bool
) -> Page:
    size = _size(size)
    agency_id = _agency_id(filters.agency)
    statuses = _statuses(filters, allowed)
    if not statuses:
        return Page(rows=[], next_cursor=None, ranked=bool(filters.q.strip()))
    rows = _tender_rows(filters, agency_id, results)
    exact = _exact(rows.filter(status__in=statuses), filters.q, "reference")
    if exact is not None:
        return exact
    if filters.q.strip():
        return _searched(
            filters,
            _search_offset(cursor),
            size,
            rows.filter(status__in=statuses),
            budget_range=True,
        )
    parts = [{"status": status} for status in statuses]
    return _keyset_page(rows, parts, "published_at", cursor, size)


def tenders_page(filters: Filters, cursor: str | None = None, size: int = PAGE_SIZE) -> Page:
    """Published tenders (and every later state), newest publication first."""
    return _tender_list(filters, cursor, size, PUBLIC_STATES, results=False)


def results_page(filters: Filters, cursor: str | None = None, size: int = PAGE_SIZE) -> Page:
    """Awarded tenders with their winner and price, newest publication first."""
    return _tender_list(filters, cursor, size, RESULT_STATES, results=True)


def contracts_page(filters: Filters, cursor: str | None = None, size: int = PAGE_SIZE) -> Page:
    """Signed contracts, newest signature first; the amount filter is the contract value."""
    size = _size(size)
    rows = _contract_rows(filters, _agency_id(filters.agency))
    exact = _exact(rows, filters.q, "number") or _exact(rows, filters.q, "tender__reference")
    if exact is not None:
        return exact
    if filters.q.strip():
        return _searched(
            filters, _search_offset(cursor), size, rows, key="tender_id", budget_range=False
        )
    return _keyset_page(rows, [{}], "signed_at", cursor, size)


def plans_page(filters: Filters, cursor: str | None = None, size: int = PAGE_SIZE) -> Page:
    """Projects of published procurement plans, newest plan first."""
    size = _size(size)
    tenders = (
        Tender.objects.filter(published_at__isnull=False)
        .exclude(status=Tender.Status.DRAFT)
        .only("pk", "reference", "plan_item_id")
        .order_by("published_at", "pk")
    )
    rows = _plan_rows(filters, _agency_id(filters.agency)).prefetch_related(
        Prefetch("tenders", queryset=tenders, to_attr="public_tenders")
    )
    return _keyset_page(rows, [{}], "plan__published_at", cursor, size)


PAGES: dict[str, Callable[..., Page]] = {
    "tenders": tenders_page,
    "results": results_page,
    "contracts": contracts_page,
    "plans": plans_page,
}


# Downloads: every row of a filtered list, as dictionaries, in constant memory ------------------

TENDER_COLUMNS = (
    "pk",
    "reference",
    "title",
    "agency__code",
    "agency__name_th",
    "method",
    "status",
    "budget",
    "reference_price",
    "published_at",
    "submission_deadline",
    "opening_at",
)
RESULT_COLUMNS = (
    *TENDER_COLUMNS,
    "awarded_at",
    "awarded_submission__supplier__business__juristic_id",
    "awarded_submission__supplier__business__name_th",
    "awarded_submission__price",
    "awarded_submission__auction_price",
)
CONTRACT_COLUMNS = (
    "pk",
    "number",
    "signed_at",
    "tender__reference",
    "tender__title",
    "tender__agency__code",
    "tender__agency__name_th",
    "tender__method",
    "supplier__business__juristic_id",
    "supplier__business__name_th",
    "amount",
    "delivery_due",
)
PLAN_COLUMNS = (
    "pk",
    "plan__published_at",
    "plan__fiscal_year",
    "plan__agency__code",
    "plan__agency__name_th",
    "position",
    "title",
    "method",
    "budget",
    "expected_month",
)


def _search_keys(filters: Filters, *, budget_range: bool) -> Iterator[int]:
    """The keys of the best SEARCH_EXPORT_LIMIT matches, best first."""
    offset = 0
    while offset < SEARCH_EXPORT_LIMIT:
        results = search_documents(
            index=TENDER_INDEX,
            query=filters.q,
            tags=_search_tags(filters),
            amount_min=filters.amount_min if budget_range else None,
            amount_max=filters.amount_max if budget_range else None,
            limit=SEARCH_BATCH,
            offset=offset,
        )
        yield from (int(hit.key) for hit in results.hits if hit.key.isdigit())
        offset += len(results.hits)
        if len(results.hits) < SEARCH_BATCH:
            return


def _searched_rows(rows: QuerySet, keys: Iterator[int], key_field: str) -> Iterator[dict]:
    while batch := list(islice(keys, SEARCH_BATCH)):
        found = {row[key_field]: row for row in rows.filter(**{f"{key_field}__in": batch})}
        yield from (found[key] for key in batch if key in found)


def iter_rows(kind: str, filters: Filters, chunk: int = EXPORT_CHUNK) -> Iterator[dict[str, Any]]:
    """Every row of a filtered list as a dictionary (the *_COLUMNS keys), in the list's order,
    read `chunk` rows at a time: memory stays flat however many rows there are. A text search
    yields its best SEARCH_EXPORT_LIMIT matches."""
    agency_id = _agency_id(filters.agency)
    searching = bool(filters.q.strip())
    if kind in ("tenders", "results"):
        allowed = PUBLIC_STATES if kind == "tenders" else RESULT_STATES
        columns = TENDER_COLUMNS if kind == "tenders" else RESULT_COLUMNS
        rows = _tender_rows(filters, agency_id, kind == "results").values(*columns)
        statuses = _statuses(filters, allowed)
        if not statuses:
            return iter(())
        if searching:
            keys = _search_keys(filters, budget_range=True)
            return _searched_rows(rows.filter(status__in=statuses), keys, "pk")
        querysets = [rows.filter(status=status) for status in statuses]
        return _merged(querysets, "published_at", None, chunk)
    if kind == "contracts":
        rows = _contract_rows(filters, agency_id).values(*CONTRACT_COLUMNS, "tender_id")
        if searching:
            keys = _search_keys(filters, budget_range=False)
            return _searched_rows(rows, keys, "tender_id")
        return _merged([rows], "signed_at", None, chunk)
    if kind == "plans":
        rows = _plan_rows(filters, agency_id).values(*PLAN_COLUMNS)
        return _merged([rows], "plan__published_at", None, chunk)
    raise ValueError(f"Unknown list {kind!r}")


# A tender's public page ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Milestone:
    """A step of the tender's life: when it is (or was) due, and whether it has happened."""

    key: str
    label: str
    at: dt.datetime | dt.date | None
    done: bool
    note: str = ""
    all_day: bool = False  # `at` is a day, not a moment


@dataclass(frozen=True)
class OpenedPrice:
    supplier_name: str
    juristic_id: str
    price: Decimal  # as sealed and opened
    auction_price: Decimal | None  # the bidder's best price in the tender's auction, if held
    submitted_at: dt.datetime
    winner: bool

    @property
    def final_price(self) -> Decimal:
        return self.auction_price if self.auction_price is not None else self.price


@dataclass(frozen=True)
class TenderTimeline:
    tender: Tender
    milestones: list[Milestone]
    lines: list[TenderLine]
    documents: list[TenderDocument]
    answers: list[Clarification]
    prices: list[OpenedPrice]
    winner: OpenedPrice | None
    contract: Contract | None
    opened: bool

    @property
    def auctioned(self) -> bool:
        """Whether an e-auction after the opening gave the bidders new prices."""
        return any(price.auction_price is not None for price in self.prices)


def public_tender(reference: str) -> Tender:
    tender = (
        Tender.objects.select_related("agency", "plan_item__plan")
        .defer("vault_public", "vault_private_revealed")
        .filter(reference=reference, published_at__isnull=False)
        .exclude(status=Tender.Status.DRAFT)
        .first()
    )
    if tender is None:
        raise PublicTenderNotFoundError(params={"reference": reference})
    return tender


def _opened_prices(tender: Tender) -> list[OpenedPrice]:
    bids = (
        Submission.objects.filter(
            tender=tender, outcome=Submission.Outcome.OPENED, superseded=False, price__isnull=False
        )
        .select_related("supplier__business")
        .only(
            "pk",
            "price",
            "auction_price",
            "submitted_at",
            "tender_id",
            "supplier__business__name_th",
            "supplier__business__juristic_id",
        )
        .order_by("price", "submitted_at", "pk")
    )
    return [
        OpenedPrice(
            supplier_name=bid.supplier.business.name_th,
            juristic_id=bid.supplier.business.juristic_id,
            price=bid.price,
            auction_price=bid.auction_price,
            submitted_at=bid.submitted_at,
            winner=bid.pk == tender.awarded_submission_id,
        )
        for bid in bids
    ]


def tender_timeline(reference: str, now: dt.datetime | None = None) -> TenderTimeline:
    """Everything public about one tender, with its milestones in order."""
    tender = public_tender(reference)
    now = now or timezone.now()
    opened = tender.status in OPENED_STATES and tender.opened_at is not None
    prices = sorted(
        _opened_prices(tender) if opened else [],
        key=lambda bid: (bid.final_price, bid.submitted_at),
    )
    winner = next((price for price in prices if price.winner), None)
    contract = (
        Contract.objects.select_related("supplier__business").filter(tender=tender).first()
        if tender.status == Tender.Status.CONTRACTED or tender.awarded_at is not None
        else None
    )
    milestones = [
        Milestone("published", _("Announcement published"), tender.published_at, True),
        Milestone(
            "clarification",
            _("Questions until"),
            tender.clarification_deadline,
            now >= tender.clarification_deadline,
        ),
        Milestone(
            "submission",
            _("Bids until"),
            tender.submission_deadline,
            now >= tender.submission_deadline,
        ),
        Milestone(
            "opening",
            _("Opened") if opened else _("Opening from"),
            tender.opened_at if opened else tender.opening_at,
            opened,
        ),
    ]
    if tender.awarded_at is not None or tender.award_due is not None:
        milestones.append(
            Milestone(
                "award",
                _("Award"),
                tender.awarded_at or tender.award_due,
                tender.awarded_at is not None,
                winner.supplier_name if winner else "",
                all_day=tender.awarded_at is None,
            )
        )
    if tender.standstill_until is not None:
        milestones.append(
            Milestone(
                "standstill",
                _("Standstill (appeals) until"),
                tender.standstill_until,
                now >= tender.standstill_until,
            )
        )
    if contract is not None:
        milestones.append(
            Milestone(
                "contract",
                _("Contract signed"),
                contract.signed_at,
                True,
                contract.number,
            )
        )
    if tender.status == Tender.Status.CANCELLED:
        milestones.append(Milestone("cancelled", _("Cancelled"), None, True, tender.status_note))
    documents = list(
        TenderDocument.objects.filter(tender=tender)
        .only(
            "pk", "tender_id", "kind", "file_name", "content_type", "size", "sha256", "uploaded_at"
        )
        .order_by("uploaded_at", "pk")
    )
    answers = list(
        Clarification.objects.filter(tender=tender)
        .exclude(answer="")
        .only("pk", "tender_id", "question", "asked_at", "answer", "answered_at")
        .order_by("asked_at", "pk")
    )
    answers = [answer for answer in answers if answer.answer.strip()]
    return TenderTimeline(
        tender=tender,
        milestones=milestones,
        lines=list(TenderLine.objects.filter(tender=tender).order_by("position")),
        documents=documents,
        answers=answers,
        prices=prices,
        winner=winner,
        contract=contract,
        opened=opened,
    )


def tender_document(reference: str, document_id: int) -> TenderDocument:
    """A document of a public tender (public with it)."""
    tender = public_tender(reference)
    document = TenderDocument.objects.filter(tender=tender, pk=document_id).first()
    if document is None:
        raise NotFoundError(field="document")
    return document


def agencies() -> Iterable[tuple[str, str]]:
    """(code, Thai name) of every agency, for the agency filter."""
    return agency_list().values_list("code", "name_th")
