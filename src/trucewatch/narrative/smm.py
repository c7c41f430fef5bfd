"""OSCE SMM-style narrative passages into patrol observation records.

This module reads passages, sentences, dates and times; the rest is in
:mod:`~trucewatch.narrative.text` (clean-up, sentences), :mod:`~trucewatch.narrative.locations`
(distances, directions, flight paths), :mod:`~trucewatch.narrative.observer` (where the
observer was), :mod:`~trucewatch.narrative.items` (one counted item) and
:mod:`~trucewatch.narrative.phrases` (event phrases, totals and breakdowns).

A rule-based reader of the prose of monitoring-mission reports::

    Positioned at the "DPR"-controlled Donetsk central railway station (8km north-west of
    Donetsk), the SMM heard and observed on 16 July between 08:10 and 16:00hrs 10 incoming/14
    outgoing and 15 unknown explosions at locations 3-6km north, north-west, west and south
    of its position.

becomes one record in the patrol observation schema of ``docs/architecture.md`` (what
:mod:`trucewatch.sources.patrol` reads): ``date``, ``observer_place``, ``observer_reference``
``{km, direction, of}``, ``time_start``/``time_end`` (local time, ``HH:MM``) and ``events``
(``count``, ``kind``, ``weapon``, ``flow``, ``directions``, ``distance_km_min``/``max`` in km),
plus:

``parse_confidence``
    0-1: how much of the passage the rules read (see :func:`_confidence`);
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
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

from trucewatch.narrative.items import (
    _ITEM_PREFIX,
    FIRE_WORDS,
    PASSIVE_BEFORE,
    QTY_RE,
    VERB_RE,
    Item,
    apply_assessment,
)
from trucewatch.narrative.lexicon import (
    EVENT_NOUN_RE,
    EVENT_NOUNS,
    MONTH_RE,
    MONTHS,
    NUMBER_RE,
    TIME_RE,
    parse_number,
)
from trucewatch.narrative.locations import (
    ALTITUDE,
    ELLIPTIC_TRAJECTORY,
    FLIGHT_BRACKET,
    TRAJECTORY,
    Loc,
    read_locations,
)
from trucewatch.narrative.observer import (
    PAREN_RE,
    Observer,
    ObserverMention,
    _num,
    _reference,
    fallback_observer,
    find_observer,
)
from trucewatch.narrative.phrases import (
    read_event_phrase,
)
from trucewatch.narrative.text import (
    _blank,
    normalize_text,
    split_passages,
    split_sentences,
)

__all__ = ["parse_passage", "split_passages", "split_sentences"]


# --------------------------------------------------------------------------- dates and times

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
TIME_AT = re.compile(
    rf"\b(?:[Aa]t|[Aa]round|[Bb]y|[Uu]ntil|[Ff]rom)\s+(?:about\s+|around\s+|approximately\s+)?"
    rf"(?P<a>{TIME_RE})"
)
TIME_BARE = re.compile(r"(?<![\d:.])(?P<a>(?:[01]?\d|2[0-4]):[0-5]\d)(?:\s*hrs)?(?![\d:])")
DURATION = re.compile(
    rf"\b(?:within|for|over\s+a\s+span\s+of|in)\s+(?:about\s+|approximately\s+|some\s+)?"
    rf"(?:{NUMBER_RE}|an?|half\s+an)\s+(?:seconds?|minutes?|hours?)\b"
    r"|\b[\w-]+-(?:second|minute|hour)s?-long\b|\b[Ll]ess\s+than\s+a\s+minute\s+later\b",
)


def _clock(text: str) -> str:
    h, m = re.split(r"[:.]", re.sub(r"\s*hrs$", "", text.strip()))[:2]
    return f"{int(h):02d}:{m}"



# --------------------------------------------------------------------------- assessments

ASSESS_SPLIT = re.compile(
    r"\bassessed\s+(?P<spec>all|both|each|(?:the\s+)?(?:first|last|other|remaining)?\s*"
    rf"(?:{NUMBER_RE})?)\s*(?:of\s+)?(?:the|these|them)?\s*(?P<noun>{EVENT_NOUN_RE})?\s*as\s+"
    r"(?P<rest>.+)$",
    re.IGNORECASE,
)
ASSESS_CAUSE = re.compile(
    r"\b(?:assessed|estimates?|estimated|assesses|believes?|concluded)\s+that\s+(?:the|these|"
    r"all|both|all\s+the)?\s*(?P<noun>" + EVENT_NOUN_RE + r")\s+(?:was|were|had\s+been|are|is)\s+"
    r"(?P<rest>(?:most\s+likely\s+|probably\s+)?(?:caused\s+by|the\s+result\s+of|fired\s+from|"
    r"from)\s+.+)$",
    re.IGNORECASE,
)


def _assessment_parts(rest: str) -> list[tuple[str, str]]:
    """``[(spec, assessment), ...]`` of "four of the explosions as X and the remaining as Y"."""
    parts = re.split(
        rf"\s*(?:,\s*|\s+)and\s+(?=(?:the\s+)?(?:remaining|rest|other|others|{NUMBER_RE})\b)"
        r"|\s*,\s*(?=(?:the\s+)?(?:remaining|rest|other|others|" + NUMBER_RE + r")\b[^,]*\bas\b)",
        rest,
        flags=re.I,
    )
    out = []
    for p in parts:
        m = re.match(
            rf"^(?P<spec>(?:the\s+)?(?:remaining|rest|others?|other\s+{NUMBER_RE}|{NUMBER_RE}))"
            r"(?:\s+of\s+(?:the|them|these)(?:\s+\w+)?)?\s+as\s+(?P<a>.+)$",
            p.strip(),
            re.I,
        )
        if m:
            out.append((m.group("spec"), m.group("a")))
        else:
            out.append(("", p.strip()))
    return out


# --------------------------------------------------------------------------- segments


@dataclass
class Segment:
    """A stretch of a passage with one observer position and one day."""

    observer: Observer | None = None
    observer_anaphora: str | None = None
    date: date | None = None
    date_note: str | None = None
    event_times: list[str] = field(default_factory=list)
    other_times: list[str] = field(default_factory=list)
    events: list[Item] = field(default_factory=list)
    unparsed: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    fallback: ObserverMention | None = None


def _read_date(
    m: re.Match[str], default_year: int | None, report: date | None
) -> tuple[date | None, str | None]:
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
        _record(seg, source, report, i == 0)
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
    work, new_date = _read_dates(work, seg, default_year, report)
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
    if not VERB_RE.search(work) and _apply_sentence_location(work, seg):
        return
    # assessments of events read before
    if _apply_sentence_assessment(work, segments):
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


def _read_dates(
    work: str, seg: Segment, default_year: int | None, report: date | None
) -> tuple[str, date | None]:
    """The sentence with its dates blanked, and the day it moves to (if any); notes on
    uncertain dates go to ``seg``."""
    new_date: date | None = None
    for pattern in DATE_PATTERNS:
        for m in pattern.finditer(work):
            d, note = _read_date(m, default_year, report)
            if d is None and note:
                seg.notes.append(note)
            if d is not None and new_date is None:
                new_date = d
                if note:
                    seg.notes.append(note)
            work = _blank(work, m.start(), m.end())
    fm = FOLLOWING_DAY.search(work)
    if fm and new_date is None and (seg.date or report):
        base = seg.date or report
        assert base is not None
        new_date = base + timedelta(days=1)
        work = _blank(work, fm.start(), fm.end())
    sm = SAME_DAY.search(work)
    if sm:
        work = _blank(work, sm.start(), sm.end())
    return work, new_date


def _blank_times_and_paths(work: str) -> tuple[str, list[str]]:
    """The sentence with its times, durations and flight paths blanked (none of them is
    where an event was), and its clock times in order (windows first)."""
    windows: list[str] = []
    for m in TIME_WINDOW.finditer(work):
        windows += [_clock(m.group("a")), _clock(m.group("b"))]
        work = _blank(work, m.start(), m.end())
    instants: list[tuple[int, str]] = []
    for pattern in (TIME_AT, TIME_BARE):
        for m in pattern.finditer(work):
            instants.append((m.start(), _clock(m.group("a"))))
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


def _sentence_items(work: str) -> tuple[list[Item], list[str]]:
    """The items after each perception verb of a sentence (for a passive verb, the counted
    subject before it too), with a location applied to the items before it that have
    none, and the pieces that could not be read."""
    unparsed: list[str] = []
    verbs = list(VERB_RE.finditer(work))
    sentence_items: list[Item] = []
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


LOCATED_LATER = re.compile(
    rf"\b(?:the|these|those|all(?:\s+of)?\s+the)\s+(?P<noun>{EVENT_NOUN_RE})\s+(?:had\s+)?"
    r"(?:occurred|originated|were|was|came|took\s+place)\b",
    re.IGNORECASE,
)


def _apply_sentence_location(work: str, seg: Segment) -> bool:
    """A later sentence placing events already read: the location goes to this segment's
    events of that noun that have none."""
    m = LOCATED_LATER.search(work)
    if m is None:
        return False
    _, groups = read_locations(work[m.end() :])
    if not groups:
        return False
    loc = groups[0][2]
    for _, _, more in groups[1:]:
        loc = loc.merge(more)
    noun = EVENT_NOUNS[m.group("noun").lower()]
    targets = [e for e in seg.events if e.loc is None and e.noun == noun]
    for e in targets:
        e.loc = loc
    return bool(targets)


def _apply_sentence_assessment(work: str, segments: list[Segment]) -> bool:
    seg = segments[-1]
    pool = [e for s in segments for e in s.events]
    m = ASSESS_CAUSE.search(work)
    if m and pool:
        noun = EVENT_NOUNS[m.group("noun").lower()]
        plural = m.group("noun").lower().endswith("s")
        targets = [e for e in pool if e.noun == noun or (noun == "explosion" and e.noun == "round")]
        targets = targets if plural else targets[-1:]
        for e in targets:
            apply_assessment(e, m.group("rest"))
        return bool(targets)
    m = ASSESS_SPLIT.search(work)
    if m and pool and not VERB_RE.search(work[: m.start()]):
        noun_split = EVENT_NOUNS[m.group("noun").lower()] if m.group("noun") else None
        rest = m.group("spec") + " as " + m.group("rest")
        parts = _assessment_parts(rest.strip())
        target = next(
            (
                e
                for e in reversed(pool)
                if noun_split is None or e.noun == noun_split or e.kind == noun_split
            ),
            None,
        )
        if target is None:
            return False
        if len(parts) == 1 and parts[0][0].lower() in ("", "all", "both", "each"):
            apply_assessment(target, parts[0][1])
            return True
        total = target.count
        new: list[Item] = []
        known = 0
        for spec, text in parts:
            sm = re.search(NUMBER_RE, spec)
            n: int | None = int(parse_number(sm.group(0))) if sm else None
            item = replace(target, count=n, loc=target.loc, count_note=target.count_note)
            apply_assessment(item, text)
            if n is not None:
                known += n
            new.append(item)
        for item in new:
            if item.count is None:
                item.count = total - known if total is not None and total > known else None
        if total is not None and sum(e.count or 0 for e in new) != total:
            seg.unparsed.append(work.strip())
            seg.notes.append("an assessment does not add up to the count it divides")
            return True
        owner = next(s for s in segments if any(e is target for e in s.events))
        idx = next(i for i, e in enumerate(owner.events) if e is target)
        owner.events[idx : idx + 1] = new
        return True
    return False


def _confidence(rec: dict[str, Any]) -> float:
    """0-1: 1 minus 0.2 per unparsed span, 0.15 for a missing date, 0.15 for a missing
    observer, 0.05 per event without a distance or a direction (floor 0.05; 0 without
    events)."""
    if not rec["events"]:
        return 0.0
    c = 1.0 - 0.2 * len(rec["unparsed"])
    c -= 0.15 if rec["date"] is None else 0.0
    c -= 0.15 if rec["observer_place"] is None else 0.0
    for e in rec["events"]:
        if not e["directions"] or e["distance_km_min"] is None:
            c -= 0.05
    return round(max(0.05, min(1.0, c)), 2)


def _record(seg: Segment, source: str, report: date | None, first: bool) -> dict[str, Any]:
    notes = list(seg.notes)
    unparsed = list(seg.unparsed)
    day = seg.date
    if day is None and report is not None:
        day = report
        notes.append("no date in the passage: the report date is used")
    elif day is None:
        notes.append("no date in the passage (give report_date)")
    observer = seg.observer
    if observer is None and seg.fallback is not None:
        observer = seg.fallback.observer
        notes.append("observer position taken from the place named with a reference")
    if observer is None:
        if seg.observer_anaphora:
            unparsed.append(seg.observer_anaphora)
            notes.append(
                f"observer position {seg.observer_anaphora!r} refers to text outside the passage"
            )
        else:
            notes.append("no observer position found")
    times = seg.event_times or seg.other_times
    t_start = times[0] if times else None
    t_end = times[-1] if len(times) > 1 and times[-1] != times[0] else None
    events: list[dict[str, Any]] = []
    for e in seg.events:
        loc = e.loc or Loc()
        if e.count_note:
            notes.append(f"events[{len(events)}].count: {e.count_note}")
        events.append(
            {
                "count": e.count,
                "kind": e.kind,
                "weapon": e.weapon,
                "flow": e.flow,
                "directions": list(loc.directions),
                "distance_km_min": _num(loc.d_min),
                "distance_km_max": _num(loc.d_max),
            }
        )
    if not events:
        notes.append("no event (explosion, burst, shot, projectile, ...) could be read")
    rec: dict[str, Any] = {
        "date": day.isoformat() if day else None,
        "observer_place": observer.place if observer else None,
        "observer_reference": observer.reference() if observer else None,
        "time_start": t_start,
        "time_end": t_end,
        "events": events,
        "source_id": "smm",
        "unparsed": unparsed,
        "notes": notes,
        "source_text": source,
    }
    rec["parse_confidence"] = _confidence(rec)
    return rec
