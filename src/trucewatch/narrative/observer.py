"""Where the observer was: a place phrase and its reference ("8km north-west of Donetsk")."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

from trucewatch.narrative.lexicon import (
    DIGITS_RE,
    MONTH_RE,
    NUMBER_RE,
    UNIT_KM,
    UNIT_RE,
    compass_word,
    parse_number,
)
from trucewatch.narrative.locations import (
    _COMPASS,
)


def _num(v: float | None) -> float | int | None:
    if v is None:
        return None
    return int(v) if float(v).is_integer() else v


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
