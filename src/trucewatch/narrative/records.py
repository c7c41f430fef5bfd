"""Segments of a passage (one observer position and one day) and the patrol observation
records they become (the patrol schema of ``docs/formats.md``, plus ``parse_confidence``,
``unparsed``, ``notes`` and ``source_text``). Distances in km; times local ``HH:MM``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from trucewatch.narrative.items import Item
from trucewatch.narrative.locations import Loc
from trucewatch.narrative.observer import Observer, ObserverMention, _num

__all__ = ["Segment", "confidence", "segment_record"]


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


def confidence(rec: dict[str, Any]) -> float:
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


def segment_record(seg: Segment, source: str, report: date | None, first: bool
                   ) -> dict[str, Any]:  # fmt: skip
    """The patrol observation record of a segment of the passage ``source``."""
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
    rec["parse_confidence"] = confidence(rec)
    return rec
