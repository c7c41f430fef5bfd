"""Errors with enough context for a one-line message naming file, record and field."""

from __future__ import annotations

from dataclasses import dataclass


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


class InputError(TrucewatchError):
    """Bad input; carries the :class:`RecordError` that describes it."""

    def __init__(self, error: RecordError) -> None:
        super().__init__(str(error))
        self.error = error


class StoreError(TrucewatchError):
    """The store could not be opened, migrated or written."""
