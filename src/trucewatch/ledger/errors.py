"""Errors of the ledger, shown to the user as one line (see :mod:`trucewatch.errors`)."""

from __future__ import annotations

from trucewatch.errors import TrucewatchError


class LedgerError(TrucewatchError):
    """The log cannot do what was asked (unknown index, size beyond the log, bad key...)."""


class EntryError(LedgerError, ValueError):
    """Bytes that are not the canonical encoding of a log entry; the message says why."""


class SignatureError(LedgerError):
    """A submission or tree head is refused: no valid signature from an active key."""
