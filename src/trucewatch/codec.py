"""Plain-JSON encodings of the core types (for the store's JSON columns, ``--json`` output
and exports). Times are ISO 8601 strings in UTC; coordinates WGS84 degrees; km; degrees
clockwise from true north."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from trucewatch.types import (
    BearingRangeLocation,
    Incident,
    Location,
    Observation,
    PlaceLocation,
    PointLocation,
)


def iso_utc(t: datetime) -> str:
    """ISO 8601 text of an aware datetime, in UTC, with a ``Z`` suffix."""
    return t.astimezone(UTC).isoformat().replace("+00:00", "Z")


def point_to_dict(p: PointLocation) -> dict[str, Any]:
    return {"lon": p.lon, "lat": p.lat, "cov_km2": [list(p.cov_km2[0]), list(p.cov_km2[1])]}


def point_from_dict(d: dict[str, Any]) -> PointLocation:
    cov = d["cov_km2"]
    return PointLocation(
        lon=float(d["lon"]),
        lat=float(d["lat"]),
        cov_km2=((float(cov[0][0]), float(cov[0][1])), (float(cov[1][0]), float(cov[1][1]))),
    )


def location_to_dict(loc: Location) -> dict[str, Any]:
    """Encode any location form with a ``type`` tag: point, bearing_range or place."""
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


def _observer_from_dict(d: dict[str, Any]) -> PointLocation | PlaceLocation:
    loc = location_from_dict(d)
    if isinstance(loc, BearingRangeLocation):
        raise ValueError("an observer cannot itself be a bearing-range location")
    return loc


def location_anchor(loc: Location) -> tuple[float | None, float | None]:
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


def incident_to_dict(inc: Incident) -> dict[str, Any]:
    """JSON-ready view of an incident, with its 95% ellipse."""
    ell = inc.location.ellipse(0.95)
    return {
        "uid": inc.uid,
        "time_start": iso_utc(inc.time_start),
        "time_end": iso_utc(inc.time_end),
        "lon": inc.location.lon,
        "lat": inc.location.lat,
        "cov_km2": [list(inc.location.cov_km2[0]), list(inc.location.cov_km2[1])],
        "ellipse": {
            "semi_major_km": ell.semi_major_km,
            "semi_minor_km": ell.semi_minor_km,
            "orientation_deg": ell.orientation_deg,
            "confidence": ell.confidence,
        },
        "kind": str(inc.kind),
        "count": inc.count,
        "confidence": inc.confidence,
        "status": str(inc.status),
        "attribution": {
            "party": inc.attribution.party,
            "probabilities": inc.attribution.probabilities,
            "method": inc.attribution.method,
        },
        "sources": [str(s) for s in inc.source_kinds],
        "observations": list(inc.observation_uids),
        "sector": inc.sector,
        "held_by": inc.held_by,
        "line_distance_km": inc.line_distance_km,
        "assessment": inc.assessment,
    }
