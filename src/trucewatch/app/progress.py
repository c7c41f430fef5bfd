"""Progress reporting for long use cases (the core stays free of terminal code)."""

from __future__ import annotations

from collections.abc import Callable

Progress = Callable[[str, int, int], None]
"""Progress callback: (task description, done, total)."""


def no_progress(_task: str, _done: int, _total: int) -> None:
    """The default progress callback: report nothing."""
    return None
