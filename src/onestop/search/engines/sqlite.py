"""SQLite: a contentless FTS5 table over SearchEntry's tokens, ranked with bm25.

Tokens are stored qualified by their index (hex of the index name, then "z"; see migration
0002), so every term of a query is qualified the same way. Every term is quoted and the MATCH
expression is a bound parameter: nothing a person types is read as FTS5 syntax (`OR`, `NEAR`,
`*`, `"`, `-`, `^`) or as SQL.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection

from onestop.search.documents import SearchHit
from onestop.search.domain.query import QueryGroup
from onestop.search.engines import COMPLETION_MATCH, Filters, group_weight, varies
from onestop.search.models import SearchEntry

ENTRIES = SearchEntry._meta.db_table
WORD_COLUMNS = "{title_tokens text_tokens part_tokens}"
# Column weights: title words, text words, compound parts, tags (never ranked).
BM25 = "bm25(search_fts, 10.0, 4.0, 2.0, 0.0)"
CONTAINS = "(id IN (SELECT rowid FROM search_fts WHERE search_fts MATCH %s))"
# After loading this many documents at once, merge the FTS segments into one.
OPTIMIZE_AFTER = 10_000


def _qualifier(index: str) -> str:
    return index.encode().hex() + "z"


def _quoted(index: str, term: str) -> str:
    return '"' + (_qualifier(index) + term).replace('"', '""') + '"'


def _any_word(index: str, terms: Sequence[str]) -> str:
    return f"{WORD_COLUMNS} : ({' OR '.join(_quoted(index, term) for term in terms)})"


def _expression(groups: Sequence[QueryGroup], filters: Filters, *, every: bool) -> str:
    """The MATCH expression: the tags, and any (or every) group's terms."""
    if every:
        words = " AND ".join(
            f"({_any_word(filters.index, group.alternatives)})" for group in groups
        )
    else:
        words = _any_word(filters.index, [term for group in groups for term in group.alternatives])
    return " AND ".join([*_tag_expressions(filters), f"({words})"])


def _tag_expressions(filters: Filters) -> list[str]:
    return [f"tag_tokens : {_quoted(filters.index, token)}" for token in filters.tag_tokens]


def _amount_sql(filters: Filters) -> tuple[str, list[str]]:
    sql, params = "", []
    if filters.amount_min is not None:
        sql += " AND e.amount >= %s"
        params.append(str(filters.amount_min))
    if filters.amount_max is not None:
        sql += " AND e.amount <= %s"
        params.append(str(filters.amount_max))
    return sql, params


def _matched_sql(groups: Sequence[QueryGroup], index: str, *, every: bool) -> tuple[str, list]:
    """How many of the query's words a document matches (a completion counts for less)."""
    constant, parts, params = 0.0, [], []
    for group in groups:
        if not varies(group, every=every, single=len(groups) == 1):
            constant += group_weight(group)
            continue
        full = CONTAINS if group.terms else ""
        started = f"{COMPLETION_MATCH} * {CONTAINS}" if group.completions else ""
        parts.append(f"max({full}, {started})" if full and started else full or started)
        params += [_any_word(index, terms) for terms in (group.terms, group.completions) if terms]
    return " + ".join([str(constant), *parts]), params


def page(
    groups: Sequence[QueryGroup], filters: Filters, limit: int, offset: int, *, every: bool
) -> tuple[list[SearchHit], None]:
    """Documents matching any (or every) group: by words matched, then bm25, then age."""
    matched, matched_params = _matched_sql(groups, filters.index, every=every)
    amount, amount_params = _amount_sql(filters)
    ranking = (
        f"SELECT id, {matched} + 1.0 - 1.0 / (1.0 + r) AS score FROM ("  # noqa: S608
        f"SELECT rowid AS id, -{BM25} AS r FROM search_fts WHERE search_fts MATCH %s)"
    )
    params = [*matched_params, _expression(groups, filters, every=every)]
    if amount:  # filter before the limit: join every match
        sql = (
            f"SELECT e.key, e.title, m.score FROM ({ranking}) AS m "  # noqa: S608
            f"CROSS JOIN {ENTRIES} AS e ON e.id = m.id WHERE 1 = 1{amount} "
            "ORDER BY m.score DESC, m.id LIMIT %s OFFSET %s"
        )
    else:  # rank in the FTS table alone, join only the page
        sql = (
            f"SELECT e.key, e.title, m.score FROM ({ranking} "  # noqa: S608
            "ORDER BY score DESC, id LIMIT %s OFFSET %s) AS m "
            f"CROSS JOIN {ENTRIES} AS e ON e.id = m.id ORDER BY m.score DESC, m.id"
        )
    return _hits(sql, [*params, *amount_params, limit, offset]), None


def count(groups: Sequence[QueryGroup], filters: Filters, *, every: bool) -> int:
    """How many documents match any (or every) group."""
    return _count(_expression(groups, filters, every=every), filters)


def tagged(filters: Filters, limit: int, offset: int) -> tuple[list[SearchHit], int]:
    """Documents with all the tags (and in the amount range), by title."""
    if not filters.tag_tokens:
        return _untagged(filters, limit, offset)
    expression = " AND ".join(_tag_expressions(filters))
    amount, amount_params = _amount_sql(filters)
    hits = _hits(
        f"SELECT e.key, e.title, 0.0 FROM search_fts CROSS JOIN {ENTRIES} AS e "  # noqa: S608
        f"ON e.id = search_fts.rowid WHERE search_fts MATCH %s{amount} "
        "ORDER BY e.sort_key, e.id LIMIT %s OFFSET %s",
        [expression, *amount_params, limit, offset],
    )
    if offset == 0 and len(hits) < limit:
        return hits, len(hits)
    return hits, _count(expression, filters)


def _untagged(filters: Filters, limit: int, offset: int) -> tuple[list[SearchHit], int]:
    entries = SearchEntry.objects.filter(index_name=filters.index)
    if filters.amount_min is not None:
        entries = entries.filter(amount__gte=filters.amount_min)
    if filters.amount_max is not None:
        entries = entries.filter(amount__lte=filters.amount_max)
    page = entries.order_by("sort_key", "id").values_list("key", "title")[offset : offset + limit]
    hits = [SearchHit(key=key, score=0.0, title=title) for key, title in page]
    total = len(hits) if offset == 0 and len(hits) < limit else entries.count()
    return hits, total


def _hits(sql: str, params: list) -> list[SearchHit]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [SearchHit(key=key, score=float(score), title=title) for key, title, score in cursor]


def _count(expression: str, filters: Filters) -> int:
    amount, amount_params = _amount_sql(filters)
    join = f" CROSS JOIN {ENTRIES} AS e ON e.id = search_fts.rowid" if amount else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*) FROM search_fts{join} WHERE search_fts MATCH %s{amount}",  # noqa: S608
            [expression, *amount_params],
        )
        return cursor.fetchone()[0]


def tidy(count: int) -> None:
    """Merge the index's segments after a large load, so that queries read one b-tree."""
    if count >= OPTIMIZE_AFTER:
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO search_fts (search_fts) VALUES ('optimize')")
