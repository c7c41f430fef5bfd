"""A FIRMS archive file read as columns (the large files: a million rows and more).

The columnar path reads the minimal FIRMS shape (``latitude,longitude,acq_date`` in any
order and letter case: the archives, :mod:`trucewatch.sources.firms`) with pyarrow's CSV
reader and checks every row with array operations. It gives exactly the observations the
row reader (:func:`trucewatch.sources.firms.read`) gives, as arrays, or ``None`` when it
cannot vouch for that: another shape (more columns: their attributes are per-row
objects), quotes, carriage returns, blank lines, characters other than digits, ``.``,
``+``, ``-``, ``e``, ``E`` and commas in the data rows, a row longer than
:data:`trucewatch.limits.FAST_ROW_BYTES`, or any bad value. Then the caller reads the file
with the row reader, which names the file, line and column of each bad row, so errors are
reported exactly as before.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from pyarrow import csv as pacsv

from trucewatch import limits
from trucewatch.sources import firms
from trucewatch.sources.base import UTF8_BOM

MIN_ROWS = 50_000
"""Files with fewer data rows (by size: about 25 bytes a row) take the row path."""

_DATA_BYTES = np.zeros(256, bool)
_DATA_BYTES[np.frombuffer(b"0123456789.+-eE,\n", np.uint8)] = True


@dataclass(frozen=True)
class FirmsColumns:
    """The data rows of a FIRMS archive file as arrays (row ``i`` is line ``i + 2``).

    ``data``: the file's bytes; ``starts``/``stops``: each row's raw line (its payload,
    without the line ending) as ``data[starts[i]:stops[i]]``; ``lat``/``lon``: WGS84
    degrees; ``day``: index into ``days``, the distinct acquisition dates (UTC; each row's
    window is its whole day); ``source_id`` and ``sigma2_km2`` (the isotropic position
    variance, km²) are the same for every row of this shape."""

    path: Path
    data: np.ndarray
    starts: np.ndarray
    stops: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    day: np.ndarray
    days: list[date]
    source_id: str
    sigma2_km2: float

    @property
    def read(self) -> int:
        """Records read (data rows)."""
        return len(self.starts)

    def window(self, k: int) -> tuple[datetime, datetime]:
        """UTC window of distinct day ``k``."""
        d = self.days[k]
        start = datetime(d.year, d.month, d.day, tzinfo=UTC)
        return start, start + timedelta(days=1)


def read_columns(path: Path, *, min_rows: int | None = None) -> FirmsColumns | None:
    """The file as columns, or ``None`` when the row reader must read it (see the module
    docstring; also for a file of fewer than ``min_rows`` rows, about: default
    :data:`MIN_ROWS`)."""
    path = Path(path)
    try:
        if path.stat().st_size < (MIN_ROWS if min_rows is None else min_rows) * 20:
            return None
        raw = path.read_bytes()
    except OSError:
        return None
    if raw.startswith(UTF8_BOM):
        raw = raw[3:]
    header_end = raw.find(b"\n")
    if header_end <= 0:
        return None
    names = raw[:header_end].decode("ascii", "replace").strip().lower().split(",")
    if sorted(n.strip() for n in names) != sorted(firms.REQUIRED_COLUMNS) or b'"' in raw:
        return None
    body = raw[header_end + 1 :]
    return _columns(path, raw, header_end + 1, body, [n.strip() for n in names])


def _columns(path: Path, raw: bytes, offset: int, body: bytes,
             names: list[str]) -> FirmsColumns | None:  # fmt: skip
    data = np.frombuffer(raw, np.uint8)
    rows = data[offset:]
    if len(rows) == 0 or not _DATA_BYTES[rows].all():
        return None
    ends = np.flatnonzero(rows == 10) + offset
    if len(ends) == 0 or ends[-1] != len(data) - 1:  # the last line has its newline too
        ends = np.append(ends, len(data))
    starts = np.concatenate(([offset], ends[:-1] + 1))
    lengths = ends - starts
    if lengths.min() == 0 or lengths.max() > limits.FAST_ROW_BYTES:  # blank or long lines
        return None
    table = _parse(body, names)
    if table is None or table.num_rows != len(starts):
        return None
    lat = table.column("latitude").to_numpy() + 0.0  # -0.0 as 0.0: SQLite drops the sign
    lon = table.column("longitude").to_numpy() + 0.0  # of a zero REAL; the digests follow
    if not ((np.abs(lat) <= 90.0).all() and (np.abs(lon) <= 180.0).all()):
        return None  # NaN fails the comparison too
    days = _days(table.column("acq_date"))
    if days is None:
        return None
    distinct, day = days
    source_id, cov = firms._pixel(firms._Layout(names, names), ())
    if len(source_id) > limits.MAX_TEXT:
        return None
    return FirmsColumns(path, data, starts.astype(np.int64), ends.astype(np.int64), lat, lon,
                        day, distinct, source_id, cov[0][0])  # fmt: skip


def _parse(body: bytes, names: list[str]) -> pa.Table | None:
    """The rows with pyarrow (floats and date text), or None if any row does not parse."""
    types = {"latitude": pa.float64(), "longitude": pa.float64(), "acq_date": pa.string()}
    try:
        table = pacsv.read_csv(
            pa.py_buffer(body),
            read_options=pacsv.ReadOptions(column_names=names, block_size=1 << 24),
            parse_options=pacsv.ParseOptions(ignore_empty_lines=False),
            convert_options=pacsv.ConvertOptions(column_types=types,
                                                 strings_can_be_null=False),
        )  # fmt: skip
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return None
    if any(table.column(n).null_count for n in ("latitude", "longitude")):
        return None
    return table


def _days(column: pa.ChunkedArray) -> tuple[list[date], np.ndarray] | None:
    """The distinct dates (each checked by :func:`firms.parse_acq_date`) and each row's
    index into them; None if one is not a valid date."""
    encoded = pc.dictionary_encode(column).combine_chunks()
    try:
        distinct = [firms.parse_acq_date(s) for s in encoded.dictionary.to_pylist()]
    except ValueError:
        return None
    return distinct, encoded.indices.to_numpy().astype(np.int32)
