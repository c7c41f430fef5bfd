"""Input formats: one module per format, a registry, format sniffing and file reading.

Each format module (see :mod:`trucewatch.sources.base` for the protocol) exposes ``NAME``,
``sniff(path, head)`` and ``read(path)``; :data:`REGISTRY` maps names to modules: the
formats each source kind names in :data:`trucewatch.kinds.SOURCE_KINDS`, in its order.

>>> list(REGISTRY)
['firms', 'patrol', 'smm', 'acoustic', 'camera', 'complaint']

Reading a file is all-or-nothing by default: the first bad record raises
:class:`~trucewatch.errors.InputError` (so nothing of that file gets stored); with
``skip_bad=True`` bad records are collected in :attr:`ReadResult.errors` and the good ones
kept.
"""

from __future__ import annotations

import codecs
import importlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

from trucewatch.errors import InputError, RecordError, RecordNote
from trucewatch.gc import gc_paused
from trucewatch.kinds import SOURCE_KINDS
from trucewatch.sources.base import HEAD_BYTES, SourceFormat
from trucewatch.types import Observation

__all__ = [
    "HEAD_BYTES",
    "REGISTRY",
    "FileStream",
    "ReadResult",
    "SourceFormat",
    "read_file",
    "read_head",
    "sniff_format",
    "stream_file",
]


def _format_modules() -> dict[str, SourceFormat]:
    """The reader module ``trucewatch.sources.<name>`` of every format the source kinds
    name, in their order."""
    modules: dict[str, SourceFormat] = {}
    for model in SOURCE_KINDS.values():
        for name in model.formats:
            modules[name] = cast(SourceFormat, importlib.import_module(f"{__name__}.{name}"))
    return modules


REGISTRY: dict[str, SourceFormat] = _format_modules()
"""Format name -> format module, in sniffing order."""


@dataclass(frozen=True)
class ReadResult:
    """What :func:`read_file` read from one file.

    ``read`` counts input records (a CSV row, a JSON line), good or bad: a patrol record
    with three events is one record read and three observations. ``notes`` tell about
    records kept (an SMM passage whose events are kept unlocated).
    """

    path: Path
    format: str
    observations: list[Observation] = field(default_factory=list)
    errors: list[RecordError] = field(default_factory=list)
    read: int = 0
    notes: list[RecordNote] = field(default_factory=list)


def _file_error(path: Path, message: str, field_name: str | None = None) -> InputError:
    return InputError(RecordError(str(path), None, field_name, message))


def read_head(path: Path, size: int = HEAD_BYTES) -> str:
    """The first ``size`` bytes of a file as text (a leading byte-order mark removed; a
    character cut at the end is dropped). Raises :class:`InputError` naming the file when
    it cannot be read, is empty (or only whitespace) or is not UTF-8."""
    try:
        with open(path, "rb") as f:
            data = f.read(size)
    except OSError as exc:
        raise _file_error(path, f"cannot read file: {exc.strerror or exc}") from exc
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        head = codecs.getincrementaldecoder("utf-8")().decode(data, final=False)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(
            RecordError(str(path), line, None, "not a UTF-8 text file (binary or another encoding)")
        ) from exc
    if not head.strip():
        raise _file_error(path, "empty file")
    return head


def sniff_format(path: Path) -> str:
    """Name of the first registered format that recognises the file.

    Raises :class:`InputError` naming the file when it cannot be read, is empty, is not
    UTF-8 text or matches no format.
    """
    path = Path(path)
    head = read_head(path)
    for name, module in REGISTRY.items():
        if module.sniff(path, head):
            return name
    raise _file_error(
        path, f"unrecognised input format (known formats: {', '.join(REGISTRY)}); "
        "use --format to name it",
    )  # fmt: skip


def _module(path: Path, format: str) -> SourceFormat:
    module = REGISTRY.get(format.strip().lower())
    if module is None:
        raise _file_error(
            path, f"unknown format {format!r} (known formats: {', '.join(REGISTRY)})", "format"
        )
    return module


class FileStream:
    """Observations of one file, read lazily: iterate once; afterwards ``read`` holds the
    number of input records, ``errors`` the rejected ones (with ``skip_bad``) and ``notes``
    what the reader said of records it kept (:class:`~trucewatch.errors.RecordNote`).

    With ``skip_bad=False`` iteration raises ``InputError`` at the first bad record, so a
    caller storing inside one transaction stores nothing of that file.
    """

    def __init__(self, path: Path, name: str, skip_bad: bool) -> None:
        self.path = path
        self.format = name
        self.skip_bad = skip_bad
        self.errors: list[RecordError] = []
        self.notes: list[RecordNote] = []
        self.read = 0

    def __iter__(self) -> Iterator[Observation]:
        module = REGISTRY[self.format]
        try:
            for item in module.read(self.path):
                if isinstance(item, Observation):
                    if not item.attributes.get("event_index"):
                        self.read += 1
                    yield item
                elif isinstance(item, RecordNote):
                    self.notes.append(item)
                else:
                    if not self.skip_bad:
                        raise InputError(item)
                    self.read += 1
                    self.errors.append(item)
        except OSError as exc:
            raise _file_error(self.path, f"cannot read file: {exc.strerror or exc}") from exc


def stream_file(path: Path, format: str | None = None, *, skip_bad: bool = False) -> FileStream:
    """Open one file in ``format`` (sniffed when ``None``) for lazy reading.

    A file that cannot be read, is empty or is not UTF-8 raises :class:`InputError` here,
    before any record is read; so does an unknown format name (listing the known ones).
    """
    path = Path(path)
    if format is None:
        name = sniff_format(path)
    else:
        name = _module(path, format).NAME
        read_head(path)  # unreadable, empty and non-UTF-8 files: one clear error
    return FileStream(path, name, skip_bad)


def read_file(path: Path, format: str | None = None, *, skip_bad: bool = False) -> ReadResult:
    """Read one whole file in ``format`` (sniffed when ``None``) into memory.

    With ``skip_bad=False`` the first bad record raises ``InputError(error)``; with
    ``skip_bad=True`` bad records are returned in ``errors`` and the good ones kept.
    A file that cannot be read, is empty or is not UTF-8 raises :class:`InputError` either
    way; so does an unknown format name (listing the known ones).
    """
    stream = stream_file(path, format, skip_bad=skip_bad)
    with gc_paused():
        observations = list(stream)
    return ReadResult(
        path=stream.path,
        format=stream.format,
        observations=observations,
        errors=stream.errors,
        read=stream.read,
        notes=stream.notes,
    )
