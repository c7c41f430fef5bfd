"""CSV: one row per incident, flat columns from the incident record
(:func:`trucewatch.codec.incident_record`): the 95% ellipse rounded (semi-axes to the metre,
orientation to 0.1 degree), source kinds joined by ``;``, the number of observations."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any, TextIO

from trucewatch.export.format import ExportFormat, Record

COLUMNS: tuple[str, ...] = (
    "uid", "time_start", "time_end", "lon", "lat", "semi_major_km", "semi_minor_km",
    "orientation_deg", "kind", "count", "confidence", "status", "attribution_party",
    "sector", "held_by", "line_distance_km", "sources", "observations",
)  # fmt: skip
"""Columns of an exported row, in order (:func:`row` also gives ``verdict``)."""


def row(record: Record) -> dict[str, Any]:
    """The flat row of an incident record: every column of :data:`COLUMNS` and ``verdict``."""
    ell = record["ellipse"]
    return {
        **{k: record[k] for k in ("uid", "time_start", "time_end", "lon", "lat")},
        "semi_major_km": _round(ell["semi_major_km"], 3),
        "semi_minor_km": _round(ell["semi_minor_km"], 3),
        "orientation_deg": _round(ell["orientation_deg"], 1),
        **{k: record[k] for k in ("kind", "count", "confidence", "status")},
        "attribution_party": record["attribution"]["party"],
        **{k: record[k] for k in ("sector", "held_by", "line_distance_km")},
        "sources": ";".join(record["sources"]),
        "observations": record["observation_count"],
        "verdict": record["verdict"],
    }


def _round(x: float | None, digits: int) -> float | None:
    return None if x is None else round(x, digits)


def write(
    records: Iterable[Record],
    out: TextIO,
    *,
    columns: Sequence[str] = COLUMNS,
    lineterminator: str = "\r\n",
) -> None:
    """A header and one row per record, with ``columns`` (names from :func:`row`)."""
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore",
                            lineterminator=lineterminator)  # fmt: skip
    writer.writeheader()
    writer.writerows(row(r) for r in records)


def encode(
    records: Iterable[Record], *, columns: Sequence[str] = COLUMNS, lineterminator: str = "\r\n"
) -> str:
    """The CSV text of ``records`` (see :func:`write`)."""
    out = io.StringIO()
    write(records, out, columns=columns, lineterminator=lineterminator)
    return out.getvalue()


FORMAT = ExportFormat(name="csv", media_type="text/csv", suffix=".csv", write=write)
