"""Map layers as GeoJSON (WGS84 lon/lat): the country outline, the sea coast, places
(settlements and oblast names), contact lines, sectors, the control area and agreement
zones (bands of ``half_width_km`` either side of the line valid on the chosen UTC day,
buffered in the package's local equal-area projection). Every layer needs
:data:`~trucewatch.app.roles.Permission.READ_MAP_LAYERS`; ``simplify_deg`` is a
simplification tolerance in degrees (0: none)."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

import shapely
from shapely import wkt
from shapely.geometry import mapping

from trucewatch.app.agreements import stored_agreements
from trucewatch.app.roles import Permission, Principal, require
from trucewatch.app.session import Store
from trucewatch.geo import places as geo_places
from trucewatch.geo.outline import load_country_outline
from trucewatch.geo.projection import geom_to_lonlat, geom_to_metric
from trucewatch.store import queries as q
from trucewatch.types import ContactLine

LineLayer = Literal["lines", "sectors", "control"]
"""The layers drawn from the stored contact lines."""


def _geometry(geom: Any, simplify_deg: float) -> dict[str, Any] | None:
    if geom is None or geom.is_empty:
        return None
    if simplify_deg > 0:
        geom = shapely.simplify(geom, simplify_deg, preserve_topology=True)
    return dict(mapping(shapely.set_precision(geom, 1e-5)))


def _collection(features: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": features}


def outline(simplify_deg: float, *, principal: Principal) -> dict[str, Any]:
    """The shipped country outline (© OpenStreetMap contributors, ODbL)."""
    require(principal, Permission.READ_MAP_LAYERS)
    return _collection([{
        "type": "Feature", "id": "outline",
        "geometry": _geometry(load_country_outline(), simplify_deg),
        "properties": {"name": "country outline", "source": "OpenStreetMap contributors (ODbL)"},
    }])  # fmt: skip


def coast(*, principal: Principal) -> dict[str, Any]:
    """The shipped sea coast (NOAA GLOBE land/sea grid, about 1 km)."""
    require(principal, Permission.READ_MAP_LAYERS)
    return _collection([{
        "type": "Feature", "id": "coast", "geometry": _geometry(geo_places.load_coast(), 0.0),
        "properties": {"name": "coast", "source": "NOAA GLOBE via global-land-mask"},
    }])  # fmt: skip


def places(min_population: int, language: str, *, principal: Principal) -> dict[str, Any]:
    """Settlements with at least ``min_population`` inhabitants (GeoNames; largest first,
    ``kind`` settlement) and the oblasts' names (``kind`` oblast; ``name`` in
    ``language`` when known, else English; ``names`` in every language)."""
    require(principal, Permission.READ_MAP_LAYERS)
    features: list[dict[str, Any]] = [{
        "type": "Feature", "id": f"oblast:{o.admin1}",
        "geometry": {"type": "Point", "coordinates": [o.lon, o.lat]},
        "properties": {"kind": "oblast", "name": o.names.get(language) or o.names["en"],
                       "names": o.names, "admin1": o.admin1},
    } for o in geo_places.oblast_labels()]  # fmt: skip
    for p in geo_places.settlements(min_population):
        features.append({
            "type": "Feature", "id": f"geonames:{p['geonameid']}",
            "geometry": {"type": "Point", "coordinates": [p["lon"], p["lat"]]},
            "properties": {"kind": "settlement", "name": p["name"],
                           "population": p["population"], "country": p["country"]},
        })  # fmt: skip
    return _collection(features)


def _line_props(line: ContactLine) -> dict[str, Any]:
    return {
        "line_id": line.id, "name": line.name, "valid_from": line.valid_from.isoformat(),
        "length_km": line.length_km, "controlled_by": line.controlled_by,
        "other_party": line.other_party, "source": line.source,
    }  # fmt: skip


def lines_version(store: Store) -> tuple[tuple[int, str], ...]:
    """What changes whenever a stored line changes (a key for caching the line layers)."""
    with store.engine.connect() as conn:
        return q.line_versions(conn)


def line_layer(
    store: Store, layer: LineLayer, day: date | None, simplify_deg: float, *,
    principal: Principal,
) -> dict[str, Any]:
    """The contact lines, their sectors or their control areas: of every line, or of the
    one valid on ``day``."""
    require(principal, Permission.READ_MAP_LAYERS)
    make = {"lines": _contact_lines, "sectors": _sectors, "control": _control_areas}[layer]
    return make(store, day, simplify_deg)


def _lines_on(store: Store, day: date | None) -> list[ContactLine]:
    """All lines, or the one valid on ``day``."""
    if day is None:
        return store.lines()
    line = store.line_valid_on(day)
    return [] if line is None else [line]


def _contact_lines(store: Store, day: date | None, simplify_deg: float) -> dict[str, Any]:
    return _collection([
        {"type": "Feature", "id": ln.id, "properties": _line_props(ln),
         "geometry": _geometry(wkt.loads(ln.geometry_wkt), simplify_deg)}
        for ln in _lines_on(store, day)
    ])  # fmt: skip


def _control_areas(store: Store, day: date | None, simplify_deg: float) -> dict[str, Any]:
    return _collection([
        {"type": "Feature", "id": ln.id, "properties": _line_props(ln),
         "geometry": _geometry(wkt.loads(ln.control_wkt), simplify_deg)}
        for ln in _lines_on(store, day) if ln.control_wkt
    ])  # fmt: skip


def _sectors(store: Store, day: date | None, simplify_deg: float) -> dict[str, Any]:
    features = []
    for ln in _lines_on(store, day):
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
    store: Store, day: date | None, agreement: str | None, cache: dict[Any, Any], *,
    principal: Principal,
) -> dict[str, Any]:
    """Each zone of each stored agreement (or of ``agreement``, a slug) around each line;
    the bands are kept in ``cache`` (by line and width)."""
    require(principal, Permission.READ_MAP_LAYERS)
    features = []
    for ag in stored_agreements(store):
        if agreement is not None and ag.slug != agreement:
            continue
        for z in ag.zones:
            for ln in _lines_on(store, day):
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
