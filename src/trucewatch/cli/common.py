"""Shared pieces of the command line: consoles, option types, error handling, progress,
output paths, tidy output and date/time parsing.

Start-up is kept short (``trucewatch --help`` imports Typer and Rich only): the use cases
(:mod:`trucewatch.app`) are imported inside the commands."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

from trucewatch.errors import TrucewatchError

if TYPE_CHECKING:
    from rich.progress import Progress as RichProgress

    from trucewatch.app.progress import Progress as ProgressCallback
    from trucewatch.app.roles import Principal
    from trucewatch.app.session import Store

err = Console(stderr=True)
out = Console()

_options: dict[str, Any] = {"role": "analyst", "party": None, "quiet": False}


def set_principal(role: str, party: str | None, quiet: bool = False) -> None:
    """Act as ``role`` (for ``party``) for the rest of this command (root options
    ``--role``/``--party``; resolved by :func:`principal` when a command needs it) and
    print no progress or notes with ``quiet`` (``--quiet``)."""
    _options.update(role=role, party=party, quiet=quiet)


def quiet() -> bool:
    """Whether ``--quiet`` was given: no progress bars, no notes on stderr."""
    return bool(_options["quiet"])


def principal() -> Principal:
    """Who the command acts as (:mod:`trucewatch.app.roles`; default: the operator, an
    analyst); an unknown role or a liaison without a party fails."""
    from trucewatch.app.roles import OPERATOR, Principal, Role, role_of

    role, party = _options["role"], _options["party"]
    try:
        r = role_of(role)
        if r is Role.ANALYST and not party:
            return OPERATOR
        return Principal(f"cli:{r.value}" + (f":{party}" if party else ""), r, party)
    except ValueError as exc:
        _fail(f"--role: {exc}")
        raise  # unreachable: _fail exits

DbOpt = Annotated[
    str | None,
    typer.Option("--db", help="Store URL (default: $TRUCEWATCH_DB or sqlite:///trucewatch.db; "
                 "postgresql+psycopg://user@host/db for a server)."),
]  # fmt: skip
JsonOpt = Annotated[
    bool, typer.Option("--json", help="Print one JSON object with the result on stdout.")
]
LangOpt = Annotated[
    str,
    typer.Option("--lang", envvar="TRUCEWATCH_LANG",
                 help="Language of the report: en (default), uk or ru."),
]  # fmt: skip
SinceOpt = Annotated[str | None, typer.Option(help="Start (UTC ISO 8601), inclusive.")]
UntilOpt = Annotated[str | None, typer.Option(help="End (UTC ISO 8601), exclusive.")]


def report_language(lang: str) -> str:
    """The report language of ``--lang`` (``uk-UA`` is ``uk``); an unknown one is a
    one-line error listing the offered ones."""
    from trucewatch import i18n

    tag = lang.strip().replace("_", "-").split("-")[0].lower()
    if tag not in i18n.LOCALES:
        _fail(f"--lang {lang!r}: the report is written in {', '.join(i18n.LOCALES)}")
    return tag


def _fail(message: str) -> None:
    from rich.markup import escape

    err.print(f"[red]error:[/red] {escape(message)}", highlight=False, soft_wrap=True)
    raise typer.Exit(code=1)


@contextmanager
def _store(db: str | None, create: bool = True) -> Iterator[Store]:
    from trucewatch.app.session import open_store

    store = open_store(db, create=create)
    try:
        yield store
    finally:
        store.close()


def with_store(db: str | None, use_case: Callable[..., dict[str, Any]],
               *args: Any, **kwargs: Any) -> dict[str, Any]:  # fmt: skip
    """Run ``use_case(store, *args, **kwargs, principal=...)`` on the store named by
    ``--db`` (created if it does not exist), as the command's principal; the store is
    closed afterwards."""
    with _store(db) as store:
        return use_case(store, *args, **kwargs, principal=principal())


def with_existing_store(db: str | None, use_case: Callable[..., dict[str, Any]],
                        *args: Any, **kwargs: Any) -> dict[str, Any]:  # fmt: skip
    """:func:`with_store` for read commands: a store that does not exist is a one-line
    error, never a new empty store (a mistyped ``--db``)."""
    with _store(db, create=False) as store:
        return use_case(store, *args, **kwargs, principal=principal())


def os_error_line(exc: OSError) -> str:
    """One line for a file-system error: the path and what went wrong."""
    where = exc.filename if exc.filename is not None else ""
    what = exc.strerror or str(exc)
    hint = {IsADirectoryError: " (a folder where a file was expected)",
            NotADirectoryError: " (a file where a folder was expected)",
            FileExistsError: " (a file is in the way)",
            PermissionError: " (not allowed to write there)"}.get(type(exc), "")  # fmt: skip
    return f"{where}: {what}{hint}" if where else f"{what}{hint}"


def _run(
    job: Callable[[], dict[str, Any]], as_json: bool, show: Callable[[dict], None]
) -> dict[str, Any]:
    """Run a job, turning trucewatch and file-system errors into one line on stderr and
    exit status 1."""
    try:
        result = job()
    except TrucewatchError as exc:
        _fail(str(exc))
        raise  # unreachable: _fail exits
    except OSError as exc:
        _fail(os_error_line(exc))
        raise
    if as_json:
        sys.stdout.write(json.dumps(result, default=str) + "\n")
    else:
        show(result)
    return result


def run_on_store(db: str | None, as_json: bool, show: Callable[[dict], None],
                 use_case: Callable[..., dict[str, Any]], *args: Any,
                 **kwargs: Any) -> dict[str, Any]:  # fmt: skip
    """Run ``use_case(store, *args, **kwargs)`` on the store named by ``--db``
    (:func:`with_store`, creating it) and print its answer (:func:`_run`): one JSON
    object with ``--json``, else ``show(result)``."""
    return _run(lambda: with_store(db, use_case, *args, **kwargs), as_json, show)


def read_on_store(db: str | None, as_json: bool, show: Callable[[dict], None],
                  use_case: Callable[..., dict[str, Any]], *args: Any,
                  **kwargs: Any) -> dict[str, Any]:  # fmt: skip
    """:func:`run_on_store` for commands that need an existing store
    (:func:`with_existing_store`)."""
    return _run(lambda: with_existing_store(db, use_case, *args, **kwargs), as_json, show)


def out_folder(path: Path, option: str = "--out") -> Path:
    """Check (and create) the output folder of a command before any work: a file in the
    way, a folder that cannot be made or written is a one-line error."""
    if path.exists() and not path.is_dir():
        _fail(f"{option} {path}: is a file; give a folder (created if missing)")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        _fail(f"{option} {path}: cannot create the folder ({exc.strerror or exc})")
    if not os.access(path, os.W_OK | os.X_OK):
        _fail(f"{option} {path}: the folder is not writable")
    return path


def out_file(path: Path, option: str = "--out", example: str = "out.txt") -> Path:
    """Check the output file of a command before any work: a folder given for a file, a
    missing folder that cannot be made, or a place not writable is a one-line error (an
    existing file is replaced)."""
    if path.is_dir():
        _fail(f"{option} {path}: is a folder; give a file name (e.g. {path / example})")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        _fail(f"{option} {path}: cannot create its folder ({exc.strerror or exc})")
    if not os.access(path.parent, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        _fail(f"{option} {path}: not writable")
    return path


def table_of(key: str, headers: Sequence[str],
             row: Callable[[dict[str, Any]], Sequence[str]]) -> Callable[[dict], None]:  # fmt: skip
    """A ``show`` for :func:`_run` printing the items of ``result[key]`` as a table with
    ``headers``, one ``row(item)`` per item."""

    def show(result: dict[str, Any]) -> None:
        from rich.table import Table

        table = Table(*headers)
        for item in result[key]:
            table.add_row(*row(item))
        out.print(table)

    return show


def _show_pairs(result: dict[str, Any]) -> None:
    """Print a result as indented ``key: value`` lines (:func:`tidy_lines`)."""
    for line in tidy_lines(result):
        out.print(line, highlight=False, soft_wrap=True, markup=False)


MAX_ITEMS = 12
"""Items of a list shown by :func:`tidy_lines` (``--json`` gives them all)."""


def tidy_lines(value: dict[str, Any], indent: int = 0) -> list[str]:
    """A JSON-able result as readable lines: nested tables indented, lists of values on one
    line, lists of tables one item a line, numbers rounded (4 significant digits), long
    lists cut after :data:`MAX_ITEMS` items; empty lists and tables are left out."""
    pad = "  " * indent
    lines: list[str] = []
    for key, v in value.items():
        if isinstance(v, list | dict | tuple) and not v:
            continue
        if isinstance(v, dict):
            lines += [f"{pad}{key}:", *tidy_lines(v, indent + 1)]
        elif isinstance(v, list | tuple) and not any(isinstance(x, dict | list) for x in v):
            shown = ", ".join(_scalar(x) for x in v[:MAX_ITEMS])
            lines.append(f"{pad}{key}: {shown}{_more(v)}")
        elif isinstance(v, list | tuple):
            lines.append(f"{pad}{key}: {len(v)}")
            for item in v[:MAX_ITEMS]:
                lines.append(f"{pad}  - {_inline(item)}")
            if len(v) > MAX_ITEMS:
                lines.append(f"{pad}  ... {len(v) - MAX_ITEMS} more (--json for all)")
        else:
            lines.append(f"{pad}{key}: {_scalar(v)}")
    return lines


def _more(v: Sequence[Any]) -> str:
    return f" ... ({len(v)} in all)" if len(v) > MAX_ITEMS else ""


def _inline(item: Any) -> str:
    if isinstance(item, dict):
        return ", ".join(f"{k} {_inline(x)}" for k, x in item.items() if x not in (None, [], {}))
    if isinstance(item, list | tuple):
        return "[" + ", ".join(_inline(x) for x in item[:MAX_ITEMS]) + _more(item) + "]"
    return _scalar(item)


def _scalar(v: Any) -> str:
    if v is None:
        return "-"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float):
        return f"{v:,.0f}" if abs(v) >= 10_000 else f"{v:.4g}"
    return str(v)


STEP_TASK_MAX = 20
"""A progress total up to this counts steps (fuse, simulate), not items: no rate shown."""


@contextmanager
def _progress(enabled: bool) -> Iterator[ProgressCallback]:
    """A progress bar on stderr (description, bar, done/total, rate per second, elapsed
    time and time left), handed to the use case as a callback; nothing when not
    ``enabled`` or with ``--quiet``. A use case done in stages counted in their own items
    (fuse: observations, then clusters, then incidents) starts each with a new
    description and a new total or a count that goes back: the bar then starts afresh,
    so that rate, elapsed time and time left are the stage's."""
    if not enabled or quiet():
        yield lambda *_: None
        return
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TextColumn("{task.fields[rate]}"), TimeElapsedColumn(), TextColumn("left"),
               TimeRemainingColumn())  # fmt: skip
    with Progress(*columns, console=err, transient=True) as bar:
        yield StageBar(bar)


class StageBar:
    """The progress callback of :func:`_progress`: draws ``(description, done, total)`` on
    one task of a rich ``Progress``, with the rate (items per second) when ``total`` counts
    items (not a few steps). A new stage, a new description with a new total or a count
    that goes back, starts the task afresh: its rate, elapsed time and time left are the
    stage's alone."""

    def __init__(self, bar: RichProgress) -> None:
        self.bar = bar
        self.task = bar.add_task("starting", total=None, rate="")
        self._description = ""

    def __call__(self, description: str, done: int, total: int) -> None:
        bar, task = self.bar, self.task
        now = bar.tasks[0]
        if description != self._description and ((total or None) != now.total
                                                  or done < now.completed):  # fmt: skip
            bar.reset(task, completed=done, total=total or None, description=description,
                      rate="")  # fmt: skip
        self._description = description
        bar.update(task, description=description, completed=done, total=total or None)
        speed = bar.tasks[0].speed  # of items; a task counted in a few steps has none
        items = total == 0 or total > STEP_TASK_MAX
        bar.update(task, rate=f"{speed:,.0f}/s" if speed and items else "")


def note(message: str) -> None:
    """A note on stderr (not with ``--quiet``)."""
    if not quiet():
        err.print(message, highlight=False, soft_wrap=True)


def _parse_time(value: str | None, option: str) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        _fail(f"{option} {value!r}: not an ISO 8601 date or time (e.g. 2025-08-12T06:00Z)")
    return None


def _parse_date(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        _fail(f"{option} {value!r}: not a date (YYYY-MM-DD)")
    return None
