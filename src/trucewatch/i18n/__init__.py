"""Languages of the dashboard (and what else is translated): English, Ukrainian, Russian.

Messages are gettext catalogues (``i18n/locales/<locale>/LC_MESSAGES/trucewatch.po``),
read with Babel and compiled in memory (no ``.mo`` files to build). English is the source
language: a message without a translation is shown in English. The catalogue template
``i18n/locales/trucewatch.pot`` is extracted from the dashboard's template and scripts
with ``pybabel extract -F babel.cfg`` (see docs/api.md, "Languages").

A request's language is, in order: ``?lang=``, the ``trucewatch_lang`` cookie (the
user's choice, kept by the browser), the ``Accept-Language`` header, English.
Dates and numbers are localized with Babel's CLDR data (:func:`format_day`,
:func:`format_number`); the dashboard uses the browser's ``Intl`` with the same locale.
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache
from importlib import resources
from io import BytesIO

from babel import Locale
from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations

__all__ = [
    "COOKIE",
    "DEFAULT",
    "DOMAIN",
    "LOCALES",
    "format_day",
    "format_number",
    "language_names",
    "messages",
    "negotiate",
    "translations",
]

LOCALES: tuple[str, ...] = ("en", "uk", "ru")
"""The languages offered, English (the source language) first."""

DEFAULT = "en"
DOMAIN = "trucewatch"
COOKIE = "trucewatch_lang"
"""Cookie holding the language a user chose on the dashboard."""

_TAG = re.compile(r"^\s*([A-Za-z]{1,8})(?:[-_][A-Za-z0-9]{1,8})*\s*$")


def _supported(tag: str | None) -> str | None:
    """The offered locale of a language tag (``uk-UA`` -> ``uk``), or None."""
    if not tag:
        return None
    m = _TAG.match(tag)
    if m is None:
        return None
    lang = m.group(1).lower()
    return lang if lang in LOCALES else None


def _accepted(header: str) -> list[str]:
    """Language tags of an ``Accept-Language`` header, most wanted first (q=0 dropped)."""
    ranked: list[tuple[float, int, str]] = []
    for i, part in enumerate(header.split(",")[:32]):
        tag, _, params = part.partition(";")
        q = 1.0
        m = re.search(r"q\s*=\s*([0-9.]+)", params)
        if m:
            try:
                q = float(m.group(1))
            except ValueError:
                q = 0.0
        if q > 0 and tag.strip():
            ranked.append((-q, i, tag.strip()))
    return [tag for _, _, tag in sorted(ranked)]


def negotiate(
    requested: str | None = None, cookie: str | None = None, accept_language: str | None = None
) -> str:
    """The locale of a request: ``requested`` (``?lang=``), else ``cookie``, else the first
    offered language of ``accept_language``, else :data:`DEFAULT`."""
    for choice in (requested, cookie):
        found = _supported(choice)
        if found:
            return found
    for tag in _accepted(accept_language or ""):
        found = _supported(tag)
        if found:
            return found
    return DEFAULT


def _catalogue_text(locale: str) -> bytes | None:
    path = resources.files(__name__) / "locales" / locale / "LC_MESSAGES" / f"{DOMAIN}.po"
    return path.read_bytes() if path.is_file() else None


@lru_cache(maxsize=len(LOCALES))
def translations(locale: str) -> NullTranslations:
    """The gettext translations of ``locale`` (English and unknown locales: none)."""
    raw = _catalogue_text(locale) if locale in LOCALES and locale != DEFAULT else None
    if raw is None:
        return NullTranslations()
    catalog = read_po(BytesIO(raw), locale=locale, domain=DOMAIN)
    buf = BytesIO()
    write_mo(buf, catalog)  # fuzzy entries are left out
    buf.seek(0)
    return Translations(buf, domain=DOMAIN)


@lru_cache(maxsize=len(LOCALES))
def messages(locale: str) -> dict[str, str]:
    """Every translated message of ``locale`` as ``{msgid: msgstr}`` (for scripts)."""
    raw = _catalogue_text(locale) if locale in LOCALES and locale != DEFAULT else None
    if raw is None:
        return {}
    catalog = read_po(BytesIO(raw), locale=locale, domain=DOMAIN)
    return {str(m.id): str(m.string) for m in catalog
            if m.id and m.string and not m.fuzzy and isinstance(m.id, str)}  # fmt: skip


def language_names() -> dict[str, str]:
    """Each offered locale's name in its own language (``uk`` -> ``українська``)."""
    return {code: Locale.parse(code).get_display_name(code) or code for code in LOCALES}


def format_day(day: date, locale: str, style: str = "long") -> str:
    """A calendar day in the words of ``locale`` (CLDR ``short``/``medium``/``long``)."""
    return str(format_date(day, format=style, locale=locale))


def format_number(value: float, locale: str, decimals: int | None = None) -> str:
    """A number with the locale's separators; ``decimals`` fixes the fraction digits."""
    if decimals is None:
        return str(format_decimal(value, locale=locale))
    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    return str(format_decimal(value, format=pattern, locale=locale))
