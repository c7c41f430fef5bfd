"""Errors with enough context for a one-line message naming file, record and field."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta


class TrucewatchError(Exception):
    """Base class of errors shown to the user as one line on stderr."""


@dataclass(frozen=True)
class RecordError:
    """A problem with one input record: which file, which line (1-based) and which field."""

    file: str
    line: int | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f", line {self.line}"
        if self.field:
            where += f", field {self.field!r}"
        return f"{where}: {self.message}"

    def as_dict(self) -> dict[str, object]:
        return {"file": self.file, "line": self.line, "field": self.field, "message": self.message}


@dataclass(frozen=True)
class RecordNote:
    """Something to know about one input record that was kept (not an error): which file,
    which line (1-based), which field, what, and how many of its events were kept
    unlocated (a narrative passage whose observer position could not be read)."""

    file: str
    line: int | None
    field: str | None
    message: str
    unlocated: int = 0

    def __str__(self) -> str:
        return str(RecordError(self.file, self.line, self.field, self.message))

    def as_dict(self) -> dict[str, object]:
        return {"file": self.file, "line": self.line, "field": self.field,
                "message": self.message, "unlocated": self.unlocated}  # fmt: skip


class InputError(TrucewatchError):
    """Bad input; carries the :class:`RecordError` that describes it."""

    def __init__(self, error: RecordError) -> None:
        super().__init__(str(error))
        self.error = error


class StoreError(TrucewatchError):
    """The store could not be opened, migrated or written."""


class QuotaExceeded(TrucewatchError):
    """A submission that would take its token over its daily quota: nothing of it was
    stored. ``quota`` records per UTC day, ``used`` already counted on ``day``,
    ``requested`` in the refused submission; ``retry_after_s`` (whole seconds, at least
    1) until the quota starts again at the next midnight UTC."""

    def __init__(self, *, quota: int, used: int, requested: int, day: date,
                 retry_after_s: int) -> None:  # fmt: skip
        self.quota, self.used, self.requested = quota, used, requested
        self.day, self.retry_after_s = day, retry_after_s
        super().__init__(
            f"daily quota exceeded: this token may submit {quota} records per UTC day; "
            f"{used} were submitted on {day.isoformat()} and this batch has {requested}, "
            f"so nothing of it was stored; the quota starts again at "
            f"{(day + timedelta(days=1)).isoformat()}T00:00Z (in {retry_after_s} s)"
        )
