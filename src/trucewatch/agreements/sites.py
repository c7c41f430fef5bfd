"""Protected sites: reading them from GeoJSON and measuring distances to them.

A sites file is a GeoJSON FeatureCollection (or a single Feature or geometry) of Point,
MultiPoint, Polygon or MultiPolygon features in WGS84 lon/lat (RFC 7946). A feature's
``name`` property names the site. Distances are measured in the local metric CRS of
:mod:`trucewatch.geo.projection` (error below 0.2 % over Ukraine), in km: to the point,
or to the polygon's edge (0 inside).
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from numpy.typing import ArrayLike, NDArray
from shapely.geometry import mapping, shape
from shapely.geometry.base import BaseGeometry

from trucewatch.agreements.model import Site, SiteSet
from trucewatch.agreements.problem import AgreementProblem
from trucewatch.geo.projection import geom_to_metric, to_local_m

__all__ = [
    "SITE_GEOMETRY_TYPES",
    "NearestSite",
    "SiteIndex",
    "canonical_geojson",
    "read_sites_file",
    "sites_from_geojson",
]

SITE_GEOMETRY_TYPES: tuple[str, ...] = ("Point", "MultiPoint", "Polygon", "MultiPolygon")


def read_sites_file(path: Path, field: str) -> tuple[dict[str, Any], str]:
    """The GeoJSON document of a sites file and the SHA-256 of its bytes.

    Raises
    ------
    AgreementProblem
        The file is missing or unreadable, or not JSON (with the JSON line and column).
    """
    if not path.is_file():
        raise AgreementProblem(field, f"sites file not found: {path}")
    try:
        data = path.read_bytes()
        doc = json.loads(data.decode("utf-8"))
    except OSError as e:
        raise AgreementProblem(field, f"cannot read sites file {path}: {e.strerror}") from None
    except UnicodeDecodeError:
        raise AgreementProblem(field, f"{path.name} is not UTF-8 text") from None
    except json.JSONDecodeError as e:
        raise AgreementProblem(
            field, f"{path.name} is not valid GeoJSON: {e.msg} at line {e.lineno}, "
            f"column {e.colno}"
        ) from None
    return doc, hashlib.sha256(data).hexdigest()


def _features(doc: Any, where: str, field: str) -> list[dict[str, Any]]:
    if not isinstance(doc, dict) or "type" not in doc:
        raise AgreementProblem(field, f"{where} is not GeoJSON (no 'type' member)")
    kind = doc["type"]
    if kind == "FeatureCollection":
        feats = doc.get("features")
        if not isinstance(feats, list):
            raise AgreementProblem(field, f"{where}: 'features' must be a list")
        return feats
    if kind == "Feature":
        return [doc]
    return [{"type": "Feature", "properties": {}, "geometry": doc}]


def _check_coordinates(geom: BaseGeometry, where: str, field: str) -> None:
    xy = shapely.get_coordinates(geom)
    if len(xy) == 0:
        raise AgreementProblem(field, f"{where}: empty geometry")
    if not np.isfinite(xy).all():
        raise AgreementProblem(field, f"{where}: coordinates must be finite numbers")
    lon, lat = xy[:, 0], xy[:, 1]
    if (np.abs(lon) > 180).any() or (np.abs(lat) > 90).any():
        raise AgreementProblem(
            field, f"{where}: coordinates out of range (GeoJSON is longitude, latitude in "
            "degrees, longitude first)"
        )


def sites_from_geojson(
    doc: Any, *, buffer_km: float, label: str = "", file: str = "", sha256: str = "",
    field: str = "sites",
) -> SiteSet:
    """Protected sites from a GeoJSON document (WGS84).

    Raises
    ------
    AgreementProblem
        Not GeoJSON, no features, a geometry type other than Point/MultiPoint/Polygon/
        MultiPolygon, coordinates out of range, or an invalid polygon.
    """
    where = file or "the sites"
    sites: list[Site] = []
    for i, feat in enumerate(_features(doc, where, field)):
        fw = f"{where}, feature {i}"
        if not isinstance(feat, dict) or feat.get("type") != "Feature":
            raise AgreementProblem(field, f"{fw}: not a GeoJSON Feature")
        geom_doc = feat.get("geometry")
        if not isinstance(geom_doc, dict):
            raise AgreementProblem(field, f"{fw}: no geometry")
        gtype = geom_doc.get("type")
        if gtype not in SITE_GEOMETRY_TYPES:
            raise AgreementProblem(
                field, f"{fw}: geometry type {gtype!r} is not supported (use "
                + ", ".join(SITE_GEOMETRY_TYPES) + ")"
            )
        try:
            geom = shape(geom_doc)
        except (ValueError, TypeError, AttributeError, IndexError, KeyError,
                shapely.errors.GEOSException) as e:
            raise AgreementProblem(field, f"{fw}: bad {gtype} coordinates ({e})") from None
        _check_coordinates(geom, fw, field)
        if not geom.is_valid:
            raise AgreementProblem(
                field, f"{fw}: invalid {gtype}: {shapely.is_valid_reason(geom)}"
            )
        props = feat.get("properties") or {}
        if not isinstance(props, dict):
            raise AgreementProblem(field, f"{fw}: 'properties' must be an object")
        name = str(props.get("name") or f"site {i + 1}")
        sites.append(Site(name=name, geometry=geom, properties=dict(props)))
    if not sites:
        raise AgreementProblem(field, f"{where} has no sites")
    return SiteSet(sites=tuple(sites), buffer_km=buffer_km, label=label, file=file,
                   sha256=sha256)


def canonical_geojson(sites: SiteSet) -> dict[str, Any]:
    """The sites as a GeoJSON FeatureCollection (for the stored definition)."""
    return {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": s.properties,
             "geometry": mapping(s.geometry)}
            for s in sites.sites
        ],
    }


@dataclass(frozen=True)
class NearestSite:
    """For each query point: the nearest site (index, -1 if none) and its distance (km,
    NaN if none)."""

    index: NDArray[np.int64]
    distance_km: NDArray[np.float64]


class SiteIndex:
    """Nearest protected site of many points (an STRtree in the local metric CRS)."""

    def __init__(self, sites: Sequence[Site]) -> None:
        self.sites = tuple(sites)
        self._metric = np.array([geom_to_metric(s.geometry) for s in self.sites], dtype=object)
        self._tree = shapely.STRtree(self._metric)

    def nearest(self, lon: ArrayLike, lat: ArrayLike) -> NearestSite:
        """Nearest site to each point (WGS84 degrees, 1-D arrays); distance in km."""
        lon_a = np.atleast_1d(np.asarray(lon, dtype=np.float64))
        lat_a = np.atleast_1d(np.asarray(lat, dtype=np.float64))
        index = np.full(lon_a.shape, -1, dtype=np.int64)
        dist = np.full(lon_a.shape, math.nan)
        ok = np.isfinite(lon_a) & np.isfinite(lat_a)
        if not ok.any() or not self.sites:
            return NearestSite(index, dist)
        x, y = to_local_m(lon_a[ok], lat_a[ok])
        points = shapely.points(x, y)
        pairs, d = self._tree.query_nearest(points, return_distance=True, all_matches=False)
        rows = np.flatnonzero(ok)[pairs[0]]
        index[rows] = pairs[1]
        dist[rows] = d / 1000.0
        return NearestSite(index, dist)
