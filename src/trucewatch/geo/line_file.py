"""Reading control-area and contact-line files: GeoJSON or WKT, WGS84 lon/lat (EPSG:4326).

A file holds either control polygons (the area held by one party, from which
:mod:`trucewatch.geo.contact_line` derives the line) or the line itself.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

import numpy as np
import shapely
from shapely.geometry import MultiLineString, shape
from shapely.geometry.base import BaseGeometry

from trucewatch.errors import InputError, RecordError
from trucewatch.geo.shapes import line_parts, polygonal_parts

__all__ = ["LineKind", "read_line_file"]

LineKind = Literal["control", "line"]

_POLYGONAL = {"Polygon", "MultiPolygon"}
_LINEAR = {"LineString", "MultiLineString"}


def _fail(path: Path, record: int | None, field: str | None, message: str) -> InputError:
    return InputError(RecordError(str(path), record, field, message))


def _load_json(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise _fail(path, None, None, "file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise _fail(path, None, None, f"cannot read file: {exc}") from None
    if not text.strip():
        raise _fail(path, None, None, "file is empty")
    stripped = text.lstrip()
    if not stripped.startswith(("{", "[")):
        return _parse_wkt(path, stripped)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise _fail(path, exc.lineno, None, f"not valid JSON: {exc.msg}") from None


def _parse_wkt(path: Path, text: str) -> dict[str, Any]:
    """A WKT geometry as a GeoJSON-like feature collection (one feature per line)."""
    features: list[dict[str, Any]] = []
    for lineno, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            geom = shapely.from_wkt(raw.strip())
        except shapely.errors.GEOSException as exc:
            raise _fail(path, lineno, "geometry", f"neither GeoJSON nor WKT: {exc}") from None
        features.append({"type": "Feature", "geometry": shapely.geometry.mapping(geom)})
    return {"type": "FeatureCollection", "features": features}


def _check_crs(path: Path, data: dict[str, Any]) -> None:
    crs = data.get("crs")
    if not isinstance(crs, dict):
        return
    name = str(crs.get("properties", {}).get("name", ""))
    if name and not any(k in name.upper() for k in ("CRS84", "4326", "WGS84", "WGS 84")):
        raise _fail(path, None, "crs", f"unsupported CRS {name!r}; expected WGS84 lon/lat")


def _features(path: Path, data: Any) -> list[dict[str, Any]]:
    if not isinstance(data, dict):
        raise _fail(path, None, None, "not a GeoJSON object")
    kind = data.get("type")
    if kind == "FeatureCollection":
        feats = data.get("features")
        if not isinstance(feats, list):
            raise _fail(path, None, "features", "FeatureCollection without a features list")
        return feats
    if kind == "Feature":
        return [data]
    if kind in _POLYGONAL | _LINEAR | {"Point", "MultiPoint", "GeometryCollection"}:
        return [{"type": "Feature", "geometry": data}]
    raise _fail(path, None, "type", f"unsupported GeoJSON type {kind!r}")


def _feature_geometry(path: Path, index: int, feature: Any) -> BaseGeometry | None:
    record = index + 1
    if not isinstance(feature, dict):
        raise _fail(path, record, None, "feature is not an object")
    gj = feature.get("geometry")
    if gj is None:
        return None  # null geometry: allowed by GeoJSON, skipped
    try:
        geom = shape(gj)
    except Exception as exc:  # shapely raises several types for malformed input
        raise _fail(path, record, "geometry", f"malformed geometry: {exc}") from None
    if geom.is_empty:
        return None
    if geom.geom_type not in _POLYGONAL | _LINEAR:
        raise _fail(
            path, record, "geometry",
            f"unsupported geometry type {geom.geom_type}; expected (Multi)Polygon or "
            "(Multi)LineString",
        )  # fmt: skip
    coords = shapely.get_coordinates(geom)
    if not np.isfinite(coords).all():
        raise _fail(path, record, "geometry", "non-finite coordinates")
    lon, lat = coords[:, 0], coords[:, 1]
    if (np.abs(lon) > 180.0).any() or (np.abs(lat) > 90.0).any():
        raise _fail(path, record, "geometry", "coordinates out of range for WGS84 lon/lat degrees")
    return geom


def read_line_file(path: str | Path) -> tuple[LineKind, BaseGeometry]:
    """Read a control-area or contact-line file.

    Parameters
    ----------
    path : str or Path
        GeoJSON (FeatureCollection, Feature or bare geometry; WGS84 lon/lat) or a text file
        with one WKT geometry per line. All features must be polygonal (control areas) or
        all linear (a line given directly); null and empty geometries are skipped.

    Returns
    -------
    kind : {"control", "line"}
        ``"control"`` for (Multi)Polygon features, ``"line"`` for (Multi)LineString ones.
    geometry : shapely geometry
        For ``"control"``: the valid polygonal union of all features (a MultiPolygon,
        repaired with :func:`shapely.make_valid`). For ``"line"``: a MultiLineString of
        all parts in file order (not merged). WGS84 lon/lat degrees.

    Raises
    ------
    trucewatch.errors.InputError
        With a :class:`~trucewatch.errors.RecordError` naming the file, the 1-based
        feature number (or JSON line) and the field, for unreadable, empty, mixed or
        unsupported input.
    """
    p = Path(path)
    data = _load_json(p)
    if isinstance(data, dict):
        _check_crs(p, data)
    features = _features(p, data)
    if not features:
        raise _fail(p, None, "features", "no features")
    polys: list[BaseGeometry] = []
    lines: list[BaseGeometry] = []
    first_kind: tuple[int, str] | None = None
    for i, feature in enumerate(features):
        geom = _feature_geometry(p, i, feature)
        if geom is None:
            continue
        kind = "control" if geom.geom_type in _POLYGONAL else "line"
        if first_kind is None:
            first_kind = (i, kind)
        elif first_kind[1] != kind:
            raise _fail(
                p, i + 1, "geometry",
                f"{geom.geom_type} mixed with {first_kind[1]} geometries "
                f"(feature {first_kind[0] + 1}); a file holds either control polygons "
                "or lines",
            )  # fmt: skip
        (polys if kind == "control" else lines).append(geom)
    if first_kind is None:
        raise _fail(p, None, "geometry", "no non-empty geometry in the file")
    if polys:
        repaired = shapely.make_valid(np.asarray(polys, dtype=object), method="structure")
        union = shapely.union_all(repaired)
        control = polygonal_parts(union)
        if control.is_empty or control.area == 0.0:
            raise _fail(p, None, "geometry", "control polygons have no area")
        return "control", control
    parts = [part for geom in lines for part in line_parts(geom)]
    if not parts:
        raise _fail(p, None, "geometry", "lines have no length")
    return "line", MultiLineString(parts)
