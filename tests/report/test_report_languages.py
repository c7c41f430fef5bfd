"""The daily report in Ukrainian and Russian: every message of the report translated, plural
forms by the catalogues' rules, no English sentence left on the page, the PDF in Cyrillic."""

from __future__ import annotations

import html as html_lib
import json
import re
import zlib
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from tests.report.test_report_daily import agreement, make_incident, make_input, random_incidents

from trucewatch.report import DailyReportInput, build_report, write_daily_report
from trucewatch.report.headline import attribution_text
from trucewatch.report.pdf import find_browser
from trucewatch.report.words import Words, words
from trucewatch.types import EventKind, SourceKind

ROOT = Path(__file__).resolve().parents[2]
LOCALES_DIR = ROOT / "src" / "trucewatch" / "i18n" / "locales"
REPORT_SOURCES = ("src/trucewatch/report/", "src/trucewatch/app/reports.py")


def _report_messages() -> set[Any]:
    """The msgids of the report's code and page (plural ones as (singular, plural))."""
    method_map, options_map = parse_mapping_cfg((ROOT / "babel.cfg").open())
    found = {msg[2] for msg in extract_from_dir(str(ROOT), method_map, options_map)
             if msg[0].startswith(REPORT_SOURCES)}  # fmt: skip
    assert len(found) > 150
    return found


@pytest.mark.parametrize("locale", ["uk", "ru"])
def test_every_message_of_the_report_is_translated(locale: str) -> None:
    catalog = read_po((LOCALES_DIR / locale / "LC_MESSAGES" / "trucewatch.po").open("rb"))
    for msgid in _report_messages():
        entry = catalog.get(msgid)
        assert entry is not None and not entry.fuzzy, f"{locale}: {msgid!r} not in the catalogue"
        forms = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        assert forms and all(forms), f"{locale}: {msgid!r} untranslated"


# 1 and 21: form one; 2: few; 5 and 11: many (CLDR's rules, in the catalogues' headers)
PLURALS = {
    "uk": {1: "1 інцидент.", 2: "2 інциденти.", 5: "5 інцидентів.", 11: "11 інцидентів.",
           21: "21 інцидент.", 22: "22 інциденти."},
    "ru": {1: "1 инцидент.", 2: "2 инцидента.", 5: "5 инцидентов.", 11: "11 инцидентов.",
           21: "21 инцидент.", 22: "22 инцидента."},
}  # fmt: skip


@pytest.mark.parametrize("locale", ["uk", "ru"])
def test_plural_forms(locale: str) -> None:
    w = Words(locale)
    for n, ending in PLURALS[locale].items():
        text = w.ngettext("The previous day had {n} incident.",
                          "The previous day had {n} incidents.", n)  # fmt: skip
        assert text.endswith(ending), (n, text)
    assert " ".join(w.integer(1234).split()) == "1 234"  # CLDR: a (narrow) no-break space
    assert w.dec(0.8) == "0,80"


def test_english_stays_as_it_was() -> None:
    w = words(None)
    assert w.ngettext("The previous day had {n} incident.",
                      "The previous day had {n} incidents.", 1234) == (
        "The previous day had 1,234 incidents.")  # fmt: skip
    att = {"party": "RU", "probabilities": {"RU": 0.9, "UA": 0.1}}
    assert attribution_text(att, 0.5, Words("uk")) == "якщо стався: імовірніше RU (0,90)"
    assert attribution_text(att, 0.5, Words("ru")) == "если произошёл: вероятнее RU (0,90)"
    assert attribution_text(att, 0.9, Words("ru")) == "RU (0,90)"  # party codes stay
    with pytest.raises(ValueError, match="offered are en, uk, ru"):
        Words("de")


# --------------------------------------------------------------------------- whole page

KEPT = re.compile(
    r"\b(UTC|trucewatch|report\.json|far_from_line|NASA FIRMS|DeepStateMap|ISW|OpenStreetMap|"
    r"ODbL|WGS84|docs/claims\.md|Test truce|Synthetic line|API|ID)\b"
)
"""Names that stay as they are in every language (with party codes and sector names)."""
LATIN_RUN = re.compile(r"[A-Za-z]{2,}(?:[\s,;:()'’-]+[A-Za-z]{2,}){2,}")
"""Three or more Latin words in a row: an English sentence or phrase left untranslated."""


def _input(locale: str) -> DailyReportInput:
    """A busy day with every section: an agreement from 14:00, satellite detections far from
    the line, conditional and firm attribution, incidents outside the sectors."""
    w = Words(locale)
    far = make_incident(5000, kind=EventKind.THERMAL_ANOMALY, party="RU", confidence=0.5,
                        sources=(SourceKind.SATELLITE_THERMAL,))  # fmt: skip
    incidents = [*random_incidents(120, seed=3), make_incident(9999, sector="Nowhere"),
                 replace(far, line_distance_km=80.0)]  # fmt: skip
    inp = make_input(incidents, agreements=[agreement(start_hour=14)])
    sources = [w._("Satellite fire detections: NASA FIRMS (public domain)."),
               w._("Country outline: © OpenStreetMap contributors (ODbL).")]  # fmt: skip
    return replace(inp, language=locale, data_sources=sources)


def _visible_text(page: str) -> str:
    """The page's text as a reader sees it: no style, tags, image data, ids or names."""
    body = page.split("<body>", 1)[1]
    body = re.sub(r"<code[^>]*>.*?</code>", " ", body, flags=re.S)
    body = re.sub(r"<[^>]+>", " ", body)
    text = html_lib.unescape(body)
    text = KEPT.sub(" ", text)
    # party codes, sector names and the parties' names as the agreement gives them
    return re.sub(r"\b(RU|UA|Alpha|Bravo|Charlie|Delta|Nowhere|Ukraine|Russian Federation)\b",
                  " ", text)  # fmt: skip


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[dict, str]]:
    out = {}
    for locale in ("uk", "ru"):
        paths = write_daily_report(_input(locale), tmp_path_factory.mktemp(locale))
        out[locale] = (json.loads(paths.json.read_text("utf-8")),
                       paths.html.read_text("utf-8"))  # fmt: skip
    return out


@pytest.mark.parametrize("locale", ["uk", "ru"])
def test_no_english_sentence_in_the_page(pages: dict[str, tuple[dict, str]], locale: str) -> None:
    doc, page = pages[locale]
    assert doc["language"] == locale and f'<html lang="{locale}">' in page
    for section in ("summary", "agreements", "map", "sectors", "trend", "incidents",
                    "far-from-line", "claims", "sources"):  # fmt: skip
        assert f'<section id="{section}">' in page, section
    text = _visible_text(page)
    assert not LATIN_RUN.findall(text), LATIN_RUN.findall(text)[:5]
    assert re.search("[А-Яа-яЁёІіЇїЄєҐґ]", doc["summary_text"])
    heading = {"uk": "Щоденний звіт – 12 серпня 2025 р. (UTC)",
               "ru": "Ежедневный отчёт – 12 августа 2025 г. (UTC)"}[locale]  # fmt: skip
    assert heading in " ".join(page.split())


def test_the_summary_in_words(pages: dict[str, tuple[dict, str]]) -> None:
    uk, ru = pages["uk"][0]["summary_text"], pages["ru"][0]["summary_text"]
    assert " ".join(uk.split()).startswith("12 серпня 2025 р. (UTC) trucewatch зафіксував 121 "
                                           "інцидент")  # fmt: skip
    assert " ".join(ru.split()).startswith("12 августа 2025 г. (UTC) trucewatch зафиксировал "
                                           "121 инцидент")  # fmt: skip
    assert "1 супутникове виявлення пожежі далі ніж 30 км від лінії" in uk
    assert "Угода «Test truce» діяла з 14:00 UTC" in uk
    assert "Соглашение «Test truce» действовало с 14:00 UTC" in ru


def test_the_numbers_do_not_depend_on_the_language(pages: dict[str, tuple[dict, str]]) -> None:
    english = build_report(replace(_input("uk"), language="en"))
    for locale in ("uk", "ru"):
        doc = pages[locale][0]
        for key in ("summary", "sectors", "incidents", "assessment", "far_from_line"):
            assert doc[key] == english[key], (locale, key)


HEX = "<[0-9A-Fa-f]+>"


def _pdf_unicode(data: bytes) -> str:
    """The characters that the PDF's fonts map glyphs to (their ToUnicode tables:
    ``<code> <char>`` pairs and ``<first> <last> <char>`` ranges)."""
    chars: list[str] = []
    for raw in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            text = zlib.decompress(raw).decode("latin-1")
        except zlib.error:
            continue
        for block in re.findall(r"beginbfchar(.*?)endbfchar", text, re.S):
            chars += [chr(int(u, 16)) for u in re.findall(rf"{HEX}\s*<([0-9A-Fa-f]{{4}})>", block)]
        for block in re.findall(r"beginbfrange(.*?)endbfrange", text, re.S):
            ranges = re.findall(rf"<({HEX[1:-1]})>\s*<({HEX[1:-1]})>\s*<([0-9A-Fa-f]{{4}})>", block)
            for lo, hi, dst in ranges:
                chars += [chr(int(dst, 16) + k) for k in range(int(hi, 16) - int(lo, 16) + 1)]
    return "".join(chars)


@pytest.mark.skipif(find_browser() is None, reason="no Chromium: .ci/run installs Debian's")
def test_the_ukrainian_pdf_has_cyrillic_glyphs(tmp_path: Path) -> None:
    inp = replace(make_input([make_incident(k) for k in range(3)]), language="uk")
    paths = write_daily_report(inp, tmp_path, pdf=True)
    assert paths.pdf is not None, paths.pdf_note
    data = paths.pdf.read_bytes()
    assert data.startswith(b"%PDF-")
    glyphs = set(_pdf_unicode(data))
    assert set("Щоденнийзвітсерпня") <= glyphs, "the PDF's fonts lack Cyrillic glyphs"
