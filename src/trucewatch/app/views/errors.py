"""Why a view has nothing to answer: what the faces turn into "not found" or "invalid"."""

from __future__ import annotations

from trucewatch.errors import TrucewatchError


class NotVisible(TrucewatchError):
    """No such item, or none the caller may see (the API answers 404)."""


class BadQuery(TrucewatchError):
    """A query that cannot be answered as asked; ``field`` names the parameter at fault
    (the API answers 422)."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
