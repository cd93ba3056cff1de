"""Properties of the index: whatever text is indexed, each of its words finds it again."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from onestop.search import public as search

pytestmark = pytest.mark.django_db

# Thai letters, vowels, tone marks and digits, Latin, digits, punctuation, spaces, and what
# people paste: full-width letters, zero-width spaces, Thai ๆ and ฯ.
CATALOG_CHARACTERS = st.sampled_from(
    [chr(code) for code in range(0x0E01, 0x0E5C) if code not in range(0x0E3B, 0x0E3F)]
    + list("abcXYZ0189 .,-/()'\"*:")
    + ["Ａ", "\u200b", "\u00a0", "\n"]
)
TITLES = st.one_of(
    st.text(CATALOG_CHARACTERS, min_size=1, max_size=60),
    st.text(min_size=1, max_size=40),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(title=TITLES, trailing_space=st.booleans())
def test_an_indexed_title_is_found_by_each_of_its_own_tokens(title, trailing_space):
    # given: the same key every time, so each example also replaces the previous document
    search.index(index="property", document=search.SearchDocument(key="doc", title=title))

    # then
    for token in set(search.tokenize(title)):
        query = token + (" " if trailing_space else "")
        results = search.search(index="property", query=query)
        assert [hit.key for hit in results.hits] == ["doc"], (title, token)
        assert results.corrected == {}


@settings(max_examples=150, deadline=None)
@given(query=st.text(max_size=300))
def test_no_query_raises_and_every_query_is_only_words(query):
    search.index(index="property", document=search.SearchDocument(key="doc", title="กระดาษ A4"))

    results = search.search(index="property", query=query, tags=["x"], limit=5)

    assert results.total >= len(results.hits)
    assert all(word in search.tokenize(query) for word in results.query_tokens)
