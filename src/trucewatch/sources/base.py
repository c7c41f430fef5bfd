"""What every input-format module shares: the plug-in protocol and small helpers for
reading text files line by line (observation uids: :mod:`trucewatch.ids`).

A format module (``trucewatch.sources.firms``, ``trucewatch.sources.patrol``, ...) is a
plain module exposing:

``NAME``
    the format name used by ``--format`` and stored as ``Observation.source_format``;
``sniff(path, head) -> bool``
    whether the file looks like this format (``head`` is the first :data:`HEAD_BYTES` of
    the file decoded as UTF-8, possibly cut in the middle of a line);
``read(path) -> Iterator[Observation | RecordError | RecordNote]``
    one item per observation, or a :class:`~trucewatch.errors.RecordError` for a bad
    record, after which reading continues with the next record. A reader yields at most
    one error per record (so "rejected" counts records). A record with several events
    (a patrol report) gives one observation per event with ``attributes["event_index"]``
    = 0, 1, ...; :func:`trucewatch.sources.read_file` counts a record read for each
    error and each observation whose ``event_index`` is 0 or absent. A
    :class:`~trucewatch.errors.RecordNote` (after the observations of its record) tells
    something about a record that was kept: the ``smm`` reader's events kept unlocated.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, BinaryIO, Protocol, TypeVar

from trucewatch.errors import RecordError, RecordNote
from trucewatch.types import Observation

HEAD_BYTES = 8192
"""How much of a file is decoded and handed to ``sniff``."""

UTF8_BOM = b"\xef\xbb\xbf"


class SourceFormat(Protocol):
    """The interface of a format module (modules satisfy it structurally)."""

    NAME: str

    def sniff(self, path: Path, head: str) -> bool: ...

    def read(self, path: Path) -> Iterator[Observation | RecordError | RecordNote]: ...


def iter_lines(f: BinaryIO, path: Path) -> Iterator[tuple[int, str | RecordError]]:
    """``(line_number, text)`` for each line of a binary file (1-based, without the line
    ending, a leading UTF-8 byte-order mark removed), or ``(line_number, RecordError)`` for
    a line that is not valid UTF-8, so one bad line does not end the file."""
    for number, raw in enumerate(f, 1):
        if number == 1 and raw.startswith(UTF8_BOM):
            raw = raw[3:]
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            yield (
                number,
                RecordError(
                    str(path),
                    number,
                    None,
                    f"not valid UTF-8 text (byte {exc.start + 1} of the line)",
                ),
            )
            continue
        yield number, text.rstrip("\r\n")


T = TypeVar("T")


def fast_constructor(cls: type[T]) -> Callable[..., T]:
    """A positional constructor for a frozen slots dataclass, all fields in declaration
    order, that sets the slots directly instead of going through the frozen ``__init__``
    (about twice as fast; used by readers that build millions of observations).

    It builds exactly what ``cls(**fields)`` builds; when ``cls`` has no slots or has a
    ``__post_init__`` (whose checks must run) it simply calls ``cls``.
    """
    names = [f.name for f in dataclasses.fields(cls)]  # type: ignore[arg-type]
    slots = getattr(cls, "__slots__", ())
    if getattr(cls, "__post_init__", None) is not None or set(names) - set(slots):

        def make_slow(*args: Any) -> T:
            if len(args) != len(names):
                raise TypeError(f"{cls.__name__} needs {len(names)} values, got {len(args)}")
            return cls(**dict(zip(names, args, strict=True)))

        return make_slow

    setters = tuple(cls.__dict__[n].__set__ for n in names)
    new = object.__new__

    def make(*args: Any) -> T:
        obj = new(cls)
        for setter, value in zip(setters, args):  # noqa: B905 (hot path)
            setter(obj, value)
        return obj

    return make
