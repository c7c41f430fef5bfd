"""Exports of incidents: GeoJSON (RFC 7946, WGS84) and CSV.

Each incident is one point feature / row with its time window (UTC), 95% uncertainty
ellipse (km, degrees from true north), kind, count, confidence, status, attribution,
sector, holder of the location, signed distance to the line (km) and source kinds.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from trucewatch.codec import incident_to_dict
from trucewatch.types import Incident

FORMATS = ("geojson", "csv")

CSV_COLUMNS = (
    "uid", "time_start", "time_end", "lon", "lat", "semi_major_km", "semi_minor_km",
    "orientation_deg", "kind", "count", "confidence", "status", "attribution_party",
    "sector", "held_by", "line_distance_km", "sources", "observations",
)  # fmt: skip


def _flat(inc: Incident) -> dict[str, Any]:
    d = incident_to_dict(inc)
    ellipse = d.pop("ellipse")
    return {
        **{k: d[k] for k in ("uid", "time_start", "time_end", "lon", "lat", "kind", "count",
                             "confidence", "status", "sector", "held_by", "line_distance_km")},
        "semi_major_km": round(ellipse["semi_major_km"], 3),
        "semi_minor_km": round(ellipse["semi_minor_km"], 3),
        "orientation_deg": round(ellipse["orientation_deg"], 1),
        "attribution_party": d["attribution"]["party"],
        "sources": ";".join(d["sources"]),
        "observations": len(d["observations"]),
    }  # fmt: skip


def to_geojson(incidents: Sequence[Incident]) -> dict[str, Any]:
    """A GeoJSON FeatureCollection of incident points with all their properties."""
    features = []
    for inc in incidents:
        props = incident_to_dict(inc)
        features.append({
            "type": "Feature",
            "id": inc.uid,
            "geometry": {"type": "Point", "coordinates": [inc.location.lon, inc.location.lat]},
            "properties": {k: v for k, v in props.items() if k not in ("lon", "lat")},
        })  # fmt: skip
    return {"type": "FeatureCollection", "features": features}


def write_incidents(incidents: Sequence[Incident], path: Path, fmt: str) -> int:
    """Write incidents to ``path`` in ``fmt`` (one of :data:`FORMATS`); returns the count."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "geojson":
        path.write_text(json.dumps(to_geojson(incidents)) + "\n", encoding="utf-8")
    elif fmt == "csv":
        with path.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=CSV_COLUMNS)
            writer.writeheader()
            writer.writerows(_flat(i) for i in incidents)
    else:
        raise ValueError(f"unknown export format {fmt!r}")
    return len(incidents)
