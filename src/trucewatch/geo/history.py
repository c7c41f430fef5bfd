"""The lines of contact valid at successive dates, and the lookup fusion and the agreement
checks use: the context of points at their own days.

:class:`LineHistory` is the one home of "the line valid on a day": a line is valid from
its ``valid_from`` (UTC day) until the next line's date; before the first date there is
no line. :class:`ContextLookup` is what fusion and assessment need of it (any object with
``place_context`` and ``parties``, e.g. a fixed test double); :class:`LineHistory`
implements it. Coordinates in are WGS84 lon/lat degrees; distances out are km.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Protocol, cast

import numpy as np
from numpy.typing import ArrayLike, NDArray

from trucewatch.geo.lookup import LineContext, LocateResult, reshape_result
from trucewatch.types import ContactLine, Sector

__all__ = [
    "SECTOR_REACH_KM",
    "ContextLookup",
    "LineHistory",
    "PlaceContext",
    "to_day",
]

SECTOR_REACH_KM = 50.0
"""An incident belongs to the sector of the nearest point of the line only within this
distance of the line (km); further away (a field fire near Lviv) it is outside sectors."""


@dataclass(frozen=True)
class PlaceContext:
    """Context arrays for n points: party holding each point (code or None), signed
    distance to the line (km, positive inside the line's controlled area) and sector name
    (None beyond :data:`SECTOR_REACH_KM` of the line)."""

    held_by: np.ndarray
    distance_km: np.ndarray
    sector: np.ndarray


class ContextLookup(Protocol):
    """What fusion and the agreement checks need from the contact lines: context of
    points at given days, and the two parties of the line valid on a day."""

    def place_context(self, lon: np.ndarray, lat: np.ndarray,
                      days: Sequence[date]) -> PlaceContext:  # fmt: skip
        """Context of each point on its day (the line valid at that date)."""
        ...

    def parties(self, day: date) -> tuple[str, str] | None:
        """(controlled_by, other_party) of the line valid on ``day``, if any."""
        ...


def to_day(t: date | datetime | np.datetime64 | str) -> np.datetime64:
    """UTC calendar day of a time: aware datetimes are converted to UTC, naive ones and
    dates are taken as UTC, strings are ISO 8601."""
    if isinstance(t, datetime):
        if t.tzinfo is not None:
            t = t.astimezone(UTC).replace(tzinfo=None)
        return np.datetime64(t.date(), "D")
    if isinstance(t, date):
        return np.datetime64(t, "D")
    if isinstance(t, str):
        return to_day(datetime.fromisoformat(t.replace("Z", "+00:00")))
    return cast(np.datetime64, np.asarray(t).astype("datetime64[D]")[()])


def _to_days(times: ArrayLike | Iterable[Any]) -> NDArray[np.datetime64]:
    arr = np.asarray(times)
    if np.issubdtype(arr.dtype, np.datetime64):
        return arr.astype("datetime64[D]")
    flat = [to_day(t) for t in arr.ravel()]
    return np.array(flat, dtype="datetime64[D]").reshape(arr.shape)


ContextSource = LineContext | Callable[[], LineContext]
"""A line's context, or a function building it (built on first use, then kept)."""


class LineHistory:
    """Lines of contact valid from successive dates.

    Parameters
    ----------
    items : iterable of (date, LineContext or a function returning one)
        ``valid_from`` dates (UTC days; datetimes are reduced to their UTC day) and lines.
    parties : mapping of date to (controlled_by, other_party), optional
        The two parties of the line valid from each date (default: the context's own).
    """

    def __init__(self, items: Iterable[tuple[date, ContextSource]] = (),
                 parties: Mapping[date, tuple[str, str]] | None = None) -> None:  # fmt: skip
        pairs = sorted(((to_day(d), c) for d, c in items), key=lambda p: p[0])
        days = [p[0] for p in pairs]
        if len(set(days)) != len(days):
            raise ValueError("two lines valid from the same date")
        self._days = np.array(days, dtype="datetime64[D]")
        self._sources: list[ContextSource] = [p[1] for p in pairs]
        self._parties = {to_day(d): p for d, p in (parties or {}).items()}

    @classmethod
    def of_stored(cls, lines: Sequence[ContactLine],
                  sectors: Mapping[int, Sequence[Sector]]) -> LineHistory:  # fmt: skip
        """The history of stored lines (with their sectors by line id); each line's
        context is built when first used."""
        def build(line: ContactLine) -> Callable[[], LineContext]:
            return lambda: LineContext.from_stored(line, sectors.get(cast(int, line.id), ()))

        latest = {ln.valid_from: ln for ln in sorted(lines, key=lambda ln: ln.valid_from)}
        return cls([(d, build(ln)) for d, ln in latest.items()],
                   {d: (ln.controlled_by, ln.other_party) for d, ln in latest.items()})

    def __len__(self) -> int:
        return len(self._sources)

    def _context(self, i: int) -> LineContext:
        source = self._sources[i]
        if not isinstance(source, LineContext):
            source = self._sources[i] = source()
        return source

    def add(self, valid_from: date, context: LineContext) -> None:
        """Add a line valid from ``valid_from`` (replaces one with the same date)."""
        day = to_day(valid_from)
        i = int(np.searchsorted(self._days, day))
        if i < len(self._days) and self._days[i] == day:
            self._sources[i] = context
            return
        self._days = np.insert(self._days, i, day)
        self._sources.insert(i, context)

    @property
    def dates(self) -> list[date]:
        """The ``valid_from`` dates, ascending."""
        return [d.astype(object) for d in self._days]

    @property
    def contexts(self) -> list[LineContext]:
        """The contexts in date order."""
        return [self._context(i) for i in range(len(self._sources))]

    def index_at(self, times: ArrayLike | Iterable[Any]) -> NDArray[np.int64]:
        """Index of the line valid at each time (-1 before the first line)."""
        days = _to_days(times)
        return (np.searchsorted(self._days, days, side="right") - 1).astype(np.int64)

    def context_at(self, t: date | datetime) -> LineContext | None:
        """The line valid at ``t`` (latest ``valid_from`` <= UTC day of ``t``), or None."""
        i = int(np.searchsorted(self._days, to_day(t), side="right")) - 1
        return self._context(i) if i >= 0 else None

    def parties(self, day: date) -> tuple[str, str] | None:
        """(controlled_by, other_party) of the line valid on ``day``, if any."""
        i = int(np.searchsorted(self._days, to_day(day), side="right")) - 1
        if i < 0:
            return None
        stated = self._parties.get(self._days[i])
        if stated is not None:
            return stated
        ctx = self._context(i)
        return (ctx.controlled_by, ctx.other_party)

    def locate(
        self,
        lon: ArrayLike,
        lat: ArrayLike,
        times: ArrayLike | Iterable[Any],
        *,
        workers: int | None = None,
    ) -> LocateResult:
        """Locate points each against the line valid at its own time.

        Points are grouped by line, so the cost is one :meth:`LineContext.locate` per line
        in use. ``line_index`` of the result says which line was used (-1: none).
        """
        lon_a, lat_a = np.broadcast_arrays(
            np.asarray(lon, dtype=np.float64), np.asarray(lat, dtype=np.float64)
        )
        shape = lon_a.shape
        which = np.broadcast_to(self.index_at(times), shape).ravel()
        res = LocateResult.empty((lon_a.size,), with_line_index=True)
        assert res.line_index is not None
        res.line_index[:] = which
        lon_f, lat_f = lon_a.ravel(), lat_a.ravel()
        for i in np.unique(which[which >= 0]):
            sel = np.flatnonzero(which == i)
            part = self._context(int(i)).locate(lon_f[sel], lat_f[sel], workers=workers)
            res.held_by[sel] = part.held_by
            res.distance_km[sel] = part.distance_km
            res.sector_index[sel] = part.sector_index
            res.sector_name[sel] = part.sector_name
            res.along_km[sel] = part.along_km
        return reshape_result(res, shape)

    def place_context(self, lon: np.ndarray, lat: np.ndarray,
                      days: Sequence[date]) -> PlaceContext:  # fmt: skip
        """Who holds each point, its signed distance to the line (km) and its sector
        (within :data:`SECTOR_REACH_KM`), each against the line valid on its day."""
        n = len(lon)
        held = np.full(n, None, dtype=object)
        dist = np.full(n, np.nan)
        sector = np.full(n, None, dtype=object)
        which = self.index_at(list(days)) if n else np.zeros(0, dtype=np.int64)
        for i in np.unique(which[which >= 0]):
            mask = which == i
            res = self._context(int(i)).locate(np.asarray(lon)[mask], np.asarray(lat)[mask])
            held[mask] = res.held_by
            dist[mask] = res.distance_km
            near = np.abs(res.distance_km) <= SECTOR_REACH_KM
            sector[np.flatnonzero(mask)[near]] = res.sector_name[near]
        return PlaceContext(held_by=held, distance_km=dist, sector=sector)
