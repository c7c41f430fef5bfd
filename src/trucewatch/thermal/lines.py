"""Lines of contact for the thermal analyses, from the shared control maps.

* 2022-2023 dates: the ISW/AEI map of Russian-controlled territory edited between
  December 2022 and March 2023 (``control/isw_russian_control_2023-03.geojson``), the only
  map of that period in the data. It is used for every date from 2022-01-01 until the
  first DeepStateMap snapshot: right for the winter of 2022/23, wrong by up to 100+ km
  in the north (Kyiv, Chernihiv, Sumy: until April 2022), around Kharkiv and Izium (until
  September 2022) and on the right bank of the Dnipro at Kherson (until November 2022).
* 2024-2026 dates: the DeepStateMap snapshot of that date or the latest before it
  (``control/deepstate/deepstatemap_data_YYYYMMDD.geojson``).

Lines are derived with :meth:`trucewatch.geo.lookup.LineContext.from_control` (sectors of
about 50 km named after settlements when ``sectors=True``; without them the context is
built in about a second for the ISW map, 0.3 s for a DeepStateMap snapshot).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from datetime import date
from functools import lru_cache
from pathlib import Path

import numpy as np
from numpy.typing import ArrayLike

from trucewatch.geo.contact_line import derive
from trucewatch.geo.history import LineHistory
from trucewatch.geo.line_file import read_line_file
from trucewatch.geo.lookup import LineContext
from trucewatch.geo.sectors import cut_sectors

__all__ = [
    "DEEPSTATE_PATTERN",
    "ISW_2023_FILE",
    "ISW_VALID_FROM",
    "context_from_file",
    "deepstate_snapshots",
    "isw_2023_history",
    "lines_for_days",
    "shared_data_dir",
]

ISW_2023_FILE = "isw_russian_control_2023-03.geojson"
ISW_VALID_FROM = date(2022, 1, 1)
"""The ISW 2023 map is used from this date (see the module docstring)."""
DEEPSTATE_PATTERN = re.compile(r"deepstatemap_data_(\d{8})\.geojson$")


def shared_data_dir() -> Path | None:
    """The shared data folder: ``$TRUCEWATCH_SHARED_DATA`` when set (and only it), else
    ``../shared/data`` from the working directory or from the project root; None if not
    found (callers then use the samples shipped in the package)."""
    env = os.environ.get("TRUCEWATCH_SHARED_DATA")
    here = Path(__file__).resolve()
    candidates = [Path(env)] if env else [Path.cwd() / ".." / "shared" / "data",
                                          Path.cwd() / "shared" / "data"]  # fmt: skip
    if not env:
        candidates += [p / "shared" / "data" for p in here.parents]
    for c in candidates:
        if (c / "control").is_dir() or (c / "firms").is_dir():
            return c.resolve()
    return None


@lru_cache(maxsize=64)
def context_from_file(path: str, sectors: bool = False) -> LineContext:
    """Line context derived from a control-area file (cached per path)."""
    kind, geom = read_line_file(path)
    if kind == "line":
        pieces = cut_sectors(geom) if sectors else ()
        return LineContext(geom, sectors=pieces)
    derived = derive(geom)
    pieces = cut_sectors(derived.line) if sectors else ()
    return LineContext(derived.line, derived.control, derived.country, pieces)


def deepstate_snapshots(control_dir: str | Path) -> dict[date, Path]:
    """DeepStateMap snapshots in ``control_dir/deepstate`` by date."""
    folder = Path(control_dir) / "deepstate"
    out: dict[date, Path] = {}
    for p in sorted(folder.glob("deepstatemap_data_*.geojson")):
        m = DEEPSTATE_PATTERN.search(p.name)
        if m:
            s = m.group(1)
            out[date(int(s[:4]), int(s[4:6]), int(s[6:]))] = p
    return out


def isw_2023_history(control_dir: str | Path, *, sectors: bool = False) -> LineHistory:
    """A history holding only the ISW 2023 line, valid from 2022-01-01."""
    ctx = context_from_file(str(Path(control_dir) / ISW_2023_FILE), sectors)
    return LineHistory([(ISW_VALID_FROM, ctx)])


def lines_for_days(
    days: ArrayLike | Iterable[date], control_dir: str | Path, *, sectors: bool = False
) -> LineHistory:
    """The lines needed to locate detections on ``days``: ISW 2023 for dates from 2022
    until the first DeepStateMap snapshot, then the latest snapshot on or before each date.
    Dates before 2022 get no line, nor dates before the first snapshot when
    ``control_dir`` has no ISW map (the maps shipped in the package)."""
    raw = days if isinstance(days, np.ndarray) else np.asarray(list(days))  # type: ignore[arg-type]
    d = np.unique(raw.astype("datetime64[D]"))
    snaps = deepstate_snapshots(control_dir)
    snap_days = np.array(sorted(snaps), dtype="datetime64[D]")
    items: list[tuple[date, LineContext]] = []
    d = d[d >= np.datetime64(ISW_VALID_FROM)]
    if d.size == 0:
        return LineHistory()
    first_snap = snap_days[0] if snap_days.size else np.datetime64("9999-12-31")
    isw = Path(control_dir) / ISW_2023_FILE
    if (d < first_snap).any() and isw.exists():  # without the ISW map: no line before
        items.append((ISW_VALID_FROM, context_from_file(str(isw), sectors)))
    if snap_days.size:
        idx = np.searchsorted(snap_days, d[d >= first_snap], side="right") - 1
        for i in np.unique(idx):
            day = snap_days[i].astype(object)
            items.append((day, context_from_file(str(snaps[day]), sectors)))
    return LineHistory(items)
