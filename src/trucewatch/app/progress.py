"""Progress reporting for long use cases (the core stays free of terminal code)."""

from __future__ import annotations

from collections.abc import Callable

Progress = Callable[[str, int, int], None]
"""Progress callback: (task description, done, total)."""


def no_progress(_task: str, _done: int, _total: int) -> None:
    """The default progress callback: report nothing."""
    return None


class Stages:
    """The progress of a use case done in stages, each counted in its own items
    (observations, clusters, incidents): a :data:`Progress` that hands each stage on as
    ``"k/n what"`` with its own done and total, so that a bar shows the count, the rate
    and the time left of the stage under way. A stage starts when the description
    changes (each stage keeps one description from its start to its end); ``count`` is
    how many stages there are."""

    def __init__(self, progress: Progress, count: int) -> None:
        self.progress = progress
        self.count = count
        self.number = 0
        self._what: str | None = None

    def __call__(self, what: str, done: int, total: int) -> None:
        if what != self._what:
            self._what = what
            self.number += 1
        self.progress(f"{min(self.number, self.count)}/{self.count} {what}", done, total)
