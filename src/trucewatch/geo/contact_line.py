"""Deriving the line of contact from control polygons.

The line of contact is the part of the boundary of the area held by one party (the
*control area*, e.g. a DeepStateMap or ISW polygon of Russian-held territory) that faces
territory held by the other party. It is derived in the local metric CRS of
:mod:`trucewatch.geo.projection`:

1. *Territory*: the country outline with every hole filled. Internal water bodies (the
   Dnipro, its reservoirs, lakes) belong to the country: the part of a river or reservoir
   outside the control area is the other party's. Optionally (``water_gap_km > 0``) the
   territory is also closed morphologically so that channels open to the sea narrower than
   ``water_gap_km`` count as internal water (for outlines whose rivers reach the sea).
2. *Other party's territory*: territory minus the control area, without pieces smaller
   than ``min_area_km2``.
3. *Line*: the control boundary that lies inside the territory at least ``border_km`` from
   its exterior ring (so not along an international border nor a sea coast, with a
   tolerance for the two sources drawing them differently) and within ``adjacency_km`` of
   the other party's territory; merged (:func:`shapely.line_merge`), parts shorter than
   ``min_fragment_km`` dropped, each part oriented with the control area on its left
   (for the Russian-held areas of 2022-2026 the main part then runs from the Russian
   border in the north-east south to Donetsk, then west to the Dnipro and down it).

A stretch where the control boundary runs along or through a river or reservoir is kept
however wide the water is (the Kakhovka reservoir is up to 20 km wide): the water is
territory and its far side is the other party's. The line ends about ``border_km`` before
it meets the international border or the coast.

All inputs and outputs are WGS84 lon/lat (EPSG:4326). Control-area and line files are read
by :mod:`trucewatch.geo.line_file`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import shapely
from shapely.geometry import LineString, MultiLineString, MultiPolygon
from shapely.geometry.base import BaseGeometry

from trucewatch.geo.borders import (
    across_contact_metric,
    border_contact_metric,
    border_stretch_metric,
    neighbour_strip_metric,
)
from trucewatch.geo.front_parts import (
    ACROSS,
    LAND,
    STATE_BORDER,
    LinePart,
    label_land_and_water,
    labelled_parts,
    lengths_by_label,
    water_bodies,
)
from trucewatch.geo.outline import fill_holes, load_country_outline
from trucewatch.geo.projection import geodesic_length_km, geom_to_lonlat, geom_to_metric
from trucewatch.geo.shapes import line_parts, polygonal_parts

__all__ = [
    "DEFAULT_ACROSS_KM",
    "DEFAULT_ADJACENCY_KM",
    "DEFAULT_BORDER_KM",
    "DEFAULT_MIN_AREA_KM2",
    "DEFAULT_MIN_FRAGMENT_KM",
    "DEFAULT_SIMPLIFY_M",
    "DEFAULT_WATER_GAP_KM",
    "WHOLE_FRONT",
    "ContactLineParams",
    "DerivedLine",
    "derive",
    "derive_contact_line",
    "derive_contact_line_metric",
    "line_length_km",
    "line_parts",
    "merge_lines",
    "orient_line_parts",
    "prepare_control",
    "territory_metric",
]

DEFAULT_SIMPLIFY_M = 100.0
DEFAULT_BORDER_KM = 1.0
DEFAULT_WATER_GAP_KM = 0.0
DEFAULT_ADJACENCY_KM = 1.0
DEFAULT_MIN_AREA_KM2 = 20.0
DEFAULT_MIN_FRAGMENT_KM = 1.0
DEFAULT_ACROSS_KM = 50.0
_QUAD_SEGS = 4



# --------------------------------------------------------------------------- helpers


def merge_lines(geom: BaseGeometry, *, min_length: float = 0.0) -> MultiLineString:
    """Merge touching line pieces (:func:`shapely.line_merge`) and drop short parts.

    ``min_length`` is in the units of the CRS (metres in the local metric CRS).
    """
    parts = line_parts(geom)
    if not parts:
        return MultiLineString()
    merged = shapely.line_merge(MultiLineString(parts))
    return MultiLineString([p for p in line_parts(merged) if p.length >= min_length])


@dataclass(frozen=True, kw_only=True)
class ContactLineParams:
    """Parameters of :func:`derive_contact_line` (applied in the local metric CRS).

    Attributes
    ----------
    simplify_m : float
        Douglas-Peucker tolerance (m) for the control area and the country outline.
    border_km : float
        Control boundary within this distance (km) of the outline's exterior - the
        international border and the sea coast - is not line. It absorbs the differences
        between the border/coast drawn by the control-area source and by the outline.
    water_gap_km : float
        If > 0, water channels open to the sea narrower than this (km) are closed
        morphologically and count as internal water (needed only for outlines whose
        rivers are not holes; the shipped outline needs none: 0).
    adjacency_km : float
        Control boundary further than this (km) from the other party's territory is not
        line.
    min_area_km2 : float
        Pieces of the other party's territory smaller than this (km²) are ignored (specks
        left by the overlay, bays closed by ``water_gap_km``).
    min_fragment_km : float
        Line parts shorter than this (km) are dropped.
    border_with : tuple of str
        Neighbours (ISO codes, keys of :data:`trucewatch.geo.borders.STATE_BORDERS`)
        whose land counts as held by the control area's party: the state border with
        them is line where the other party holds the Ukrainian side. Empty: the line of
        contact inside the country only; :data:`WHOLE_FRONT` has ``("RU",)``. Belarus is
        not a party and is named only when an agreement makes it one.
    across_km : float
        Depth (km) of the neighbours' land beyond the border that is added to the area
        held by the control area's party (so points there are on that side of the line).
    """

    simplify_m: float = DEFAULT_SIMPLIFY_M
    border_km: float = DEFAULT_BORDER_KM
    water_gap_km: float = DEFAULT_WATER_GAP_KM
    adjacency_km: float = DEFAULT_ADJACENCY_KM
    min_area_km2: float = DEFAULT_MIN_AREA_KM2
    min_fragment_km: float = DEFAULT_MIN_FRAGMENT_KM
    border_with: tuple[str, ...] = ()
    across_km: float = DEFAULT_ACROSS_KM


WHOLE_FRONT = ContactLineParams(border_with=("RU",))
"""The whole front: the line of contact and the state border with Russia where
Ukrainian-held land faces it (the default of ``trucewatch line import`` and the
simulator)."""


def prepare_control(control: BaseGeometry, simplify_m: float) -> MultiPolygon:
    """Repair, project to the local metric CRS (m), simplify and orient a control area.

    Parameters
    ----------
    control : shapely geometry
        Polygonal area in WGS84 lon/lat (may be invalid; repaired first).
    simplify_m : float
        Topology-preserving simplification tolerance in metres (0: none).

    Returns
    -------
    MultiPolygon
        Valid, in the local metric CRS (m), exteriors counter-clockwise (the area is on the
        left of its boundary).
    """
    valid = shapely.make_valid(control, method="structure")
    metric = geom_to_metric(polygonal_parts(valid))
    if simplify_m > 0:
        metric = shapely.simplify(metric, simplify_m, preserve_topology=True)
    out = polygonal_parts(shapely.make_valid(metric, method="structure"))
    return MultiPolygon(polygonal_parts(shapely.orient_polygons(out)).geoms)


def territory_metric(
    country_m: BaseGeometry, *, simplify_m: float = 0.0, water_gap_km: float = 0.0
) -> MultiPolygon:
    """The country's territory in the local metric CRS: land plus internal water.

    Every hole of the outline (rivers, reservoirs, lakes) is filled; with
    ``water_gap_km > 0`` the result is also closed morphologically (buffer ``+r`` then
    ``-r``, ``r = water_gap_km / 2``) so that channels open to the sea narrower than
    ``water_gap_km`` count as internal water too.
    """
    terr: BaseGeometry = fill_holes(country_m)
    if simplify_m > 0:
        terr = shapely.simplify(terr, simplify_m, preserve_topology=True)
    if water_gap_km > 0:
        r = water_gap_km * 500.0
        grown = shapely.buffer(terr, r, quad_segs=_QUAD_SEGS)
        terr = shapely.buffer(grown, -r, quad_segs=_QUAD_SEGS)
    return polygonal_parts(shapely.make_valid(terr))


def _other_territory(
    territory: BaseGeometry, control_m: BaseGeometry, min_area_km2: float
) -> MultiPolygon:
    """Territory outside the control area, without pieces smaller than min_area_km2."""
    other = shapely.difference(territory, control_m)
    return MultiPolygon([p for p in polygonal_parts(other).geoms if p.area >= min_area_km2 * 1e6])


def orient_line_parts(
    lines_m: MultiLineString, control_m: BaseGeometry, *, probe_m: float = 30.0
) -> MultiLineString:
    """Orient each part so that the control area lies on its left (metric CRS, metres).

    The side is decided by a length-weighted vote over the segments of the part: a point
    ``probe_m`` to the left and one to the right of each segment midpoint are tested
    against the control area.
    """
    shapely.prepare(control_m)
    out: list[LineString] = []
    for part in lines_m.geoms:
        xy = shapely.get_coordinates(part)
        d = np.diff(xy, axis=0)
        seg_len = np.hypot(d[:, 0], d[:, 1])
        ok = seg_len > 0
        if not ok.any():
            continue
        mid = (xy[:-1][ok] + xy[1:][ok]) / 2.0
        left_unit = np.column_stack([-d[ok, 1], d[ok, 0]]) / seg_len[ok, None]
        left = mid + probe_m * left_unit
        right = mid - probe_m * left_unit
        in_left = shapely.contains_xy(control_m, left[:, 0], left[:, 1])
        in_right = shapely.contains_xy(control_m, right[:, 0], right[:, 1])
        score = float(np.sum(seg_len[ok] * (in_left.astype(float) - in_right)))
        out.append(part if score >= 0 else shapely.reverse(part))
    return MultiLineString(out)


def _order_parts(lines: MultiLineString) -> MultiLineString:
    """Stable order of parts: longest first (ties broken by the start coordinate)."""
    parts = list(lines.geoms)
    parts.sort(key=lambda p: (-round(p.length, 1), tuple(np.round(p.coords[0], 1))))
    return MultiLineString(parts)


def derive_contact_line_metric(
    control_m: BaseGeometry,
    country_m: BaseGeometry,
    params: ContactLineParams | None = None,
    *,
    territory_m: BaseGeometry | None = None,
) -> MultiLineString:
    """:func:`derive_contact_line` on geometries already in the local metric CRS (m).

    The line of contact inside the country only (``params.border_with`` is not used here;
    :func:`derive` adds the state border).

    Parameters
    ----------
    control_m : shapely geometry
        Control area in metres, valid; best from :func:`prepare_control`.
    country_m : shapely geometry
        Country outline in metres (land, water bodies as holes).
    params : ContactLineParams, optional
        Tolerances; defaults to :class:`ContactLineParams()`.
    territory_m : shapely geometry, optional
        :func:`territory_metric` of ``country_m`` with these params, if already computed.

    Returns
    -------
    MultiLineString
        The line in metres, each part with the control area on its left, longest first.
    """
    p = params or ContactLineParams()
    territory = territory_m
    if territory is None:
        territory = territory_metric(
            country_m, simplify_m=p.simplify_m, water_gap_km=p.water_gap_km
        )
    other = _other_territory(territory, control_m, p.min_area_km2)
    if other.is_empty:
        return MultiLineString()
    inner = shapely.buffer(territory, -p.border_km * 1000.0, quad_segs=_QUAD_SEGS)
    near = shapely.buffer(other, p.adjacency_km * 1000.0, quad_segs=_QUAD_SEGS)
    boundary = shapely.boundary(control_m)
    line = shapely.intersection(shapely.intersection(boundary, inner), near)
    merged = merge_lines(line, min_length=p.min_fragment_km * 1000.0)
    if merged.is_empty:
        return merged
    oriented = orient_line_parts(merged, control_m)
    # pieces that touch end to start after orientation are joined
    joined = shapely.line_merge(oriented, directed=True)
    return _order_parts(MultiLineString(line_parts(joined)))


@dataclass(frozen=True, kw_only=True)
class DerivedLine:
    """A line of contact with the geometries it was derived from (all WGS84).

    Attributes
    ----------
    line : MultiLineString
        The line (parts oriented with the control area on their left): the parts of the
        line of contact inside the country (longest first), then the stretches of the
        state border (from north-west to south-east), then the edges of land held across
        the border.
    control : MultiPolygon
        The area held by the control area's party that the line bounds: the repaired,
        simplified control area plus, with ``params.border_with``, the neighbours' land
        within ``params.across_km`` of the border less land held across it. Store this one
        with the line, so that sides and distances agree to the metre.
    country : MultiPolygon
        The country outline used, plus land the other party holds across the border:
        where land outside ``control`` is the other party's.
    length_km : float
        Geodesic length of the line (km).
    params : ContactLineParams
        The tolerances used.
    parts : tuple of LinePart
        The line as labelled stretches in order (:mod:`trucewatch.geo.front_parts`).
    """

    line: MultiLineString
    control: MultiPolygon
    country: MultiPolygon
    length_km: float
    params: ContactLineParams
    parts: tuple[LinePart, ...] = ()

    def lengths_by_label(self) -> dict[str, float]:
        """Length (km) of the line by label ("line of contact", "Dnipro", ...)."""
        return lengths_by_label(self.parts)


@dataclass(frozen=True)
class _CountryMetric:
    """A country outline in the metric CRS, its territory and its water bodies (m)."""

    country: MultiPolygon
    territory: MultiPolygon
    water: MultiPolygon


@lru_cache(maxsize=4)
def _country_metric_cached(wkb: bytes, simplify_m: float, water_gap_km: float) -> _CountryMetric:
    country_m = polygonal_parts(geom_to_metric(shapely.from_wkb(wkb)))
    territory = territory_metric(country_m, simplify_m=simplify_m, water_gap_km=water_gap_km)
    shapely.prepare(territory)
    return _CountryMetric(country_m, territory, water_bodies(country_m))


def _country_metric(country_wgs: MultiPolygon, p: ContactLineParams) -> _CountryMetric:
    """The metric forms of an outline, kept for the last few outlines and tolerances (the
    shipped outline is projected once per process)."""
    return _country_metric_cached(shapely.to_wkb(country_wgs), p.simplify_m, p.water_gap_km)


@lru_cache(maxsize=8)
def _border_cached(wkb: bytes, simplify_m: float, water_gap_km: float, neighbour: str,
                   across_km: float) -> tuple[LineString, MultiPolygon]:  # fmt: skip
    geo = _country_metric_cached(wkb, simplify_m, water_gap_km)
    stretch = border_stretch_metric(geo.territory, neighbour)
    return stretch, neighbour_strip_metric(stretch, geo.territory, across_km * 1000.0)


def _border(
    country_wgs: MultiPolygon, p: ContactLineParams, neighbour: str
) -> tuple[LineString, MultiPolygon]:
    """The border stretch with ``neighbour`` and the neighbour's land ``p.across_km``
    deep along it (metres), kept like :func:`_country_metric`."""
    wkb = shapely.to_wkb(country_wgs)
    return _border_cached(wkb, p.simplify_m, p.water_gap_km, neighbour, p.across_km)


def _front_parts_metric(
    loc_m: MultiLineString,
    control_m: MultiPolygon,
    country_wgs: MultiPolygon,
    p: ContactLineParams,
    held_across_m: MultiPolygon | None,
) -> tuple[list[tuple[str, LineString]], MultiPolygon]:
    """The labelled geometric parts of the whole front and the area held by the control
    area's party with the neighbours' land along the border (metres).

    Border pieces run from the far end of each stretch back (from the tripoint south-east
    for Russia); every border or across-the-border piece is oriented with the control
    area's party's side on its left, like the line of contact."""
    margin, min_len = p.border_km * 1000.0, p.min_fragment_km * 1000.0
    strips: list[BaseGeometry] = []
    border: list[LineString] = []
    for neighbour in p.border_with:
        stretch, strip = _border(country_wgs, p, neighbour)
        strips.append(strip)
        pieces = border_contact_metric(stretch, control_m, held_across_m,
                                       margin_m=margin, min_length_m=min_len)  # fmt: skip
        border += reversed(pieces)
    beyond = polygonal_parts(shapely.union_all(strips)) if strips else MultiPolygon()
    across: list[LineString] = []
    if held_across_m is not None and not held_across_m.is_empty:
        beyond = polygonal_parts(shapely.difference(beyond, held_across_m))
        territory = _country_metric(country_wgs, p).territory
        across = across_contact_metric(held_across_m, territory,
                                       margin_m=margin, min_length_m=min_len)  # fmt: skip
    sides = polygonal_parts(shapely.make_valid(shapely.union(control_m, beyond)))
    parts: list[tuple[str, LineString]] = [(LAND, part) for part in loc_m.geoms]
    for label, pieces in ((STATE_BORDER, border), (ACROSS, across)):
        if pieces:
            oriented = orient_line_parts(MultiLineString(pieces), sides)
            parts += [(label, piece) for piece in oriented.geoms]
    return parts, sides


def derive(
    control: BaseGeometry,
    country: BaseGeometry | None = None,
    params: ContactLineParams | None = None,
    *,
    held_across: BaseGeometry | None = None,
) -> DerivedLine:
    """Derive the line of contact and keep the geometries used (see
    :func:`derive_contact_line` for the parameters).

    With ``params.border_with`` (e.g. :data:`WHOLE_FRONT`) the line also runs along the
    state border where the other party holds the Ukrainian side, and around
    ``held_across`` (WGS84 polygons: land the other party holds across the border, e.g.
    the Kursk salient; the control maps of DeepStateMap do not carry it) where it faces
    the neighbour's land. The result's ``parts`` label every stretch.
    """
    p = params or ContactLineParams()
    country_wgs = polygonal_parts(
        shapely.make_valid(load_country_outline() if country is None else country)
    )
    geo = _country_metric(country_wgs, p)
    control_m = prepare_control(control, p.simplify_m)
    loc_m = derive_contact_line_metric(control_m, geo.country, p, territory_m=geo.territory)
    across_m = None
    if held_across is not None and not held_across.is_empty:
        across_m = polygonal_parts(
            shapely.difference(prepare_control(held_across, p.simplify_m), geo.territory)
        )
    geometric: list[tuple[str, LineString]] = [(LAND, part) for part in loc_m.geoms]
    sides_m: MultiPolygon = control_m
    if p.border_with or across_m is not None:
        geometric, sides_m = _front_parts_metric(loc_m, control_m, country_wgs, p, across_m)
    stretches: list[tuple[int, str, LineString]] = []
    for k, (label, part) in enumerate(geometric):
        pieces = label_land_and_water(part, geo.water) if label == LAND else [(label, part)]
        stretches += [(k, lab, piece) for lab, piece in pieces]
    line_m = MultiLineString([part for _, part in geometric])
    line = MultiLineString(line_parts(geom_to_lonlat(line_m))) if geometric else line_m
    control_wgs = polygonal_parts(shapely.make_valid(geom_to_lonlat(sides_m)))
    if across_m is not None:
        country_wgs = polygonal_parts(shapely.make_valid(
            shapely.union(country_wgs, geom_to_lonlat(across_m))))  # fmt: skip
    return DerivedLine(
        line=line,
        control=control_wgs,
        country=country_wgs,
        length_km=geodesic_length_km(line),
        params=p,
        parts=tuple(labelled_parts(stretches)),
    )


def derive_contact_line(
    control: BaseGeometry,
    country: BaseGeometry | None = None,
    *,
    simplify_m: float = DEFAULT_SIMPLIFY_M,
    border_km: float = DEFAULT_BORDER_KM,
    water_gap_km: float = DEFAULT_WATER_GAP_KM,
    adjacency_km: float = DEFAULT_ADJACENCY_KM,
    min_area_km2: float = DEFAULT_MIN_AREA_KM2,
    min_fragment_km: float = DEFAULT_MIN_FRAGMENT_KM,
) -> MultiLineString:
    """Derive the line of contact from a control area and the country outline.

    Parameters
    ----------
    control : shapely geometry
        Area held by one party (polygonal, WGS84 lon/lat; repaired here, may be invalid).
    country : shapely geometry, optional
        Country outline (WGS84): land, with water bodies as holes. Defaults to the outline
        of Ukraine shipped with the package
        (:func:`trucewatch.geo.outline.load_country_outline`).
    simplify_m : float
        Simplification tolerance in metres, in the local metric CRS (default 100 m).
    border_km : float
        Boundary within this distance (km) of the outline's exterior (international border,
        sea coast) is dropped (default 1 km).
    water_gap_km : float
        Close channels open to the sea narrower than this (km); default 0 (off).
    adjacency_km : float
        Boundary further than this (km) from the other party's territory is dropped.
    min_area_km2 : float
        Other-party territory pieces smaller than this (km²) are ignored.
    min_fragment_km : float
        Parts of the line shorter than this (km) are dropped (default 1 km).

    Returns
    -------
    MultiLineString
        The line of contact in WGS84 lon/lat; each part has the control area on its left;
        parts are ordered longest first. Empty if nothing faces the other party.

    Notes
    -----
    See the module docstring for the method. On the DeepStateMap polygon of 2025-03-13 it
    takes well under a second. Measure the result with
    :func:`trucewatch.geo.projection.geodesic_length_km`.
    """
    params = ContactLineParams(
        simplify_m=simplify_m, border_km=border_km, water_gap_km=water_gap_km,
        adjacency_km=adjacency_km, min_area_km2=min_area_km2, min_fragment_km=min_fragment_km,
    )  # fmt: skip
    return derive(control, country, params).line


def line_length_km(line: BaseGeometry) -> float:
    """Geodesic length (km) of a WGS84 line; alias of :func:`geodesic_length_km`."""
    return geodesic_length_km(line)
