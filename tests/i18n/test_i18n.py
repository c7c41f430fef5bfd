"""The three languages: choosing one per request, complete catalogues, localized dates and
numbers."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from trucewatch import i18n

ROOT = Path(__file__).resolve().parents[2]
LOCALES_DIR = ROOT / "src" / "trucewatch" / "i18n" / "locales"
PLACEHOLDER = re.compile(r"\{(\w+)\}")


@pytest.mark.parametrize(
    ("requested", "cookie", "header", "expected"),
    [
        ("ru", "uk", "en", "ru"),  # ?lang= first
        (None, "uk", "ru", "uk"),  # then the user's cookie
        ("xx", None, "de-DE,ru;q=0.8,uk;q=0.9", "uk"),  # then Accept-Language by weight
        (None, None, "uk-UA", "uk"),
        (None, None, "de, fr;q=0.5", "en"),  # nothing offered: English
        (None, None, "ru;q=0, uk;q=0.1", "uk"),  # q=0 is "not this one"
        (None, "<script>", "garbage;;q=x", "en"),
        (None, None, None, "en"),
    ],
)
def test_negotiate(requested: str | None, cookie: str | None, header: str | None,
                   expected: str) -> None:  # fmt: skip
    assert i18n.negotiate(requested, cookie, header) == expected


def _extracted() -> set[str | tuple[str, ...]]:
    """The msgids of the sources (plural messages as (singular, plural))."""
    method_map, options_map = parse_mapping_cfg((ROOT / "babel.cfg").open())
    return {msg[2] for msg in extract_from_dir(str(ROOT), method_map, options_map)}


def test_template_holds_every_message_of_the_dashboard_and_the_report() -> None:
    pot = {m.id for m in read_po((LOCALES_DIR / "trucewatch.pot").open("rb")) if m.id}
    assert _extracted() == pot, "run pybabel extract (docs/api.md, Languages)"
    assert len(pot) > 250


@pytest.mark.parametrize("locale", ["uk", "ru"])
def test_catalogue_translates_every_message(locale: str) -> None:
    pot = {m.id for m in read_po((LOCALES_DIR / "trucewatch.pot").open("rb")) if m.id}
    messages = i18n.messages(locale)
    assert set(messages) == {m for m in pot if isinstance(m, str)}
    for msgid, text in messages.items():
        words = re.sub(r"[^A-Za-z]", "", PLACEHOLDER.sub("", msgid))
        assert text != msgid or msgid in {"API", "OSM", "ID"} or not words, msgid
        assert set(PLACEHOLDER.findall(text)) == set(PLACEHOLDER.findall(msgid)), msgid
    assert i18n.translations(locale).gettext("Filters") == messages["Filters"]


@pytest.mark.parametrize("locale", ["uk", "ru"])
def test_plural_messages_have_every_form(locale: str) -> None:
    catalog = read_po((LOCALES_DIR / locale / "LC_MESSAGES" / "trucewatch.po").open("rb"))
    assert catalog.num_plurals == 3
    plurals = [m for m in catalog if m.id and isinstance(m.id, tuple)]
    assert len(plurals) > 20
    for m in plurals:
        assert not m.fuzzy and len(m.string) == 3 and all(m.string), m.id
        for form in m.string:
            assert set(PLACEHOLDER.findall(form)) <= set(PLACEHOLDER.findall(m.id[1])), m.id


def test_english_is_the_source_language() -> None:
    assert i18n.messages("en") == {}
    assert i18n.translations("en").gettext("Filters") == "Filters"
    assert i18n.messages("xx") == {}


def _spaced(text: str) -> str:
    """Any run of spaces (CLDR uses narrow and no-break ones) as one plain space."""
    return " ".join(text.split())


def test_dates_and_numbers_in_each_language() -> None:
    day = date(2025, 8, 13)
    assert i18n.format_day(day, "en") == "August 13, 2025"
    assert _spaced(i18n.format_day(day, "uk")) == "13 серпня 2025 р."
    assert _spaced(i18n.format_day(day, "ru")) == "13 августа 2025 г."
    assert i18n.format_number(1234567.5, "en", 1) == "1,234,567.5"
    assert _spaced(i18n.format_number(1234567.5, "uk", 1)) == "1 234 567,5"
    assert i18n.format_number(0.25, "ru", 2) == "0,25"
    assert i18n.language_names() == {"en": "English", "uk": "українська", "ru": "русский"}
