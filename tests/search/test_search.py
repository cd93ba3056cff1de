"""Indexing and searching Thai documents through the public API, on the configured database."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection, transaction

from onestop.search import public as search
from onestop.search.models import SearchEntry, SearchIndexState, SearchTerm
from onestop.search.public import SearchDocument

pytestmark = pytest.mark.django_db

# Words that appear in most documents carry almost no weight in bm25, so the tests index some
# unrelated documents too, as a real catalog has.
FILLER = (
    "โต๊ะประชุม ไม้สัก",
    "เก้าอี้พลาสติก สีขาว",
    "น้ำยาล้างจาน 500 มล.",
    "ข้าวหอมมะลิ 5 กก.",
    "ปูนซีเมนต์ 50 กก.",
    "หลอดไฟ LED 9W",
    "ถุงขยะดำ 18x20 นิ้ว",
    "แฟ้มเอกสาร สันกว้าง",
)


def _index(key: str, title: str, text: str = "", tags=(), amount=None, index="catalog") -> None:
    search.index(
        index=index,
        document=SearchDocument(
            key=key,
            title=title,
            text=text,
            tags=tuple(tags),
            amount=Decimal(amount) if amount is not None else None,
        ),
    )


def _filler(index: str = "catalog") -> None:
    for number, title in enumerate(FILLER):
        _index(f"filler-{number}", title, index=index)


def _keys(query: str, index: str = "catalog", **filters) -> list[str]:
    return [hit.key for hit in search.search(index=index, query=query, **filters).hits]


def _counts() -> tuple[int, int, int]:
    return SearchEntry.objects.count(), SearchTerm.objects.count(), SearchIndexState.objects.count()


@pytest.fixture
def office(db) -> None:
    _filler()
    _index("paper", "กระดาษถ่ายเอกสาร A4 80 แกรม Double A", "Copy paper, 500 sheets")
    _index("printer", "เครื่องพิมพ์เลเซอร์ HP LaserJet Pro M404dn", "Printer, monochrome")
    _index("ink", "หมึกพิมพ์ HP 680 สีดำ", "Ink cartridge")
    _index("pen", "ปากกาลูกลื่น Pentel สีน้ำเงิน", "Ballpoint pen")


# Thai ------------------------------------------------------------------------------------------


def test_a_thai_word_finds_the_compound_title_it_starts(office):
    assert _keys("กระดาษ") == ["paper"]


def test_a_thai_word_in_the_middle_of_a_title_finds_it(office):
    assert _keys("ถ่ายเอกสาร") == ["paper"]


def test_a_word_inside_a_dictionary_compound_finds_it(office):
    # ปากกาลูกลื่น is one dictionary word; ลูกลื่น is indexed as its part
    assert _keys("ลูกลื่น") == ["pen"]


def test_mixed_thai_and_english_finds_it(office):
    results = search.search(index="catalog", query="A4 กระดาษ")

    assert [hit.key for hit in results.hits] == ["paper"]
    assert results.query_tokens == ["a4", "กระดาษ"]


def test_english_is_case_insensitive(office):
    assert _keys("a4") == ["paper"]
    assert _keys("Printer") == ["printer"]
    assert _keys("LASERJET") == ["printer"]


def test_thai_digits_find_arabic_ones(office):
    assert _keys("๖๘๐") == ["ink"]


def test_a_thai_typo_is_corrected_to_the_indexed_word(office):
    results = search.search(index="catalog", query="กระดาด")

    assert [hit.key for hit in results.hits] == ["paper"]
    assert results.corrected == {"กระดาด": "กระดาษ"}


def test_an_english_typo_is_corrected(office):
    results = search.search(index="catalog", query="printr")

    assert [hit.key for hit in results.hits] == ["printer"]
    assert results.corrected == {"printr": "printer"}


def test_a_missing_thai_mark_is_corrected(office):
    # given: หมึกพิมพ์ is indexed as หมึก + พิมพ์; the query lacks the thanthakhat
    results = search.search(index="catalog", query="หมึกพิมพ ")

    assert results.query_tokens == ["หมึก", "พิมพ"]
    assert results.corrected == {"พิมพ": "พิมพ์"}
    assert [hit.key for hit in results.hits] == ["ink", "printer"]


def test_the_last_word_matches_the_words_it_begins(office):
    results = search.search(index="catalog", query="เครื่องพิ")

    assert [hit.key for hit in results.hits] == ["printer"]
    assert results.corrected == {}


def test_a_correctly_spelt_word_is_not_corrected(office):
    assert search.search(index="catalog", query="กระดาษ").corrected == {}


def test_tokenize_is_the_public_segmentation():
    assert search.tokenize("กระดาษถ่ายเอกสาร A4") == ["กระดาษ", "ถ่ายเอกสาร", "a4"]


# Ranking ---------------------------------------------------------------------------------------


def test_a_title_match_ranks_above_a_text_match():
    # given: the text match is older, so only its weight can put the title match first
    _filler()
    _index("in-text", "ของใช้ในครัว", "ตู้เย็น ขนาดเล็ก")
    _index("in-title", "ตู้เย็น Samsung", "ขนาด 7.4 คิว")

    results = search.search(index="catalog", query="ตู้เย็น")

    assert [hit.key for hit in results.hits] == ["in-title", "in-text"]
    assert results.hits[0].score > results.hits[1].score


def test_documents_matching_more_words_rank_higher():
    _filler()
    _index("a3-paper", "กระดาษ A3")
    _index("a4-notebook", "สมุด A4")
    _index("a4-paper", "กระดาษ A4")

    results = search.search(index="catalog", query="กระดาษ a4 ")

    assert results.hits[0].key == "a4-paper"
    assert {hit.key for hit in results.hits[1:]} == {"a3-paper", "a4-notebook"}
    assert results.total == 3
    assert results.hits[0].score > results.hits[1].score >= results.hits[2].score


def test_a_word_matching_nothing_does_not_empty_the_result(office):
    results = search.search(index="catalog", query="กระดาษ qqqqqqq")

    assert [hit.key for hit in results.hits] == ["paper"]
    assert results.query_tokens == ["กระดาษ", "qqqqqqq"]
    assert results.corrected == {}


def test_a_query_matching_nothing_finds_nothing(office):
    results = search.search(index="catalog", query="qqqqqqq")

    assert results.hits == []
    assert results.total == 0


def test_scores_are_higher_for_better_matches(office):
    results = search.search(index="catalog", query="hp หมึก ")

    assert [hit.key for hit in results.hits] == ["ink", "printer"]
    assert [hit.score > 0 for hit in results.hits] == [True, True]
    assert results.hits[0].score > results.hits[1].score


# Filters ---------------------------------------------------------------------------------------


def test_every_tag_given_must_match():
    _index("a", "กระดาษ A4", tags=["category:1", "supplier:7"])
    _index("b", "กระดาษ A3", tags=["category:1", "supplier:8"])
    _index("c", "กระดาษการ์ด", tags=["category:2", "supplier:7"])

    assert sorted(_keys("กระดาษ", tags=["category:1"])) == ["a", "b"]
    assert _keys("กระดาษ", tags=["category:1", "supplier:7"]) == ["a"]
    assert _keys("กระดาษ", tags=["category:2", "supplier:8"]) == []
    assert _keys("กระดาษ", tags=["category:9"]) == []


def test_a_tag_is_matched_exactly_not_as_a_word():
    _index("a", "กระดาษ", tags=["category:1"])
    _index("b", "category 1 กระดาษ", tags=["category:10"])

    assert _keys("กระดาษ", tags=["category:1"]) == ["a"]
    assert _keys("category") == ["b"]
    assert _keys(search.SearchDocument.__name__) == []


def test_the_amount_range_is_inclusive():
    _index("cheap", "ปากกา สีแดง", amount="5.00")
    _index("middle", "ปากกา สีน้ำเงิน", amount="25.50")
    _index("dear", "ปากกา หมึกซึม", amount="1200")
    _index("no-price", "ปากกา เน้นข้อความ")

    def keys(**amounts) -> list[str]:
        return sorted(_keys("ปากกา", **amounts))

    assert keys(amount_min=Decimal("5"), amount_max=Decimal("25.50")) == ["cheap", "middle"]
    assert keys(amount_min=Decimal("25.51")) == ["dear"]
    assert keys(amount_max=Decimal("4.99")) == []
    assert search.search(index="catalog", query="ปากกา", amount_min=Decimal("6")).total == 2


def test_an_empty_query_lists_matching_documents_by_thai_title_order():
    _index("ink", "หมึกพิมพ์", tags=["shop:1"], amount="300")
    _index("printer", "เครื่องพิมพ์", tags=["shop:1"], amount="9000")
    _index("paper", "กระดาษ", tags=["shop:1"], amount="120")
    _index("other", "ปากกา", tags=["shop:2"], amount="10")

    results = search.search(index="catalog", query="", tags=["shop:1"])

    assert [hit.key for hit in results.hits] == ["paper", "printer", "ink"]
    assert [hit.score for hit in results.hits] == [0.0, 0.0, 0.0]
    assert results.total == 3
    assert results.query_tokens == []
    assert _keys("", amount_max=Decimal("300")) == ["paper", "other", "ink"]
    assert _keys("  ") == ["paper", "printer", "other", "ink"]


def test_offset_and_limit_page_through_a_stable_order():
    _filler()
    for number in range(25):
        _index(f"pen-{number:02}", f"ปากกา รุ่น {number}", "ปากกา" if number % 2 else "")

    first = search.search(index="catalog", query="ปากกา", limit=10)
    second = search.search(index="catalog", query="ปากกา", limit=10, offset=10)
    third = search.search(index="catalog", query="ปากกา", limit=10, offset=20)
    everything = search.search(index="catalog", query="ปากกา", limit=100)

    assert (first.total, second.total, third.total) == (25, 25, 25)
    assert [len(first.hits), len(second.hits), len(third.hits)] == [10, 10, 5]
    assert [hit.key for hit in first.hits + second.hits + third.hits] == [
        hit.key for hit in everything.hits
    ]
    assert len({hit.key for hit in everything.hits}) == 25
    assert search.search(index="catalog", query="ปากกา", offset=40).hits == []
    assert search.search(index="catalog", query="ปากกา", offset=40).total == 25


def test_pages_stay_consistent_when_only_some_documents_match_every_word():
    # given: 12 documents match both words, 8 only one
    _filler()
    for number in range(12):
        _index(f"both-{number:02}", f"กระดาษ A4 ชุด {number}")
    for number in range(8):
        _index(f"one-{number}", f"กระดาษ A3 ชุด {number}")

    pages = [
        search.search(index="catalog", query="กระดาษ a4 ", limit=5, offset=offset)
        for offset in (0, 5, 10, 15)
    ]
    everything = search.search(index="catalog", query="กระดาษ a4 ", limit=100)

    keys = [hit.key for page in pages for hit in page.hits]
    assert keys == [hit.key for hit in everything.hits]
    assert all(key.startswith("both-") for key in keys[:12])
    assert [page.total for page in pages] == [20, 20, 20, 20]


def test_limit_is_capped_and_a_zero_limit_still_counts(office):
    assert search.search(index="catalog", query="", limit=10_000).total == 12
    assert len(search.search(index="catalog", query="", limit=10_000).hits) == 12
    empty_page = search.search(index="catalog", query="กระดาษ", limit=0)
    assert (empty_page.hits, empty_page.total) == ([], 1)


# Writes ----------------------------------------------------------------------------------------


def test_indexing_again_replaces_the_document(office):
    _index("paper", "สมุดบันทึก ปกแข็ง", "Hardcover notebook")

    assert _keys("กระดาษ") == []
    assert _keys("notebook") == ["paper"]
    assert SearchEntry.objects.filter(index_name="catalog", key="paper").count() == 1
    assert not SearchTerm.objects.filter(index_name="catalog", term="กระดาษ").exists()


def test_remove_takes_the_document_and_its_words_out(office):
    search.remove(index="catalog", key="printer")

    assert _keys("printer") == []
    assert _keys("hp") == ["ink"]
    assert not SearchTerm.objects.filter(term="laserjet").exists()
    assert SearchTerm.objects.get(index_name="catalog", term="hp").documents == 1


def test_removing_a_missing_document_changes_nothing(office):
    before = _counts()

    search.remove(index="catalog", key="nothing-here")

    assert _counts() == before


def test_the_vocabulary_counts_documents_per_word(office):
    _index("paper-2", "กระดาษการ์ด A4")

    terms = dict(SearchTerm.objects.filter(index_name="catalog").values_list("term", "documents"))
    assert terms["a4"] == 2
    assert terms["กระดาษ"] == 2
    assert terms["hp"] == 2
    assert terms["ลูกลื่น"] == 1


def test_a_rolled_back_change_leaves_no_index_entry(office):
    before = _counts()

    with pytest.raises(RuntimeError), transaction.atomic():
        _index("folder", "แฟ้มสันกว้าง Elephant Kingfisher")
        search.remove(index="catalog", key="paper")
        assert _keys("kingfisher") == ["folder"]
        raise RuntimeError("the catalog change failed")

    assert _counts() == before
    assert _keys("kingfisher") == []
    assert _keys("kingfishe") == []  # not even as a completion from a stale vocabulary
    assert search.search(index="catalog", query="kingfishr").corrected == {}
    assert _keys("กระดาษ") == ["paper"]


def test_indexes_do_not_mix():
    _index("1", "กระดาษถ่ายเอกสาร", tags=["category:1"], index="catalog")
    _index("1", "ประกาศจัดซื้อกระดาษ", tags=["category:1"], index="announcements")
    _index("2", "ประกาศผลการประกวดราคา", index="announcements")

    assert [hit.title for hit in search.search(index="catalog", query="กระดาษ").hits] == [
        "กระดาษถ่ายเอกสาร"
    ]
    assert _keys("ประกาศ") == []
    assert sorted(_keys("ประกาศ", index="announcements")) == ["1", "2"]
    assert _keys("", tags=["category:1"], index="announcements") == ["1"]
    assert search.search(index="catalog", query="").total == 1
    assert search.search(index="catalog", query="ประกวด").corrected == {}
    search.remove(index="announcements", key="1")
    assert _keys("กระดาษ") == ["1"]


def test_index_many_indexes_in_chunks_and_reports_progress():
    documents = (
        SearchDocument(key=str(number), title=f"สินค้า {number}", tags=(f"lot:{number % 3}",))
        for number in range(2500)
    )
    reported: list[int] = []

    count = search.index_many(index="bulk", documents=documents, progress=reported.append)

    assert count == 2500
    assert reported == [2000, 2500]
    assert search.search(index="bulk", query="สินค้า").total == 2500
    assert search.search(index="bulk", query="", tags=["lot:0"]).total == 834
    assert SearchTerm.objects.get(index_name="bulk", term="สินค้า").documents == 2500


def test_index_many_replaces_existing_documents_and_the_last_duplicate_wins(office):
    documents = [
        SearchDocument(key="paper", title="กระดาษ สีชมพู"),
        SearchDocument(key="new", title="กระดาษ โน้ต"),
        SearchDocument(key="new", title="กระดาษ สีเหลือง"),
    ]

    assert search.index_many(index="catalog", documents=documents) == 3

    assert sorted(_keys("กระดาษ")) == ["new", "paper"]
    assert _keys("ถ่ายเอกสาร") == []
    assert _keys("โน้ต") == []
    assert SearchTerm.objects.get(index_name="catalog", term="กระดาษ").documents == 2


def test_index_many_is_all_or_nothing(office):
    before = _counts()
    documents = [SearchDocument(key="ok", title="ปากกา"), SearchDocument(key="", title="x")]

    with pytest.raises(ValueError, match="key"):
        search.index_many(index="catalog", documents=documents)

    assert _counts() == before


def test_malformed_input_is_refused_as_a_programming_error():
    before = _counts()

    with pytest.raises(ValueError, match="Index names"):
        search.index(index="Catalog Items", document=SearchDocument(key="1", title="x"))
    with pytest.raises(ValueError, match="key"):
        search.index(index="catalog", document=SearchDocument(key="x" * 201, title="x"))
    with pytest.raises(ValueError, match="amount"):
        search.index(
            index="catalog", document=SearchDocument(key="1", title="x", amount=Decimal("NaN"))
        )
    with pytest.raises(ValueError, match="Tags"):
        search.index(index="catalog", document=SearchDocument(key="1", title="x", tags="a"))
    with pytest.raises(TypeError):
        search.search(index="catalog", query="x", tags="category:1")
    with pytest.raises(ValueError, match="Index names"):
        search.search(index="", query="x")

    assert _counts() == before


def test_control_characters_are_stored_safely():
    _index("nul", "กระดาษ\x00ถ่ายเอกสาร", "line\nbreak\ttab")

    assert _keys("ถ่ายเอกสาร") == ["nul"]
    assert SearchEntry.objects.get(key="nul").title == "กระดาษถ่ายเอกสาร"


# Hostile and odd queries -----------------------------------------------------------------------

HOSTILE = [
    '"',
    '""',
    "*",
    "กระดาษ*",
    "(",
    ")",
    "(กระดาษ",
    "OR",
    "กระดาษ OR ปากกา",
    "AND NOT",
    "NEAR(กระดาษ ปากกา)",
    "-กระดาษ",
    "'",
    "กระดาษ'",
    "^กระดาษ",
    "title_tokens: กระดาษ",
    "{title_tokens}: x",
    "กระดาษ & ปากกา | !หมึก",
    "a:* <-> b",
    "'; DROP TABLE search_searchentry; --",
    '" OR 1=1 --',
    "%",
    "_",
    "\\",
    "\x00",
    "🙂",
]


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_queries_never_raise_and_are_only_words(office, query):
    results = search.search(index="catalog", query=query)

    assert results.query_tokens == search.tokenize(query)
    assert SearchEntry.objects.count() == len(FILLER) + 4


def test_syntax_characters_are_not_operators(office):
    # NOT and - would exclude, * would complete, quotes would make a phrase: none of them does
    assert _keys("กระดาษ NOT ถ่ายเอกสาร") == ["paper"]
    assert search.search(index="catalog", query="กระดาษ OR").query_tokens == ["กระดาษ", "or"]
    assert _keys("-กระดาษ") == ["paper"]
    assert _keys('"A4 กระดาษ"') == ["paper"]
    assert _keys("laserj* ") == []
    assert _keys("laserj*") == ["printer"]  # only because the last word is still being typed
    assert search.search(index="catalog", query="'; DROP TABLE search_searchentry; --").total == 0
    assert _keys("กระดาษ") == ["paper"]


def test_a_very_long_query_is_cut_and_still_answers(office):
    results = search.search(index="catalog", query="กระดาษ " + "ปากกา " * 10_000)

    assert sorted(hit.key for hit in results.hits) == ["paper", "pen"]
    assert results.query_tokens == ["กระดาษ"] + ["ปากกา"] * 11
    hopeless = search.search(index="catalog", query="q" * 100_000)
    assert (hopeless.hits, hopeless.query_tokens) == ([], ["q" * 64])


def test_searching_an_index_that_was_never_written_finds_nothing():
    results = search.search(index="nothing-yet", query="กระดาษ")

    assert (results.hits, results.total, results.corrected) == ([], 0, {})
    assert search.search(index="nothing-yet", query="").total == 0


# Cost ------------------------------------------------------------------------------------------


def test_a_query_reads_the_vocabulary_only_when_it_changed(office, django_assert_max_num_queries):
    search.search(index="catalog", query="กระดาด")  # loads this process's cache

    # a correction costs no vocabulary scan: the version check, the page, the count
    with django_assert_max_num_queries(3) as captured:
        search.search(index="catalog", query="กระดาด")
    assert not any("search_searchterm" in query["sql"] for query in captured.captured_queries)

    # a new word changes the version: the next query reads the vocabulary again
    _index("card", "กระดาษการ์ด")
    with django_assert_max_num_queries(4) as captured:
        assert search.search(index="catalog", query="การ์ต").corrected == {"การ์ต": "การ์ด"}
    assert any("search_searchterm" in query["sql"] for query in captured.captured_queries)


def test_full_text_structures_exist_for_the_database(db):
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT count(*) FROM sqlite_master WHERE name LIKE 'search_entry_fts_%%'"
            )
            assert cursor.fetchone()[0] == 3
        else:
            cursor.execute(
                "SELECT count(*) FROM pg_indexes WHERE indexname = 'search_entry_document'"
            )
            assert cursor.fetchone()[0] == 1
