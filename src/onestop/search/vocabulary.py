"""The vocabulary of each index: kept in SearchTerm by the writes, cached in memory for reads.

A query needs the indexed words (to correct typos and complete the last word). Reading them
from the database for every query would cost a scan, so each process keeps them in memory per
index and checks one row (SearchIndexState) before each query: its version changes whenever a
word appears in or disappears from the index. Document counts that change without changing the
set of words do not change the version, so the cached counts may lag slightly; they only break
ties between equally close corrections.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping

from django.db import connection

from onestop.search.domain.vocabulary import Vocabulary
from onestop.search.models import SearchIndexState, SearchTerm

_TERMS = SearchTerm._meta.db_table
_INSERT_MISSING = (
    f"INSERT INTO {_TERMS} (index_name, term, documents) VALUES (%s, %s, 0) "  # noqa: S608
    "ON CONFLICT (index_name, term) DO NOTHING"
)
_ADD = f"UPDATE {_TERMS} SET documents = documents + %s WHERE index_name = %s AND term = %s"  # noqa: S608
_DELETE_UNUSED = f"DELETE FROM {_TERMS} WHERE index_name = %s AND term = %s AND documents <= 0"  # noqa: S608

_cache: dict[tuple[str, str], tuple[str, Vocabulary]] = {}


def vocabulary_apply(*, index: str, changes: Mapping[str, int]) -> None:
    """Add `changes` (word -> change in document count) to an index's vocabulary.

    Runs in the caller's transaction. Rows are touched in word order, so concurrent writers
    lock them in the same order and cannot deadlock each other.
    """
    changes = {term: change for term, change in sorted(changes.items()) if change}
    if not changes:
        return
    with connection.cursor() as cursor:
        added = [(index, term) for term, change in changes.items() if change > 0]
        cursor.executemany(_INSERT_MISSING, added)
        appeared = cursor.rowcount > 0 if added else False
        cursor.executemany(_ADD, [(change, index, term) for term, change in changes.items()])
        removed = [(index, term) for term, change in changes.items() if change < 0]
        cursor.executemany(_DELETE_UNUSED, removed)
        disappeared = cursor.rowcount > 0 if removed else False
    if appeared or disappeared:
        SearchIndexState.objects.update_or_create(
            name=index, defaults={"vocabulary_version": uuid.uuid4().hex}
        )


def vocabulary_get(index: str) -> Vocabulary:
    """The words of an index, from this process's cache when their version is current."""
    version = (
        SearchIndexState.objects.filter(name=index)
        .values_list("vocabulary_version", flat=True)
        .first()
    )
    if version is None:
        return Vocabulary({})
    cache_key = (str(connection.settings_dict["NAME"]), index)
    cached = _cache.get(cache_key)
    if cached is not None and cached[0] == version:
        return cached[1]
    counts = SearchTerm.objects.filter(index_name=index, documents__gt=0).values_list(
        "term", "documents"
    )
    vocabulary = Vocabulary(dict(counts.iterator(chunk_size=10_000)))
    _cache[cache_key] = (version, vocabulary)
    return vocabulary
