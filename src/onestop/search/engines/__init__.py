"""The database's own full-text engine matches and ranks: one module per vendor.

Each module offers `page(groups, filters, limit, offset, every=...)` (documents matching any
group, or every group, best first, and their number when it came for free),
`count(groups, filters, every=...)`, `tagged(filters, limit,
offset)` (documents matching the filters only, by title) and `tidy(count)` (after a bulk load).

Ranking every document that matches any word is the expensive part (a common word matches
thousands). Documents matching every word always rank first, so when they fill the page only
they are ranked; both ways give each document the same score, so pages stay consistent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from types import ModuleType

from django.db import connection

from onestop.search.documents import SearchHit
from onestop.search.domain.query import QueryGroup

# A document matching a word only as the start of a longer word (the word still being typed)
# counts this much towards "how many of the query's words it matches".
COMPLETION_MATCH = 0.5


@dataclass(frozen=True)
class Filters:
    index: str
    tag_tokens: tuple[str, ...] = ()
    amount_min: Decimal | None = None
    amount_max: Decimal | None = None


def engine() -> ModuleType:
    """The engine module for the database in use."""
    if connection.vendor == "postgresql":
        from onestop.search.engines import postgresql

        return postgresql
    from onestop.search.engines import sqlite

    return sqlite


def ranked(
    groups: Sequence[QueryGroup], filters: Filters, limit: int, offset: int
) -> tuple[list[SearchHit], int]:
    """A page of documents matching any group (more groups matched first), and their number."""
    vendor = engine()
    if len(groups) > 1 and offset + limit <= vendor.count(groups, filters, every=True):
        hits, _total = vendor.page(groups, filters, limit, offset, every=True)
        return hits, vendor.count(groups, filters, every=False)
    hits, total = vendor.page(groups, filters, limit, offset, every=False)
    if total is None:
        total = len(hits) if offset == 0 and len(hits) < limit else None
    return hits, total if total is not None else vendor.count(groups, filters, every=False)


def group_weight(group: QueryGroup) -> float:
    """What matching a group is worth when every match is known to be of one kind."""
    return 1.0 if group.terms else COMPLETION_MATCH


def varies(group: QueryGroup, *, every: bool, single: bool) -> bool:
    """Whether a group's contribution to "words matched" differs between matching documents:
    always when it has whole terms and completions; otherwise only if documents may miss it."""
    both = bool(group.terms and group.completions)
    return both or not (every or single)
