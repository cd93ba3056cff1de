"""Reads of the search index. An index holds what its owner put in it; the owner scopes what a
reader may see (with tags, or by filtering the keys it gets back)."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from onestop.search.documents import SearchResults
from onestop.search.domain.query import plan_query
from onestop.search.domain.tags import check_index_name, tag_token
from onestop.search.engines import Filters, engine, ranked
from onestop.search.vocabulary import vocabulary_get

MAX_LIMIT = 100
MAX_TAGS = 20


def documents_search(
    *,
    index: str,
    query: str,
    tags: Iterable[str] = (),
    amount_min: Decimal | None = None,
    amount_max: Decimal | None = None,
    limit: int = 20,
    offset: int = 0,
) -> SearchResults:
    """Find the documents of an index that match the query's words, best first.

    A document matches when it contains any of the query's words (after typo correction);
    those matching more of the words come first, then title matches before text matches. The
    last word also matches the words it begins. With an empty query (or one with no words),
    lists the documents that match the filters, by title. All `tags` must match; the amount
    range is inclusive. `limit` is capped at MAX_LIMIT, the query at MAX_QUERY_CHARS.
    """
    check_index_name(index)
    if isinstance(tags, str):
        raise TypeError("tags is a collection of tags, not one string")
    tags = sorted(set(tags))
    if len(tags) > MAX_TAGS:
        raise ValueError(f"At most {MAX_TAGS} tags may be given")
    filters = Filters(
        index=index,
        tag_tokens=tuple(tag_token(tag) for tag in tags),
        amount_min=amount_min,
        amount_max=amount_max,
    )
    limit, offset = max(0, min(int(limit), MAX_LIMIT)), max(0, int(offset))
    plan = plan_query(query or "", vocabulary_get(index))
    if plan.is_empty:
        hits, total = engine().tagged(filters, limit, offset)
    elif plan.groups:
        hits, total = ranked(plan.groups, filters, limit, offset)
    else:
        hits, total = [], 0
    return SearchResults(hits=hits, total=total, query_tokens=plan.words, corrected=plan.corrected)
