"""Thai translations: complete, placeholders intact, and the committed .mo matches the .po."""

from __future__ import annotations

import re
from pathlib import Path

import polib
import pytest
from django.utils import translation

import onestop

LOCALE = Path(onestop.__file__).parent / "locale" / "th" / "LC_MESSAGES"
PLACEHOLDER = re.compile(r"%\([a-z_]+\)s")


@pytest.fixture(scope="module")
def po() -> polib.POFile:
    return polib.pofile(str(LOCALE / "django.po"))


def _translations(entry: polib.POEntry) -> list[str]:
    """Every Thai form of an entry: the one msgstr, or each plural form (Thai has one)."""
    if entry.msgid_plural:
        return [entry.msgstr_plural[form] for form in sorted(entry.msgstr_plural)]
    return [entry.msgstr]


def _catalog(entries) -> dict[tuple[str | None, str], list[str]]:
    return {(e.msgctxt, e.msgid): _translations(e) for e in entries if any(_translations(e))}


def test_every_message_is_translated(po):
    missing = [e.msgid for e in po if not all(_translations(e)) and not e.obsolete]
    fuzzy = [e.msgid for e in po if "fuzzy" in e.flags]
    assert missing == [] and fuzzy == []


def test_placeholders_survive_translation(po):
    for entry in po:
        for text in _translations(entry):
            assert set(PLACEHOLDER.findall(entry.msgid)) == set(PLACEHOLDER.findall(text)), (
                entry.msgid
            )


def test_the_compiled_catalog_matches_the_source(po):
    compiled = _catalog(polib.mofile(str(LOCALE / "django.mo")))
    assert compiled == _catalog(po), "run `make messages` to compile the .po"


def test_thai_is_what_users_see():
    with translation.override("th"):
        assert translation.gettext("Log in") == "เข้าสู่ระบบ"
        assert translation.gettext("Agency administrator") == "ผู้ดูแลระบบของหน่วยงาน"
