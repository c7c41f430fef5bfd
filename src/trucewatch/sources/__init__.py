"""Input formats: one module per format, a registry, format sniffing and file reading.

Each format module (see :mod:`trucewatch.sources.base` for the protocol) exposes ``NAME``,
``sniff(path, head)`` and ``read(path)``; :data:`REGISTRY` maps names to modules.

>>> sorted(REGISTRY)
['firms', 'patrol']

Reading a file is all-or-nothing by default: the first bad record raises
:class:`~trucewatch.errors.InputError` (so nothing of that file gets stored); with
``skip_bad=True`` bad records are collected in :attr:`ReadResult.errors` and the good ones
kept.
"""

from __future__ import annotations

import codecs
import gc
from dataclasses import dataclass, field
from pathlib import Path

from trucewatch.errors import InputError, RecordError
from trucewatch.sources import firms, patrol
from trucewatch.sources.base import HEAD_BYTES, SourceFormat, observation_uid
from trucewatch.types import Observation

__all__ = [
    "HEAD_BYTES",
    "REGISTRY",
    "ReadResult",
    "SourceFormat",
    "observation_uid",
    "read_file",
    "read_head",
    "sniff_format",
]

REGISTRY: dict[str, SourceFormat] = {m.NAME: m for m in (firms, patrol)}
"""Format name -> format module, in sniffing order."""


@dataclass(frozen=True)
class ReadResult:
    """What :func:`read_file` read from one file.

    ``read`` counts input records (a CSV row, a JSON line), good or bad: a patrol record
    with three events is one record read and three observations.
    """

    path: Path
    format: str
    observations: list[Observation] = field(default_factory=list)
    errors: list[RecordError] = field(default_factory=list)
    read: int = 0


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


def read_file(path: Path, format: str | None = None, *, skip_bad: bool = False) -> ReadResult:
    """Read one file in ``format`` (sniffed when ``None``).

    With ``skip_bad=False`` the first bad record raises ``InputError(error)``; with
    ``skip_bad=True`` bad records are returned in ``errors`` and the good ones kept.
    A file that cannot be read, is empty or is not UTF-8 raises :class:`InputError` either
    way; so does an unknown format name (listing the known ones).
    """
    path = Path(path)
    if format is None:
        name = sniff_format(path)
    else:
        module = _module(path, format)
        name = module.NAME
        read_head(path)  # unreadable, empty and non-UTF-8 files: one clear error
    module = REGISTRY[name]
    observations: list[Observation] = []
    errors: list[RecordError] = []
    records = 0
    append = observations.append
    # Millions of small objects that all survive: the cyclic GC would scan them again and
    # again for nothing (they hold no cycles). Pause it while reading.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        for item in module.read(path):
            if isinstance(item, Observation):
                if not item.attributes.get("event_index"):
                    records += 1
                append(item)
            else:
                if not skip_bad:
                    raise InputError(item)
                records += 1
                errors.append(item)
    except OSError as exc:
        raise _file_error(path, f"cannot read file: {exc.strerror or exc}") from exc
    finally:
        if gc_was_enabled:
            gc.enable()
    return ReadResult(
        path=path, format=name, observations=observations, errors=errors, read=records
    )
