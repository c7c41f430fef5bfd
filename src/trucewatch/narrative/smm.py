"""OSCE SMM-style narrative passages into patrol observation records.

This module reads passages and sentences; the rest is in :mod:`~trucewatch.narrative.text`
(clean-up, sentences), :mod:`~trucewatch.narrative.dates` (dates and clock times),
:mod:`~trucewatch.narrative.locations` (distances, directions, flight paths),
:mod:`~trucewatch.narrative.observer` (where the observer was),
:mod:`~trucewatch.narrative.items` (one counted item), :mod:`~trucewatch.narrative.phrases`
(event phrases, totals and breakdowns), :mod:`~trucewatch.narrative.revisions` (later
sentences assessing or placing events already read) and
:mod:`~trucewatch.narrative.records` (segments and the records they become).

A rule-based reader of the prose of monitoring-mission reports::

    Positioned at the "DPR"-controlled Donetsk central railway station (8km north-west of
    Donetsk), the SMM heard and observed on 16 July between 08:10 and 16:00hrs 10 incoming/14
    outgoing and 15 unknown explosions at locations 3-6km north, north-west, west and south
    of its position.

becomes one record in the patrol observation schema of ``docs/formats.md`` (what
:mod:`trucewatch.sources.patrol` reads): ``date``, ``observer_place``, ``observer_reference``
``{km, direction, of}``, ``time_start``/``time_end`` (local time, ``HH:MM``) and ``events``
(``count``, ``kind``, ``weapon``, ``flow``, ``directions``, ``distance_km_min``/``max`` in km),
plus:

``parse_confidence``
    0-1: how much of the passage the rules read
    (:func:`trucewatch.narrative.records.confidence`);
``unparsed``
    text spans the rules could not read (the parser says so rather than guesses);
``notes``
    how uncertain readings were made ("about 20" read as 20, a date taken from the report);
``source_text``
    the passage;
``observer_lon``/``observer_lat``/``observer_sigma_km`` and ``geocode``
    the observer position from the gazetteer (WGS84 degrees, km), or why it failed.

A passage in which the observer moves ("Positioned about 3km north-east of Debaltseve, the
SMM heard ...") or the day changes gives one record per observer position and day.

The grammar, in order of application to each sentence: dates and times are read and blanked;
the observer position is read from its trigger ("Positioned at", "Whilst stationary", "the SMM
camera in", "was positioned near", "relocating") or, failing that, from the place followed by
a reference in brackets ("Horlivka (39km north-east of Donetsk)"); an assessment of earlier
events ("The SMM assessed four of the explosions as ...", "estimates that the explosions were
caused by ...") revises them; otherwise the object of each perception verb (heard, saw,
observed, recorded) is split into items (by commas, "and" before a new quantity, "as well
as", "/" ...) after locations (distance ranges and lists of compass directions) have been
taken out; each item is read as quantity, flow, noun, weapon and assessment; items lacking a
noun borrow it from their neighbours ("10 incoming/14 outgoing and 15 unknown explosions"),
a total followed by its breakdown is replaced by the breakdown ("26 mortar rounds - three
incoming, four outgoing and 19 undetermined -"), and a location applies to the items before
it that have none ("..., all 3-5km east").
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from trucewatch.narrative.dates import (
    DURATION,
    TIME_AT,
    TIME_BARE,
    TIME_WINDOW,
    clock,
    read_dates,
)
from trucewatch.narrative.items import (
    _ITEM_PREFIX,
    FIRE_WORDS,
    PASSIVE_BEFORE,
    QTY_RE,
    VERB_RE,
    Item,
)
from trucewatch.narrative.lexicon import EVENT_NOUN_RE
from trucewatch.narrative.locations import (
    ALTITUDE,
    ELLIPTIC_TRAJECTORY,
    FLIGHT_BRACKET,
    TRAJECTORY,
)
from trucewatch.narrative.observer import (
    PAREN_RE,
    _reference,
    fallback_observer,
    find_observer,
)
from trucewatch.narrative.phrases import read_event_phrase
from trucewatch.narrative.records import Segment, segment_record
from trucewatch.narrative.revisions import apply_sentence_assessment, apply_sentence_location
from trucewatch.narrative.text import _blank, normalize_text, split_sentences

__all__ = ["parse_passage"]


def parse_passage(
    text: str,
    *,
    default_year: int | None = None,
    report_date: date | str | None = None,
    geocode: bool = True,
) -> list[dict[str, Any]]:
    """Read one narrative passage into patrol observation records.

    Parameters
    ----------
    text : str
        The passage (one or several sentences or paragraphs).
    default_year : int, optional
        Year of dates written without one ("on 16 July"), when ``report_date`` is not given.
    report_date : date or "YYYY-MM-DD", optional
        Date of the report: the year of dates without one (a day after the report date means
        the previous year) and the date of a passage that names none.
    geocode : bool
        Resolve the observer position with the gazetteer (adds ``observer_lon``,
        ``observer_lat``, ``observer_sigma_km`` and ``geocode``).

    Returns
    -------
    list of dict
        One record per observer position and day, in the patrol observation schema plus
        ``parse_confidence``, ``unparsed``, ``notes`` and ``source_text``. A passage in which
        no event can be read gives one record with an empty ``events`` list (and the reason
        in ``unparsed``/``notes``): the caller decides whether that is an error.
    """
    report = date.fromisoformat(report_date) if isinstance(report_date, str) else report_date
    if default_year is None and report is not None:
        default_year = report.year
    source = text
    paragraphs = [p for p in re.split(r"\n\s*\n", text) if p.strip()] or [text]
    segments: list[Segment] = [Segment()]
    for paragraph in paragraphs:
        for sentence in split_sentences(normalize_text(paragraph)):
            _read_sentence(sentence, segments, default_year, report)
    records = [
        segment_record(seg, source, report, i == 0)
        for i, seg in enumerate(segments)
        if seg.events or i == 0
    ]
    if not records[0]["events"] and len(records) > 1:
        records = records[1:]
    if geocode:
        from trucewatch.narrative.locate import geocode_record

        records = [geocode_record(r) for r in records]
    return records


_SUMMARY = re.compile(
    r"\bcompared\s+with\b|\breporting\s+period\b|\bbetween\s+the\s+evenings\s+of\b"
    r"|\bceasefire\s+violations\s+in\s+(?:Donetsk|Luhansk)\s+region\b",
    re.IGNORECASE,
)


def _read_sentence(
    s: str, segments: list[Segment], default_year: int | None, report: date | None
) -> None:
    seg = segments[-1]
    if _SUMMARY.search(s):
        seg.notes.append(f"summary statistics not read as observations: {s[:80]!r}...")
        return
    work = s
    for m in ALTITUDE.finditer(work):
        work = _blank(work, m.start(), m.end())
    work, new_date = read_dates(work, seg.date, seg.notes, default_year, report)
    # observer
    mention = find_observer(work)
    if mention is not None:
        work = _blank(work, mention.start, mention.end)
    # a new segment when the observer moves or the day changes after events were read
    moved = mention is not None and mention.observer is not None
    if seg.events and (moved or (new_date is not None and new_date != seg.date)):
        seg = Segment(
            observer=None if moved else seg.observer,
            observer_anaphora=None if moved else seg.observer_anaphora,
            date=seg.date,
            date_note=seg.date_note,
        )
        segments.append(seg)
    if new_date is not None:
        seg.date = new_date
    if mention is not None:
        if mention.observer is not None:
            seg.observer = mention.observer
        elif seg.observer is None and mention.anaphora:
            seg.observer_anaphora = mention.anaphora
    elif seg.observer is None and seg.fallback is None:
        fb = fallback_observer(work)
        if fb is not None:
            seg.fallback = fb
            work = _blank(work, fb.start, fb.end)
    # references in brackets elsewhere describe places, not events
    for pm in PAREN_RE.finditer(work):
        if _reference(pm.group(1)) is not None:
            work = _blank(work, pm.start(), pm.end())
    work, ordered = _blank_times_and_paths(work)
    # locations of events read before ("The SMM assessed that the explosions occurred at
    # locations to the north ..., at distances between 3 and 8km")
    if not VERB_RE.search(work) and apply_sentence_location(work, seg):
        return
    # assessments of events read before
    if apply_sentence_assessment(work, segments):
        seg.other_times += ordered
        return
    before = len(seg.events)
    sentence_items, unread = _sentence_items(work)
    seg.unparsed += unread
    seg.events += [it for it in sentence_items if not it.drop and it.kind is not None]
    for it in sentence_items:
        if not it.drop and it.kind is None and FIRE_WORDS.search(it.text):
            seg.unparsed.append(re.sub(r"⟦\d+⟧", "", it.text).strip())
    if len(seg.events) > before:
        seg.event_times += ordered
    else:
        seg.other_times += ordered


def _blank_times_and_paths(work: str) -> tuple[str, list[str]]:
    """The sentence with its times, durations and flight paths blanked (none of them is
    where an event was), and its clock times in order (windows first)."""
    windows: list[str] = []
    for m in TIME_WINDOW.finditer(work):
        windows += [clock(m.group("a")), clock(m.group("b"))]
        work = _blank(work, m.start(), m.end())
    instants: list[tuple[int, str]] = []
    for pattern in (TIME_AT, TIME_BARE):
        for m in pattern.finditer(work):
            instants.append((m.start(), clock(m.group("a"))))
            work = _blank(work, m.start(), m.end())
    ordered = windows + [t for _, t in sorted(instants)]
    for m in DURATION.finditer(work):
        work = _blank(work, m.start(), m.end())
    for m in FLIGHT_BRACKET.finditer(work):
        work = _blank(work, m.start("bracket"), m.end("bracket"))
    trajectories = list(TRAJECTORY.finditer(work))
    for m in trajectories:
        work = _blank(work, m.start(), m.end())
    if any(re.search(r"\bto\b", m.group(0)) for m in trajectories):
        # "106 projectiles in flight from west to east and 58 east to west": the second
        # flight path drops its "from"
        for m in ELLIPTIC_TRAJECTORY.finditer(work):
            work = _blank(work, m.start("path"), m.end("path"))
    return work, ordered


OCCURRED = re.compile(
    r"\b(?:occurred|took\s+place|rang\s+out|erupted|went\s+off|sounded)\b", re.IGNORECASE
)
"""Verbs of an event with no observer named ("an explosion occurred within 150 metres")."""
THERE_WAS = re.compile(r"\bthere\s+(?:was|were|had\s+been)\b", re.IGNORECASE)


def _verbless_phrase(work: str) -> str | None:
    """The event phrase of a sentence with no perception verb whose counted subject
    "occurred" ("an explosion occurred within 150 metres of the SMM's position", "two
    explosions took place 2km south") or that says "there was/were ..."; ``None``
    otherwise (a sentence about events read before: "the explosions occurred ...")."""
    m = OCCURRED.search(work)
    if m is not None:
        subject = re.split(r"[,;:]", work[: m.start()])[-1]
        plain = _ITEM_PREFIX.sub("", re.sub(r"⟦\d+⟧", " ", subject).strip())
        if QTY_RE.match(plain) and re.search(EVENT_NOUN_RE, subject, re.IGNORECASE):
            return subject + " " + work[m.end() :]
        return None
    m = THERE_WAS.search(work)
    if m is not None:
        rest = work[m.end() :]
        if QTY_RE.match(_ITEM_PREFIX.sub("", rest.strip())) and re.search(
                EVENT_NOUN_RE, rest, re.IGNORECASE):  # fmt: skip
            return rest
    return None


def _sentence_items(work: str) -> tuple[list[Item], list[str]]:
    """The items after each perception verb of a sentence (for a passive verb, the counted
    subject before it too), with a location applied to the items before it that have
    none, and the pieces that could not be read."""
    unparsed: list[str] = []
    verbs = list(VERB_RE.finditer(work))
    sentence_items: list[Item] = []
    if not verbs:
        phrase = _verbless_phrase(work)
        if phrase is not None:
            sentence_items, unparsed = read_event_phrase(phrase)
    for i, v in enumerate(verbs):
        end = verbs[i + 1].start() if i + 1 < len(verbs) else len(work)
        phrase = work[v.end() : end]
        passive = PASSIVE_BEFORE.search(work[: v.start()])
        if passive:  # "another burst of small-arms fire was heard outgoing from the north-west"
            start = verbs[i - 1].end() if i else 0
            subject = re.split(r"[,;]", work[start : passive.start()])[-1]
            if QTY_RE.match(_ITEM_PREFIX.sub("", subject.strip())):
                phrase = subject + " " + phrase
        items, unread = read_event_phrase(phrase)
        sentence_items += items
        unparsed += unread
    # a location applies to the items before it that have none
    pending: list[Item] = []
    for it in sentence_items:
        if it.loc is None:
            pending.append(it)
            continue
        for p in pending:
            p.loc = it.loc
        pending = []
    return sentence_items, unparsed


