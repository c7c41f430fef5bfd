"""Sentences that revise events already read: an assessment of their cause or kind ("The
SMM assessed ... as ..."), or where they were ("the explosions occurred at locations ...").
"""

from __future__ import annotations

import re
from dataclasses import replace

from trucewatch.narrative.items import VERB_RE, Item, apply_assessment
from trucewatch.narrative.lexicon import EVENT_NOUN_RE, EVENT_NOUNS, NUMBER_RE, parse_number
from trucewatch.narrative.locations import read_locations
from trucewatch.narrative.phrases import PERCENT_OF, split_percentage
from trucewatch.narrative.records import Segment

__all__ = [
    "ASSESS_CAUSE",
    "ASSESS_SPLIT",
    "LOCATED_LATER",
    "apply_sentence_assessment",
    "apply_sentence_location",
    "assessment_parts",
]

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


def assessment_parts(rest: str) -> list[tuple[str, str]]:
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


LOCATED_LATER = re.compile(
    rf"\b(?:the|these|those|all(?:\s+of)?\s+the)\s+(?P<noun>{EVENT_NOUN_RE})\s+(?:had\s+)?"
    r"(?:occurred|originated|were|was|came|took\s+place)\b",
    re.IGNORECASE,
)


def apply_sentence_location(work: str, seg: Segment) -> bool:
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


def apply_sentence_assessment(work: str, segments: list[Segment]) -> bool:
    """A later sentence assessing events already read ("The SMM assessed four of the
    explosions as outgoing mortar rounds and the rest as impacts"): the assessment goes to
    those events, a split one replacing the event it divides. False when the sentence is
    not one."""
    seg = segments[-1]
    pool = [e for s in segments for e in s.events]
    if pool and not VERB_RE.search(work) and PERCENT_OF.match(work.strip()):
        # "Approximately 20% of these were caused by 82mm mortar rounds."
        target = next((e for e in reversed(pool) if e.count is not None), None)
        shares = split_percentage(target, work.strip()) if target is not None else None
        if shares is None or target is None:
            seg.unparsed.append(work.strip())
            seg.notes.append("a percentage of a count that cannot be applied")
            return True
        _replace_event(segments, target, shares)
        return True
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
        parts = assessment_parts(rest.strip())
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
        _replace_event(segments, target, new)
        return True
    return False


def _replace_event(segments: list[Segment], target: Item, new: list[Item]) -> None:
    """Put ``new`` where ``target`` is among the segments' events."""
    owner = next(s for s in segments if any(e is target for e in s.events))
    idx = next(i for i, e in enumerate(owner.events) if e is target)
    owner.events[idx : idx + 1] = new
