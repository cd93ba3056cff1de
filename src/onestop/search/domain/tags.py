"""Index names, and tags as tokens of their own, matched by the full-text engine.

A tag becomes `x` + the hex of its UTF-8 bytes (or `h` + a SHA-256 prefix when long): letters
and digits only, which every tokenizer keeps whole. Tags live in a column of their own that
queries for words never search, so no word can pass for a tag.
"""

from __future__ import annotations

import hashlib
import re

INDEX_NAME = re.compile(r"^[a-z0-9][a-z0-9_.:-]{0,63}$")
MAX_TAG_HEX_BYTES = 48


def check_index_name(name: str) -> None:
    """Index names are chosen by code, not people: a bad one is a programming error."""
    if not isinstance(name, str) or not INDEX_NAME.match(name):
        raise ValueError(
            f"Index names are 1-64 lower-case letters, digits and . _ : -, not {name!r}"
        )


def tag_token(tag: str) -> str:
    if not isinstance(tag, str) or not tag:
        raise ValueError(f"A tag is a non-empty string, not {tag!r}")
    encoded = tag.encode("utf-8", "surrogatepass")
    if len(encoded) <= MAX_TAG_HEX_BYTES:
        return "x" + encoded.hex()
    return "h" + hashlib.sha256(encoded).hexdigest()[:40]
