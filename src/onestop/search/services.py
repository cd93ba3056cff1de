"""Every write to the search index. Each runs in the caller's transaction (a savepoint inside
it), so an index entry commits or rolls back with the change it describes.

Indexing is derived data, not a decision of anyone's: it is not audited here; the service whose
change caused it records that change.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable
from decimal import Decimal
from itertools import islice
from typing import Any

from django.db import IntegrityError, connection, transaction

from onestop.search.documents import SearchDocument
from onestop.search.domain.compounds import compound_parts, rejoined
from onestop.search.domain.tags import check_index_name, tag_token
from onestop.search.domain.text import sort_key, tokenize
from onestop.search.engines import engine
from onestop.search.models import SearchEntry, entry_terms
from onestop.search.vocabulary import vocabulary_apply

MAX_KEY_CHARS = 200
MAX_TITLE_WORDS = 200
MAX_TEXT_WORDS = 4000
MAX_TAGS = 100
MAX_AMOUNT = Decimal("1e16")
CHUNK_SIZE = 2000
INSERT_BATCH = 500  # rows per INSERT statement: 5,500 parameters, within SQLite's 32,766
TOKEN_FIELDS = ("id", "title_tokens", "text_tokens", "part_tokens")
INSERT_COLUMNS = (
    "index_name",
    "key",
    "title",
    "text",
    "tags",
    "amount",
    "title_tokens",
    "text_tokens",
    "part_tokens",
    "tag_tokens",
    "sort_key",
)


def _check(document: SearchDocument) -> None:
    """Documents come from code, not people: a malformed one is a programming error."""
    if not isinstance(document, SearchDocument):
        raise TypeError(f"Expected a SearchDocument, not {type(document).__name__}")
    if not isinstance(document.key, str) or not 0 < len(document.key) <= MAX_KEY_CHARS:
        raise ValueError(f"A document key is 1-{MAX_KEY_CHARS} characters, not {document.key!r}")
    if not isinstance(document.title, str) or not isinstance(document.text, str):
        raise TypeError("A document's title and text are strings")
    if isinstance(document.tags, str) or len(document.tags) > MAX_TAGS:
        raise ValueError(f"Tags are a tuple of at most {MAX_TAGS} strings, not {document.tags!r}")
    amount = document.amount
    if amount is not None and (
        not isinstance(amount, Decimal) or not amount.is_finite() or abs(amount) >= MAX_AMOUNT
    ):
        raise ValueError(f"An amount is a finite Decimal below {MAX_AMOUNT}, not {amount!r}")


def _printable(text: str) -> str:
    return text.replace("\x00", "")


def _values(index: str, document: SearchDocument) -> dict[str, Any]:
    """The row for a document, with its words, compound parts and tags as tokens."""
    _check(document)
    title_words = tokenize(document.title)[:MAX_TITLE_WORDS]
    text_words = tokenize(document.text)[:MAX_TEXT_WORDS]
    words = dict.fromkeys(title_words + text_words)
    parts = [part for word in words for part in compound_parts(word)]
    parts += rejoined(title_words) + rejoined(text_words)
    parts = [part for part in dict.fromkeys(parts) if part not in words]
    tags = list(dict.fromkeys(document.tags))
    return {
        "index_name": index,
        "key": document.key,
        "title": _printable(document.title),
        "text": _printable(document.text),
        "tags": tags,
        "amount": document.amount,
        "title_tokens": " ".join(title_words),
        "text_tokens": " ".join(text_words),
        "part_tokens": " ".join(parts),
        "tag_tokens": " ".join(tag_token(tag) for tag in tags),
        "sort_key": sort_key(document.title),
    }


def _terms(values: dict[str, Any]) -> set[str]:
    return entry_terms(values["title_tokens"], values["text_tokens"], values["part_tokens"])


def _locked(index: str, key: str) -> SearchEntry | None:
    return (
        SearchEntry.objects.select_for_update()
        .filter(index_name=index, key=key)
        .only(*TOKEN_FIELDS)
        .first()
    )


def _store(entry: SearchEntry) -> set[str]:
    """Insert the entry or replace the one with its key; return the replaced entry's words."""
    existing = _locked(entry.index_name, entry.key)
    if existing is None:
        try:
            with transaction.atomic():
                entry.save(force_insert=True)
            return set()
        except IntegrityError:  # inserted by a concurrent transaction since the lookup
            existing = _locked(entry.index_name, entry.key)
            if existing is None:
                raise
    entry.pk = existing.pk
    entry.save(force_update=True)
    return existing.terms()


@transaction.atomic
def document_index(*, index: str, document: SearchDocument) -> None:
    """Add a document to an index, or replace the document with the same key.

    Runs in the caller's transaction. Updates the index's vocabulary (word counts).
    Raises ValueError or TypeError for a malformed index name or document.
    """
    check_index_name(index)
    entry = SearchEntry(**_values(index, document))
    changes = Counter(entry.terms())
    changes.subtract(_store(entry))
    vocabulary_apply(index=index, changes=changes)


@transaction.atomic
def documents_index_many(
    *,
    index: str,
    documents: Iterable[SearchDocument],
    progress: Callable[[int], None] | None = None,
) -> int:
    """Add or replace many documents at once (bulk inserts); return how many were read.

    Runs in the caller's transaction, all or nothing. Calls `progress(done)` after every
    CHUNK_SIZE documents. Of two documents with the same key, the later one wins.
    """
    check_index_name(index)
    changes: Counter[str] = Counter()
    done = 0
    remaining = iter(documents)
    while chunk := list(islice(remaining, CHUNK_SIZE)):
        changes.update(_replace_chunk(index, chunk))
        done += len(chunk)
        if progress is not None:
            progress(done)
    vocabulary_apply(index=index, changes=changes)
    engine().tidy(done)
    return done


def _replace_chunk(index: str, chunk: list[SearchDocument]) -> Counter[str]:
    rows = {document.key: _values(index, document) for document in chunk}
    changes: Counter[str] = Counter()
    replaced = SearchEntry.objects.filter(index_name=index, key__in=list(rows)).values_list(
        *TOKEN_FIELDS
    )
    replaced_ids = []
    for entry_id, *tokens in replaced:
        changes.subtract(entry_terms(*tokens))
        replaced_ids.append(entry_id)
    if replaced_ids:
        SearchEntry.objects.filter(pk__in=replaced_ids).delete()
    _insert(rows.values())
    for values in rows.values():
        changes.update(_terms(values))
    return changes


def _insert(rows: Iterable[dict[str, Any]]) -> None:
    """Insert rows with multi-row INSERT statements.

    Model instances and bulk_create cost more than the segmentation itself, and SQLite's FTS5
    flushes its pending postings at the end of every statement that reaches it (here through
    the insert trigger): one statement per row made a segment per row.
    """
    values = [
        tuple(
            json.dumps(row[name], ensure_ascii=False) if name == "tags" else row[name]
            for name in INSERT_COLUMNS
        )
        for row in rows
    ]
    columns = ", ".join(INSERT_COLUMNS)
    placeholder = "(" + ", ".join(["%s"] * len(INSERT_COLUMNS)) + ")"
    with connection.cursor() as cursor:
        for start in range(0, len(values), INSERT_BATCH):
            batch = values[start : start + INSERT_BATCH]
            cursor.execute(
                f"INSERT INTO {SearchEntry._meta.db_table} ({columns}) "  # noqa: S608
                f"VALUES {', '.join([placeholder] * len(batch))}",
                [value for row in batch for value in row],
            )


@transaction.atomic
def document_remove(*, index: str, key: str) -> None:
    """Remove a document from an index (nothing happens when it is not there).

    Runs in the caller's transaction. Updates the index's vocabulary.
    """
    check_index_name(index)
    existing = _locked(index, key)
    if existing is None:
        return
    existing.delete()
    vocabulary_apply(index=index, changes=Counter(dict.fromkeys(existing.terms(), -1)))
