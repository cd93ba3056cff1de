"""PostgreSQL: a generated tsvector column with a GIN index, ranked with ts_rank_cd.

Queries are tsquery values built from quoted lexemes and passed as bound parameters, so nothing
a person types is read as tsquery syntax (`&`, `|`, `!`, `<->`, `:*`) or as SQL. Tag lexemes
start with "#", which no word contains (see migration 0002), so words never match tags.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection

from onestop.search.documents import SearchHit
from onestop.search.domain.query import QueryGroup
from onestop.search.engines import COMPLETION_MATCH, Filters, group_weight, varies
from onestop.search.models import SearchEntry

ENTRIES = SearchEntry._meta.db_table
# Weights of D (tags), C (compound parts), B (text), A (title); 1 divides by log(length).
RANK = "ts_rank_cd('{0.0, 0.2, 0.4, 1.0}', document, %s::tsquery, 1)"
ANALYZE_AFTER = 10_000


def _quoted(term: str) -> str:
    return "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"


def _any_word(terms: Sequence[str]) -> str:
    return "(" + " | ".join(_quoted(term) for term in terms) + ")"


def _tag_queries(filters: Filters) -> list[str]:
    return [_quoted("#" + token) for token in filters.tag_tokens]


def _filter_sql(filters: Filters) -> tuple[str, list]:
    """The index, the tags and the amount range as SQL conditions (on top of the words)."""
    sql, params = "index_name = %s", [filters.index]
    if filters.tag_tokens:
        sql += " AND document @@ %s::tsquery"
        params.append(" & ".join(_tag_queries(filters)))
    if filters.amount_min is not None:
        sql += " AND amount >= %s"
        params.append(filters.amount_min)
    if filters.amount_max is not None:
        sql += " AND amount <= %s"
        params.append(filters.amount_max)
    return sql, params


def _words(groups: Sequence[QueryGroup], *, every: bool) -> str:
    if every:
        return " & ".join(_any_word(group.alternatives) for group in groups)
    return _any_word([term for group in groups for term in group.alternatives])


def _matched_sql(groups: Sequence[QueryGroup], *, every: bool) -> tuple[str, list[str]]:
    """How many of the query's words a document matches (a completion counts for less)."""
    constant, parts, params = 0.0, [], []
    for group in groups:
        if not varies(group, every=every, single=len(groups) == 1):
            constant += group_weight(group)
            continue
        full = "(document @@ %s::tsquery)::int" if group.terms else ""
        started = (
            f"{COMPLETION_MATCH} * (document @@ %s::tsquery)::int" if group.completions else ""
        )
        parts.append(f"GREATEST({full}, {started})" if full and started else full or started)
        params += [_any_word(terms) for terms in (group.terms, group.completions) if terms]
    return " + ".join([str(constant), *parts]), params


def page(
    groups: Sequence[QueryGroup], filters: Filters, limit: int, offset: int, *, every: bool
) -> tuple[list[SearchHit], int | None]:
    """Documents matching any (or every) group: by words matched, then ts_rank_cd, then age;
    and how many match (counted in the same pass, unless the page is empty).

    The rank is always computed against any word, so a document scores the same either way.
    """
    matched, matched_params = _matched_sql(groups, every=every)
    where, where_params = _filter_sql(filters)
    # Only constants and placeholder lists are formatted in; every value is a parameter.
    sql = (
        "SELECT key, title, score, count(*) OVER () FROM ("  # noqa: S608
        f"SELECT id, key, title, {matched} + 1.0 - 1.0 / (1.0 + {RANK}) AS score "
        f"FROM {ENTRIES} WHERE {where} AND document @@ %s::tsquery) AS m "
        "ORDER BY score DESC, id LIMIT %s OFFSET %s"
    )
    params = [
        *matched_params,
        _words(groups, every=False),
        *where_params,
        _words(groups, every=every),
        limit,
        offset,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    hits = [SearchHit(key=key, score=float(score), title=title) for key, title, score, _ in rows]
    return hits, (rows[0][3] if rows else None)


def count(groups: Sequence[QueryGroup], filters: Filters, *, every: bool) -> int:
    """How many documents match any (or every) group."""
    return _count(filters, _words(groups, every=every))


def tagged(filters: Filters, limit: int, offset: int) -> tuple[list[SearchHit], int]:
    """Documents with all the tags (and in the amount range), by title."""
    where, where_params = _filter_sql(filters)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT key, title FROM {ENTRIES} WHERE {where} "  # noqa: S608
            "ORDER BY sort_key, id LIMIT %s OFFSET %s",
            [*where_params, limit, offset],
        )
        hits = [SearchHit(key=key, score=0.0, title=title) for key, title in cursor]
    if offset == 0 and len(hits) < limit:
        return hits, len(hits)
    if filters.tag_tokens:
        return hits, _count(filters, None)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {ENTRIES} WHERE {where}", where_params)  # noqa: S608
        return hits, cursor.fetchone()[0]


def _count(filters: Filters, words: str | None) -> int:
    """Count with search_count() (migration 0002), which keeps to the GIN index."""
    query = " & ".join([*_tag_queries(filters), *([f"({words})"] if words else [])])
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT search_count(%s, %s::tsquery, %s, %s)",
            [filters.index, query, filters.amount_min, filters.amount_max],
        )
        return cursor.fetchone()[0]


def tidy(count: int) -> None:
    """Refresh the planner's statistics after a large load (it then trusts the GIN index)."""
    if count >= ANALYZE_AFTER:
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {ENTRIES}")
