"""The validation problem raised inside the loader, before it knows the file and line."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class AgreementProblem(Exception):
    """A problem with one key of an agreement document.

    ``field`` is the dotted key path (``"clauses[1].zone"``, indices from 0); ``at`` the
    key whose TOML line to show when it is not ``field`` itself;
    :func:`trucewatch.agreements.load.load_agreement` turns it into a
    :class:`trucewatch.errors.InputError` naming the file and, when it can find it, the
    TOML line.
    """

    def __init__(self, field: str, message: str, *, at: str | None = None) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
        self.at = at or field  # key whose line to show (``scope`` for a missing ``sites``)


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """``"; did you mean 'x'?"`` for the closest choice, or ``""`` when none is close."""
    options = list(choices)
    lowered = {c.lower(): c for c in options}
    close = difflib.get_close_matches(word.lower(), list(lowered), n=1, cutoff=0.6)
    return f"; did you mean {lowered[close[0]]!r}?" if close else ""


def one_of(choices: Iterable[str]) -> str:
    """``"one of 'a', 'b', 'c'"``."""
    return "one of " + ", ".join(repr(c) for c in choices)
