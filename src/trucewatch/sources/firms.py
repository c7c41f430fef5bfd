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

from trucewatch.errors import RecordError
from trucewatch.sources.base import UTF8_BOM, fast_constructor
from trucewatch.types import EventKind, Observation, PointLocation, SourceKind

NAME = "firms"

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

RELIABILITY = "B"
CREDIBILITY = 3

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
    """A FIRMS acquisition date ``YYYY-MM-DD``. Raises ``ValueError``."""
    s = text.strip()
    if len(s) != 10 or s[4] != "-" or s[7] != "-":
        raise ValueError(f"not a date YYYY-MM-DD: {text!r}")
    try:
        return date.fromisoformat(s)
    except ValueError as exc:
        raise ValueError(f"not a valid date: {text!r} ({exc})") from None


def pixel_sigma_km(instrument: str | None, scan: float | None, track: float | None) -> float:
    """Position standard deviation (km) of a detection from its pixel size."""
    nominal = PIXEL_KM.get(instrument or "", UNKNOWN_PIXEL_KM)
    size = max(scan or nominal, track or nominal)
    return SIGMA_FACTOR * size / _SQRT12


def source_id_for(instrument: str | None, satellite: str | None) -> str:
    """``"FIRMS VIIRS N20"``, ``"FIRMS MODIS Terra"``, ``"FIRMS (instrument not recorded)"``."""
    if not instrument:
        if satellite:
            return f"FIRMS (instrument not recorded) {satellite}"
        return "FIRMS (instrument not recorded)"
    if not satellite:
        return f"FIRMS {instrument}"
    name = SATELLITE_NAMES.get(instrument, {}).get(satellite.upper(), satellite)
    return f"FIRMS {instrument} {name}"


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
        yield from _read_rows(f, file, _Layout(names, raw_names))


Cov = tuple[tuple[float, float], tuple[float, float]]


class _CellError(ValueError):
    """A bad cell: its column position and the message."""

    def __init__(self, column: int, message: str) -> None:
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
        if not (value > 0.0 and math.isfinite(value)):
            raise _CellError(
                dict(layout.pixel_columns)[name],
                f"pixel size must be a positive number of km, not {text!r}",
            )
        sizes.append(value)
    sigma = pixel_sigma_km(inst, sizes[0], sizes[1])
    s2 = sigma * sigma
    return source_id_for(inst, sat), ((s2, 0.0), (0.0, s2))


def _attributes_slow(layout: _Layout, fields: list[str]) -> dict[str, Any]:
    return {
        name: _attr_value(name, fields[i])
        for i, name in sorted(layout.numeric + layout.text + layout.other)
    }


def _read_rows(f: Any, file: str, layout: _Layout) -> Iterator[Observation | RecordError]:
    # The per-row path is written for speed: locals only, C-level helpers, caches.
    n = layout.n
    raw = layout.raw
    i_lat, i_lon, i_date, i_time = layout.lat, layout.lon, layout.date, layout.time
    windows: dict[Any, tuple[datetime, datetime]] = {}
    pixels: dict[tuple[str, ...], tuple[str, Cov]] = {}
    get_pixel_key = _getter([i for _, i in layout.pixel_columns])
    pixel_constant = not layout.pixel_columns
    constant = _pixel(layout, ()) if pixel_constant else ("", ((0.0, 0.0), (0.0, 0.0)))
    num_names = [name for _, name in layout.numeric]
    get_nums = _getter([i for i, _ in layout.numeric])
    text_names = [name for _, name in layout.text]
    get_texts = _getter([i for i, _ in layout.text])
    has_other = bool(layout.other)
    text_values: dict[str, str] = {}
    intern = text_values.setdefault
    no_attributes = not (num_names or text_names or has_other)
    sha256 = hashlib.sha256
    uid_prefix = f"{NAME}\n".encode()
    uid_suffix = b"\n0"
    make_observation = _MAKE_OBSERVATION
    satellite_thermal = SourceKind.SATELLITE_THERMAL
    thermal = EventKind.THERMAL_ANOMALY
    split_csv = csv.reader
    make_point = _MAKE_POINT

    for number, line_bytes in enumerate(f, 2):
        body = line_bytes.rstrip(b"\r\n")
        if not body:
            continue
        try:
            line = body.decode("utf-8")
        except UnicodeDecodeError as exc:
            yield RecordError(
                file, number, None, f"not valid UTF-8 text (byte {exc.start + 1} of the line)"
            )
            continue
        if '"' in line:
            try:
                fields = next(split_csv([line], strict=True))
            except csv.Error as exc:
                yield RecordError(file, number, None, f"unreadable CSV line: {exc}")
                continue
        else:
            fields = line.split(",")
        if len(fields) != n:
            if line.isspace():  # a blank line (checked here, off the fast path)
                continue
            yield RecordError(
                file, number, raw[len(fields)] if len(fields) < n else None,
                f"row has {len(fields)} fields but the header has {n}",
            )  # fmt: skip
            continue

        # ---- position
        try:
            lat = float(fields[i_lat])
        except ValueError:
            yield RecordError(file, number, raw[i_lat], _bad_number(fields[i_lat]))
            continue
        if not -90.0 <= lat <= 90.0:
            yield RecordError(file, number, raw[i_lat], f"latitude {lat} outside [-90, 90]")
            continue
        try:
            lon = float(fields[i_lon])
        except ValueError:
            yield RecordError(file, number, raw[i_lon], _bad_number(fields[i_lon]))
            continue
        if not -180.0 <= lon <= 180.0:
            yield RecordError(file, number, raw[i_lon], f"longitude {lon} outside [-180, 180]")
            continue

        # ---- time window, cached per distinct date (or date and time)
        key: Any = fields[i_date] if i_time is None else (fields[i_date], fields[i_time])
        window = windows.get(key)
        if window is None:
            try:
                window = _window(fields, i_date, i_time)
            except _CellError as exc:
                yield RecordError(file, number, raw[exc.column], exc.message)
                continue
            if len(windows) >= _CACHE_LIMIT:
                windows.clear()
            windows[key] = window

        # ---- source id and position uncertainty, cached per distinct pixel columns
        if pixel_constant:
            pixel = constant
        else:
            pixel_key = get_pixel_key(fields)
            cached = pixels.get(pixel_key)
            if cached is None:
                try:
                    cached = _pixel(layout, pixel_key)
                except _CellError as exc:
                    yield RecordError(file, number, raw[exc.column], exc.message)
                    continue
                if len(pixels) >= _CACHE_LIMIT:
                    pixels.clear()
                pixels[pixel_key] = cached
            pixel = cached

        # ---- attributes: all other columns
        if no_attributes:
            attributes: dict[str, Any] = {}
        else:
            try:
                attributes = dict(zip(num_names, map(float, get_nums(fields))))  # noqa: B905
            except ValueError:
                attributes = _attributes_slow(layout, fields)
            else:
                texts = get_texts(fields)
                if "" in texts or has_other:
                    attributes = _attributes_slow(layout, fields)
                else:  # text values repeat: keep one copy of each
                    attributes.update(zip(text_names, map(intern, texts, texts)))  # noqa: B905

        yield make_observation(
            sha256(uid_prefix + body + uid_suffix).hexdigest(),  # observation_uid(NAME, line, 0)
            satellite_thermal,
            NAME,
            pixel[0],  # source_id
            window[0],
            window[1],
            make_point(lon, lat, pixel[1]),
            thermal,
            1,  # count
            None,  # weapon
            None,  # flow
            RELIABILITY,
            CREDIBILITY,
            line,  # payload
            sha256(body).hexdigest(),  # payload_sha256
            attributes,
        )


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


def _bad_number(text: str) -> str:
    if not text.strip():
        return "missing value"
    return f"not a number: {text!r}"
