"""An ``incidents`` row as a GeoJSON feature: the shape of the incident list, the live
stream and the webhook alerts (WGS84 lon/lat, times UTC, the 95% ellipse in km)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from trucewatch.codec import incident_record
from trucewatch.export import geojson

__all__ = ["FEATURE_PROPERTIES", "feature_from_row"]

FEATURE_PROPERTIES: tuple[str, ...] = (
    "uid", "time_start", "time_end", "kind", "count", "confidence", "status", "attribution",
    "sources", "observation_count", "sector", "held_by", "line_distance_km", "ellipse",
    "verdict", "assessment",
)  # fmt: skip
"""Properties of an incident feature (the :class:`IncidentFeature` shape), in order."""


def feature_from_row(r: Any, observation_count: int) -> dict[str, Any]:
    """An ``incidents`` row as a GeoJSON feature (the :class:`IncidentFeature` shape),
    without building core objects: the fast path of the incident list."""
    att = r.attribution if isinstance(r.attribution, dict) else {}
    fields: Any = SimpleNamespace(  # an Incident's attributes (codec.incident_record)
        uid=r.uid, time_start=r.time_start, time_end=r.time_end,
        location=SimpleNamespace(lon=r.lon, lat=r.lat,
                                 cov_km2=((r.cov_ee, r.cov_en), (r.cov_en, r.cov_nn))),
        kind=r.kind, count=r.count, confidence=r.confidence, status=r.status,
        attribution=SimpleNamespace(party=att.get("party", r.attribution_party),
                                    probabilities=att.get("probabilities", {}),
                                    method=att.get("method", "")),
        observation_uids=(), source_kinds=r.source_kinds or (), sector=r.sector,
        held_by=r.held_by, line_distance_km=r.line_distance_km,
        assessment=r.assessment if isinstance(r.assessment, dict) else {},
    )  # fmt: skip
    record = incident_record(fields, observation_count=observation_count)
    return geojson.feature(record, FEATURE_PROPERTIES)
