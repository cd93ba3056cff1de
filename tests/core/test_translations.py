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


def test_every_message_is_translated(po):
    missing = [entry.msgid for entry in po if not entry.msgstr and not entry.obsolete]
    fuzzy = [entry.msgid for entry in po if "fuzzy" in entry.flags]
    assert missing == [] and fuzzy == []


def test_placeholders_survive_translation(po):
    for entry in po:
        assert set(PLACEHOLDER.findall(entry.msgid)) == set(PLACEHOLDER.findall(entry.msgstr)), (
            entry.msgid
        )


def test_the_compiled_catalog_matches_the_source(po):
    compiled = {entry.msgid: entry.msgstr for entry in polib.mofile(str(LOCALE / "django.mo"))}
    source = {entry.msgid: entry.msgstr for entry in po if entry.msgstr}
    assert compiled == source, "run `make messages` to compile the .po"


def test_thai_is_what_users_see():
    with translation.override("th"):
        assert translation.gettext("Log in") == "เข้าสู่ระบบ"
        assert translation.gettext("Agency administrator") == "ผู้ดูแลระบบของหน่วยงาน"
