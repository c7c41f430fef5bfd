"""Make the demo's SYNTHETIC patrol reports (src/trucewatch/demo_data/patrols_synthetic_*.jsonl).

Invented events near the contact line of the bundled DeepStateMap 2025-08-09 control area,
each heard by one to three invented patrols on the Ukrainian-held side, written in the
patrol observation schema with the errors a listener makes: bearing to the nearest
16-point compass word after ~8 degrees of error, a distance range around a +-30% guess,
counts off by a few rounds. Every record says "synthetic": true. Fixed seed: re-running
gives the same file.

    .venv/bin/python scripts/make_demo_patrols.py
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import shapely
import shapely.geometry
import shapely.ops
from pyproj import Geod

from trucewatch.types import COMPASS_16

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "src" / "trucewatch" / "demo_data"
CONTROL = DATA / "control" / "deepstate" / "deepstatemap_data_20250809.geojson"
OUT = DATA / "patrols_synthetic_2025-08-13.jsonl"
GEOD = Geod(ellps="WGS84")
WINDOW = (36.8, 47.6, 38.6, 49.2)  # lon/lat box of the Donetsk front
KINDS = [("artillery", "tube artillery"), ("mortar", "mortar"), ("explosion", None)]


def control_area() -> shapely.Geometry:
    doc = json.loads(CONTROL.read_text())
    geoms = [shapely.geometry.shape(f["geometry"]) for f in doc["features"]]
    return shapely.make_valid(shapely.union_all(geoms))


def ua_point_near_line(rng: np.random.Generator, area, boundary, d_km: tuple[float, float]):
    """A random point outside the control area, d_km from its boundary, inside WINDOW."""
    while True:
        lon, lat = rng.uniform(WINDOW[0], WINDOW[2]), rng.uniform(WINDOW[1], WINDOW[3])
        if area.contains(shapely.Point(lon, lat)):
            continue
        nearest = shapely.ops.nearest_points(boundary, shapely.Point(lon, lat))[0]
        _, _, dist = GEOD.inv(lon, lat, nearest.x, nearest.y)
        if d_km[0] * 1000 <= dist <= d_km[1] * 1000:
            return lon, lat


def compass(bearing: float) -> str:
    return COMPASS_16[round((bearing % 360) / 22.5) % 16]


def main() -> None:
    rng = np.random.default_rng(20250813)
    area = control_area()
    boundary = shapely.intersection(area.boundary, shapely.box(*WINDOW).buffer(0.5))
    records = []
    for event_no in range(14):
        elon, elat = ua_point_near_line(rng, area, boundary, (1.0, 4.0))
        hour = int(rng.integers(6, 19))
        minute = int(rng.integers(0, 60))
        kind, weapon = KINDS[int(rng.integers(0, len(KINDS)))]
        rounds = int(rng.integers(2, 30))
        for listener in range(int(rng.integers(1, 4))):
            az = rng.uniform(0, 360)
            d = rng.uniform(2.0, 7.0)
            olon, olat, _ = GEOD.fwd(elon, elat, az, d * 1000)
            if area.contains(shapely.Point(olon, olat)):
                continue  # monitors stand on the Ukrainian-held side in this demo
            bearing, _, dist_m = GEOD.inv(olon, olat, elon, elat)
            heard_km = dist_m / 1000 * rng.uniform(0.8, 1.2)
            start = f"{hour:02d}:{max(0, minute - 20):02d}"
            end = f"{min(23, hour + 1):02d}:{minute:02d}"
            records.append({
                "date": "2025-08-13",
                "observer_place": f"synthetic observation post E{event_no}-{listener}",
                "observer_reference": None,
                "observer_lon": round(olon, 5),
                "observer_lat": round(olat, 5),
                "time_start": start,
                "time_end": end,
                "timezone": "Europe/Kyiv",
                "source_id": f"synthetic-patrol-{event_no}-{listener}",
                "reliability": "B",
                "credibility": 2,
                "synthetic": True,
                "events": [{
                    "count": max(1, rounds + int(rng.integers(-3, 4))),
                    "kind": kind,
                    "weapon": weapon,
                    "flow": "incoming",
                    "directions": [compass(bearing + rng.normal(0, 8))],
                    "distance_km_min": round(max(0.5, heard_km * 0.7), 1),
                    "distance_km_max": round(heard_km * 1.3, 1),
                }],
            })
    OUT.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))
    print(f"wrote {len(records)} synthetic patrol reports to {OUT}")


if __name__ == "__main__":
    main()
