"""Context of points relative to a line of contact: side, signed distance, sector, zone.

:class:`LineContext` answers, for many points at once, who holds each point, how far it is
from the line (signed) and which sector of the line is nearest. The lines valid at
successive dates are in :mod:`trucewatch.geo.history`.

Method (all in the local metric CRS of :mod:`trucewatch.geo.projection`):

* the line (its sectors) is densified to a vertex every 500 m and, near the line, every
  50 m; a :class:`scipy.spatial.cKDTree` over the vertices gives the nearest vertex of
  each point and numpy the exact distance to the segments around it (exact in nearly all
  cases; error bounds in :class:`trucewatch.geo.nearest.LineIndex`). Chunks of points run
  on parallel threads (numpy and cKDTree release the GIL);
* the side comes from :func:`shapely.contains_xy` on the prepared control area, and
  ``held_by`` from the control area and the country's territory (the outline with its
  internal waters - rivers, reservoirs - filled: a point in the Dnipro is held by
  whoever holds that side of it).

Coordinates in are WGS84 lon/lat degrees; distances out are km.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from numpy.typing import ArrayLike, NDArray
from shapely.geometry import MultiLineString, MultiPolygon
from shapely.geometry.base import BaseGeometry

from trucewatch.geo.contact_line import ContactLineParams, derive
from trucewatch.geo.nearest import LineIndex
from trucewatch.geo.outline import fill_holes
from trucewatch.geo.projection import geom_to_lonlat, geom_to_metric, to_local_m
from trucewatch.geo.sectors import SectorPiece, cut_sectors
from trucewatch.geo.shapes import line_parts, polygonal_parts
from trucewatch.types import ContactLine, Sector

__all__ = [
    "LineContext",
    "LocateResult",
    "in_zone",
    "zone_polygon",
]

# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class LocateResult:
    """Context of points; arrays of the query's shape.

    Attributes
    ----------
    held_by : ndarray of object
        Party code holding each point, or ``None`` (outside the country and the control
        area, a line given without control area, or no line in force).
    distance_km : ndarray of float
        Distance to the line (km): positive inside the area held by the line's
        ``controlled_by`` party, negative elsewhere; unsigned (>= 0) for a line given
        without control area; NaN for invalid coordinates or no line in force.
    sector_index : ndarray of int64
        Index of the sector holding the nearest point of the line (-1 if none).
    sector_name : ndarray of object
        Its name (``None`` if none).
    along_km : ndarray of float
        Position of the nearest point of the line, in km along the line.
    line_index : ndarray of int64, optional
        For :meth:`trucewatch.geo.history.LineHistory.locate`: which line of the history
        was used (-1: none).
    """

    held_by: NDArray[np.object_]
    distance_km: NDArray[np.float64]
    sector_index: NDArray[np.int64]
    sector_name: NDArray[np.object_]
    along_km: NDArray[np.float64]
    line_index: NDArray[np.int64] | None = None

    @classmethod
    def empty(cls, shape: tuple[int, ...], with_line_index: bool = False) -> LocateResult:
        """A result of the given shape with nothing found."""
        return cls(
            held_by=np.full(shape, None, dtype=object),
            distance_km=np.full(shape, np.nan),
            sector_index=np.full(shape, -1, dtype=np.int64),
            sector_name=np.full(shape, None, dtype=object),
            along_km=np.full(shape, np.nan),
            line_index=np.full(shape, -1, dtype=np.int64) if with_line_index else None,
        )

    def __len__(self) -> int:
        return int(self.distance_km.size)


# --------------------------------------------------------------------------- context


def _metric_polygon(geom: BaseGeometry | None) -> MultiPolygon | None:
    if geom is None or geom.is_empty:
        return None
    metric = polygonal_parts(shapely.make_valid(geom_to_metric(polygonal_parts(geom))))
    shapely.prepare(metric)
    return metric


class LineContext:
    """A line of contact with what is needed to locate points against it.

    Parameters
    ----------
    line : LineString or MultiLineString
        The line of contact, WGS84 lon/lat.
    control : polygonal geometry, optional
        Area held by ``controlled_by`` (WGS84), ideally the one the line was derived from
        (:attr:`trucewatch.geo.contact_line.DerivedLine.control`) so that the side and
        the line agree to the metre. ``None`` for a line given directly: distances are
        then unsigned and ``held_by`` is ``None``.
    country : polygonal geometry, optional
        Country outline (WGS84). With a control area, points outside it but inside the
        country's territory (outline with internal water bodies filled) are held by
        ``other_party``; points outside both are held by nobody (``None``). Without a
        country outline every point outside the control area is ``other_party``'s.
    sectors : sequence of SectorPiece or trucewatch.types.Sector, optional
        Sectors partitioning the line (:func:`trucewatch.geo.sectors.cut_sectors`); if
        empty, the line itself is indexed and ``sector_index`` is -1.
    controlled_by, other_party : str
        Party codes.
    spacing_m : float
        Finest vertex spacing of the nearest-point index (m); bounds the distance error
        right at the line, see :class:`trucewatch.geo.nearest.LineIndex`.
    """

    def __init__(
        self,
        line: BaseGeometry,
        control: BaseGeometry | None = None,
        country: BaseGeometry | None = None,
        sectors: Sequence[SectorPiece | Sector] = (),
        controlled_by: str = "RU",
        other_party: str = "UA",
        *,
        spacing_m: float = 50.0,
    ) -> None:
        parts = line_parts(line)
        if not parts:
            raise ValueError("the line is empty")
        self.line: MultiLineString = MultiLineString(parts)
        self.control = control
        self.country = country
        self.sectors: tuple[SectorPiece, ...] = tuple(
            s if isinstance(s, SectorPiece) else SectorPiece.from_sector(s) for s in sectors
        )
        self.controlled_by = controlled_by
        self.other_party = other_party
        self._control_m = _metric_polygon(control)
        self._territory_m: MultiPolygon | None = None
        if country is not None and not country.is_empty and self._control_m is not None:
            terr = fill_holes(geom_to_metric(polygonal_parts(shapely.make_valid(country))))
            shapely.prepare(terr)
            self._territory_m = terr
        pieces_wgs = [s.geometry for s in self.sectors] if self.sectors else parts
        pieces_m = [shapely.get_coordinates(geom_to_metric(g)) for g in pieces_wgs]
        self._index = LineIndex(pieces_m, fine_m=spacing_m)
        if self.sectors:
            self._sector_of_piece = np.array([s.index for s in self.sectors], dtype=np.int64)
            self._sector_names = np.array([s.name for s in self.sectors], dtype=object)
            self._piece_start_km: NDArray[np.float64] | None = np.array(
                [s.start_km for s in self.sectors], dtype=np.float64
            )
        else:
            self._sector_of_piece = np.full(len(parts), -1, dtype=np.int64)
            self._sector_names = np.full(len(parts), None, dtype=object)
            self._piece_start_km = None

    # ------------------------------------------------------------------ constructors

    @classmethod
    def from_control(
        cls,
        control: BaseGeometry,
        country: BaseGeometry | None = None,
        *,
        controlled_by: str = "RU",
        other_party: str = "UA",
        target_km: float = 50.0,
        **params: Any,
    ) -> LineContext:
        """Derive the line from a control area (WGS84), cut sectors and build the context.

        ``params`` go to :class:`trucewatch.geo.contact_line.ContactLineParams`;
        ``country`` defaults to the shipped outline of Ukraine.
        """
        derived = derive(control, country, ContactLineParams(**params))
        sectors = cut_sectors(derived.line, target_km=target_km)
        return cls(
            derived.line,
            derived.control,
            derived.country,
            sectors,
            controlled_by,
            other_party,
        )

    @classmethod
    def from_stored(cls, line: ContactLine, sectors: Sequence[Sector] = ()) -> LineContext:
        """Build from stored records (:class:`trucewatch.types.ContactLine` and sectors)."""
        ordered = sorted(sectors, key=lambda s: s.index)
        return cls(
            shapely.from_wkt(line.geometry_wkt),
            shapely.from_wkt(line.control_wkt) if line.control_wkt else None,
            shapely.from_wkt(line.country_wkt) if line.country_wkt else None,
            ordered,
            line.controlled_by,
            line.other_party,
        )

    # ------------------------------------------------------------------ queries

    @property
    def signed(self) -> bool:
        """True when distances are signed (a control area is known)."""
        return self._control_m is not None

    def held_by_xy(self, x_m: NDArray[np.float64], y_m: NDArray[np.float64]) -> NDArray[np.object_]:
        """Party holding points given in the local metric CRS (m); see :meth:`locate`."""
        out = np.full(x_m.shape, None, dtype=object)
        if self._control_m is None:
            return out
        inside = shapely.contains_xy(self._control_m, x_m, y_m)
        out[inside] = self.controlled_by
        rest = ~inside
        if self._territory_m is None:
            out[rest] = self.other_party
        else:
            in_country = np.zeros_like(inside)
            in_country[rest] = shapely.contains_xy(self._territory_m, x_m[rest], y_m[rest])
            out[in_country] = self.other_party
        return out

    def locate(self, lon: ArrayLike, lat: ArrayLike, *, workers: int | None = None) -> LocateResult:
        """Who holds each point, its signed distance to the line and its sector.

        Parameters
        ----------
        lon, lat : array_like
            WGS84 degrees; any shape (broadcast together).
        workers : int, optional
            Threads for the nearest-segment search (default: all CPUs).

        Returns
        -------
        LocateResult
            Arrays of the input's shape: ``held_by``, ``distance_km`` (positive inside
            the ``controlled_by`` area), ``sector_index``, ``sector_name``, ``along_km``.
        """
        lon_a, lat_a = np.broadcast_arrays(
            np.asarray(lon, dtype=np.float64), np.asarray(lat, dtype=np.float64)
        )
        shape = lon_a.shape
        res = LocateResult.empty((lon_a.size,))
        lon_f, lat_f = lon_a.ravel(), lat_a.ravel()
        ok = np.isfinite(lon_f) & np.isfinite(lat_f)
        if not ok.any():
            return reshape_result(res, shape)
        x, y = to_local_m(lon_f[ok], lat_f[ok])
        near = self._index.nearest(x, y, workers=workers)
        dist_km = near.distance_m / 1000.0
        held = self.held_by_xy(x, y)
        if self._control_m is not None:
            dist_km = np.where(held == self.controlled_by, dist_km, -dist_km)
        piece = near.piece
        if self._piece_start_km is not None:
            # sector start (geodesic) + metric distance within the sector
            within_m = near.along_m - self._index.piece_start_m[piece]
            along = self._piece_start_km[piece] + within_m / 1000.0
        else:
            along = near.along_m / 1000.0
        res.held_by[ok] = held
        res.distance_km[ok] = dist_km
        res.sector_index[ok] = self._sector_of_piece[piece]
        res.sector_name[ok] = self._sector_names[piece]
        res.along_km[ok] = along
        return reshape_result(res, shape)

    def zone(self, half_width_km: float) -> BaseGeometry:
        """:func:`zone_polygon` of this line."""
        return zone_polygon(self.line, half_width_km)


def reshape_result(res: LocateResult, shape: tuple[int, ...]) -> LocateResult:
    return LocateResult(
        held_by=res.held_by.reshape(shape),
        distance_km=res.distance_km.reshape(shape),
        sector_index=res.sector_index.reshape(shape),
        sector_name=res.sector_name.reshape(shape),
        along_km=res.along_km.reshape(shape),
        line_index=None if res.line_index is None else res.line_index.reshape(shape),
    )


# --------------------------------------------------------------------------- zones


def in_zone(distance_km: ArrayLike, half_width_km: float) -> NDArray[np.bool_]:
    """True where ``|distance_km| <= half_width_km`` (NaN: False).

    Parameters
    ----------
    distance_km : array_like
        Signed or unsigned distances to the line (km), e.g. ``LocateResult.distance_km``.
    half_width_km : float
        Half width of the zone (km) on each side of the line.
    """
    d = np.asarray(distance_km, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        return np.abs(d) <= half_width_km


def zone_polygon(
    line: BaseGeometry,
    half_width_km: float,
    *,
    within: BaseGeometry | None = None,
    quad_segs: int = 8,
) -> BaseGeometry:
    """The zone ``half_width_km`` either side of a line, as a WGS84 polygon.

    The buffer is computed in the local metric CRS (distances exact to 0.2 %) and
    projected back. ``within`` (WGS84 polygon, e.g. the country outline) clips it.
    """
    if half_width_km <= 0:
        raise ValueError("half_width_km must be positive")
    metric = shapely.buffer(geom_to_metric(line), half_width_km * 1000.0, quad_segs=quad_segs)
    zone = geom_to_lonlat(metric)
    if within is not None:
        zone = shapely.intersection(zone, shapely.make_valid(within))
    return zone
