"""Patrol reports as JSON Lines: one report per line in the patrol observation schema.

The schema is the ``expected`` object of ``shared/data/smm/examples.jsonl`` (see
``docs/formats.md``)::

    {"date": "2015-07-16", "observer_place": "Donetsk central railway station",
     "observer_reference": {"km": 8, "direction": "north-west", "of": "Donetsk"},
     "time_start": "08:10", "time_end": "16:00",
     "events": [{"count": 10, "kind": "explosion", "weapon": "mortar", "flow": "incoming",
                 "directions": ["north", "west"], "distance_km_min": 3, "distance_km_max": 6}]}

with these optional keys:

``observer_lon``, ``observer_lat``
    the observer's position (WGS84 degrees; both or neither);
``observer_sigma_km``
    standard deviation of that position per axis (default 0.1 km);
``timezone``
    IANA name of the zone of ``time_start``/``time_end`` (default ``Europe/Kyiv``: SMM
    reports give Kyiv local time);
``source_id``
    patrol or team id (default ``"patrol"``);
``reliability`` (A-F), ``credibility`` (1-6)
    Admiralty grading (default B and 2: a trained observer reporting what it saw or heard
    itself: usually reliable, probably true);
``synthetic``
    true for invented records (kept in ``attributes``);
per event ``bearings_deg``
    measured bearings in degrees from true north, instead of compass words;
per event ``bearing_halfwidth_deg``
    half-width of the sector around each measured bearing (default
    :data:`MEASURED_HALFWIDTH_DEG`).

One observation per event (``uid`` index = event index; ``attributes["event_index"]``).

Location: a :class:`~trucewatch.types.BearingRangeLocation` around the observer, whose
``observer`` is a point (isotropic, ``observer_sigma_km``) when coordinates are given and
otherwise the named place as a :class:`~trucewatch.types.PlaceLocation`
(``observer_place`` with ``observer_reference``), which geocoding resolves later; the
bearings and distance range are kept either way. A compass word stands for a 22.5-degree
sector (11.25 degrees either side); :data:`COMPASS_HALFWIDTH_DEG` adds 3.75 degrees for
the observer's own error (a direction judged by ear or eye, a compass held by hand), so
15 degrees either side. An event with no direction at all has no bearings (any direction).

Time window: ``date`` with ``time_start``/``time_end`` (``HH:MM`` or ``HH:MM:SS``, local
time in ``timezone``) converted to UTC. Only one of the two given: that instant. Neither:
the whole local day. An end before the start means the window ran past midnight; ``24:00``
is accepted as an end.

A bad record gives one :class:`~trucewatch.errors.RecordError` naming the line and the
field precisely (``"events[2].flow"``, ``"observer_reference.km"``, ``"json"`` for a line
that is not JSON) and no observation, even if its other events are fine. ``payload`` is
the line as read (without the line ending), so importing the same file again gives the
same uids.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from trucewatch import limits
from trucewatch.errors import RecordError
from trucewatch.ids import observation_uid, sha256_hex
from trucewatch.kinds import SOURCE_KINDS
from trucewatch.sources.jsonl import FieldError, first_record, iso_date, read_json_lines
from trucewatch.types import (
    BearingRangeLocation,
    EventKind,
    Flow,
    Observation,
    PlaceLocation,
    PointLocation,
    SourceKind,
    UnlocatedPosition,
    compass_to_bearing,
)

NAME = "patrol"
KIND = SOURCE_KINDS[SourceKind.PATROL]

DEFAULT_TIMEZONE = "Europe/Kyiv"
DEFAULT_SOURCE_ID = "patrol"
DEFAULT_OBSERVER_SIGMA_KM = 0.1

COMPASS_HALFWIDTH_DEG = 11.25 + 3.75
"""Half-width of the sector of a 16-point compass word: half the 22.5-degree sector plus
3.75 degrees of observer error."""

MEASURED_HALFWIDTH_DEG = 5.0
"""Default half-width around a bearing given in degrees (hand-held compass on a seen flash
or smoke, plus the observer's own error)."""

PATROL_KINDS: tuple[EventKind, ...] = tuple(k for k in EventKind if k != EventKind.THERMAL_ANOMALY)
"""Event kinds of the patrol vocabulary."""


# --------------------------------------------------------------------------- sniffing


def sniff(path: Path, head: str) -> bool:
    """The first non-empty line is a JSON object with an ``events`` key."""
    record = first_record(path, head)
    return record is not None and "events" in record


# --------------------------------------------------------------------------- validation


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _number(value: Any, field: str, *, minimum: float | None = None,
            maximum: float | None = None) -> float:
    if not _is_number(value) or not math.isfinite(value):
        raise FieldError(field, f"must be a number, not {value!r}")
    if minimum is not None and value < minimum:
        raise FieldError(field, f"must be >= {minimum:g}, not {value!r}")
    if maximum is not None and value > maximum:
        raise FieldError(field, f"must be <= {maximum:g}, not {value!r}")
    return float(value)


def _optional_text(record: dict[str, Any], key: str, prefix: str = "") -> str | None:
    value = record.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise FieldError(prefix + key, f"must be text or null, not {value!r}")
    problem = limits.text_problem(value, prefix + key)
    if problem is not None:
        raise FieldError(*problem)
    return value.strip() or None


def parse_local_time(text: Any, field: str, *, allow_24: bool = False) -> time | None:
    """``HH:MM`` or ``HH:MM:SS`` (or null) as a time of day; ``24:00`` as ``time.max``
    marker only when ``allow_24`` (the caller turns it into the next midnight)."""
    if text is None:
        return None
    if not isinstance(text, str):
        raise FieldError(field, f"must be a time HH:MM or null, not {text!r}")
    parts = text.strip().split(":")
    if not (
        len(parts) in (2, 3)
        and all(p.isascii() and p.isdigit() for p in parts)
        and len(parts[0]) in (1, 2)
        and all(len(p) == 2 for p in parts[1:])
    ):
        raise FieldError(field, f"must be a time HH:MM, not {text!r}")
    h, m = int(parts[0]), int(parts[1])
    s = int(parts[2]) if len(parts) == 3 else 0
    if allow_24 and (h, m, s) == (24, 0, 0):
        return time.max
    if not (h < 24 and m < 60 and s < 60):
        raise FieldError(field, f"time out of range: {text!r}")
    return time(h, m, s)


@lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        if name == "Europe/Kyiv":  # older tz databases only know the old spelling
            return ZoneInfo("Europe/Kiev")
        raise


def _window(record: dict[str, Any]) -> tuple[datetime, datetime, str]:
    raw_date = record.get("date")
    if not isinstance(raw_date, str) or len(raw_date.strip()) != 10:
        raise FieldError("date", f"must be a date YYYY-MM-DD, not {raw_date!r}")
    day = iso_date(raw_date, "date")
    problem = limits.year_problem(day, "date")
    if problem is not None:
        raise FieldError(*problem)
    tz_name = record.get("timezone")
    if tz_name is None:
        tz_name = DEFAULT_TIMEZONE
    if not isinstance(tz_name, str):
        raise FieldError("timezone", f"must be an IANA time zone name, not {tz_name!r}")
    try:
        zone = _zone(tz_name.strip())
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise FieldError("timezone", f"unknown time zone {tz_name!r}") from exc

    start_t = parse_local_time(record.get("time_start"), "time_start")
    end_t = parse_local_time(record.get("time_end"), "time_end", allow_24=True)

    def local(d: date, t: time) -> datetime:
        if t is time.max:  # 24:00
            return datetime.combine(d + timedelta(days=1), time(0), tzinfo=zone)
        return datetime.combine(d, t, tzinfo=zone)

    if start_t is None and end_t is None:
        start = local(day, time(0))
        end = local(day + timedelta(days=1), time(0))
    elif start_t is None or end_t is None:
        only = start_t if start_t is not None else end_t
        assert only is not None
        start = end = local(day, only)
    else:
        start = local(day, start_t)
        end = local(day, end_t)
        if end < start:  # ran past midnight
            end = local(day + timedelta(days=1), end_t)
    return start.astimezone(UTC), end.astimezone(UTC), tz_name.strip()


def _observer(record: dict[str, Any], unlocated: str | None = None
              ) -> PointLocation | PlaceLocation | UnlocatedPosition:  # fmt: skip
    """The observer position of a record: its coordinates, else its place; with neither,
    an :class:`UnlocatedPosition` saying ``unlocated`` when given (the narrative reader
    keeps events whose observer position it could not read), else an error."""
    place = _optional_text(record, "observer_place")
    ref = record.get("observer_reference")
    ref_km = ref_direction = ref_of = None
    if ref is not None:
        if not isinstance(ref, dict):
            raise FieldError("observer_reference", f"must be an object or null, not {ref!r}")
        if ref.get("km") is not None:
            ref_km = _number(ref["km"], "observer_reference.km", minimum=0.0,
                             maximum=limits.MAX_DISTANCE_KM)
        ref_direction = _optional_text(ref, "direction", "observer_reference.")
        if ref_direction is not None:
            try:
                compass_to_bearing(ref_direction)
            except ValueError as exc:
                raise FieldError("observer_reference.direction", str(exc)) from exc
        ref_of = _optional_text(ref, "of", "observer_reference.")

    lon, lat = record.get("observer_lon"), record.get("observer_lat")
    sigma_raw = record.get("observer_sigma_km")
    sigma = DEFAULT_OBSERVER_SIGMA_KM
    if sigma_raw is not None:
        sigma = _number(sigma_raw, "observer_sigma_km", minimum=0.0,
                        maximum=limits.MAX_SIGMA_KM)
    if lon is None and lat is None:
        if place is None and unlocated is not None:
            return UnlocatedPosition(reason=unlocated)
        if place is None:
            raise FieldError(
                "observer_place", "missing: give observer_place or observer_lon/observer_lat"
            )
        return PlaceLocation(place=place, ref_km=ref_km, ref_direction=ref_direction, ref_of=ref_of)
    if lon is None or lat is None:
        missing = "observer_lon" if lon is None else "observer_lat"
        raise FieldError(missing, "missing: give both observer_lon and observer_lat, or neither")
    lon_f = _number(lon, "observer_lon")
    lat_f = _number(lat, "observer_lat")
    if not -180.0 <= lon_f <= 180.0:
        raise FieldError("observer_lon", f"longitude {lon_f} outside [-180, 180]")
    if not -90.0 <= lat_f <= 90.0:
        raise FieldError("observer_lat", f"latitude {lat_f} outside [-90, 90]")
    return PointLocation.isotropic(lon_f, lat_f, sigma)


def _grading(record: dict[str, Any]) -> tuple[str, int]:
    reliability = record.get("reliability")
    if reliability is None:
        reliability = KIND.grading.reliability
    if not isinstance(reliability, str) or reliability.strip().upper() not in tuple("ABCDEF"):
        raise FieldError("reliability", f"must be one of A-F, not {reliability!r}")
    credibility = record.get("credibility")
    if credibility is None:
        credibility = KIND.grading.credibility
    if not isinstance(credibility, int) or isinstance(credibility, bool):
        raise FieldError("credibility", f"must be an integer 1-6, not {credibility!r}")
    if not 1 <= credibility <= 6:
        raise FieldError("credibility", f"must be an integer 1-6, not {credibility!r}")
    return reliability.strip().upper(), credibility


def normalize_kind(text: str) -> str:
    """``"Small-arms"`` -> ``"small_arms"``."""
    return text.strip().lower().replace("-", "_").replace(" ", "_")


def _event(event: Any, i: int) -> dict[str, Any]:
    """Validated values of one event (``field`` paths ``events[i].key``)."""
    at = f"events[{i}]"
    if not isinstance(event, dict):
        raise FieldError(at, f"must be an object, not {type(event).__name__}")
    count = _event_count(event, at)
    kind = _event_kind(event, at)
    weapon = _optional_text(event, "weapon", f"{at}.")
    flow = _event_flow(event, at)
    words, compass = _event_directions(event, at)
    measured, halfwidth = _event_bearings(event, at)
    d_min, d_max = _event_distances(event, at)
    if measured:  # bearings in degrees replace compass words
        bearings_deg, width = tuple(measured), halfwidth
    else:
        bearings_deg, width = tuple(compass), COMPASS_HALFWIDTH_DEG
    return {
        "count": count,
        "kind": kind,
        "weapon": weapon,
        "flow": flow,
        "directions": words,
        "bearings_deg": bearings_deg,
        "halfwidth": width,
        "d_min": d_min,
        "d_max": d_max,
    }


def _event_count(event: dict[str, Any], at: str) -> int | None:
    count = event.get("count")
    if count is not None and (not isinstance(count, int) or isinstance(count, bool) or count <= 0):
        raise FieldError(f"{at}.count", f"must be a positive integer or null, not {count!r}")
    if count is not None and count > limits.MAX_COUNT:
        raise FieldError(f"{at}.count", f"{count} is more than {limits.MAX_COUNT}")
    return count


def _event_kind(event: dict[str, Any], at: str) -> EventKind:
    kind_raw = event.get("kind")
    if not isinstance(kind_raw, str):
        raise FieldError(f"{at}.kind", f"missing or not text: {kind_raw!r}")
    return _one_of(PATROL_KINDS, normalize_kind(kind_raw), kind_raw, f"{at}.kind", "kind")


def _event_flow(event: dict[str, Any], at: str) -> Flow | None:
    flow_raw = event.get("flow")
    if flow_raw is None:
        return None
    key = flow_raw.strip().lower() if isinstance(flow_raw, str) else None
    return _one_of(tuple(Flow), key, flow_raw, f"{at}.flow", "flow", " or null")


_Member = TypeVar("_Member", EventKind, Flow)


def _one_of(members: tuple[_Member, ...], key: str | None, raw: Any, field: str, what: str,
            also: str = "") -> _Member:  # fmt: skip
    """The member whose value is ``key``, or an error listing the values (and ``also``)."""
    found = next((m for m in members if m.value == key), None)
    if found is None:
        known = ", ".join(m.value for m in members)
        raise FieldError(field, f"unknown {what} {raw!r} (one of {known}{also})")
    return found


def _event_directions(event: dict[str, Any], at: str) -> tuple[list[str], list[float]]:
    """The compass words as given and their bearings (degrees from true north)."""
    directions = event.get("directions")
    words: list[str] = []
    compass: list[float] = []
    if directions is None:
        return words, compass
    if not isinstance(directions, list):
        raise FieldError(f"{at}.directions", "must be a list of compass words or null")
    for j, word in enumerate(directions):
        if not isinstance(word, str):
            raise FieldError(f"{at}.directions[{j}]", f"must be a compass word, not {word!r}")
        try:
            compass.append(compass_to_bearing(word))
        except ValueError as exc:
            raise FieldError(f"{at}.directions[{j}]", str(exc)) from exc
        words.append(word)
    return words, compass


def _event_bearings(event: dict[str, Any], at: str) -> tuple[list[float], float]:
    """Measured bearings (degrees from true north, in [0, 360)) and their half-width."""
    measured: list[float] = []
    bearings = event.get("bearings_deg")
    if bearings is not None:
        if not isinstance(bearings, list):
            raise FieldError(f"{at}.bearings_deg", "must be a list of degrees or null")
        for j, b in enumerate(bearings):
            measured.append(_number(b, f"{at}.bearings_deg[{j}]") % 360.0)
    halfwidth = MEASURED_HALFWIDTH_DEG
    if event.get("bearing_halfwidth_deg") is not None:
        halfwidth = _number(event["bearing_halfwidth_deg"], f"{at}.bearing_halfwidth_deg")
        if not 0.0 < halfwidth <= 180.0:
            raise FieldError(
                f"{at}.bearing_halfwidth_deg", f"must be in (0, 180], not {halfwidth:g}"
            )
    return measured, halfwidth


def _event_distances(event: dict[str, Any], at: str) -> tuple[float | None, float | None]:
    """The distance range (km from the observer), either end possibly unknown."""
    d_min = event.get("distance_km_min")
    d_max = event.get("distance_km_max")
    if d_min is not None:
        d_min = _number(d_min, f"{at}.distance_km_min", minimum=0.0,
                        maximum=limits.MAX_DISTANCE_KM)
    if d_max is not None:
        d_max = _number(d_max, f"{at}.distance_km_max", minimum=0.0,
                        maximum=limits.MAX_DISTANCE_KM)
    if d_min is not None and d_max is not None and d_min > d_max:
        raise FieldError(
            f"{at}.distance_km_min", f"{d_min:g} is greater than distance_km_max {d_max:g}"
        )
    return d_min, d_max


def parse_record(record: Any, payload: str, *, unlocated: str | None = None
                 ) -> list[Observation]:  # fmt: skip
    """Observations of one decoded patrol record (``payload`` is its raw line).

    ``unlocated``: why the record has no observer position, when the caller keeps such a
    record (the narrative reader): its observer is then an :class:`UnlocatedPosition`
    instead of a missing field. Raises :class:`FieldError` naming the first bad field.
    """
    if not isinstance(record, dict):
        raise FieldError(None, f"a record must be a JSON object, not {type(record).__name__}")
    t_start, t_end, tz_name = _window(record)
    observer = _observer(record, unlocated)
    source_id = record.get("source_id")
    if source_id is None:
        source_id = DEFAULT_SOURCE_ID
    if not isinstance(source_id, str) or not source_id.strip():
        raise FieldError("source_id", f"must be non-empty text, not {source_id!r}")
    problem = limits.text_problem(source_id, "source_id")
    if problem is not None:
        raise FieldError(*problem)
    reliability, credibility = _grading(record)
    synthetic = record.get("synthetic")
    if synthetic is not None and not isinstance(synthetic, bool):
        raise FieldError("synthetic", f"must be true, false or null, not {synthetic!r}")
    events = record.get("events")
    if not isinstance(events, list):
        raise FieldError("events", "missing or not a list")
    if not events:
        raise FieldError("events", "no events: a patrol record reports at least one event")
    if len(events) > limits.MAX_EVENTS_PER_RECORD:
        raise FieldError("events", f"{len(events)} events; at most "
                         f"{limits.MAX_EVENTS_PER_RECORD} in one record")
    if len(events) * len(payload) > limits.MAX_STORED_CHARS_PER_RECORD:
        raise FieldError("events", f"{len(events)} events in a record of {len(payload)} "
                         f"characters: events x length is at most "
                         f"{limits.MAX_STORED_CHARS_PER_RECORD}")
    parsed = [_event(e, i) for i, e in enumerate(events)]

    place = _optional_text(record, "observer_place")
    digest = sha256_hex(payload)
    out = []
    for i, ev in enumerate(parsed):
        attributes: dict[str, Any] = {"event_index": i, "timezone": tz_name}
        if place is not None:
            attributes["observer_place"] = place
        if ev["directions"]:
            attributes["directions"] = ev["directions"]
        if synthetic is not None:
            attributes["synthetic"] = synthetic
        out.append(
            Observation(
                uid=observation_uid(NAME, payload, i),
                source_kind=KIND.kind,
                source_format=NAME,
                source_id=KIND.source_id(source_id.strip()),
                time_start=t_start,
                time_end=t_end,
                location=BearingRangeLocation(
                    observer=observer,
                    bearings_deg=ev["bearings_deg"],
                    bearing_halfwidth_deg=ev["halfwidth"],
                    distance_km_min=ev["d_min"],
                    distance_km_max=ev["d_max"],
                ),
                kind=ev["kind"],
                count=ev["count"],
                weapon=ev["weapon"],
                flow=ev["flow"],
                reliability=reliability,
                credibility=credibility,
                payload=payload,
                payload_sha256=digest,
                attributes=attributes,
            )
        )
    return out


# --------------------------------------------------------------------------- reading


def read(path: Path) -> Iterator[Observation | RecordError]:
    """Observations of a patrol JSON Lines file; one :class:`RecordError` per bad line."""
    return read_json_lines(path, parse_record, column=True)
