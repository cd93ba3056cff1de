"""The words of one index with their document counts: known words, typo fixes, completions."""

from __future__ import annotations

import bisect
import heapq
from collections.abc import Mapping

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

MAX_COMPLETIONS = 16
MIN_PREFIX_CHARS = 2


def allowed_edits(word: str) -> int:
    """How many typing errors a word of this length may carry and still be corrected.

    Thai vowels and tone marks are characters of their own, so `แฟ้ม` is four characters and
    a missing tone mark is one edit. Numbers are never corrected: 680 is not a typo of 681.
    """
    if any(character.isdigit() for character in word) or len(word) < 3:
        return 0
    return 1 if len(word) < 8 else 2


class Vocabulary:
    """An immutable set of indexed words; built once per change and shared by every query."""

    def __init__(self, counts: Mapping[str, int]) -> None:
        self._counts = {word: count for word, count in counts.items() if count > 0}
        self._sorted = sorted(self._counts)
        # Most frequent first: among equally close words, the first one found wins.
        self._by_frequency = sorted(self._counts, key=lambda word: (-self._counts[word], word))

    def __contains__(self, word: object) -> bool:
        return word in self._counts

    def __len__(self) -> int:
        return len(self._counts)

    def count(self, word: str) -> int:
        return self._counts.get(word, 0)

    def correct(self, word: str) -> str | None:
        """The closest indexed word within `allowed_edits(word)`, or None.

        Closest: fewest edits (insert, delete, substitute, swap neighbours), then most letters
        in common (`printr` is `printer` rather than `print`), then most documents.
        """
        edits = allowed_edits(word)
        if edits == 0 or not self._by_frequency:
            return None
        matches = process.extract(
            word, self._by_frequency, scorer=OSA.distance, score_cutoff=edits, limit=None
        )
        if not matches:
            return None
        best = min(matches, key=lambda match: (match[1], -fuzz.ratio(word, match[0]), match[2]))
        return best[0]

    def complete(self, prefix: str, limit: int = MAX_COMPLETIONS) -> list[str]:
        """The most frequent indexed words that start with `prefix` (not the prefix itself)."""
        if len(prefix) < MIN_PREFIX_CHARS:
            return []
        start = bisect.bisect_right(self._sorted, prefix)
        end = bisect.bisect_left(self._sorted, prefix + "\U0010ffff", lo=start)
        candidates = self._sorted[start:end]
        if len(candidates) > limit:
            candidates = heapq.nlargest(limit, candidates, key=self.count)
        return candidates
