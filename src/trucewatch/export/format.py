"""What an export format is: a name, a media type, a file suffix and a writer of incident
records (:func:`trucewatch.codec.incident_record`): to a text stream (GeoJSON, CSV), or
to a file (the GDAL formats: GeoPackage, KML, GeoParquet)."""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

Record = Mapping[str, Any]
"""An incident as :func:`trucewatch.codec.incident_record` encodes it."""


@dataclass(frozen=True, kw_only=True)
class ExportFormat:
    """One export format of incidents.

    ``name`` is the ``--format`` value, ``media_type`` the HTTP content type, ``suffix``
    the file-name ending (with its dot). A text format has ``write`` (records to an open
    text stream); a file format has ``write_path`` (records to a file path, through
    pyogrio/GeoPandas).
    """

    name: str
    media_type: str
    suffix: str
    write: Callable[[Iterable[Record], TextIO], None] | None = None
    write_path: Callable[[Sequence[Record], Path], None] | None = None

    def encode(self, records: Iterable[Record]) -> str:
        """The text of ``records`` in this (text) format."""
        if self.write is None:
            raise ValueError(f"{self.name} is a binary format: use to_bytes")
        out = io.StringIO()
        self.write(records, out)
        return out.getvalue()

    def to_bytes(self, records: Iterable[Record]) -> bytes:
        """The file content of ``records`` in this format."""
        if self.write is not None:
            return self.encode(records).encode("utf-8")
        with tempfile.TemporaryDirectory(prefix="trucewatch-export-") as tmp:
            path = Path(tmp) / f"incidents{self.suffix}"
            self.write_file(records, path)
            return path.read_bytes()

    def write_file(self, records: Iterable[Record], path: Path) -> None:
        """Write ``records`` to ``path``: to a temporary file beside it, renamed over
        ``path`` when complete (a failed export leaves no half-written file); the file
        is readable by others (0644 less the umask)."""
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=self.suffix,
                                        dir=path.parent)  # fmt: skip
        os.close(fd)
        tmp = Path(tmp_name)
        try:
            if self.write is not None:
                with tmp.open("w", encoding="utf-8", newline="") as fh:
                    self.write(records, fh)
            else:
                assert self.write_path is not None
                tmp.unlink()  # GDAL drivers create their file
                self.write_path(list(records), tmp)
            _readable(tmp)
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)


def _readable(path: Path) -> None:
    umask = os.umask(0)
    os.umask(umask)
    path.chmod(0o644 & ~umask)
