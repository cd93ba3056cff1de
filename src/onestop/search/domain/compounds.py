"""The parts of compound words, indexed next to the compounds so that a part finds them.

The segmenter keeps dictionary compounds whole: `ปากกาลูกลื่น` (ballpoint pen) is one word, so a
search for `ลูกลื่น` would miss it. Each Thai word is also split into the fewest dictionary words
(`น้ำยาล้างจาน` gives `น้ำยา` and `ล้างจาน`; one level only, since the pieces of pieces are
mostly noise: `ปากกา` would give `ปาก` and `กา`), and each Latin model number into its letter
and digit runs of two characters or more (`m404dn` gives `404` and `dn`). Parts are indexed
with a lower weight than the words themselves, and so are the unknown words the segmenter cut
into pieces, joined again (`rejoined()`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from itertools import pairwise

from pythainlp.corpus import thai_words

from onestop.search.domain.text import MAX_TOKEN_CHARS, is_thai, is_thai_token

# A Thai piece of fewer than three characters is mostly a syllable nobody searches for
# (`สำนักงาน` would give `สำ`). Some noise stays (`กระดาษ` gives `กระ` and `ดาษ`): parts rank
# below whole words, so it only shows for queries made of such syllables.
MIN_PART_CHARS = 3
MAX_PART_CHARS = 24
MIN_LATIN_PART_CHARS = 2
_LETTERS_OR_DIGITS = re.compile(r"\d+|[^\W\d_]+")


@lru_cache(maxsize=1)
def _all_words() -> frozenset[str]:
    return frozenset(thai_words())


@lru_cache(maxsize=1)
def _dictionary() -> frozenset[str]:
    return frozenset(word for word in thai_words() if MIN_PART_CHARS <= len(word) <= MAX_PART_CHARS)


def _fewest_words(word: str, dictionary: frozenset[str]) -> list[str] | None:
    """Split `word` into the fewest dictionary words (at least two), or None."""
    size = len(word)
    # best[end] = (pieces, start of the last piece) for word[:end]
    best: list[tuple[int, int] | None] = [None] * (size + 1)
    best[0] = (0, 0)
    for end in range(MIN_PART_CHARS, size + 1):
        for start in range(max(0, end - MAX_PART_CHARS), end - MIN_PART_CHARS + 1):
            previous = best[start]
            if previous is None or (start == 0 and end == size):
                continue
            if word[start:end] in dictionary and (
                best[end] is None or previous[0] + 1 < best[end][0]
            ):
                best[end] = (previous[0] + 1, start)
    if best[size] is None:
        return None
    pieces, end = [], size
    while end > 0:
        start = best[end][1]
        pieces.append(word[start:end])
        end = start
    return pieces[::-1]


@lru_cache(maxsize=100_000)
def compound_parts(word: str) -> tuple[str, ...]:
    """The parts of a word worth indexing on their own (empty for simple words)."""
    if is_thai(word):
        if len(word) < 2 * MIN_PART_CHARS:
            return ()
        pieces = _fewest_words(word, _dictionary())
        return tuple(dict.fromkeys(pieces)) if pieces else ()
    pieces = _LETTERS_OR_DIGITS.findall(word)
    if len(pieces) < 2:
        return ()
    return tuple(dict.fromkeys(piece for piece in pieces if len(piece) >= MIN_LATIN_PART_CHARS))


def rejoined(words: Sequence[str]) -> list[str]:
    """Words the segmenter broke apart, joined again: neighbouring Thai words of which one is not
    in the dictionary. An unknown word is cut into pieces (`ทิชชู่` into `ทิช` and `ชู่`); joined,
    it can be searched whole, or misspelt and corrected (`ทิชชู`)."""
    known = _all_words()
    return [
        left + right
        for left, right in pairwise(words)
        if (left not in known or right not in known)
        and is_thai_token(left)
        and is_thai_token(right)
        and len(left) + len(right) <= MAX_TOKEN_CHARS
    ]
