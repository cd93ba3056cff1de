"""What other apps hand to the search index and get back from it."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class SearchDocument:
    """One thing to find. `key` is the owner's id; `tags` are exact-match filters such as
    `"category:44121600"`; `amount` is a number to filter by range (a price, for instance)."""

    key: str
    title: str
    text: str = ""
    tags: tuple[str, ...] = ()
    amount: Decimal | None = None


@dataclass(frozen=True)
class SearchHit:
    key: str
    score: float
    title: str


@dataclass(frozen=True)
class SearchResults:
    """A page of hits, the number of all matches, the query's words and the typos corrected
    (`corrected` maps a typed word to the indexed word searched instead)."""

    hits: list[SearchHit]
    total: int
    query_tokens: list[str]
    corrected: dict[str, str]
