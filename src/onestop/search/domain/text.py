"""Normalise text and cut it into words, the same way for indexing and for querying.

Thai is written without spaces between words, so Thai runs are segmented with pythainlp's
`newmm` engine (dictionary-based maximal matching). Everything else is cut at anything that is
not a letter or a digit. Both sides of a search go through `tokenize()`, so whatever the
segmenter does with an unknown word, it does the same thing to the query.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from pythainlp.tokenize import word_tokenize
from pythainlp.util import normalize as thai_normalize

# Longer tokens are cut (the same on both sides); PostgreSQL refuses lexemes over 2 KB.
MAX_TOKEN_CHARS = 64

_FULLWIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_THAI_DIGITS = {ord("๐") + digit: ord("0") + digit for digit in range(10)}
_INVISIBLE = dict.fromkeys((0x0000, 0x00AD, 0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF))
_TRANSLATION = {**_FULLWIDTH, **_THAI_DIGITS, **_INVISIBLE}
# str.translate looks every character up; most texts have nothing to translate.
_TRANSLATED = re.compile("[\uff01-\uff5e\u0e50-\u0e59\x00\u00ad\u200b-\u200d\u2060\ufeff]")

# Thai letters, vowels and marks. Left out: ฯ (abbreviation), ๆ (repetition), ฿, digits
# (already turned into 0-9) and the ornamental signs, which separate words like punctuation.
THAI_CHARS = "\u0e01-\u0e2e\u0e30-\u0e3a\u0e40-\u0e45\u0e47-\u0e4e"
_THAI_MARKS = "\u0e31\u0e34-\u0e3a\u0e47-\u0e4e"
_SPACE_BEFORE_MARK = re.compile(rf"\s+(?=[{_THAI_MARKS}])")
_THOUSANDS_SEPARATOR = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
_TOKEN = re.compile(
    rf"(?P<thai>[{THAI_CHARS}]+)"
    r"|(?P<number>\d+(?:\.\d+)+)"
    r"|(?P<word>[^\W_\u0e00-\u0e7f]+)"
)
_THAI_ONLY = re.compile(rf"[{THAI_CHARS}]+")
_LEADING_VOWEL = re.compile(r"([\u0e40-\u0e44])([\u0e01-\u0e2e])")
SORT_KEY_CHARS = 100


@dataclass(frozen=True)
class Run:
    """A stretch of the text between separators: a Thai run with its words, or one other word."""

    text: str
    words: tuple[str, ...]
    thai: bool


def prepare(text: str) -> str:
    """Fold what differs only in form: full-width Latin, Thai digits, case, invisible marks."""
    if _TRANSLATED.search(text):
        text = text.translate(_TRANSLATION)
    text = text.lower()
    text = _SPACE_BEFORE_MARK.sub("", text)
    return _THOUSANDS_SEPARATOR.sub("", text)


@lru_cache(maxsize=100_000)
def segment_thai(run: str) -> tuple[str, ...]:
    """Normalise a run of Thai characters and cut it into words (cached: names repeat a lot)."""
    words = word_tokenize(thai_normalize(run), engine="newmm", keep_whitespace=False)
    # Malformed Thai can leave a word starting with a vowel sign or tone mark, which the same
    # word alone, as a query, would lose: normalise each word as it would be on its own.
    words = (thai_normalize(word)[:MAX_TOKEN_CHARS] for word in words)
    return tuple(word for word in words if _THAI_ONLY.fullmatch(word))


def runs(text: str) -> list[Run]:
    """The runs of a text, in order, after `prepare()`."""
    found = []
    for match in _TOKEN.finditer(prepare(text)):
        thai = match.group("thai")
        if thai:
            words = segment_thai(thai)
            if words:
                found.append(Run(text="".join(words), words=words, thai=True))
        else:
            word = match.group()[:MAX_TOKEN_CHARS]
            found.append(Run(text=word, words=(word,), thai=False))
    return found


def tokenize(text: str) -> list[str]:
    """The words of a text: normalised, lower case, Thai segmented, punctuation dropped."""
    words: list[str] = []
    for match in _TOKEN.finditer(prepare(text)):
        if match.lastgroup == "thai":
            words += segment_thai(match.group())
        else:
            words.append(match.group()[:MAX_TOKEN_CHARS])
    return words


def is_thai(word: str) -> bool:
    return _THAI_ONLY.fullmatch(word) is not None


def is_thai_token(token: str) -> bool:
    """Whether a token from `tokenize()` is Thai (a token is all Thai or has no Thai at all)."""
    return "\u0e01" <= token[:1] <= "\u0e4e"


def sort_key(title: str) -> str:
    """A key that sorts titles in (nearly) Thai dictionary order: a leading vowel sorts after
    its consonant, so `เครื่อง` comes under ค, not after every consonant."""
    return _LEADING_VOWEL.sub(r"\2\1", prepare(title).strip())[:SORT_KEY_CHARS]
