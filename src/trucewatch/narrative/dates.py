"""Dates and clock times in narrative passages.

Dates ("on 16 July", "16 July 2015", "2015-07-16", "the following day") are read and
blanked from a sentence (:func:`read_dates`); the year of a date written without one comes
from the report date or a default year. Clock times (``HH:MM``, local time) are read by the
patterns :data:`TIME_WINDOW`, :data:`TIME_AT` and :data:`TIME_BARE`; :data:`DURATION`
matches spans of time ("for about 20 minutes") that are not where an event was.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from trucewatch.narrative.lexicon import MONTH_RE, MONTHS, NUMBER_RE, TIME_RE
from trucewatch.narrative.text import _blank

__all__ = [
    "DATE_PATTERNS",
    "DURATION",
    "FOLLOWING_DAY",
    "SAME_DAY",
    "TIME_AT",
    "TIME_BARE",
    "TIME_WINDOW",
    "clock",
    "read_date",
    "read_dates",
]

_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?(?:\s*(?:-|to|and)\s*[0-3]?\d(?:st|nd|rd|th)?)?"
_PART = r"(?:(?:the\s+)?(?:night|evening|morning|afternoon|day)\s+(?:of|on)\s+)?"
_YEAR = r"(?:,?\s+(?P<year>(?:19|20)\d\d))?"
DATE_PATTERNS: tuple[re.Pattern[str], ...] = (
    re.compile(
        rf"\b(?:[Oo]n\s+|[Dd]uring\s+|[Ii]n\s+)?{_PART}{_DAY}\s+(?P<month>{MONTH_RE}){_YEAR}\b"
    ),
    re.compile(
        rf"\b(?:[Oo]n\s+|[Dd]uring\s+|[Ii]n\s+)?{_PART}(?P<month>{MONTH_RE})\s+{_DAY}\b{_YEAR}"
    ),
    re.compile(r"\b(?P<iso>(?:19|20)\d\d-[01]\d-[0-3]\d)\b"),
)
FOLLOWING_DAY = re.compile(r"\b(?:[Tt]he\s+following\s+day|[Tt]he\s+next\s+day)\b")
SAME_DAY = re.compile(r"\b[Oo]n\s+the\s+same\s+day\b|\b[Tt]he\s+same\s+day\b")
TIME_WINDOW = re.compile(
    rf"\b(?:[Bb]etween|[Ff]rom)\s+(?P<a>{TIME_RE})\s+(?:and|to|until|-)\s+(?P<b>{TIME_RE})"
)
TIME_BARE = re.compile(r"(?<![\d:.])(?P<a>(?:[01]?\d|2[0-4]):[0-5]\d)(?:\s*hrs)?(?![\d:])")
"""A clock time alone ("16:00hrs"); read after :data:`TIME_WINDOW` and :data:`TIME_AT`."""
TIME_AT = re.compile(
    rf"\b(?:[Aa]t|[Aa]round|[Bb]y|[Uu]ntil|[Ff]rom)\s+(?:about\s+|around\s+|approximately\s+)?"
    rf"(?P<a>{TIME_RE})"
)
DURATION = re.compile(
    rf"\b(?:within|for|over\s+a\s+span\s+of|in)\s+(?:about\s+|approximately\s+|some\s+)?"
    rf"(?:{NUMBER_RE}|an?|half\s+an)\s+(?:seconds?|minutes?|hours?)\b"
    r"|\b[\w-]+-(?:second|minute|hour)s?-long\b|\b[Ll]ess\s+than\s+a\s+minute\s+later\b",
)


def clock(text: str) -> str:
    """A clock time as ``HH:MM`` ("8.10hrs" -> "08:10")."""
    h, m = re.split(r"[:.]", re.sub(r"\s*hrs$", "", text.strip()))[:2]
    return f"{int(h):02d}:{m}"


def read_date(
    m: re.Match[str], default_year: int | None, report: date | None
) -> tuple[date | None, str | None]:
    """The date of a match of :data:`DATE_PATTERNS`, and a note when its year was taken
    from ``default_year``; (None, why) when it is not a date or has no year."""
    groups = m.groupdict()
    if groups.get("iso"):
        return date.fromisoformat(groups["iso"]), None
    month = MONTHS[groups["month"].lower().rstrip(".")]
    day = int(groups["day"])
    note = None
    if groups.get("year"):
        year = int(groups["year"])
    elif report is not None:
        year = report.year
        try:
            if date(year, month, day) > report + timedelta(days=1):
                year -= 1
        except ValueError:
            return None, f"not a date: {m.group(0)!r}"
    elif default_year is not None:
        year = default_year
        note = f"year {year} not in the passage: taken from the default year"
    else:
        return None, f"date {m.group(0)!r} has no year (give default_year or report_date)"
    try:
        return date(year, month, day), note
    except ValueError:
        return None, f"not a date: {m.group(0)!r}"


def read_dates(
    work: str, current: date | None, notes: list[str], default_year: int | None,
    report: date | None,
) -> tuple[str, date | None]:
    """The sentence with its dates blanked, and the day it moves to (if any) from the
    ``current`` day of its segment; notes on uncertain dates are appended to ``notes``."""
    new_date: date | None = None
    for pattern in DATE_PATTERNS:
        for m in pattern.finditer(work):
            d, note = read_date(m, default_year, report)
            if d is None and note:
                notes.append(note)
            if d is not None and new_date is None:
                new_date = d
                if note:
                    notes.append(note)
            work = _blank(work, m.start(), m.end())
    fm = FOLLOWING_DAY.search(work)
    if fm and new_date is None and (current or report):
        base = current or report
        assert base is not None
        new_date = base + timedelta(days=1)
        work = _blank(work, fm.start(), fm.end())
    sm = SAME_DAY.search(work)
    if sm:
        work = _blank(work, sm.start(), sm.end())
    return work, new_date
