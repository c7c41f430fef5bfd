"""Words for the daily report: counts with the right plural, dates, and the summary.

The summary is written from the numbers of the JSON document (:func:`summary_sentences`
takes the document built by :func:`trucewatch.report.daily.build_report`), so the words
and the tables can never disagree. It states counts and what was observed; it does not
call incidents violations (that is the assessment's job) and does not compare with
anything the input does not contain.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from trucewatch.units import parse_utc, utc_clock

MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip

STATUS_SUMMARY_ORDER = ("confirmed", "probable", "possible", "unverified", "refuted")
"""Statuses from most to least certain, as listed in the summary (refuted last)."""


def fmt_day(d: date) -> str:
    """``12 August 2025`` (independent of the locale)."""
    return f"{d.day} {MONTHS[d.month - 1]} {d.year}"


def fmt_int(n: int) -> str:
    """Integer with thousands separators: ``1,234``."""
    return f"{int(n):,}"


def count_noun(n: int, singular: str, plural: str | None = None, *, zero: str = "no") -> str:
    """``"no incidents"``, ``"1 incident"``, ``"2 incidents"``, ``"1,234 incidents"``.

    ``zero`` is the word used for 0 (pass ``""`` to write the digit).
    """
    word = singular if n == 1 else (plural if plural is not None else singular + "s")
    if n == 0 and zero:
        return f"{zero} {word}"
    return f"{fmt_int(n)} {word}"


def was_were(n: int) -> str:
    return "was" if n == 1 else "were"


def join_words(items: Iterable[str], conj: str = "and") -> str:
    """``"a"``, ``"a and b"``, ``"a, b and c"``."""
    xs = list(items)
    if not xs:
        return ""
    if len(xs) == 1:
        return xs[0]
    return f"{', '.join(xs[:-1])} {conj} {xs[-1]}"


def humanize(key: str) -> str:
    """``"satellite_thermal"`` -> ``"satellite thermal"``."""
    return str(key).replace("_", " ")


def agreement_coverage(ag: Mapping[str, Any], day: date) -> str:
    """How an agreement covered the reported UTC day, in words."""
    if not ag.get("in_force_from") or not ag.get("in_force_until"):
        return "not in force on that day"
    start = parse_utc(ag["in_force_from"])
    end = parse_utc(ag["in_force_until"])
    day_start = datetime(day.year, day.month, day.day, tzinfo=UTC)
    starts_in_day = start > day_start
    ends_in_day = end < day_start + timedelta(days=1)
    if not starts_in_day and not ends_in_day:
        return "throughout the day"
    if starts_in_day and ends_in_day:
        return f"from {utc_clock(start)} to {utc_clock(end)} UTC"
    if starts_in_day:
        return f"from {utc_clock(start)} UTC"
    return f"until {utc_clock(end)} UTC"


def _top_with_ties(rows: Sequence[Mapping[str, Any]], k: int = 3, cap: int = 5) -> list[Any]:
    """The first ``k`` rows (sorted by count, descending), extended by rows tied with the
    k-th, up to ``cap`` rows."""
    top = list(rows[:k])
    if len(rows) > k:
        last = top[-1]["incidents"]
        for r in rows[k:cap]:
            if r["incidents"] != last:
                break
            top.append(r)
    return top


def summary_sentences(doc: Mapping[str, Any]) -> list[str]:
    """The summary in words, one string per sentence, from the report document."""
    day = date.fromisoformat(doc["date"])
    s = doc["summary"]
    out = [_status_sentence(s, day), *far_sentence(doc), _observations_sentence(s)]
    if s["incidents"] > 0:
        out += _sector_sentences(doc["sectors"], s)
        out += _confidence_sentence(s)
        out.append(_attribution_sentence(s))
    out += _agreement_sentences(doc.get("agreements") or [], day)
    out += _trend_sentence(doc.get("history", []), day, s["incidents"])
    return out


def _status_sentence(s: Mapping[str, Any], day: date) -> str:
    """1. Incidents by status."""
    n: int = s["incidents"]
    if n == 0:
        return f"On {fmt_day(day)} (UTC), trucewatch recorded no incidents."
    parts = [
        (st, int(s["by_status"].get(st, 0)))
        for st in STATUS_SUMMARY_ORDER
        if s["by_status"].get(st, 0)
    ]
    others = [
        (st, int(c)) for st, c in s["by_status"].items() if st not in STATUS_SUMMARY_ORDER and c
    ]
    parts += others
    head = f"On {fmt_day(day)} (UTC), trucewatch recorded {count_noun(n, 'incident')}"
    if len(parts) == 1:
        st = parts[0][0]
        return f"{head} ({'all ' if n > 1 else ''}{st})."
    return f"{head}: {join_words(f'{fmt_int(c)} {st}' for st, c in parts)}."


def _observations_sentence(s: Mapping[str, Any]) -> str:
    """2. Observations received."""
    obs_total: int = s["observations_total"]
    if obs_total == 0:
        if s["incidents"] == 0:
            return (
                "No observations were received that day, so the absence of incidents "
                "says nothing about activity along the line."
            )
        return "No observations were counted as received that day."
    obs = sorted(
        ((k, int(c)) for k, c in s["observations"].items() if c),
        key=lambda kc: (-kc[1], kc[0]),
    )
    if len(obs) == 1:
        detail = humanize(obs[0][0]) if obs_total == 1 else f"all {humanize(obs[0][0])}"
    else:
        detail = join_words(f"{fmt_int(c)} {humanize(k)}" for k, c in obs)
    return (
        f"{count_noun(obs_total, 'observation')} {was_were(obs_total)} "
        f"received that day ({detail})."
    )


def _sector_sentences(sectors: Sequence[Mapping[str, Any]], s: Mapping[str, Any]) -> list[str]:
    """3. Where the incidents were: the busiest sectors, then those outside any sector."""
    rows = [r for r in sectors if r["index"] is not None]
    active = sorted(
        (r for r in rows if r["incidents"] > 0),
        key=lambda r: (-r["incidents"], r["start_km"] if r["start_km"] is not None else 0),
    )
    out = [_active_sectors_sentence(rows, active, s["incidents"])]
    outside = int(s["outside_sectors"])
    if active and outside:
        out.append(f"{count_noun(outside, 'incident')} lay outside the sectors.")
    return out


def _active_sectors_sentence(
    rows: Sequence[Mapping[str, Any]], active: Sequence[Mapping[str, Any]], n: int
) -> str:
    """The sectors with incidents (``active``, busiest first) among the ``rows``."""
    if not rows:
        return "No sectors were given for the contact line."
    if not active:
        if n == 1:
            return "The incident lay outside the sectors of the contact line."
        return "None of the incidents lay in a sector of the contact line."
    if len(active) == 1:
        r = active[0]
        tail = "" if len(rows) == 1 else "; no other sector had any"
        return f"Sector {r['name']} had {count_noun(r['incidents'], 'incident')}{tail}."
    top = _top_with_ties(active)
    listed = join_words(f"{r['name']} ({fmt_int(r['incidents'])})" for r in top)
    head = f"Incidents were recorded in {len(active)} of the {len(rows)} sectors"
    if len(top) == len(active):
        return f"{head}: {listed}."
    return f"{head}; the most active were {listed}."


def _confidence_sentence(s: Mapping[str, Any]) -> list[str]:
    """4. Confidence (no sentence without a mean confidence)."""
    mean = s.get("mean_confidence")
    if mean is None:
        return []
    if s["incidents"] == 1:
        return [f"Its confidence was {mean:.2f}."]
    mx = s.get("max_confidence")
    tail = f" (highest {mx:.2f})" if mx is not None and f"{mx:.2f}" != f"{mean:.2f}" else ""
    return [f"Mean confidence was {mean:.2f}{tail}."]


def _attribution_sentence(s: Mapping[str, Any]) -> str:
    """5. Attribution: the area fire came from, by party."""
    n: int = s["incidents"]
    by_att: Mapping[str, int] = s.get("by_attribution", {})
    und = int(by_att.get("undetermined", 0))
    named = sorted(
        ((p, int(c)) for p, c in by_att.items() if p != "undetermined" and c),
        key=lambda pc: (-pc[1], pc[0]),
    )
    if not named:
        if n == 1:
            return "The origin of fire is undetermined."
        which = "both incidents" if n == 2 else f"all {fmt_int(n)} incidents"
        return f"The origin of fire is undetermined for {which}."
    cond: Mapping[str, int] = s.get("by_attribution_conditional", {})
    firm = [(p, c - int(cond.get(p, 0))) for p, c in named if c - int(cond.get(p, 0)) > 0]
    weak = sorted(((p, int(c)) for p, c in cond.items() if c), key=lambda pc: (-pc[1], pc[0]))
    tail = f"; the origin is undetermined for {count_noun(und, 'incident')}" if und else ""
    words = []
    if firm:
        items = join_words(f"the area held by {p} for {count_noun(c, 'incident')}"
                           for p, c in firm)  # fmt: skip
        words.append(f"Fire was attributed to {items}{tail}.")
    if weak:
        limit = s.get("attribution_min_confidence", 0.75)
        n_weak = sum(c for _, c in weak)
        items = join_words(f"{p} ({fmt_int(c)})" for p, c in weak)
        lead = "" if firm else (f"No incident reached the confidence of {limit:.2f} needed "
                                f"to state its origin plainly{tail}. ")  # fmt: skip
        words.append(f"{lead}For {count_noun(n_weak, 'incident')} of lower confidence the "
                     f"origin is conditional, if they occurred: more likely the area held by "
                     f"{items}.")  # fmt: skip
    return " ".join(words)


def far_sentence(doc: Mapping[str, Any]) -> list[str]:
    """The satellite detections far from the line, counted apart (none: no sentence)."""
    far = doc.get("far_from_line") or {}
    n = int(far.get("incidents", 0))
    if not n:
        return []
    return [f"{count_noun(n, 'satellite fire detection')} farther than "
            f"{far['distance_km']:.0f} km from the line {was_were(n)} listed apart and "
            "not counted above."]  # fmt: skip


def _agreement_sentences(ags: Sequence[Mapping[str, Any]], day: date) -> list[str]:
    """6. Agreements: one sentence each, or one saying that none was in force."""
    if not ags:
        return ["No agreement was in force."]
    return [_agreement_sentence(ag, day) for ag in ags]


def _agreement_sentence(ag: Mapping[str, Any], day: date) -> str:
    cov = agreement_coverage(ag, day)
    name = f"The agreement \u201c{ag['name']}\u201d"
    if cov.startswith("not"):
        return f"{name} was {cov}."
    if cov == "throughout the day":
        return f"{name} was in force {cov}."
    k = int(ag.get("incidents_while_in_force", 0))
    return (
        f"{name} was in force {cov}; {count_noun(k, 'incident')} {was_were(k)} "
        "recorded while it was in force."
    )


def _trend_sentence(history: Sequence[Mapping[str, Any]], day: date, n: int) -> list[str]:
    """7. Trend: the day against the days before it (no sentence without any)."""
    hist = [(date.fromisoformat(h["date"]), int(h["incidents"])) for h in history]
    prev = [c for d, c in hist if d < day]
    if not prev:
        return []
    if len(prev) == 1:
        return [f"The previous day had {count_noun(prev[0], 'incident')}."]
    mean_prev = sum(prev) / len(prev)
    cmp = "above" if n > mean_prev else "below" if n < mean_prev else "equal to"
    return [
        f"The previous {len(prev)} days averaged {mean_prev:.1f} incidents per day "
        f"(from {fmt_int(min(prev))} to {fmt_int(max(prev))}); this day was {cmp} that "
        "average."
    ]
