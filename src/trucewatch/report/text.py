"""Words for the daily report: counts with the right plural, dates, and the summary.

The summary is written from the numbers of the JSON document (:func:`summary_sentences`
takes the document built by :func:`trucewatch.report.daily.build_report`), so the words
and the tables can never disagree. It states counts and what was observed; it does not
call incidents violations (that is the assessment's job) and does not compare with
anything the input does not contain. It is written in the document's ``language``
(:mod:`trucewatch.report.words`: gettext messages with their plural forms, dates and
numbers in the words of the locale).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from trucewatch.report.words import ENGLISH, Words, words
from trucewatch.units import parse_utc, utc_clock

STATUS_SUMMARY_ORDER = ("confirmed", "probable", "possible", "unverified", "refuted")
"""Statuses from most to least certain, as listed in the summary (refuted last)."""


def fmt_day(d: date) -> str:
    """``12 August 2025`` (the English report's dates)."""
    return ENGLISH.day(d)


def fmt_int(n: int) -> str:
    """Integer with thousands separators: ``1,234``."""
    return f"{int(n):,}"


def count_noun(n: int, singular: str, plural: str | None = None, *, zero: str = "no") -> str:
    """``"no incidents"``, ``"1 incident"``, ``"2 incidents"``, ``"1,234 incidents"``
    (English only: translated text uses :meth:`Words.ngettext`).

    ``zero`` is the word used for 0 (pass ``""`` to write the digit).
    """
    word = singular if n == 1 else (plural if plural is not None else singular + "s")
    if n == 0 and zero:
        return f"{zero} {word}"
    return f"{fmt_int(n)} {word}"


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


def coverage_kind(ag: Mapping[str, Any], day: date) -> tuple[str, datetime | None,
                                                              datetime | None]:  # fmt: skip
    """How an agreement covered the UTC ``day``: ``("none"|"all"|"from"|"until"|"between",
    start, end)``."""
    if not ag.get("in_force_from") or not ag.get("in_force_until"):
        return "none", None, None
    start = parse_utc(ag["in_force_from"])
    end = parse_utc(ag["in_force_until"])
    day_start = datetime(day.year, day.month, day.day, tzinfo=UTC)
    starts_in_day = start > day_start
    ends_in_day = end < day_start + timedelta(days=1)
    if not starts_in_day and not ends_in_day:
        return "all", start, end
    if starts_in_day and ends_in_day:
        return "between", start, end
    return ("from" if starts_in_day else "until"), start, end


def agreement_coverage(ag: Mapping[str, Any], day: date, w: Words = ENGLISH) -> str:
    """How an agreement covered the reported UTC day, in words."""
    kind, start, end = coverage_kind(ag, day)
    if kind == "none" or start is None or end is None:
        return w._("not in force on that day")
    if kind == "all":
        return w._("throughout the day")
    if kind == "between":
        return w._("from {start} to {end} UTC", start=utc_clock(start), end=utc_clock(end))
    if kind == "from":
        return w._("from {start} UTC", start=utc_clock(start))
    return w._("until {end} UTC", end=utc_clock(end))


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
    """The summary in words, one string per sentence, from the report document (in its
    ``language``, English when it names none)."""
    w = words(doc.get("language"))
    day = date.fromisoformat(doc["date"])
    s = doc["summary"]
    out = [_status_sentence(s, day, w), *far_sentence(doc, w), _observations_sentence(s, w)]
    if s["incidents"] > 0:
        out += _sector_sentences(doc["sectors"], s, w)
        out += _confidence_sentence(s, w)
        out.append(_attribution_sentence(s, w))
    out += _agreement_sentences(doc.get("agreements") or [], day, w)
    out += _trend_sentence(doc.get("history", []), day, s["incidents"], w)
    return out


def _status_sentence(s: Mapping[str, Any], day: date, w: Words) -> str:
    """1. Incidents by status."""
    n: int = s["incidents"]
    if n == 0:
        return w._("On {day} (UTC), trucewatch recorded no incidents.", day=w.day(day))
    parts = [
        (st, int(s["by_status"].get(st, 0)))
        for st in STATUS_SUMMARY_ORDER
        if s["by_status"].get(st, 0)
    ]
    others = [
        (st, int(c)) for st, c in s["by_status"].items() if st not in STATUS_SUMMARY_ORDER and c
    ]
    parts += others
    head = w.ngettext("On {day} (UTC), trucewatch recorded {n} incident",
                      "On {day} (UTC), trucewatch recorded {n} incidents", n,
                      day=w.day(day))  # fmt: skip
    if len(parts) == 1:
        status = w.label(parts[0][0])
        if n == 1:
            return w._("{head} ({status}).", head=head, status=status)
        return w._("{head} (all {status}).", head=head, status=status)
    listed = w.join(w._("{count} {status}", count=w.integer(c), status=w.label(st))
                    for st, c in parts)  # fmt: skip
    return w._("{head}: {list}.", head=head, list=listed)


def _observations_sentence(s: Mapping[str, Any], w: Words) -> str:
    """2. Observations received."""
    obs_total: int = s["observations_total"]
    if obs_total == 0:
        if s["incidents"] == 0:
            return w._("No observations were received that day, so the absence of incidents "
                       "says nothing about activity along the line.")  # fmt: skip
        return w._("No observations were counted as received that day.")
    obs = sorted(
        ((k, int(c)) for k, c in s["observations"].items() if c),
        key=lambda kc: (-kc[1], kc[0]),
    )
    if len(obs) == 1:
        source = w.label(obs[0][0])
        detail = source if obs_total == 1 else w._("all {source}", source=source)
    else:
        detail = w.join(w._("{count} {source}", count=w.integer(c), source=w.label(k))
                        for k, c in obs)  # fmt: skip
    return w.ngettext("{n} observation was received that day ({detail}).",
                      "{n} observations were received that day ({detail}).", obs_total,
                      detail=detail)  # fmt: skip


def _sector_sentences(
    sectors: Sequence[Mapping[str, Any]], s: Mapping[str, Any], w: Words
) -> list[str]:
    """3. Where the incidents were: the busiest sectors, then those outside any sector."""
    rows = [r for r in sectors if r["index"] is not None]
    active = sorted(
        (r for r in rows if r["incidents"] > 0),
        key=lambda r: (-r["incidents"], r["start_km"] if r["start_km"] is not None else 0),
    )
    out = [_active_sectors_sentence(rows, active, s["incidents"], w)]
    outside = int(s["outside_sectors"])
    if active and outside:
        out.append(w.ngettext("{n} incident lay outside the sectors.",
                              "{n} incidents lay outside the sectors.", outside))  # fmt: skip
    return out


def _active_sectors_sentence(
    rows: Sequence[Mapping[str, Any]], active: Sequence[Mapping[str, Any]], n: int, w: Words
) -> str:
    """The sectors with incidents (``active``, busiest first) among the ``rows``."""
    if not rows:
        return w._("No sectors were given for the contact line.")
    if not active:
        if n == 1:
            return w._("The incident lay outside the sectors of the contact line.")
        return w._("None of the incidents lay in a sector of the contact line.")
    if len(active) == 1:
        r = active[0]
        k = int(r["incidents"])
        if len(rows) == 1:
            return w.ngettext("Sector {name} had {n} incident.",
                              "Sector {name} had {n} incidents.", k, name=r["name"])  # fmt: skip
        return w.ngettext("Sector {name} had {n} incident; no other sector had any.",
                          "Sector {name} had {n} incidents; no other sector had any.", k,
                          name=r["name"])  # fmt: skip
    top = _top_with_ties(active)
    listed = w.join(f"{r['name']} ({w.integer(r['incidents'])})" for r in top)
    if len(top) == len(active):
        return w.ngettext("Incidents were recorded in {n} of the {total} sectors: {list}.",
                          "Incidents were recorded in {n} of the {total} sectors: {list}.",
                          len(active), total=w.integer(len(rows)), list=listed)  # fmt: skip
    return w.ngettext(
        "Incidents were recorded in {n} of the {total} sectors; the most active were {list}.",
        "Incidents were recorded in {n} of the {total} sectors; the most active were {list}.",
        len(active), total=w.integer(len(rows)), list=listed)  # fmt: skip


def _confidence_sentence(s: Mapping[str, Any], w: Words) -> list[str]:
    """4. Confidence (no sentence without a mean confidence)."""
    mean = s.get("mean_confidence")
    if mean is None:
        return []
    if s["incidents"] == 1:
        return [w._("Its confidence was {confidence}.", confidence=w.dec(mean))]
    mx = s.get("max_confidence")
    if mx is not None and f"{mx:.2f}" != f"{mean:.2f}":
        return [w._("Mean confidence was {mean} (highest {highest}).", mean=w.dec(mean),
                    highest=w.dec(mx))]  # fmt: skip
    return [w._("Mean confidence was {mean}.", mean=w.dec(mean))]


def _attribution_sentence(s: Mapping[str, Any], w: Words) -> str:
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
            return w._("The origin of fire is undetermined.")
        if n == 2:
            return w._("The origin of fire is undetermined for both incidents.")
        return w.ngettext("The origin of fire is undetermined for all {n} incident.",
                          "The origin of fire is undetermined for all {n} incidents.",
                          n)  # fmt: skip
    cond: Mapping[str, int] = s.get("by_attribution_conditional", {})
    firm = [(p, c - int(cond.get(p, 0))) for p, c in named if c - int(cond.get(p, 0)) > 0]
    weak = sorted(((p, int(c)) for p, c in cond.items() if c), key=lambda pc: (-pc[1], pc[0]))
    tail = w.ngettext("; the origin is undetermined for {n} incident",
                      "; the origin is undetermined for {n} incidents", und) if und else ""
    sentences = []
    if firm:
        items = w.join(w.ngettext("the area held by {party} for {n} incident",
                                  "the area held by {party} for {n} incidents", c, party=p)
                       for p, c in firm)  # fmt: skip
        sentences.append(w._("Fire was attributed to {items}{tail}.", items=items, tail=tail))
    if weak:
        limit = s.get("attribution_min_confidence", 0.75)
        if not firm:
            sentences.append(w._("No incident reached the confidence of {limit} needed to "
                                 "state its origin plainly{tail}.", limit=w.dec(limit),
                                 tail=tail))  # fmt: skip
        items = w.join(f"{p} ({w.integer(c)})" for p, c in weak)
        n_weak = sum(c for _p, c in weak)
        sentences.append(w.ngettext(
            "For {n} incident of lower confidence the origin is conditional, if it "
            "occurred: more likely the area held by {parties}.",
            "For {n} incidents of lower confidence the origin is conditional, if they "
            "occurred: more likely the area held by {parties}.",
            n_weak, parties=items))  # fmt: skip
    return " ".join(sentences)


def far_sentence(doc: Mapping[str, Any], w: Words | None = None) -> list[str]:
    """The satellite detections far from the line, counted apart (none: no sentence)."""
    w = w or words(doc.get("language"))
    far = doc.get("far_from_line") or {}
    n = int(far.get("incidents", 0))
    if not n:
        return []
    return [w.ngettext(
        "{n} satellite fire detection farther than {km} km from the line was listed apart "
        "and not counted above.",
        "{n} satellite fire detections farther than {km} km from the line were listed apart "
        "and not counted above.", n, km=w.integer(round(far["distance_km"])))]  # fmt: skip


def _agreement_sentences(ags: Sequence[Mapping[str, Any]], day: date, w: Words) -> list[str]:
    """6. Agreements: one sentence each, or one saying that none was in force."""
    if not ags:
        return [w._("No agreement was in force.")]
    return [_agreement_sentence(ag, day, w) for ag in ags]


def _agreement_sentence(ag: Mapping[str, Any], day: date, w: Words) -> str:
    kind, _, _ = coverage_kind(ag, day)
    name = ag["name"]
    if kind == "none":
        return w._("The agreement \u201c{name}\u201d was not in force on that day.", name=name)
    if kind == "all":
        return w._("The agreement \u201c{name}\u201d was in force throughout the day.",
                   name=name)  # fmt: skip
    k = int(ag.get("incidents_while_in_force", 0))
    cov = agreement_coverage(ag, day, w)
    if k == 0:
        return w._("The agreement \u201c{name}\u201d was in force {coverage}; no incidents "
                   "were recorded while it was in force.", name=name, coverage=cov)  # fmt: skip
    return w.ngettext(
        "The agreement \u201c{name}\u201d was in force {coverage}; {n} incident was recorded "
        "while it was in force.",
        "The agreement \u201c{name}\u201d was in force {coverage}; {n} incidents were "
        "recorded while it was in force.", k, name=name, coverage=cov)  # fmt: skip


def _trend_sentence(
    history: Sequence[Mapping[str, Any]], day: date, n: int, w: Words
) -> list[str]:
    """7. Trend: the day against the days before it (no sentence without any)."""
    hist = [(date.fromisoformat(h["date"]), int(h["incidents"])) for h in history]
    prev = [c for d, c in hist if d < day]
    if not prev:
        return []
    if len(prev) == 1:
        if prev[0] == 0:
            return [w._("The previous day had no incidents.")]
        return [w.ngettext("The previous day had {n} incident.",
                           "The previous day had {n} incidents.", prev[0])]  # fmt: skip
    mean_prev = sum(prev) / len(prev)
    values = {"mean": w.dec(mean_prev, 1), "low": w.integer(min(prev)),
              "high": w.integer(max(prev))}  # fmt: skip
    if n > mean_prev:
        return [w.ngettext(
            "The previous {n} day averaged {mean} incidents per day (from {low} to {high}); "
            "this day was above that average.",
            "The previous {n} days averaged {mean} incidents per day (from {low} to {high}); "
            "this day was above that average.", len(prev), **values)]  # fmt: skip
    if n < mean_prev:
        return [w.ngettext(
            "The previous {n} day averaged {mean} incidents per day (from {low} to {high}); "
            "this day was below that average.",
            "The previous {n} days averaged {mean} incidents per day (from {low} to {high}); "
            "this day was below that average.", len(prev), **values)]  # fmt: skip
    return [w.ngettext(
        "The previous {n} day averaged {mean} incidents per day (from {low} to {high}); "
        "this day was equal to that average.",
        "The previous {n} days averaged {mean} incidents per day (from {low} to {high}); "
        "this day was equal to that average.", len(prev), **values)]  # fmt: skip
