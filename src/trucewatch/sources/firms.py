"""NASA FIRMS fire / thermal-anomaly detections (CSV).

Two shapes are read, with case-insensitive header names:

* the full FIRMS product: ``latitude,longitude,bright_ti4,scan,track,acq_date,acq_time,
  satellite,confidence,version,bright_ti5,frp,daynight,instrument`` for VIIRS (MODIS has
  ``brightness`` and ``bright_t31`` instead of ``bright_ti4``/``bright_ti5``). ``acq_time``
  is UTC, either raw FIRMS ``HHMM`` (possibly without leading zeros: ``26`` is 00:26) or
  ``HH:MM[:SS]``. The observation time window is that instant.
* the minimal ``LATITUDE,LONGITUDE,ACQ_DATE`` (archives that dropped the other columns):
  no time of day, so the window is the whole UTC day (00:00 to 24:00).

One observation per data row, with

* ``source_kind`` satellite_thermal, ``kind`` thermal_anomaly, ``count`` 1;
* ``source_id`` "FIRMS <instrument> <satellite>" ("FIRMS VIIRS N20", "FIRMS MODIS Terra"),
  or "FIRMS (instrument not recorded)";
* ``location`` a point with an isotropic Gaussian uncertainty of standard deviation
  ``SIGMA_FACTOR * max(scan, track) / sqrt(12)`` km. ``scan``/``track`` are the pixel's
  size in km as given by FIRMS (the nominal pixel size when absent: VIIRS 375 m, MODIS
  1 km, unknown instrument 1 km). The fire lies anywhere inside the pixel (a uniform
  distribution over width w has standard deviation w/sqrt(12)); ``SIGMA_FACTOR`` = 1.5
  widens that for the sensor's point-spread (a fire is also detected from the
  neighbouring pixel), geolocation error (~0.1 pixel) and using the longer side for both
  axes. A nadir VIIRS pixel gives sigma ≈ 0.16 km, MODIS ≈ 0.43 km;
* reliability "B" and credibility 3 (Admiralty grading): FIRMS is a usually reliable
  source with known false alarms (industry, gas flares, hot bare soil, sun glint), and a
  detection says only that something was hot, not that it was a strike: "possibly true"
  as evidence of fire on the line;
* ``attributes``: every other column (``frp``, ``confidence``, ``daynight``, ``bright_ti4``,
  ``scan``, ``satellite``...), keyed by the lower-case column name, numbers as ``float``
  (``satellite``, ``instrument``, ``version`` and ``daynight`` stay text; an empty value is
  ``None``);
* ``payload`` the raw CSV line (without its line ending); ``uid`` from
  :func:`~trucewatch.ids.observation_uid` with index 0. Identical rows therefore
  have the same uid and are stored once.

Each physical line is one record: quoted fields are understood, but not a line break
inside quotes (FIRMS never writes those). Errors name the line (the header is line 1) and
the column as spelled in the header.

The reader is built for millions of rows: ``str.split`` per line (the ``csv`` module only
for lines with quotes), dates and date-times parsed once per distinct value, the pixel
covariance shared between rows of the same pixel size.
"""

from __future__ import annotations

import csv
import hashlib
import math
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from operator import itemgetter
from pathlib import Path
from typing import Any

from trucewatch import limits
from trucewatch.errors import RecordError
from trucewatch.kinds import SOURCE_KINDS
from trucewatch.sources.base import UTF8_BOM, fast_constructor
from trucewatch.types import EventKind, Observation, PointLocation, SourceKind

NAME = "firms"
KIND = SOURCE_KINDS[SourceKind.SATELLITE_THERMAL]

REQUIRED_COLUMNS = ("latitude", "longitude", "acq_date")
"""Columns every FIRMS file must have (any letter case)."""

TEXT_COLUMNS = frozenset({"satellite", "instrument", "version", "daynight"})
"""Columns kept as text in ``attributes`` (and ``confidence`` in VIIRS files)."""

NUMERIC_COLUMNS = frozenset(
    {"bright_ti4", "bright_ti5", "brightness", "bright_t31", "frp", "scan", "track",
     "confidence", "type"}
)  # fmt: skip
"""Columns kept as floats in ``attributes``; unknown columns become floats when they parse."""

PIXEL_KM = {"VIIRS": 0.375, "MODIS": 1.0}
"""Nominal (nadir) pixel size per instrument, km."""

UNKNOWN_PIXEL_KM = 1.0
"""Pixel size assumed when the instrument is not recorded (the coarser MODIS pixel)."""

SIGMA_FACTOR = 1.5
"""Position sigma = SIGMA_FACTOR * pixel size / sqrt(12) (see the module docstring)."""


SATELLITE_NAMES = {
    "VIIRS": {
        "N": "NPP", "NPP": "NPP", "SNPP": "NPP", "S-NPP": "NPP", "SUOMI NPP": "NPP",
        "1": "N20", "J1": "N20", "N20": "N20", "NOAA-20": "N20", "NOAA20": "N20",
        "2": "N21", "J2": "N21", "N21": "N21", "NOAA-21": "N21", "NOAA21": "N21",
    },
    "MODIS": {"T": "Terra", "TERRA": "Terra", "A": "Aqua", "AQUA": "Aqua"},
}  # fmt: skip
"""FIRMS satellite codes (archive and near-real-time spellings) to display names."""

_SQRT12 = math.sqrt(12.0)
_MAKE_OBSERVATION = fast_constructor(Observation)
_MAKE_POINT = fast_constructor(PointLocation)
_CACHE_LIMIT = 200_000
_ONE_DAY = timedelta(days=1)


# --------------------------------------------------------------------------- sniffing


def _header_names(line: str) -> list[str]:
    cells = next(csv.reader([line])) if '"' in line else line.split(",")
    return [c.strip().strip('"').strip().lower() for c in cells]


def sniff(path: Path, head: str) -> bool:
    """A CSV header with latitude, longitude and acq_date columns (any letter case)."""
    del path
    for line in head.lstrip("\ufeff").split("\n"):
        if line.strip():
            try:
                names = set(_header_names(line))
            except csv.Error:
                return False
            return all(c in names for c in REQUIRED_COLUMNS)
    return False


# --------------------------------------------------------------------------- parsing


def parse_acq_time(text: str) -> tuple[int, int, int]:
    """``(hour, minute, second)`` of a FIRMS acquisition time, UTC.

    Accepts raw FIRMS ``HHMM`` with or without leading zeros (``"26"`` is 00:26,
    ``"1304"`` is 13:04) and ``HH:MM`` or ``HH:MM:SS``. Raises ``ValueError``.

    >>> parse_acq_time("26"), parse_acq_time("0026"), parse_acq_time("00:26:00")
    ((0, 26, 0), (0, 26, 0), (0, 26, 0))
    """
    s = text.strip()
    if ":" in s:
        parts = s.split(":")
        if len(parts) not in (2, 3) or not all(len(p) in (1, 2) and p.isdigit() for p in parts):
            raise ValueError(f"not a time HH:MM[:SS]: {text!r}")
        h, m = int(parts[0]), int(parts[1])
        sec = int(parts[2]) if len(parts) == 3 else 0
    else:
        if not (1 <= len(s) <= 4 and s.isdigit() and s.isascii()):
            raise ValueError(f"not a time HHMM or HH:MM:SS: {text!r}")
        h, m = divmod(int(s), 100)
        sec = 0
    if not (h < 24 and m < 60 and sec < 60):
        raise ValueError(f"time out of range: {text!r}")
    return h, m, sec


def parse_acq_date(text: str) -> date:
    """A FIRMS acquisition date ``YYYY-MM-DD`` within :data:`trucewatch.limits.YEARS`.
    Raises ``ValueError``."""
    s = text.strip()
    if len(s) != 10 or s[4] != "-" or s[7] != "-":
        raise ValueError(f"not a date YYYY-MM-DD: {text!r}")
    try:
        day = date.fromisoformat(s)
    except ValueError as exc:
        raise ValueError(f"not a valid date: {text!r} ({exc})") from None
    if problem := limits.year_problem(day, "acq_date"):
        raise ValueError(problem[1])
    return day


def pixel_sigma_km(instrument: str | None, scan: float | None, track: float | None) -> float:
    """Position standard deviation (km) of a detection from its pixel size."""
    nominal = PIXEL_KM.get(instrument or "", UNKNOWN_PIXEL_KM)
    size = max(scan or nominal, track or nominal)
    return SIGMA_FACTOR * size / _SQRT12


def source_id_for(instrument: str | None, satellite: str | None) -> str:
    """``"FIRMS VIIRS N20"``, ``"FIRMS MODIS Terra"``, ``"FIRMS (instrument not recorded)"``."""
    if not instrument:
        if satellite:
            return KIND.source_id(f"(instrument not recorded) {satellite}")
        return KIND.source_id("(instrument not recorded)")
    if not satellite:
        return KIND.source_id(instrument)
    name = SATELLITE_NAMES.get(instrument, {}).get(satellite.upper(), satellite)
    return KIND.source_id(f"{instrument} {name}")


def _attr_value(name: str, text: str) -> Any:
    """Attribute value of one cell: ``None`` if empty, text for :data:`TEXT_COLUMNS`,
    else a float when it parses (text otherwise)."""
    s = text.strip()
    if not s:
        return None
    if name in TEXT_COLUMNS:
        return s
    try:
        return float(s)
    except ValueError:
        return s


def _getter(indices: list[int]) -> Callable[[list[str]], tuple[str, ...]]:
    """``itemgetter`` that always returns a tuple (also for zero or one index)."""
    if not indices:
        return lambda fields: ()
    if len(indices) == 1:
        (i,) = indices
        return lambda fields: (fields[i],)
    return itemgetter(*indices)


class _Layout:
    """Column positions of one file's header, and how each other column is kept."""

    def __init__(self, names: list[str], raw: list[str]) -> None:
        self.n = len(names)
        self.raw = raw
        pos: dict[str, int] = {}
        for i, name in enumerate(names):
            pos.setdefault(name, i)
        self.lat = pos["latitude"]
        self.lon = pos["longitude"]
        self.date = pos["acq_date"]
        self.time = pos.get("acq_time")
        if "bright_ti4" in pos or "bright_ti5" in pos:
            self.default_instrument: str | None = "VIIRS"
        elif "brightness" in pos or "bright_t31" in pos:
            self.default_instrument = "MODIS"
        else:
            self.default_instrument = None
        # instrument, satellite, scan, track (those present): they decide source id and sigma
        self.pixel_columns = [
            (name, pos[name])
            for name in ("instrument", "satellite", "scan", "track")
            if name in pos
        ]
        # the other columns go to attributes: numbers (fast path: float on all of them),
        # text, and the rest (float if it parses, else text)
        core = {self.lat, self.lon, self.date, self.time}
        text_columns = set(TEXT_COLUMNS)
        if self.default_instrument == "VIIRS":
            text_columns.add("confidence")  # VIIRS: low / nominal / high (MODIS: 0-100)
        self.numeric: list[tuple[int, str]] = []
        self.text: list[tuple[int, str]] = []
        self.other: list[tuple[int, str]] = []
        for i, name in enumerate(names):
            if i in core or pos[name] != i:
                continue
            if name in NUMERIC_COLUMNS and name not in text_columns:
                self.numeric.append((i, name))
            elif name in text_columns:
                self.text.append((i, name))
            else:
                self.other.append((i, name))


# --------------------------------------------------------------------------- reading


def read(path: Path) -> Iterator[Observation | RecordError]:
    """Observations of a FIRMS CSV file; a :class:`RecordError` per bad row."""
    file = str(path)
    with open(path, "rb") as f:
        first = f.readline()
        if first.startswith(UTF8_BOM):
            first = first[3:]
        try:
            header_line = first.decode("utf-8").rstrip("\r\n")
        except UnicodeDecodeError:
            yield RecordError(file, 1, None, "header is not valid UTF-8 text")
            return
        if not header_line.strip():
            yield RecordError(file, 1, None, "no CSV header (empty first line or empty file)")
            return
        try:
            raw_names = next(csv.reader([header_line]))
        except csv.Error as exc:
            yield RecordError(file, 1, None, f"unreadable CSV header: {exc}")
            return
        raw_names = [c.strip() for c in raw_names]
        names = [c.lower() for c in raw_names]
        missing = [c for c in REQUIRED_COLUMNS if c not in names]
        if missing:
            yield RecordError(
                file, 1, missing[0],
                f"missing column {missing[0]!r} in the header "
                f"(needs {', '.join(REQUIRED_COLUMNS)}; found {', '.join(raw_names)})",
            )  # fmt: skip
            return
        yield from _Rows(file, _Layout(names, raw_names)).read(f)


Cov = tuple[tuple[float, float], tuple[float, float]]


class _CellError(ValueError):
    """A bad cell: its column position and the message."""

    def __init__(self, column: int | None, message: str) -> None:
        super().__init__(message)
        self.column = column
        self.message = message


def _pixel(layout: _Layout, values: tuple[str, ...]) -> tuple[str, Cov]:
    """Source id and covariance for the texts of the pixel columns (instrument,
    satellite, scan, track: those present, in that order). Raises :class:`_CellError`."""
    cells = dict(zip((name for name, _ in layout.pixel_columns), values, strict=True))
    inst = (cells.get("instrument") or "").strip().upper() or layout.default_instrument
    sat = (cells.get("satellite") or "").strip() or None
    sizes: list[float | None] = []
    for name in ("scan", "track"):
        text = (cells.get(name) or "").strip()
        if not text:
            sizes.append(None)
            continue
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if not (0.0 < value <= limits.MAX_PIXEL_KM):
            raise _CellError(dict(layout.pixel_columns)[name], "pixel size must be a positive "
                             f"number of km up to {limits.MAX_PIXEL_KM:g}, not {text!r}")
        sizes.append(value)
    sigma = pixel_sigma_km(inst, sizes[0], sizes[1])
    s2 = sigma * sigma
    return source_id_for(inst, sat), ((s2, 0.0), (0.0, s2))


def _attributes_slow(layout: _Layout, fields: list[str]) -> dict[str, Any]:
    return {
        name: _attr_value(name, fields[i])
        for i, name in sorted(layout.numeric + layout.text + layout.other)
    }


class _Rows:
    """The data rows of one FIRMS file (header :class:`_Layout`) as observations.

    The per-row path is written for speed: C-level helpers, results cached per distinct
    date (and time) and per distinct pixel columns, one copy of each repeated text value.
    Each step raises :class:`_CellError` for a bad row (column ``None``: the whole line).
    """

    def __init__(self, file: str, layout: _Layout) -> None:
        self.file = file
        self.layout = layout
        self.windows: dict[Any, tuple[datetime, datetime]] = {}
        self.pixels: dict[tuple[str, ...], tuple[str, Cov]] = {}
        self.pixel_key = _getter([i for _, i in layout.pixel_columns])
        self.constant_pixel = None if layout.pixel_columns else _pixel(layout, ())
        self.num_names = [name for _, name in layout.numeric]
        self.get_nums = _getter([i for i, _ in layout.numeric])
        self.text_names = [name for _, name in layout.text]
        self.get_texts = _getter([i for i, _ in layout.text])
        self.intern = dict[str, str]().setdefault
        self.no_attributes = not (self.num_names or self.text_names or layout.other)

    def read(self, f: Any) -> Iterator[Observation | RecordError]:
        """Observations of the lines of ``f`` after the header (line 2 on)."""
        file, raw = self.file, self.layout.raw
        fields_of, position, window = self.fields, self.position, self.window
        pixel, attributes = self.pixel, self.attributes
        sha256 = hashlib.sha256
        uid_prefix = f"{NAME}\n".encode()
        uid_suffix = b"\n0"
        make_observation, make_point = _MAKE_OBSERVATION, _MAKE_POINT
        satellite_thermal, thermal = KIND.kind, EventKind.THERMAL_ANOMALY
        reliability, credibility = KIND.grading.reliability, KIND.grading.credibility
        for number, line_bytes in enumerate(f, 2):
            body = line_bytes.rstrip(b"\r\n")
            if not body:
                continue
            try:
                line, fields = fields_of(body)
                if not fields:  # a blank line
                    continue
                lon, lat = position(fields)
                start, end = window(fields)
                source_id, cov = pixel(fields)
            except _CellError as bad:
                column = None if bad.column is None else raw[bad.column]
                yield RecordError(file, number, column, bad.message)
                continue
            obs = make_observation(  # the fields of Observation, in order
                sha256(uid_prefix + body + uid_suffix).hexdigest(),  # uid (observation_uid)
                satellite_thermal, NAME, source_id, start, end, make_point(lon, lat, cov),
                thermal, 1, None, None,  # kind, count, weapon, flow
                reliability, credibility, line, sha256(body).hexdigest(),  # payload, its hash
                attributes(fields),
            )  # fmt: skip
            problem = limits.row_problem(line, len(body), obs.source_id, obs.attributes)
            yield obs if problem is None else RecordError(file, number, *problem)

    def fields(self, body: bytes) -> tuple[str, list[str]]:
        """The line as text and its fields (none for a blank line)."""
        try:
            line = body.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise _CellError(
                None, f"not valid UTF-8 text (byte {exc.start + 1} of the line)"
            ) from None
        if '"' in line:
            try:
                fields = next(csv.reader([line], strict=True))
            except csv.Error as exc:
                raise _CellError(None, f"unreadable CSV line: {exc}") from None
        else:
            fields = line.split(",")
        n = self.layout.n
        if len(fields) != n:
            if line.isspace():  # a blank line (checked here, off the fast path)
                return line, []
            raise _CellError(len(fields) if len(fields) < n else None,
                             f"row has {len(fields)} fields but the header has {n}")  # fmt: skip
        return line, fields

    def position(self, fields: list[str]) -> tuple[float, float]:
        """``(lon, lat)``, WGS84 degrees."""
        lat = _degrees(fields, self.layout.lat, 90.0, "latitude")
        return _degrees(fields, self.layout.lon, 180.0, "longitude"), lat

    def window(self, fields: list[str]) -> tuple[datetime, datetime]:
        """The UTC window, cached per distinct date (or date and time)."""
        i_date, i_time = self.layout.date, self.layout.time
        key: Any = fields[i_date] if i_time is None else (fields[i_date], fields[i_time])
        window = self.windows.get(key)
        if window is None:
            window = _window(fields, i_date, i_time)
            if len(self.windows) >= _CACHE_LIMIT:
                self.windows.clear()
            self.windows[key] = window
        return window

    def pixel(self, fields: list[str]) -> tuple[str, Cov]:
        """Source id and position covariance, cached per distinct pixel columns."""
        if self.constant_pixel is not None:
            return self.constant_pixel
        key = self.pixel_key(fields)
        cached = self.pixels.get(key)
        if cached is None:
            cached = _pixel(self.layout, key)
            if len(self.pixels) >= _CACHE_LIMIT:
                self.pixels.clear()
            self.pixels[key] = cached
        return cached

    def attributes(self, fields: list[str]) -> dict[str, Any]:
        """All other columns: numbers as floats, text (one copy of each value)."""
        if self.no_attributes:
            return {}
        try:
            attributes: dict[str, Any] = dict(
                zip(self.num_names, map(float, self.get_nums(fields)))  # noqa: B905
            )
        except ValueError:
            return _attributes_slow(self.layout, fields)
        texts = self.get_texts(fields)
        if "" in texts or self.layout.other:
            return _attributes_slow(self.layout, fields)
        attributes.update(zip(self.text_names, map(self.intern, texts, texts)))  # noqa: B905
        return attributes


def _window(fields: list[str], i_date: int, i_time: int | None) -> tuple[datetime, datetime]:
    """UTC window of a row: the whole day without a time column, else the instant.
    Raises :class:`_CellError`."""
    try:
        day = parse_acq_date(fields[i_date])
    except ValueError as exc:
        raise _CellError(i_date, str(exc)) from None
    start = datetime(day.year, day.month, day.day, tzinfo=UTC)
    if i_time is None:
        return start, start + _ONE_DAY
    time_text = fields[i_time]
    if not time_text.strip():
        raise _CellError(i_time, "missing acquisition time")
    try:
        hh, mm, ss = parse_acq_time(time_text)
    except ValueError as exc:
        raise _CellError(i_time, str(exc)) from None
    t = start.replace(hour=hh, minute=mm, second=ss)
    return t, t


def _degrees(fields: list[str], i: int, limit: float, what: str) -> float:
    """The ``what`` (latitude, longitude) at column ``i``, in [-limit, limit] degrees."""
    try:
        value = float(fields[i])
    except ValueError:
        text = fields[i]
        message = f"not a number: {text!r}" if text.strip() else "missing value"
        raise _CellError(i, message) from None
    if not -limit <= value <= limit:
        raise _CellError(i, f"{what} {value} outside [-{limit:g}, {limit:g}]")
    return value + 0.0  # -0.0 read as 0.0, as the columnar reader does
