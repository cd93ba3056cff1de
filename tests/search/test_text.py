"""Normalising and segmenting text, compound parts, the vocabulary and query plans (no database)."""

from __future__ import annotations

from onestop.search.domain.compounds import compound_parts, rejoined
from onestop.search.domain.query import MAX_QUERY_WORDS, QueryGroup, plan_query
from onestop.search.domain.tags import tag_token
from onestop.search.domain.text import MAX_TOKEN_CHARS, sort_key, tokenize
from onestop.search.domain.vocabulary import Vocabulary


def test_thai_is_segmented_and_latin_kept_whole():
    assert tokenize("กระดาษถ่ายเอกสาร A4 80 แกรม") == ["กระดาษ", "ถ่ายเอกสาร", "a4", "80", "แก", "รม"]


def test_thai_digits_become_arabic_and_case_folds():
    assert tokenize("หมึก HP ๖๘๐ LaserJet") == ["หมึก", "hp", "680", "laserjet"]


def test_punctuation_separates_words_and_never_survives():
    assert tokenize('ปากกา(สีแดง)/"Pentel"*-OR NEAR') == [
        "ปากกา",
        "สีแดง",
        "pentel",
        "or",
        "near",
    ]


def test_repeated_and_misplaced_thai_marks_are_normalised():
    # given: two sara e for sara ae, a doubled tone mark, a space before a vowel sign
    assert tokenize("เเปลก") == ["แปลก"]
    assert tokenize("น้้ำ") == tokenize("น้ำ")
    assert tokenize("ก ิน") == tokenize("กิน")


def test_invisible_characters_and_full_width_latin_are_folded():
    assert tokenize("กระ\u200bดาษ ＡＢＣ") == ["กระดาษ", "abc"]


def test_numbers_keep_decimals_and_lose_thousands_separators():
    assert tokenize("ราคา 1,250.50 บาท ขนาด 1.5 ลิตร") == [
        "ราคา",
        "1250.50",
        "บาท",
        "ขนาด",
        "1.5",
        "ลิตร",
    ]


def test_long_words_are_cut():
    assert tokenize("x" * 500) == ["x" * MAX_TOKEN_CHARS]


def test_text_without_words_has_no_tokens():
    assert tokenize("") == []
    assert tokenize("  \"'*()-+^:;,. ") == []


def test_compounds_give_their_dictionary_words():
    assert compound_parts("ปากกาลูกลื่น") == ("ปากกา", "ลูกลื่น")
    assert compound_parts("เครื่องพิมพ์") == ("เครื่อง", "พิมพ์")
    assert compound_parts("m404dn") == ("404", "dn")
    assert compound_parts("คอมพิวเตอร์") == ()
    assert compound_parts("a4") == ()


def test_pieces_of_an_unknown_word_are_joined_again():
    # given: the segmenter does not know ทิชชู่ and cuts it in two
    words = tokenize("กระดาษทิชชู่ม้วน")
    assert words == ["กระดาษ", "ทิช", "ชู่", "ม้วน"]

    # then
    assert rejoined(words) == ["ทิชชู่", "ชู่ม้วน"]


def test_sort_key_puts_leading_vowels_after_their_consonant():
    titles = ["หมึก", "เครื่องพิมพ์", "กระดาษ", "ปากกา"]
    assert sorted(titles, key=sort_key) == ["กระดาษ", "เครื่องพิมพ์", "ปากกา", "หมึก"]


def test_tags_become_letters_and_digits_only():
    assert tag_token("category:44121600") == "x" + b"category:44121600".hex()
    assert tag_token("หมวด:" + "ก" * 100).startswith("h")
    assert tag_token("หมวด:" + "ก" * 100).isalnum()


def test_vocabulary_corrects_within_a_few_edits():
    vocabulary = Vocabulary({"กระดาษ": 5, "printer": 3, "print": 9, "พิมพ์": 4, "แฟ้ม": 2})

    assert vocabulary.correct("กระดาด") == "กระดาษ"
    assert vocabulary.correct("printr") == "printer"
    assert vocabulary.correct("พิมพ") == "พิมพ์"
    assert vocabulary.correct("แฟม") == "แฟ้ม"
    assert vocabulary.correct("xyzxyz") is None
    assert vocabulary.correct("681") is None


def test_vocabulary_completes_with_the_most_frequent_words():
    vocabulary = Vocabulary({"printer": 3, "print": 9, "printing": 5, "paper": 7})

    assert vocabulary.complete("prin") == ["print", "printer", "printing"]
    assert vocabulary.complete("prin", limit=2) == ["print", "printing"]
    assert vocabulary.complete("p") == []
    assert vocabulary.complete("print") == ["printer", "printing"]


def test_plan_groups_each_word_and_completes_only_the_last():
    vocabulary = Vocabulary({"กระดาษ": 5, "a4": 3, "a4s": 1})

    plan = plan_query("a4 กระดาษ", vocabulary)
    assert plan.words == ["a4", "กระดาษ"]
    assert plan.groups == [QueryGroup("a4", ("a4",)), QueryGroup("กระดาษ", ("กระดาษ",))]

    plan = plan_query("กระดาษ a4", vocabulary)
    assert plan.groups[-1] == QueryGroup("a4", ("a4",), ("a4s",))

    plan = plan_query("กระดาษ a4 ", vocabulary)
    assert plan.groups[-1] == QueryGroup("a4", ("a4",))


def test_plan_corrects_unknown_words_and_drops_hopeless_ones():
    vocabulary = Vocabulary({"กระดาษ": 5, "printer": 3})

    plan = plan_query("กระดาด printr qqqqqq ", vocabulary)

    assert plan.words == ["กระดาด", "printr", "qqqqqq"]
    assert plan.corrected == {"กระดาด": "กระดาษ", "printr": "printer"}
    assert [group.terms for group in plan.groups] == [("กระดาษ",), ("printer",)]


def test_plan_keeps_a_word_split_by_a_typo_together():
    # given: the typo เก้าอื้ is cut into เก้า and อื้
    vocabulary = Vocabulary({"เก้าอี้": 5, "เก้า": 1})

    plan = plan_query("เก้าอื้ ", vocabulary)

    assert plan.corrected == {"เก้าอื้": "เก้าอี้"}
    assert [group.terms for group in plan.groups] == [("เก้าอี้",)]


def test_plan_of_a_query_without_words_is_empty():
    assert plan_query("\"*()'- ", Vocabulary({"or": 1})).is_empty
    assert not plan_query("nothing", Vocabulary({})).is_empty


def test_plan_caps_the_number_of_words():
    vocabulary = Vocabulary({f"w{number}": 1 for number in range(40)})

    plan = plan_query(" ".join(f"w{number}" for number in range(40)), vocabulary)

    assert len(plan.words) == MAX_QUERY_WORDS
    assert len(plan.groups) == MAX_QUERY_WORDS
