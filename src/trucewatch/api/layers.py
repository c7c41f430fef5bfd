"""Map layers as GeoJSON (WGS84): the country outline, contact lines, sectors, the
control area and agreement zones (bands of ``half_width_km`` either side of the line valid
on the chosen day, buffered in the package's local equal-area projection)."""

from __future__ import annotations

from datetime import date
from typing import Any

import shapely
from shapely import wkt
from shapely.geometry import mapping

from trucewatch.app.agreements import stored_agreements
from trucewatch.geo.outline import load_country_outline
from trucewatch.geo.projection import geom_to_lonlat, geom_to_metric
from trucewatch.store import Store
from trucewatch.types import ContactLine


def _geometry(geom: Any, simplify_deg: float) -> dict[str, Any] | None:
    if geom is None or geom.is_empty:
        return None
    if simplify_deg > 0:
        geom = shapely.simplify(geom, simplify_deg, preserve_topology=True)
    return dict(mapping(shapely.set_precision(geom, 1e-5)))


def _collection(features: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": features}


def outline(simplify_deg: float) -> dict[str, Any]:
    """The shipped country outline (© OpenStreetMap contributors, ODbL)."""
    return _collection([{
        "type": "Feature", "id": "outline",
        "geometry": _geometry(load_country_outline(), simplify_deg),
        "properties": {"name": "country outline", "source": "OpenStreetMap contributors (ODbL)"},
    }])  # fmt: skip


def _line_props(line: ContactLine) -> dict[str, Any]:
    return {
        "line_id": line.id, "name": line.name, "valid_from": line.valid_from.isoformat(),
        "length_km": line.length_km, "controlled_by": line.controlled_by,
        "other_party": line.other_party, "source": line.source,
    }  # fmt: skip


def lines_on(store: Store, day: date | None) -> list[ContactLine]:
    """All lines, or the one valid on ``day``."""
    if day is None:
        return store.lines()
    line = store.line_valid_on(day)
    return [] if line is None else [line]


def contact_lines(store: Store, day: date | None, simplify_deg: float) -> dict[str, Any]:
    return _collection([
        {"type": "Feature", "id": ln.id, "properties": _line_props(ln),
         "geometry": _geometry(wkt.loads(ln.geometry_wkt), simplify_deg)}
        for ln in lines_on(store, day)
    ])  # fmt: skip


def control_areas(store: Store, day: date | None, simplify_deg: float) -> dict[str, Any]:
    return _collection([
        {"type": "Feature", "id": ln.id, "properties": _line_props(ln),
         "geometry": _geometry(wkt.loads(ln.control_wkt), simplify_deg)}
        for ln in lines_on(store, day) if ln.control_wkt
    ])  # fmt: skip


def sectors(store: Store, day: date | None, simplify_deg: float) -> dict[str, Any]:
    features = []
    for ln in lines_on(store, day):
        assert ln.id is not None
        for s in store.sectors(ln.id):
            features.append({
                "type": "Feature", "id": f"{ln.id}:{s.index}",
                "geometry": _geometry(wkt.loads(s.geometry_wkt), simplify_deg),
                "properties": {"line_id": ln.id, "index": s.index, "name": s.name,
                               "start_km": s.start_km, "end_km": s.end_km,
                               "valid_from": ln.valid_from.isoformat()},
            })  # fmt: skip
    return _collection(features)


def zones(
    store: Store, day: date | None, agreement: str | None, cache: dict[Any, Any]
) -> dict[str, Any]:
    """Each zone of each stored agreement (or of ``agreement``, a slug) around each line."""
    features = []
    for ag in stored_agreements(store):
        if agreement is not None and ag.slug != agreement:
            continue
        for z in ag.zones:
            for ln in lines_on(store, day):
                key = ("zone", ln.id, z.half_width_km)
                if key not in cache:
                    band = geom_to_metric(wkt.loads(ln.geometry_wkt)).buffer(
                        z.half_width_km * 1000.0, quad_segs=4
                    )
                    cache[key] = _geometry(geom_to_lonlat(band), 0.002)
                features.append({
                    "type": "Feature", "id": f"{ag.slug}:{z.name}:{ln.id}",
                    "geometry": cache[key],
                    "properties": {"agreement": ag.slug, "agreement_id": ag.agreement.id,
                                   "zone": z.name, "kind": z.kind,
                                   "half_width_km": z.half_width_km,
                                   "weapon_class": z.weapon_class,
                                   "description": z.description, "line_id": ln.id,
                                   "valid_from": ln.valid_from.isoformat()},
                })  # fmt: skip
    return _collection(features)
