"""What an export format is: a name, a media type, a file suffix and a writer of incident
records (:func:`trucewatch.codec.incident_record`) to text."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

Record = Mapping[str, Any]
"""An incident as :func:`trucewatch.codec.incident_record` encodes it."""


@dataclass(frozen=True, kw_only=True)
class ExportFormat:
    """One export format of incidents.

    ``name`` is the ``--format`` value, ``media_type`` the HTTP content type, ``suffix``
    the file-name ending (with its dot); ``write`` writes records to an open text stream.
    """

    name: str
    media_type: str
    suffix: str
    write: Callable[[Iterable[Record], TextIO], None]

    def encode(self, records: Iterable[Record]) -> str:
        """The text of ``records`` in this format."""
        out = io.StringIO()
        self.write(records, out)
        return out.getvalue()

    def write_file(self, records: Iterable[Record], path: Path) -> None:
        """Write ``records`` to ``path`` (UTF-8, line ends as the format writes them)."""
        with path.open("w", encoding="utf-8", newline="") as fh:
            self.write(records, fh)
