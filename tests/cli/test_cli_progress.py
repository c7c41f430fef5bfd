"""The progress bar of the command line: each stage of a use case counted in its own
items gets its own count, rate and time left (a clock of our own: no timing)."""

from __future__ import annotations

import io

from rich.console import Console
from rich.progress import Progress

from trucewatch.cli.common import StageBar


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def bar_with(clock: Clock) -> tuple[Progress, StageBar]:
    console = Console(file=io.StringIO(), force_terminal=False, width=120)
    progress = Progress(console=console, get_time=clock, auto_refresh=False)
    return progress, StageBar(progress)


def test_each_stage_has_its_own_count_rate_and_time_left():
    clock = Clock()
    progress, update = bar_with(clock)
    with progress:
        for t, done in enumerate((0, 1_000, 2_000, 3_000)):  # 1,000 observations a second
            clock.now = float(t)
            update("1/3 reading 4,000 observations", done, 4_000)
        task = progress.tasks[0]
        assert (task.completed, task.total, task.fields["rate"]) == (3_000, 4_000, "1,000/s")
        assert task.time_remaining == 1.0
        clock.now = 4.0  # the next stage: fewer items, counted from 0, slower
        update("2/3 placing 100 incidents against the line", 0, 100)
        task = progress.tasks[0]
        assert (task.completed, task.total, task.speed, task.elapsed) == (0, 100, None, 0.0)
        for t, done in ((6.0, 20), (8.0, 40)):  # 10 incidents a second
            clock.now = t
            update("2/3 placing 100 incidents against the line", done, 100)
        task = progress.tasks[0]
        assert task.fields["rate"] == "10/s" and task.time_remaining == 6.0
        assert task.elapsed == 4.0


def test_files_of_one_import_keep_counting():
    """An import names each file in turn with one count and total: the same bar."""
    clock = Clock()
    progress, update = bar_with(clock)
    with progress:
        for t, (name, done) in enumerate((("a.csv", 0), ("a.csv", 500), ("b.csv", 1_000),
                                          ("b.csv", 1_500))):  # fmt: skip
            clock.now = float(t)
            update(f"importing {name}", done, 2_000)
        task = progress.tasks[0]
        assert task.description == "importing b.csv" and task.elapsed == 3.0
        assert task.fields["rate"] == "500/s"


def test_a_few_steps_show_no_rate():
    clock = Clock()
    progress, update = bar_with(clock)
    with progress:
        for t in range(3):
            clock.now = float(t)
            update(f"step {t}", t, 5)
        assert progress.tasks[0].fields["rate"] == ""
