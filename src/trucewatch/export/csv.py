"""CSV: one row per incident with the flat, ACLED-style columns of
:mod:`trucewatch.export.flat` (RFC 4180: a header, ``\\r\\n`` line ends). The API's CSV
(``GET /api/incidents?format=csv``) writes the same columns through :func:`encode`."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import TextIO

from trucewatch.export import flat
from trucewatch.export.format import ExportFormat, Record

COLUMNS: tuple[str, ...] = flat.COLUMNS
"""Columns of an exported row, in order (:data:`trucewatch.export.flat.COLUMNS`)."""


def write(
    records: Iterable[Record],
    out: TextIO,
    *,
    columns: Sequence[str] = COLUMNS,
    lineterminator: str = "\r\n",
) -> None:
    """A header and one row per record, with ``columns`` (names from :func:`flat.rows`)."""
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore",
                            lineterminator=lineterminator)  # fmt: skip
    writer.writeheader()
    writer.writerows(flat.rows(records))


def encode(
    records: Iterable[Record], *, columns: Sequence[str] = COLUMNS, lineterminator: str = "\r\n"
) -> str:
    """The CSV text of ``records`` (see :func:`write`)."""
    out = io.StringIO()
    write(records, out, columns=columns, lineterminator=lineterminator)
    return out.getvalue()


FORMAT = ExportFormat(name="csv", media_type="text/csv", suffix=".csv", write=write)
