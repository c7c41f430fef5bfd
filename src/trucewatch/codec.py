"""Plain-JSON encodings of the core types (for the store's JSON columns, ``--json`` output,
exports, the API and the reports). Times are ISO 8601 strings in UTC; coordinates WGS84
degrees; km; km²; degrees clockwise from true north. JSON has no NaN: non-finite numbers
are encoded as None.

:func:`incident_record` is the one encoding of an incident; every output format is a view
of its record (:mod:`trucewatch.export`, the API's features and CSV, the daily report).
"""

from __future__ import annotations

import math
import sys
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from enum import Enum
from typing import Any

from trucewatch.types import (
    ELLIPSE_CONFIDENCE,
    BearingRangeLocation,
    Ellipse,
    Incident,
    Location,
    Observation,
    PlaceLocation,
    PointLocation,
    UnlocatedPosition,
)
from trucewatch.units import Timespec, iso_utc

# --------------------------------------------------------------------------- JSON values


def finite(x: float | None) -> float | None:
    """``x`` as a float, or None when it is None, NaN or infinite."""
    return None if x is None or not math.isfinite(x) else float(x)


def json_value(x: Any) -> Any:
    """``x`` as JSON types, recursively: NaN and infinities -> None, enum members -> their
    value, datetimes -> ISO 8601 UTC text to the second, dates -> ISO dates, mappings ->
    objects with text keys, sequences -> lists (sets sorted), numpy scalars -> Python
    numbers; anything else -> ``str(x)``."""
    kind = type(x)  # the plain JSON types first: assessments are large trees of them
    if x is None or kind is str or kind is int or kind is bool:
        return x
    if kind is dict:
        return {str(k): json_value(v) for k, v in x.items()}
    if kind is list:
        return [json_value(v) for v in x]
    if kind is float:
        return x if math.isfinite(x) else None
    return _json_other(x)


def _json_other(x: Any) -> Any:
    """:func:`json_value` of anything but a plain str, int, bool, dict, list or float."""
    if isinstance(x, bool | int | str):
        return x
    if isinstance(x, float):
        return x if math.isfinite(x) else None
    if isinstance(x, Enum):
        return json_value(x.value)
    if isinstance(x, datetime):
        return iso_utc(x, "seconds")
    if isinstance(x, date):
        return x.isoformat()
    if isinstance(x, Mapping):
        return {str(k): json_value(v) for k, v in x.items()}
    if isinstance(x, list | tuple | set | frozenset):
        items = [json_value(v) for v in x]
        return sorted(items, key=str) if isinstance(x, set | frozenset) else items
    numpy = sys.modules.get("numpy")  # a numpy scalar exists only once numpy is loaded
    if numpy is not None and isinstance(x, numpy.generic):
        return json_value(x.item())
    return str(x)


# --------------------------------------------------------------------------- locations


def point_to_dict(p: PointLocation) -> dict[str, Any]:
    return {"lon": p.lon, "lat": p.lat, "cov_km2": [list(p.cov_km2[0]), list(p.cov_km2[1])]}


def point_from_dict(d: dict[str, Any]) -> PointLocation:
    cov = d["cov_km2"]
    return PointLocation(
        lon=float(d["lon"]),
        lat=float(d["lat"]),
        cov_km2=((float(cov[0][0]), float(cov[0][1])), (float(cov[1][0]), float(cov[1][1]))),
    )


def location_to_dict(loc: Location | UnlocatedPosition) -> dict[str, Any]:
    """Encode any location form with a ``type`` tag: point, bearing_range or place (and
    an observer position that could not be read: unlocated, with its reason)."""
    if isinstance(loc, PointLocation):
        return {"type": "point", **point_to_dict(loc)}
    if isinstance(loc, BearingRangeLocation):
        return {
            "type": "bearing_range",
            "observer": location_to_dict(loc.observer),
            "bearings_deg": list(loc.bearings_deg),
            "bearing_halfwidth_deg": loc.bearing_halfwidth_deg,
            "distance_km_min": loc.distance_km_min,
            "distance_km_max": loc.distance_km_max,
        }
    if isinstance(loc, UnlocatedPosition):
        return {"type": "unlocated", "reason": loc.reason}
    return {
        "type": "place",
        "place": loc.place,
        "ref_km": loc.ref_km,
        "ref_direction": loc.ref_direction,
        "ref_of": loc.ref_of,
    }


def location_from_dict(d: dict[str, Any]) -> Location:
    """Inverse of :func:`location_to_dict`."""
    kind = d.get("type")
    if kind == "point":
        return point_from_dict(d)
    if kind == "bearing_range":
        return BearingRangeLocation(
            observer=_observer_from_dict(d["observer"]),
            bearings_deg=tuple(float(b) for b in d["bearings_deg"]),
            bearing_halfwidth_deg=float(d["bearing_halfwidth_deg"]),
            distance_km_min=d.get("distance_km_min"),
            distance_km_max=d.get("distance_km_max"),
        )
    if kind == "place":
        return PlaceLocation(
            place=d["place"],
            ref_km=d.get("ref_km"),
            ref_direction=d.get("ref_direction"),
            ref_of=d.get("ref_of"),
        )
    raise ValueError(f"unknown location type {kind!r}")


def _observer_from_dict(d: dict[str, Any]) -> PointLocation | PlaceLocation | UnlocatedPosition:
    if d.get("type") == "unlocated":
        return UnlocatedPosition(reason=str(d["reason"]))
    loc = location_from_dict(d)
    if isinstance(loc, BearingRangeLocation):
        raise ValueError("an observer cannot itself be a bearing-range location")
    return loc


def location_anchor(loc: Location | UnlocatedPosition) -> tuple[float | None, float | None]:
    """The lon/lat stored in the indexed columns: the point, or the observer position."""
    if isinstance(loc, PointLocation):
        return loc.lon, loc.lat
    if isinstance(loc, BearingRangeLocation):
        return location_anchor(loc.observer)
    return None, None


def observation_to_dict(o: Observation) -> dict[str, Any]:
    """JSON-ready view of an observation (without the raw payload)."""
    return {
        "uid": o.uid,
        "source_kind": str(o.source_kind),
        "source_format": o.source_format,
        "source_id": o.source_id,
        "time_start": iso_utc(o.time_start),
        "time_end": iso_utc(o.time_end),
        "location": location_to_dict(o.location),
        "kind": str(o.kind),
        "count": o.count,
        "weapon": o.weapon,
        "flow": None if o.flow is None else str(o.flow),
        "reliability": o.reliability,
        "credibility": o.credibility,
        "payload_sha256": o.payload_sha256,
        "attributes": o.attributes,
    }


# --------------------------------------------------------------------------- incidents


def ellipse_to_dict(cov_km2: Sequence[Sequence[float]]) -> dict[str, float | None]:
    """The 95% ellipse of a covariance (east/north, km²): semi-axes in km, orientation of
    the major axis in degrees clockwise from true north; the axes are None when the
    covariance is not finite."""
    if not all(math.isfinite(v) for row in cov_km2 for v in row):
        return {"semi_major_km": None, "semi_minor_km": None, "orientation_deg": None,
                "confidence": ELLIPSE_CONFIDENCE}  # fmt: skip
    ell = Ellipse.from_cov(cov_km2, ELLIPSE_CONFIDENCE)
    return {
        "semi_major_km": ell.semi_major_km,
        "semi_minor_km": ell.semi_minor_km,
        "orientation_deg": ell.orientation_deg,
        "confidence": ell.confidence,
    }


def incident_record(
    inc: Incident, *, observation_count: int | None = None, timespec: Timespec = "auto"
) -> dict[str, Any]:
    """The canonical record of an incident, as JSON values at full precision.

    ``inc`` may also be a stand-in with the same attributes and text for the enum fields:
    the API's incident list encodes stored rows so, without building incidents.

    Keys, in order: ``uid``, ``time_start``/``time_end`` (ISO 8601 UTC, to ``timespec``),
    ``lon``/``lat`` (WGS84 degrees), ``cov_km2`` (east/north km²), ``ellipse`` (95%, see
    :func:`ellipse_to_dict`), ``kind``, ``count``, ``confidence`` (0-1), ``status``,
    ``attribution`` (``party``, ``probabilities``, ``method``), ``sources`` (source kinds),
    ``observations`` (uids), ``observation_count`` (``len(observations)`` unless given),
    ``sector``, ``held_by``, ``line_distance_km`` (signed km), ``verdict`` (the agreement
    verdict of the assessment, or None) and ``assessment``.
    """
    loc, att = inc.location, inc.attribution
    assessment = json_value(inc.assessment)
    n = len(inc.observation_uids) if observation_count is None else observation_count
    return {
        "uid": inc.uid,
        "time_start": iso_utc(inc.time_start, timespec),
        "time_end": iso_utc(inc.time_end, timespec),
        "lon": loc.lon,
        "lat": loc.lat,
        "cov_km2": [list(loc.cov_km2[0]), list(loc.cov_km2[1])],
        "ellipse": ellipse_to_dict(loc.cov_km2),
        "kind": str(inc.kind),
        "count": inc.count,
        "confidence": finite(inc.confidence),
        "status": str(inc.status),
        "attribution": {
            "party": att.party,
            "probabilities": json_value(att.probabilities),
            "method": att.method,
        },
        "sources": [str(s) for s in inc.source_kinds],
        "observations": list(inc.observation_uids),
        "observation_count": n,
        "sector": inc.sector,
        "held_by": inc.held_by,
        "line_distance_km": finite(inc.line_distance_km),
        "verdict": assessment.get("agreement_verdict"),
        "assessment": assessment,
    }
