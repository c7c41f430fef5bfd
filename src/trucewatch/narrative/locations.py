"""Where events were, read out of an event phrase: distances (km), compass directions
(16-point words; sectors) and the flight paths that are not directions."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from trucewatch.narrative.lexicon import (
    COMPASS_RE,
    DIGITS_RE,
    NUMBER_RE,
    NUMBER_WORDS_RE,
    UNIT_KM,
    UNIT_RE,
    compass_word,
    parse_number,
)
from trucewatch.types import COMPASS_16

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
