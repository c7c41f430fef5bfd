"""Shared pieces of the command line: consoles, option types, error handling, progress
and date/time parsing."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from trucewatch.app.progress import Progress as ProgressCallback
from trucewatch.app.roles import OPERATOR, Principal, Role, role_of
from trucewatch.app.session import Store, open_store
from trucewatch.errors import TrucewatchError

err = Console(stderr=True)
out = Console()

_principal: Principal = OPERATOR


def set_principal(role: str, party: str | None) -> None:
    """Act as ``role`` (for ``party``) for the rest of this command (root options
    ``--role``/``--party``); an unknown role or a liaison without a party fails."""
    global _principal
    try:
        r = role_of(role)
        _principal = OPERATOR if r is Role.ANALYST and not party else Principal(
            f"cli:{r.value}" + (f":{party}" if party else ""), r, party)
    except ValueError as exc:
        _fail(f"--role: {exc}")


def principal() -> Principal:
    """Who the command acts as (:mod:`trucewatch.app.roles`; default: the operator, an analyst)."""
    return _principal

DbOpt = Annotated[
    str | None,
    typer.Option("--db", help="Store URL (default: $TRUCEWATCH_DB or sqlite:///trucewatch.db; "
                 "postgresql+psycopg://user@host/db for a server)."),
]  # fmt: skip
JsonOpt = Annotated[
    bool, typer.Option("--json", help="Print one JSON object with the result on stdout.")
]
SinceOpt = Annotated[str | None, typer.Option(help="Start (UTC ISO 8601), inclusive.")]
UntilOpt = Annotated[str | None, typer.Option(help="End (UTC ISO 8601), exclusive.")]


def _fail(message: str) -> None:
    err.print(f"[red]error:[/red] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code=1)


@contextmanager
def _store(db: str | None) -> Iterator[Store]:
    store = open_store(db)
    try:
        yield store
    finally:
        store.close()


def with_store(db: str | None, use_case: Callable[..., dict[str, Any]],
               *args: Any, **kwargs: Any) -> dict[str, Any]:  # fmt: skip
    """Run ``use_case(store, *args, **kwargs, principal=...)`` on the store named by
    ``--db``, as the command's principal; the store is closed afterwards."""
    with _store(db) as store:
        return use_case(store, *args, **kwargs, principal=principal())


def _run(
    job: Callable[[], dict[str, Any]], as_json: bool, show: Callable[[dict], None]
) -> dict[str, Any]:
    """Run a job, turning trucewatch errors into one line on stderr and exit status 1."""
    try:
        result = job()
    except TrucewatchError as exc:
        _fail(str(exc))
        raise  # unreachable: _fail exits
    if as_json:
        sys.stdout.write(json.dumps(result, default=str) + "\n")
    else:
        show(result)
    return result


def run_on_store(db: str | None, as_json: bool, show: Callable[[dict], None],
                 use_case: Callable[..., dict[str, Any]], *args: Any,
                 **kwargs: Any) -> dict[str, Any]:  # fmt: skip
    """Run ``use_case(store, *args, **kwargs)`` on the store named by ``--db``
    (:func:`with_store`) and print its answer (:func:`_run`): one JSON object with
    ``--json``, else ``show(result)``."""
    return _run(lambda: with_store(db, use_case, *args, **kwargs), as_json, show)


def table_of(key: str, headers: Sequence[str],
             row: Callable[[dict[str, Any]], Sequence[str]]) -> Callable[[dict], None]:  # fmt: skip
    """A ``show`` for :func:`_run` printing the items of ``result[key]`` as a table with
    ``headers``, one ``row(item)`` per item."""

    def show(result: dict[str, Any]) -> None:
        table = Table(*headers)
        for item in result[key]:
            table.add_row(*row(item))
        out.print(table)

    return show


def _show_pairs(result: dict[str, Any]) -> None:
    for key, value in result.items():
        if isinstance(value, list | dict) and not value:
            continue
        out.print(f"{key}: {value}", highlight=False)


@contextmanager
def _progress(enabled: bool) -> Iterator[ProgressCallback]:
    """A rich progress bar on stderr, handed to the service as a callback."""
    if not enabled:
        yield lambda *_: None
        return
    columns = (TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err, transient=True) as bar:
        task = bar.add_task("starting", total=None)

        def update(description: str, done: int, total: int) -> None:
            bar.update(task, description=description, completed=done, total=total)

        yield update


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
