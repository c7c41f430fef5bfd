"""OSCE SMM-style narrative passages into patrol observation records.

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

from trucewatch.narrative.lexicon import (
    APPROXIMATE,
    AT_LEAST,
    AT_MOST,
    COMPASS_RE,
    DIGITS_RE,
    EVENT_NOUN_RE,
    EVENT_NOUNS,
    MONTH_RE,
    MONTHS,
    NUMBER_RE,
    NUMBER_WORDS_RE,
    TIME_RE,
    UNIT_KM,
    UNIT_RE,
    VAGUE_QUANTITIES,
    WEAPON_CLASSES,
    WEAPON_RE,
    compass_word,
    parse_number,
    weapon_class,
)
from trucewatch.types import COMPASS_16

__all__ = ["parse_passage", "split_passages"]

# --------------------------------------------------------------------------- text clean-up


def normalize_text(text: str) -> str:
    """One-line text with straight quotes, hyphens between numbers and decimal points.

    Keeps the words; only spelling variants that the rules need not care about are unified.
    """
    s = text.replace("\u00a0", " ").replace("\u202f", " ")
    s = re.sub("[\u2010\u2011]", "-", s)
    s = re.sub(r"\[\d{1,2}\]", "", s)  # footnote markers of the reports ("[1]")
    s = re.sub(r"[‘’ʼ`´]", "'", s)
    s = re.sub(r"[“”„«»]", '"', s)
    s = re.sub(
        r"[\"']?(Donetsk|Luhansk|Lugansk) People'?s Republic[\"']?"
        r"\s*\(\s*[\"']?(DPR|LPR)[\"']?\s*\)",
        r'"\2"',
        s,
    )
    s = re.sub(r"(?<=\d)\s*[-–—]\s*(?=\d)", "-", s)
    s = re.sub(r"\s[–—-]\s|\s--\s", " – ", s)
    s = re.sub(r"(\d),(\d{1,2})(?=\s?(?:km|m|metres|meters)\b)", r"\1.\2", s)
    s = re.sub(r"(\d)\s+(mm)\b", r"\1\2", s)
    s = re.sub(
        r"(?<![\d,.])(\d{1,3})((?:,\d{3})+)(?![\d,])",
        lambda m: m.group(1) + m.group(2).replace(",", ""),
        s,
    )
    return re.sub(r"\s+", " ", s).strip()


_ABBREVIATIONS = {
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
    "no", "st", "mr", "ms", "dr", "approx", "ca", "vs", "e.g", "i.e", "incl", "etc",
}  # fmt: skip


def split_sentences(text: str) -> list[str]:
    """Sentences of a normalized paragraph (a full stop followed by a capital starts one)."""
    out: list[str] = []
    start = 0
    for m in re.finditer(r"(?<=[.!?])\s+(?=[\"'(]?[A-Z])", text):
        before = text[start : m.start()]
        last = re.search(r"([\w.]+)\.$", before)
        if last and last.group(1).lower() in _ABBREVIATIONS:
            continue
        out.append(before.strip())
        start = m.end()
    tail = text[start:].strip()
    if tail:
        out.append(tail)
    return out


def split_passages(text: str) -> list[tuple[int, str]]:
    """Paragraphs of a plain-text file (blank-line separated) with their 1-based first line."""
    out: list[tuple[int, str]] = []
    buf: list[str] = []
    first = 0
    for n, line in enumerate(text.splitlines(), 1):
        if line.strip():
            if not buf:
                first = n
            buf.append(line.strip())
        elif buf:
            out.append((first, " ".join(buf)))
            buf = []
    if buf:
        out.append((first, " ".join(buf)))
    return out


def _blank(s: str, start: int, end: int) -> str:
    return s[:start] + " " * (end - start) + s[end:]


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


# --------------------------------------------------------------------------- locations

_DIST = (
    r"(?:(?:at\s+)?(?:an?\s+)?(?:assessed\s+|estimated\s+|approximate\s+|unknown\s+)?"
    r"(?:distance|range)s?\s+(?:of\s+)?(?:between\s+)?|(?:approximately|about|around|some|roughly"
    r"|within|up\s+to|at\s+least)\s+|between\s+)?"
    rf"(?P<a>{DIGITS_RE}|\b{NUMBER_WORDS_RE}\b)\s*(?P<ua>{UNIT_RE})?"
    rf"(?:\s*(?:-|to|and)\s*(?:more\s+than\s+|over\s+)?(?P<b>{DIGITS_RE}|\b{NUMBER_WORDS_RE}\b)"
    rf"\s*(?P<ub>{UNIT_RE}))?"
)
DIST_RE = re.compile(r"(?<![\w.,-])" + _DIST, re.IGNORECASE)
ALTITUDE = re.compile(
    r"\b(?:at\s+)?(?:an?\s+)?(?:altitude|height)\s+of\s+(?:about\s+|approximately\s+|around\s+)?"
    rf"(?:{DIGITS_RE})\s*(?:{UNIT_RE})?(?:\s*-\s*(?:{DIGITS_RE})\s*(?:{UNIT_RE})?)?"
    r"(?:\s+(?:from|above|off)\s+the\s+ground)?",
    re.IGNORECASE,
)
"""A height ("at an altitude of about 80m-100m from the ground") is not a distance from
the observer."""
_COMPASS = rf"(?:{COMPASS_RE})"
DIRS_RE = re.compile(
    r"(?:(?:to|in|towards)\s+the\s+|in\s+areas\s+(?:to\s+the\s+)?|in\s+(?:a|the)\s+"
    r"|(?:at\s+locations\s+)?ranging\s+from\s+(?:the\s+)?)?"
    rf"(?P<d>\b{_COMPASS}(?:\s*(?:,\s*(?:and\s+)?|and\s+|or\s+|to\s+)(?:the\s+)?\b{_COMPASS})*)"
    r"(?:\s+directions?)?"
    r"(?:\s+(?:of|from)\s+(?:its|their|the\s+SMM'?s?|the\s+patrol'?s?)\s+"
    r"(?:own\s+)?(?:position|location|observation\s+(?:point|post)|vehicles?))?",
    re.IGNORECASE,
)
UNKNOWN_LOC = re.compile(
    r"\bat\s+an?\s+(?:unknown|undetermined|unspecified)\s+(?:distance|range)"
    r"(?:\s+and\s+(?:direction|bearing))?",
    re.IGNORECASE,
)
TRAJECTORY = re.compile(
    rf"(?:\b(?:in\s+flight|fired|flying|travelling|moving)\s+(?:from\s+)?|(?<!ranging\s)\bfrom\s+)"
    rf"(?:the\s+)?{_COMPASS}\s+to\s+(?:the\s+)?{_COMPASS}"
    rf"(?:\s*(?:,|and|or|,\s*or)\s*(?:from\s+)?(?:the\s+)?{_COMPASS}\s+to\s+(?:the\s+)?{_COMPASS})*"
    rf"|\b{_COMPASS}-to-{_COMPASS}\b"
    rf"|\b(?:fired\s+|coming\s+)?from\s+(?:a|the)\s+{_COMPASS}\s+direction"
    r"|\bin\s+flight\b",
    re.IGNORECASE,
)
FLIGHT_BRACKET = re.compile(
    r"\b(?:in\s+flight|projectiles?|tracers?(?:\s+rounds?)?)\s*"
    rf"(?P<bracket>\([^()]*?{_COMPASS}(?:ly)?\s+to\s+[^()]*\))",
    re.IGNORECASE,
)
"""Where projectiles flew, in brackets after them ("54 projectiles in flight (mostly west to
east and north-west to south-east)"): not where they were seen."""
ELLIPTIC_TRAJECTORY = re.compile(
    rf"{NUMBER_RE}\s+(?P<path>(?:the\s+)?{_COMPASS}\s+to\s+(?:the\s+)?{_COMPASS})",
    re.IGNORECASE,
)
"""A flight path without its "from" after a count, read only in a sentence that has a
"from X to Y" flight path."""


@dataclass
class Loc:
    """A location read from text: distance range (km) and compass words, or explicitly
    unknown."""

    d_min: float | None = None
    d_max: float | None = None
    directions: list[str] = field(default_factory=list)
    unknown: bool = False

    def merge(self, other: Loc) -> Loc:
        lo = [v for v in (self.d_min, other.d_min) if v is not None]
        hi = [v for v in (self.d_max, other.d_max) if v is not None]
        dirs = self.directions + [d for d in other.directions if d not in self.directions]
        return Loc(
            min(lo) if lo else None,
            max(hi) if hi else None,
            dirs,
            self.unknown or other.unknown,
        )


def _distance(m: re.Match[str]) -> tuple[float, float] | None:
    unit = m.group("ub") or m.group("ua")
    if unit is None:
        return None
    factor = UNIT_KM[unit.lower()]
    a = parse_number(m.group("a")) * (UNIT_KM[m.group("ua").lower()] if m.group("ua") else factor)
    b = parse_number(m.group("b")) * factor if m.group("b") else a
    return (round(min(a, b), 6), round(max(a, b), 6))


def directions_in(text: str) -> list[str]:
    """Canonical compass words in a list such as "north, north-west, west and south"; a
    range "south-west to north-west" is the sector between, clockwise, or the other way
    round when that is the smaller one ("from north to north-west")."""
    out: list[str] = []
    matches = list(re.finditer(_COMPASS, text, re.IGNORECASE))
    for k, m in enumerate(matches):
        c = compass_word(m.group(0))
        if c is None:
            continue
        prev = matches[k - 1] if k else None
        if prev is not None and re.fullmatch(r"\s+to\s+(?:the\s+)?", text[prev.end() : m.start()]):
            a = compass_word(prev.group(0))
            if a is not None:
                i, j = COMPASS_16.index(a), COMPASS_16.index(c)
                if (j - i) % 16 > 8:  # "from north to north-west": the smaller sector
                    i, j = j, i
                    if a in out:
                        out.remove(a)
                    out.append(COMPASS_16[i])
                for step in range(1, (j - i) % 16 + 1):
                    w = COMPASS_16[(i + step) % 16]
                    if w not in out:
                        out.append(w)
                continue
        if c not in out:
            out.append(c)
    return out


def read_locations(text: str) -> tuple[str, list[tuple[int, int, Loc]]]:
    """Take locations out of an event phrase: returns the text with each location replaced
    by a placeholder ``⟦i⟧`` of the same extent, and the located spans in order."""
    pieces: list[tuple[int, int, Loc]] = []
    for m in UNKNOWN_LOC.finditer(text):
        pieces.append((m.start(), m.end(), Loc(unknown=True)))
    for m in DIST_RE.finditer(text):
        d = _distance(m)
        if d is not None and not any(s <= m.start() < e for s, e, _ in pieces):
            pieces.append((m.start(), m.end(), Loc(d[0], d[1])))
    for m in DIRS_RE.finditer(text):
        dirs = directions_in(m.group("d"))
        if dirs and not any(s <= m.start() < e for s, e, _ in pieces):
            pieces.append((m.start(), m.end(), Loc(directions=dirs)))
    pieces.sort(key=lambda p: p[0])
    groups: list[tuple[int, int, Loc]] = []
    for s, e, loc in pieces:
        if groups:
            gs, ge, gl = groups[-1]
            gap = text[ge:s]
            if re.fullmatch(r"[\s,]*(?:and|or|to\s+the|,)?[\s,]*", gap):
                groups[-1] = (gs, e, gl.merge(loc))
                continue
        groups.append((s, e, loc))
    out = text
    for i, (s, e, _) in enumerate(groups):
        tag = f"⟦{i}⟧"
        out = out[:s] + tag + " " * (e - s - len(tag)) + out[e:] if e - s >= len(tag) else out
    return out, groups


# --------------------------------------------------------------------------- observer


@dataclass
class Observer:
    """Where the observer was: a place phrase and a reference offset ("8km north-west of
    Donetsk")."""

    place: str | None
    ref_km: float | None = None
    ref_direction: str | None = None
    ref_of: str | None = None

    def reference(self) -> dict[str, Any] | None:
        if self.ref_km is None and self.ref_direction is None and self.ref_of is None:
            return None
        return {"km": _num(self.ref_km), "direction": self.ref_direction, "of": self.ref_of}


REF_RE = re.compile(
    rf"(?:approximately\s+|about\s+|some\s+)?(?P<n>{DIGITS_RE})\s*(?P<u>{UNIT_RE})\s+"
    rf"(?:(?P<dir>{_COMPASS})\s+)?(?:of|from)\s+(?:the\s+)?(?P<of>[^,;()]+?)\s*(?=$|[,;)]|\s+and\s)",
    re.IGNORECASE,
)
PAREN_RE = re.compile(r"\(([^()]*)\)")
CONTROL_RE = re.compile(
    r"(?:\"?'?(?:DPR|LPR)'?\"?|(?:non-)?government|Russian|Ukrainian|separatist|militant)"
    r"[-\s](?:controlled|held|occupied)\s*",
    re.IGNORECASE,
)
OBSERVER_TRIGGERS: tuple[re.Pattern[str], ...] = tuple(
    re.compile(p)
    for p in (
        r"\b[Pp]ositioned\s+(?:themselves\s+|itself\s+)?(?:(?:at|in|near|on|inside|outside"
        r"|close\s+to)\s+)?",
        r"\b(?:its|their)\s+(?:own\s+)?(?:position|location)\s+"
        r"(?=(?:about\s+|approximately\s+)?\d[\d.]*\s*(?:km|m)\s+\w+\s+of\s+[A-Z])",
        r"\b(?:[Ww]hilst|[Ww]hile)\s+(?:stationary\s+|positioned\s+|located\s+|based\s+)?"
        r"(?:(?:at|in|near|on)\s+)?",
        r"\b(?:was|were)\s+(?:stationary|located|parked|present|deployed)\s+(?:at|in|near|on)\s+",
        r"\b(?:arrived|remained|stopped)\s+(?:at|in|near)\s+",
        r"\brelocat(?:ed|ing)\s+(?:to\s+)?",
        r"\b(?:SMM\s+)?[Cc]amera\s+(?:in|at|near|on)\s+",
        r"\b[Ff]rom\s+its\s+(?:position|observation\s+(?:point|post))\s+(?:in|at|near|on)\s+",
    )
)
_PLACE_END = re.compile(
    r",|;|\s+the\s+(?:SMM|monitors|patrol)\b|\s+(?:between|when|where|while|whilst|to\s+monitor"
    rf"|heard|saw|observed|recorded)\b|\s+on\s+(?:the\s+)?(?:night|evening|morning|\d)|\s+at\s+\d"
    rf"|\s+(?:on\s+)?{MONTH_RE}\s+\d|\s+–\s|$"
)
_ANAPHORA = re.compile(r"^(?:the\s+same\b|there\b|that\s+\w+$|this\s+\w+$)", re.IGNORECASE)


def _clean_place(text: str) -> str:
    s = CONTROL_RE.sub("", text)
    s = re.sub(r"^(?:the|a|an)\s+", "", s.strip(), flags=re.IGNORECASE)
    s = re.sub(r"^(?:approximately|about|some|around|both|either)\s+", "", s, flags=re.IGNORECASE)
    # "conducting a mini-UAV flight in the western part of Zaitseve": the place is after the
    # activity
    s = re.sub(
        r"^(?:conducting|operating|standing|driving|patrolling|travelling|walking|flying|waiting)"
        r"\b.*?\b(?:in\s+front\s+of|in|at|near|on|over|along)\s+(?:the\s+)?"
        r"(?=[A-Z]|(?:western|eastern|northern|southern|central)\b|outskirts\b|edge\b)",
        "", s,
    )  # fmt: skip
    # "Positioned in Avdiivka for about five hours": the duration is not part of the place
    s = re.sub(
        rf"\s+for\s+(?:(?:about|approximately|around|some|over|almost)\s+)?(?:{NUMBER_RE}|an?)"
        r"(?:\s+and\s+a\s+half)?\s+(?:hours?|minutes?|hrs?)\b.*$",
        "", s, flags=re.IGNORECASE,
    )  # fmt: skip
    return s.strip(" ,;.\"'")


def _reference(text: str) -> Observer | None:
    m = REF_RE.search(text)
    if m is None:
        return None
    km = parse_number(m.group("n")) * UNIT_KM[m.group("u").lower()]
    direction = compass_word(m.group("dir")) if m.group("dir") else None
    return Observer(None, round(km, 6), direction, _clean_place(m.group("of")))


def _is_place(phrase: str) -> bool:
    """A place phrase names something: a capitalized word, a distance or a reference."""
    if not phrase or _ANAPHORA.match(phrase):
        return False
    return bool(re.search(r"\b[A-Z][a-z]|\d", phrase))


@dataclass
class ObserverMention:
    start: int
    end: int
    observer: Observer | None
    anaphora: str | None = None


def find_observer(sentence: str) -> ObserverMention | None:
    """The observer position named in a sentence, if any (with its span)."""
    best: ObserverMention | None = None
    for trigger in OBSERVER_TRIGGERS:
        for m in trigger.finditer(sentence):
            mention = _observer_after(sentence, m.start(), m.end())
            if mention is not None and (best is None or mention.start < best.start):
                best = mention
    return best


def _observer_after(s: str, start: int, pos: int) -> ObserverMention | None:
    rest = s[pos:]
    paren = next((p for p in PAREN_RE.finditer(rest) if _reference(p.group(1)) is not None), None)
    end_m = _PLACE_END.search(rest)
    assert end_m is not None
    cut = end_m.start()
    ref: Observer | None = None
    end = pos + cut
    if paren is not None:
        before = rest[: paren.start()]
        if len(before) < 160 and not re.search(
            r"\b(?:heard|saw|observed|recorded|was|were)\b|\bthe\s+SMM\b", before
        ):
            cut = paren.start()
            ref = _reference(paren.group(1))
            end = pos + paren.end()
    phrase = rest[:cut].strip(" ,")
    place = _clean_place(phrase)
    if _ANAPHORA.match(place) or (
        place and not _is_place(place) and re.match(r"^(?:the|its)\b", phrase, re.IGNORECASE)
    ):
        return ObserverMention(start, end, None, anaphora=phrase)
    if not _is_place(place):
        return None
    own = _reference(place)
    if own is not None and REF_RE.match(place):
        place = re.sub(r"\s+where$", "", place)
    if ref is None:
        ref = own
        if ref is None:  # "..., approximately 400m from the northern edge of X"
            after = s[end:]
            m2 = re.match(r"\s*,\s*((?:approximately|about|some)?\s*" + REF_RE.pattern + ")", after,
                          re.IGNORECASE)  # fmt: skip
            if m2:
                ref = _reference(m2.group(1))
                end += m2.end()
    if ref is None:
        return ObserverMention(start, end, Observer(place))
    return ObserverMention(start, end, replace(ref, place=place))


def fallback_observer(sentence: str) -> ObserverMention | None:
    """A place followed by a reference in brackets: "in Horlivka (39km north-east of
    Donetsk)" (the last such place before the end of the sentence's first clause)."""
    for paren in PAREN_RE.finditer(sentence):
        ref = _reference(paren.group(1))
        if ref is None:
            continue
        before = sentence[: paren.start()]
        preps = list(re.finditer(r"\b(?:[Ii]n|[Aa]t|[Nn]ear|of|from|to|entered|reached|visited)\s+",
                                 before))  # fmt: skip
        if not preps:
            continue
        m = preps[-1]
        place = _clean_place(before[m.end() :])
        if not _is_place(place) or len(place) > 120:
            continue
        return ObserverMention(m.start(), paren.end(), replace(ref, place=place))
    return None


# --------------------------------------------------------------------------- event items

VERB_RE = re.compile(
    r"\b(?:heard|observed|recorded|saw|registered|counted|documented|noted|spotted|detected)\b"
    r"|\bdid,?\s+(?:however,?\s+|also\s+)?(?:record|hear|see|observe|register)\b"
    r"|\bcould\s+(?:also\s+|furthermore\s+|still\s+)?(?:hear|see|observe)\b"
)
PASSIVE_BEFORE = re.compile(r"\b(?:was|were|been|being)\s+(?:also\s+|later\s+|then\s+)?$")
"""The auxiliary of a perception verb in the passive: the items come before it."""
SEPARATORS = re.compile(
    r"\s*(?:,|;|:|/|\s–\s|\bas\s+well\s+as\b|\bfollowed\s+by\b|\bplus\b"
    r"|(?<=\s)(?=(?:including|beginning\s+with|consisting\s+of)\b))\s*"
)
_QTY_START = (
    rf"(?:(?:{'|'.join(APPROXIMATE + AT_LEAST + AT_MOST)})\s+)?"
    rf"(?:(?:{NUMBER_RE}|an?|another|one|their)\b"
    rf"|(?:{'|'.join(re.escape(v) for v in VAGUE_QUANTITIES)})(?![\w-]))"
)
AND_SPLIT = re.compile(rf"(?<!hundred)(?<!thousand)\s+and\s+(?={_QTY_START}|⟦)", re.IGNORECASE)
QTY_RE = re.compile(
    r"^\s*(?:the\s+sounds?\s+of\s+)?"
    r"(?:(?:followed\s+by\s+)?(?:(?:an?\s+)?aggregated\s+totals?|totals)\s+of\s+)?"
    rf"(?:(?P<mod>{'|'.join(APPROXIMATE + AT_LEAST + AT_MOST)})\s+)?"
    rf"(?:(?P<a>{NUMBER_RE})(?:\s*(?:-|to|or)\s*(?P<b>{NUMBER_RE}))?(?![\w-])"
    rf"|(?P<vague>{'|'.join(re.escape(v) for v in VAGUE_QUANTITIES)})(?![\w-])"
    r"|(?P<one>an?|another|one|a\s+single)\b)",
    re.IGNORECASE,
)
MODIFIER_RE = re.compile(
    r"^\s*(?:all\s+|both\s+|each\s+)?(?:(?:which\s+(?:it|the\s+SMM)\s+)?(?:assessed|estimated)"
    r"\s+(?:as|to\s+be)|(?:most\s+likely\s+|probably\s+|possibly\s+|likely\s+)?caused\s+by"
    r"|(?:mostly\s+|most\s+likely\s+|probably\s+)?consistent\s+with"
    r"|most\s+likely|probably|possibly"
    r"|fired\s+from|impacting|originating|landing)\b",
    re.IGNORECASE,
)
FIRE_WORDS = re.compile(rf"{EVENT_NOUN_RE}|\bfire\b|\bfiring\b|{WEAPON_RE}|\d", re.IGNORECASE)
INCOMING_RE = re.compile(r"\b(?:incoming|impacts?|impacting|impacted|landed|landing)\b", re.I)
OUTGOING_RE = re.compile(r"\boutgoing\b", re.I)
UNDETERMINED_RE = re.compile(r"\b(?:undetermined|unknown|unidentified|unspecified)\b", re.I)


@dataclass
class Item:
    """One thing counted in an event phrase, before neighbours fill its gaps."""

    text: str
    count: int | None = None
    count_note: str | None = None
    has_qty: bool = False
    noun: str | None = None
    kind: str | None = None
    weapon: str | None = None
    flow: str | None = None
    loc: Loc | None = None
    as_form: bool = False
    their: bool = False
    borrowed_from: int | None = None
    subset: bool = False
    """Introduced by "including"/"beginning with": part of the item before it."""
    after_colon: bool = False
    """First item after a colon or a dash: perhaps the breakdown of the item before."""
    drop: bool = False
    full: str = ""
    """The whole piece of text the item was read from (with its assessment)."""


def _num(v: float | None) -> float | int | None:
    if v is None:
        return None
    return int(v) if float(v).is_integer() else v


_LOCATION_TAIL = re.compile(
    r"(?:\s+(?:at\s+(?:locations?|distances?|a\s+distance)|in\s+(?:areas?|an?\s+area)"
    r"|from\s+(?:the\s+)?direction)\b.*"
    r"|\s+(?:at|from|of|in|to)\s+(?:its|their|the\s+SMM'?s?|the\s+patrol'?s?)\s+(?:own\s+)?"
    r"(?:position|location)\b.*"
    r"|\s+(?:during|in)\s+the\s+(?:day|morning|afternoon|evening|night)\b.*"
    r"|\s+(?:mainly|mostly|predominantly)\b.*|\s*\((?:the\s+)?closer\s+distance\)"
    r"|(?:\s+(?:at|from|in|to|towards|ranging))+)$",
    re.IGNORECASE,
)


def _clean_weapon(text: str) -> str | None:
    s = text
    fired = re.search(r"\b(?:fired|launched)\s+from\s+(.+)$", s, re.I)
    if fired:
        s = fired.group(1)
    m = re.search(r"\b(?:rounds?|shells?|fire)\s+(?:of|from)\s+(.+)$", s, re.I)
    if m and re.search(WEAPON_RE, m.group(1), re.I):
        s = m.group(1)
    elif m:  # "artillery rounds of an unknown calibre"
        s = s[: m.start()] + " (" + m.group(1) + ")"
    s = re.sub(
        r"\b(?:an?|the|impacts?\s+of|impacting|impacts?|outgoing|incoming|most\s+likely"
        r"|probably|possibly|likely|caused\s+by|rounds?|shells?|fire|salvos?\s+of|projectiles?"
        r"|explosions?|of)\b",
        " ",
        s,
        flags=re.I,
    )
    s = re.sub(r"\(\s*", "(", re.sub(r"[\s.,;]*\)", ")", s))
    s = re.sub(r"\s+", " ", s).strip(" ,;.")
    # the remains of a location ("at locations ranging", "at distances", "from its position")
    while (cut := _LOCATION_TAIL.sub("", s).strip(" ,;.")) != s:
        s = cut
    s = re.sub(r"^(?:and|or)\s+", "", s)  # "incoming and outgoing mortar" minus the flows
    s = re.sub(r"(\d)\s+mm\b", r"\1mm", s)
    if not s or re.fullmatch(
        r"(?:\(?(?:undetermined|unknown|unidentified)\)?\s*)?(?:weapons?(?:\s+systems?)?|type|"
        r"undetermined|unknown)?\s*(?:\((?:type\s+)?undetermined\))?",
        s,
        flags=re.I,
    ):
        return None
    if re.match(r"^(?:undetermined|unknown|unidentified)\s+weapons?", s, re.I):
        return None
    return s


def _kind(noun: str | None, weapon: str | None, text: str) -> str | None:
    if re.search(r"\btracers?\b", text, re.I) or noun == "projectile":
        return "projectile"
    if noun in ("burst", "shot", "flare", "grenade"):
        return noun
    if noun in ("violation", "exchange", "flash"):
        return "undetermined"
    cls = weapon_class(weapon)
    if noun == "round" and cls == "small_arms":  # "ten small-arms rounds"
        return "shot"
    if noun in ("explosion", "impact", "round", "salvo", "airburst"):
        if cls in ("mortar", "artillery", "grenade"):
            return cls
        return "explosion"
    if noun is None and cls is not None:
        return {"gun": "explosion"}.get(cls, cls)
    if noun is None and weapon and _small_arms_and_guns(weapon):
        return "small_arms"  # "anti-aircraft and small-arms fire"
    return None


def _small_arms_and_guns(weapon: str) -> bool:
    found = {c for pattern, c in WEAPON_CLASSES if re.search(pattern, weapon, re.IGNORECASE)}
    return "small_arms" in found and found <= {"small_arms", "gun"}


def _flow(item_text: str, noun: str | None) -> str | None:
    inc = INCOMING_RE.search(item_text) is not None or noun == "impact"
    out = OUTGOING_RE.search(item_text) is not None
    if inc and out:
        return None
    if inc:
        return "incoming"
    if out:
        return "outgoing"
    if noun in ("explosion", "round", None):
        q = re.search(rf"\b(?:undetermined|unknown|unidentified)(?:\s+(?:[\w-]+\s+)?{EVENT_NOUN_RE}"
                      r"|\s*$)",
                      item_text.strip(), re.I)  # fmt: skip
        if q:
            return "undetermined"
    return None


def _weapon_in(text: str, noun_span: tuple[int, int] | None) -> str | None:
    """The weapon named in an item: "of X fire" after the noun, or words before the noun."""
    if noun_span is not None:
        after = text[noun_span[1] :]
        m = re.match(rf"\s*(?:\([^)]*\)\s*)?(?:and\s+(?:single\s+)?{EVENT_NOUN_RE}\s+)?"
                     r"(?:of|from|by|fired\s+from)\s+(.+)$", after, re.I)  # fmt: skip
        if m and re.search(WEAPON_RE, m.group(1), re.I):
            return _clean_weapon(m.group(1))
        before = text[: noun_span[0]]
        calibre = re.match(r"\s*(\((?:\d+mm|type\s+undetermined|[A-Z][^)]*)\))", after)
        ws = list(re.finditer(WEAPON_RE, before, re.I))
        if ws:
            w = before[ws[0].start() :]
            if calibre:
                w += " " + calibre.group(1)
            return _clean_weapon(w)
        return None
    m = re.search(rf"({WEAPON_RE}(?:[\s-]+(?:and|or)[\s-]+{WEAPON_RE})*)\s+fire\b", text, re.I)
    if m:
        return _clean_weapon(m.group(1))
    return None


_ITEM_PREFIX = re.compile(
    r"^(?:(?:in|during)\s+the\s+(?:early\s+|late\s+)?(?:morning|afternoon|evening|night)"
    r"(?:\s+hours)?\s+|(?:later|then|subsequently|also|again)\s+"
    rf"|(?:an\s+additional|a\s+further|another|an\s+extra)\s+(?={NUMBER_RE}))+"
    r"|^what\s+(?:was|were|appeared|sounded|seemed)\s+(?:(?:assessed\s+)?(?:to\s+be|as|like)\s+)?"
    r"|^the\s+(?:whistling|whizzing)\s+sounds?\s+of\s+",
    re.IGNORECASE,
)
"""Words before an item's quantity that do not change it ("in the afternoon four
explosions", "what were assessed to be two bullets", "the whistling sound of two bullets")."""


def read_item(raw: str, locs: list[tuple[int, int, Loc]]) -> Item:
    """Quantity, flow, noun, weapon and location of one item of an event phrase."""
    loc: Loc | None = None
    for tag in re.findall(r"⟦(\d+)⟧", raw):
        piece = locs[int(tag)][2]
        loc = piece if loc is None else loc.merge(piece)
    text = re.sub(r"⟦\d+⟧", " ", raw)
    text = re.sub(r"\s+", " ", text).strip(" ,.;")
    item = Item(text=raw.strip(), loc=loc)
    text = _ITEM_PREFIX.sub("", text)
    # "the use of small arms": the fire of that weapon, count unknown
    text = re.sub(r"^(?:the\s+)?use\s+of\s+(.+?)(?:\s+fire)?$", r"\1 fire", text, flags=re.I)
    rest = text
    if re.match(r"^their\s+(?:subsequent\s+|later\s+|eventual\s+)?impacts?\b", text, re.I):
        item.their = True
        item.flow = "incoming"
        return item
    q = QTY_RE.match(text)
    if q:
        item.has_qty = True
        if q.group("a"):
            a = int(parse_number(q.group("a")))
            item.count = a if a > 0 else None
            mod = (q.group("mod") or "").lower()
            if q.group("b"):
                item.count_note = f"{q.group(0).strip()!r} read as {a} (the lower bound)"
            elif mod in APPROXIMATE:
                item.count_note = f"{q.group(0).strip()!r} read as {a} (approximate)"
            elif mod in AT_LEAST:
                item.count_note = f"{q.group(0).strip()!r} read as {a} (at least)"
            elif mod in AT_MOST:
                item.count_note = f"{q.group(0).strip()!r} read as {a} (at most)"
        elif q.group("vague"):
            item.count = None
            item.count_note = f"{q.group('vague')!r}: no count"
        else:
            item.count = 1
        rest = text[q.end() :]
        if re.match(r"^\s+as\b", rest, re.I):
            item.as_form = True
    noun_m = re.search(EVENT_NOUN_RE, rest, re.I)
    noun = EVENT_NOUNS[noun_m.group(0).lower()] if noun_m else None
    if noun_m and noun == "exchange" and not re.search(r"exchanges?\s+of\s+fire", rest, re.I):
        noun = None
    weapon_only = noun is None and re.fullmatch(rf"\s*{WEAPON_RE}\s*", rest, re.I)
    if weapon_only and item.has_qty and not re.search(r"s\s*$", rest):
        item.weapon = _clean_weapon(rest)  # "ten mortar and 24 ... impacts": a noun follows
        return item
    if weapon_only and item.has_qty:
        noun = "round"  # "eleven 82mm mortars": rounds of that weapon
        item.noun, item.weapon = noun, _clean_weapon(rest)
        item.kind = _kind(noun, item.weapon, rest)
        return item
    item.noun = noun
    span = (noun_m.start(), noun_m.end()) if noun_m else None
    item.weapon = _weapon_in(rest, span)
    if noun is None and item.weapon is not None and re.search(r"\bfire\b", rest, re.I):
        item.noun = "fire"
    item.flow = _flow(rest, noun)
    item.kind = (
        _kind(noun, item.weapon, rest) if item.noun != "fire" else _kind(None, item.weapon, rest)
    )
    if noun == "airburst":
        item.flow = None
    return item


def apply_assessment(item: Item, text: str) -> None:
    """Refine an item with an assessment ("assessed as impacts of artillery rounds",
    "caused by mortar and light weapons")."""
    body = re.sub(MODIFIER_RE, "", text, count=1).strip()
    body = re.sub(r"⟦\d+⟧", " ", body)
    noun_m = re.search(EVENT_NOUN_RE, body, re.I)
    noun = EVENT_NOUNS[noun_m.group(0).lower()] if noun_m else None
    flow = _flow(body, noun if noun == "impact" else None)
    if flow in ("incoming", "outgoing"):
        item.flow = flow
    if re.search(r"\bairbursts?\b", body, re.I):
        item.flow = None
    weapon = _clean_weapon(body)
    if weapon and re.search(WEAPON_RE, weapon, re.I):
        item.weapon = weapon
    elif re.search(r"\b(?:undetermined|unknown)\s+weapons?", body, re.I):
        item.weapon = None
    if item.noun in (None, "explosion", "impact", "round", "salvo", "airburst", "fire"):
        grenade = noun == "grenade" and not re.search(r"grenade[\s-]+launcher", body, re.I)
        new = _kind("grenade" if grenade else "round", item.weapon, body)
        if new is not None and (item.weapon or grenade):
            item.kind = new
    if item.kind is None:
        item.kind = _kind(item.noun, item.weapon, body)


_AND_WEAPON_FIRE = re.compile(rf"^(.*?{EVENT_NOUN_RE})\s+and\s+({WEAPON_RE}[\s-]+fire\b.*)$", re.I)
""""140 explosions and small-arms fire": two things heard."""
_FIRE_AND_NOUN = re.compile(
    rf"^(.*?{EVENT_NOUN_RE}\b.*?\bfire)\s+and\s+({EVENT_NOUN_RE}\s+of\b.*)$", re.I
)
""""four shots of cannon fire and bursts of anti-aircraft cannon": two things heard."""


def split_items(text: str) -> list[str]:
    """Top-level pieces of an event phrase (brackets are not split)."""
    depth = 0
    masked = []
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(0, depth - 1)
        masked.append("\0" if depth and ch in ",;/–" else "\1" if depth and ch == " " else ch)
    s = "".join(masked)
    parts: list[str] = []
    for chunk in SEPARATORS.split(s):
        pieces = AND_SPLIT.split(chunk)
        parts.extend(pieces)
    out = []
    for p in parts:
        out.append(p.replace("\0", ",").replace("\1", " "))
    # "bursts and shots" is one item; "airbursts and bursts" two
    final: list[str] = []
    for p in out:
        m = re.match(rf"^(.*?{EVENT_NOUN_RE})\s+and\s+((?:{EVENT_NOUN_RE}).*)$", p, re.I)
        pair = (
            {EVENT_NOUNS[w.lower()] for w in re.findall(EVENT_NOUN_RE, m.group(0), re.I)[:2]}
            if m
            else set()
        )
        fire = _AND_WEAPON_FIRE.match(p) or _FIRE_AND_NOUN.match(p)
        if m and len(pair) == 2 and pair != {"burst", "shot"}:
            final.extend([m.group(1), m.group(2)])
        elif fire:
            final.extend([fire.group(1), fire.group(2)])
        else:
            final.append(p)
    final = [re.sub(r"^\s*(?:and|or)\s+", "", p, flags=re.I) for p in final]
    return [p for p in final if p and p.strip()]


_PART_RE = rf"(?:{NUMBER_RE}|an?|one)"
_REL_CONTINUES = re.compile(
    rf"(?:\s+and\s+|\s*,\s*(?:and\s+)?)(?=(?:{NUMBER_RE})\s+(?!as\b|of\b)"
    rf"|an?\s+(?:[\w-]+\s+)?{EVENT_NOUN_RE})",
    re.IGNORECASE,
)
_RELATIVE_BREAKDOWN = re.compile(
    rf"^,?\s*(?P<first>{_PART_RE})\s+of\s+(?:which|them)\s+(?:was|were)\s+(?:assessed|estimated)"
    rf"\s+(?:as|to\s+be)\s+(?P<rest>.+)$",
    re.IGNORECASE,
)
_NEXT_PART = re.compile(rf"\s*(?:,\s*(?:and\s+)?|\s+and\s+)(?P<n>{_PART_RE})\s+(?:were\s+)?as\s+",
                        re.IGNORECASE)  # fmt: skip


def _relative_breakdown(text: str) -> list[tuple[int, str]] | None:
    """"..., one of which was assessed as an 82mm mortar round impact and 19 as
    automatic-grenade-launcher round impacts": (count, assessment) of each part."""
    m = _RELATIVE_BREAKDOWN.match(text)
    if m is None:
        return None
    rest = re.split(r"\s*,\s*(?:all|both|each)\b|;", m.group("rest"))[0]
    parts: list[tuple[int, str]] = []
    count = int(parse_number(m.group("first"))) if m.group("first")[0].isdigit() else None
    first = count if count is not None else _word_count(m.group("first"))
    pos, n = 0, first
    for nm in _NEXT_PART.finditer(rest):
        parts.append((n, rest[pos : nm.start()]))
        n, pos = _word_count(nm.group("n")), nm.end()
    parts.append((n, rest[pos:]))
    return parts if len(parts) > 1 else None


def _word_count(word: str) -> int:
    return 1 if word.lower() in ("a", "an", "one") else int(parse_number(word))


def _split_by_assessment(item: Item, parts: list[tuple[int, str]]) -> list[Item]:
    """The item as its assessed parts, when their counts add up to its count."""
    if item.count is None or sum(n for n, _ in parts) != item.count:
        return [item]
    out = []
    for n, assessment in parts:
        sub = replace(item, count=n, count_note=None, text=f"{n} of: {item.text}")
        apply_assessment(sub, assessment)
        out.append(sub)
    return out


def _remainder(text: str, total: Item) -> str:
    """"two airbursts, the remainder undetermined" (of eight explosions) as "two airbursts,
    6 explosions undetermined"."""
    rest = re.search(r"\bthe\s+(?:remainder|rest)\b", text, re.I)
    if rest is None or total.count is None or total.noun is None:
        return text
    known, _ = read_event_phrase(text[: rest.start()])
    left = total.count - sum(x.count or 0 for x in known)
    if left <= 0 or any(x.count is None for x in known):
        return text
    return f"{text[: rest.start()]}{left} {total.noun}s{text[rest.end() :]}"


def _bracket_breakdown(item: Item) -> list[Item]:
    """"13 explosions assessed as caused by 82mm mortar round (five impacts and eight
    outgoing rounds)": the item as the parts in its bracket, when their counts add up."""
    m = re.search(r"\(([^()]*)\)", item.full or item.text)
    if m is None or item.count is None or "⟦" in m.group(1) or item.drop:
        return [item]
    subs, _ = read_event_phrase(_remainder(m.group(1), item))
    if len(subs) < 2 or any(x.count is None for x in subs):
        return [item]
    if all(x.noun is None and x.flow is None for x in subs):  # "(14 from west to east ...)"
        return [item]
    if sum(x.count or 0 for x in subs) != item.count:
        return [item]
    weapon = item.weapon
    if weapon:
        weapon = re.sub(r"\s*\([^()]*(?:\)|$)", "", weapon).strip() or None
    for x in subs:
        x.weapon = x.weapon or weapon
        if x.noun is None:
            x.noun = item.noun
            x.kind = x.kind or _kind(item.noun, x.weapon, x.text)
        if item.kind in ("mortar", "artillery", "grenade"):
            x.kind = item.kind
        x.loc = x.loc or item.loc
    return subs


ASSESSED = re.compile(
    r"\b(?:assessed\s+(?:as|to\s+be)|(?:mostly\s+|most\s+likely\s+|probably\s+)?"
    r"(?:caused\s+by|consistent\s+with))\b",
    re.IGNORECASE,
)
"""Where an item's assessment starts ("assessed as", "assessed to be", "caused by",
"consistent with")."""
_SUBSET_INTRO = re.compile(r"^\s*(?:including|beginning\s+with|consisting\s+of)\s+", re.I)
_EXPLOSIONS = ("explosion", "mortar", "artillery", "grenade")


def _parts_of_totals(items: list[Item]) -> list[Item]:
    """Totals and their parts: "an exchange of fire including 57 projectiles" is the
    projectiles; "157 explosions including 36 mortar explosions" keeps the total (the part is
    already counted in it); "15 explosions: three undetermined, one mortar impact and eleven
    mortars" is its parts, when they add up to it."""
    live = [it for it in items if not it.drop]
    for k, it in enumerate(live):
        if k == 0 or not (it.subset or it.after_colon):
            continue
        parent, parts = live[k - 1], _run(live, k)
        if parent.drop or not parts:
            continue
        if it.subset and parent.noun in ("exchange", "violation"):
            parent.drop = True
        elif it.subset and (parent.count is None or sum(p.count or 0 for p in parts)
                            <= parent.count):  # fmt: skip
            placed = parent.loc is not None
            for p in parts:  # already counted in the total (placed where they are, if not)
                p.drop = True
                if p.loc is not None and not placed:
                    parent.loc = p.loc if parent.loc is None else parent.loc.merge(p.loc)
        elif it.after_colon and len(parts) >= 2 and _adds_up(parts, parent.count):
            parent.drop = True
        if parent.drop:
            for p in parts:
                p.loc = p.loc or parent.loc
                p.weapon = p.weapon or parent.weapon
    return items


def _adds_up(parts: list[Item], total: int | None) -> bool:
    return total is not None and all(p.count is not None for p in parts) and (
        sum(p.count or 0 for p in parts) == total
    )


def _run(live: list[Item], k: int) -> list[Item]:
    """Items from ``k`` on that can be parts of the item before ``k`` (explosions of an
    explosion total; anything of an exchange of fire)."""
    parent = live[k - 1]
    family = parent.kind in _EXPLOSIONS and parent.noun not in ("exchange", "violation")
    out: list[Item] = []
    for it in live[k:]:
        if out and (it.subset or it.after_colon):
            break
        if family and it.kind not in _EXPLOSIONS:
            break
        out.append(it)
    return out


_FLOW_ONLY = re.compile(
    r"(?:both\s+|all\s+|mostly\s+)?(?P<first>incoming|outgoing)"
    r"(?:\s+(?:and|or)\s+(?P<second>incoming|outgoing))?",
    re.IGNORECASE,
)


def read_event_phrase(phrase: str) -> tuple[list[Item], list[str]]:
    """Items of the object of a perception verb, and the pieces it could not read."""
    unread: list[str] = []
    # relative clauses keep only their locations ("the majority of which were 3-4km east")
    rel = re.search(r",?\s*\b(?:\w+\s+of\s+(?:which|whom)|which|who|whom)\b", phrase)
    breakdown = _relative_breakdown(phrase[rel.start() :]) if rel else None
    continued = ""
    if rel and breakdown is None:
        # "18 explosions, half of which it assessed as caused by mortar and 100 rounds of
        # small-arms fire": the relative clause ends where a new counted item starts
        cont = _REL_CONTINUES.search(phrase, rel.end())
        if cont:
            phrase, continued = phrase[: cont.start()], phrase[cont.end() :]
    if rel:
        tail_text, tail_locs = read_locations(phrase[rel.end() :])
        phrase = (
            phrase[: rel.start()] + " ".join(f"⟦L{i}⟧" for i in range(len(tail_locs)))
            if tail_locs
            else phrase[: rel.start()]
        )
        extra = [g[2] for g in tail_locs]
    else:
        extra = []
    if continued:
        phrase = phrase + ", " + continued
    masked, locs = read_locations(phrase)
    locs = list(locs)
    for i, loc in enumerate(extra):
        tag = f"⟦{len(locs)}⟧"
        masked = masked.replace(f"⟦L{i}⟧", tag)
        locs.append((0, 0, loc))
    items: list[Item] = []
    cursor = 0
    for raw in split_items(masked):
        at = masked.find(raw.strip(), cursor)
        cursor = max(cursor, at)
        after_colon = at > 0 and bool(re.search(r"(?::|\s–)\s*$", masked[:at]))
        intro = _SUBSET_INTRO.match(raw)
        if intro:
            raw = raw[intro.end() :]
        text = re.sub(r"⟦\d+⟧", " ", raw).strip(" ,.;")
        if re.match(r"no\s", text, re.I):  # "the SMM heard no explosions"
            continue
        if MODIFIER_RE.match(text) and items:
            apply_assessment(items[-1], raw)
            piece = read_item(raw, locs)
            if piece.loc is not None and items[-1].loc is None:
                items[-1].loc = piece.loc
            continue
        item = read_item(raw, locs)
        if ASSESSED.search(text):
            head = raw[: ASSESSED.search(raw).start()]  # type: ignore[union-attr]
            tail = raw[len(head) :]
            tail_text = re.sub(rf"^\s*{ASSESSED.pattern}\s*", "", tail, flags=re.I)
            if (
                QTY_RE.match(re.sub(r"⟦\d+⟧", " ", tail_text))
                and re.search(EVENT_NOUN_RE, tail_text, re.I)
                and not re.match(r"^\s*(?:an?|the)\b", tail_text, re.I)
            ):
                # "700 explosions assessed as 680 outgoing artillery rounds": a total
                sub = read_item(tail_text, locs)
                sub.loc = item.loc if sub.loc is None else sub.loc
                items.append(sub)
                continue
            item = read_item(head, locs)
            if item.loc is None:
                item.loc = read_item(tail, locs).loc
            apply_assessment(item, tail)
        if item.as_form:
            body = re.sub(r"^.*?\bas\b", "", item.text, count=1, flags=re.I)
            apply_assessment(item, body)
        if not (item.has_qty or item.noun or item.their or item.kind):
            flow_words = _FLOW_ONLY.fullmatch(text)
            if flow_words and items:
                # "41 explosions – outgoing –"; "– both incoming and outgoing –" says nothing
                if not flow_words.group("second"):
                    items[-1].flow = flow_words.group("first").lower()
                if item.loc is not None and items[-1].loc is None:
                    items[-1].loc = item.loc
                continue
            if item.loc is not None:
                items.append(Item(text=raw, loc=item.loc, drop=True))
            elif items and FIRE_WORDS.search(text) and not re.search(r"\d", text):
                items[-1].text += ", " + text  # a continued weapon list
                if items[-1].weapon:
                    apply_assessment(items[-1], "caused by " + items[-1].weapon + ", " + text)
            elif FIRE_WORDS.search(text) and re.search(EVENT_NOUN_RE + r"|\d", text, re.I):
                unread.append(text)
            continue
        item.full = raw
        item.subset, item.after_colon = bool(intro), after_colon
        items.append(item)
    if breakdown and items:
        items[-1:] = _split_by_assessment(items[-1], breakdown)
    items = [sub for it in items for sub in _bracket_breakdown(it)]
    return _parts_of_totals(_fill(items)), unread


_BARE_REST = re.compile(
    r"^(?:\s*(?:incoming|outgoing|undetermined|unknown|unidentified|more|other|further|"
    r"single|separate|loud|of\s+them|fired|launched|flying|seen|⟦\d+⟧|[,.;]))*\s*$",
    re.IGNORECASE,
)


def _bare(item: Item) -> bool:
    """A quantity with only flow words ("three incoming", "19 undetermined", "two") or only
    a weapon ("ten mortar and 24 automatic-grenade-launcher impacts")."""
    text = re.sub(r"⟦\d+⟧", " ", item.text)
    q = QTY_RE.match(text)
    if q is None:
        return False
    rest = text[q.end() :]
    return _BARE_REST.match(rest) is not None or (
        item.weapon is not None and re.fullmatch(rf"\s*{WEAPON_RE}[\s,.;]*", rest, re.I) is not None
    )


def _fill(items: list[Item]) -> list[Item]:
    """Give items what their neighbours say: nouns, weapons, "their impact" counts, and the
    breakdown of a total."""
    own = [it.noun is not None and not it.drop for it in items]
    for i, it in enumerate(items):
        if it.drop:
            continue
        if it.their and i > 0:
            prev = next((p for p in reversed(items[:i]) if not p.drop and not p.their), None)
            if prev is not None:
                it.count, it.noun, it.weapon = prev.count, prev.noun, prev.weapon
                it.kind = prev.kind
                it.count_note = prev.count_note
            continue
        if it.noun is None and it.kind is None and it.has_qty and _bare(it):
            donor: Item | None = None
            donor_i = next((j for j in range(i + 1, len(items)) if own[j]), None)
            run = i > 0 and items[i - 1].borrowed_from is not None
            if it.after_colon or run:  # "63 projectiles, in sequence: 43 fired ..., five ..."
                donor_i = None
            if donor_i is not None and all(
                items[k].noun is None and items[k].has_qty for k in range(i, donor_i)
            ):
                donor = items[donor_i]
            else:
                donor_i = next(
                    (j for j in range(i - 1, -1, -1) if own[j]),
                    None,
                )
                donor = items[donor_i] if donor_i is not None else None
                if donor is not None and donor_i is not None:
                    it.borrowed_from = donor_i
            if donor is not None:
                it.noun = donor.noun
                it.weapon = it.weapon or donor.weapon
                it.kind = _kind(donor.noun, it.weapon, donor.text)
                if it.flow is None:
                    plain = re.sub(r"⟦\d+⟧", " ", it.text).strip(" ,.;")
                    it.flow = _flow(plain + " " + (donor.noun or ""), donor.noun)
                if donor.noun == "airburst":
                    it.flow = None
        elif it.as_form and it.noun is None:
            prev = next((p for p in reversed(items[:i]) if p.noun and not p.drop), None)
            if prev is not None:
                it.noun = prev.noun
                if it.kind is None:
                    it.kind = _kind(prev.noun, it.weapon, it.text)
    # a total followed by its breakdown ("26 mortar rounds - three incoming, four outgoing
    # and 19 undetermined -") is replaced by the breakdown
    for i, it in enumerate(items):
        parts = [p for p in items if p.borrowed_from == i]
        adds_up = sum(p.count or 0 for p in parts) == it.count or all(p.flow for p in parts)
        if parts and parts[0].subset:  # "37 explosions overall, including two ...": a total
            continue
        if len(parts) >= 2 and it.count is not None and adds_up:
            it.drop = True
            for p in parts:
                p.loc = p.loc or it.loc
    # weapon of "22 bursts and 43 single shots of heavy-machine-gun fire" applies to both
    for i in range(len(items) - 1, 0, -1):
        cur, prev = items[i], items[i - 1]
        if (
            cur.weapon
            and prev.weapon is None
            and prev.kind in ("burst", "shot")
            and cur.kind in ("burst", "shot", "small_arms")
            and not prev.drop
        ):
            prev.weapon = cur.weapon
    return items


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
    # dates
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
    # times
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
    # locations of events read before ("The SMM assessed that the explosions occurred at
    # locations to the north ..., at distances between 3 and 8km")
    if not VERB_RE.search(work) and _apply_sentence_location(work, seg):
        return
    # assessments of events read before
    if _apply_sentence_assessment(work, segments):
        seg.other_times += ordered
        return
    before = len(seg.events)
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
        seg.unparsed += unread
    # a location applies to the items before it that have none
    pending: list[Item] = []
    for it in sentence_items:
        if it.loc is None:
            pending.append(it)
            continue
        for p in pending:
            p.loc = it.loc
        pending = []
    seg.events += [it for it in sentence_items if not it.drop and it.kind is not None]
    for it in sentence_items:
        if not it.drop and it.kind is None and FIRE_WORDS.search(it.text):
            seg.unparsed.append(re.sub(r"⟦\d+⟧", "", it.text).strip())
    if len(seg.events) > before:
        seg.event_times += ordered
    else:
        seg.other_times += ordered


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
