"""The ``bulletin`` group: run what is due (for cron), issue an automatic bulletin by hand,
sign a period off (the reviewed bulletin), list bulletins and write one (JSON and the
report package's HTML). See docs/operations.md, "Daily tempo: review and bulletins"."""

from __future__ import annotations

from datetime import UTC, time
from pathlib import Path
from typing import Annotated, Any

import typer

from trucewatch.cli.common import (
    DbOpt,
    JsonOpt,
    _fail,
    _parse_date,
    _parse_time,
    out,
    out_folder,
    read_on_store,
    run_on_store,
    table_of,
    tidy_lines,
)

bulletin_app = typer.Typer(help="Bulletins of each period (UTC day) and the daily cut-off.",
                           no_args_is_help=True)  # fmt: skip

DayArg = Annotated[str, typer.Argument(help="The period: a UTC day YYYY-MM-DD.")]


def _show(result: dict[str, Any]) -> None:
    out.print("\n".join(tidy_lines(result)), highlight=False)


def _lags(text: str) -> tuple[float, ...]:
    try:
        lags = tuple(float(x) for x in text.split(",") if x.strip())
    except ValueError:
        _fail(f"--lags {text!r}: give hours separated by commas, e.g. 1,6,24")
        raise
    if not lags:
        _fail("--lags: give at least one lag in hours, e.g. 1,6,24")
    return lags


def _cutoff(text: str) -> time:
    try:
        hours, minutes = (int(p) for p in text.split(":"))
        return time(hours, minutes)
    except ValueError:
        _fail(f"--cutoff {text!r}: give local time HH:MM, e.g. 19:30")
        raise


@bulletin_app.command("run")
def bulletin_run(
    out_dir: Annotated[Path, typer.Option("--out", help="Folder of the daily reports.")] = Path(
        "reports"),
    lags: Annotated[str, typer.Option(help="Hours after each day's end, comma-separated.")
                    ] = "1,6,24",
    cutoff: Annotated[str, typer.Option(help="The mission's daily cut-off, local HH:MM.")
                      ] = "19:30",
    tz: Annotated[str, typer.Option("--tz", help="IANA zone of the cut-off.")] = "Europe/Kyiv",
    fuse: Annotated[bool, typer.Option("--fuse/--no-fuse",
                                       help="Re-fuse each period before its bulletin.")] = False,
    no_reports: Annotated[bool, typer.Option("--no-reports",
                                             help="Bulletins only, no daily report.")] = False,
    now: Annotated[str | None, typer.Option(help="Act as at this instant (UTC ISO 8601).")
                   ] = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Issue the automatic bulletins and write the daily reports due now (run it from cron
    every few minutes, or let `serve --bulletins` do it)."""
    from zoneinfo import ZoneInfoNotFoundError

    from trucewatch.app.bulletins import Schedule, run_due

    try:
        schedule = Schedule(lags_hours=_lags(lags), cutoff=_cutoff(cutoff), tz=tz,
                            report_dir=out_folder(out_dir), reports=not no_reports)  # fmt: skip
    except (ValueError, ZoneInfoNotFoundError) as exc:
        _fail(f"bulletin schedule: {exc}")
        return
    at = _parse_time(now, "--now")
    if at is not None and at.tzinfo is None:
        at = at.replace(tzinfo=UTC)

    def show(result: dict[str, Any]) -> None:
        for b in result["bulletins"]:
            out.print(f"bulletin {b['period']} v{b['version']} ({b['kind']}, lag "
                      f"{b['lag_hours']} h): {b['incidents']} incidents, changes "
                      f"{b['changes']}", highlight=False)  # fmt: skip
        for r in result["reports"]:
            out.print(f"daily report {r['date']}: {r['html']}", highlight=False)
        if not result["bulletins"] and not result["reports"]:
            out.print("nothing due", highlight=False)

    run_on_store(db, as_json, show, lambda store, principal: run_due(
        store, schedule, at, principal=principal, fuse_first=fuse))  # fmt: skip


@bulletin_app.command("issue")
def bulletin_issue(day: DayArg, db: DbOpt = None, as_json: JsonOpt = False) -> None:
    """Issue an automatic bulletin of the period now (by hand)."""
    from trucewatch.app.bulletins import issue_automatic

    the_day = _parse_date(day, "DAY")
    run_on_store(db, as_json, _show, issue_automatic, the_day)


@bulletin_app.command("sign-off")
def bulletin_sign_off(
    day: DayArg,
    reason: Annotated[str, typer.Option("--reason", help="Why (logged with your name).")],
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Sign the period off: issue and publish its reviewed bulletin."""
    from trucewatch.app.bulletins import sign_off

    the_day = _parse_date(day, "DAY")
    run_on_store(db, as_json, _show, sign_off, the_day, reason)


@bulletin_app.command("list")
def bulletin_list(
    since: Annotated[str | None, typer.Option(help="First period (UTC day).")] = None,
    until: Annotated[str | None, typer.Option(help="Period before (UTC day).")] = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List the bulletins, oldest period and version first."""
    from trucewatch.app.bulletins import list_bulletins

    first, last = _parse_date(since, "--since"), _parse_date(until, "--until")
    show = table_of("bulletins", ("id", "period", "v", "kind", "lag h", "incidents", "issued"),
                    lambda b: (str(b["id"]), b["period"], str(b["version"]), b["kind"],
                               "" if b["lag_hours"] is None else f"{b['lag_hours']:g}",
                               str(b["incidents"]), b["issued_at"]))  # fmt: skip
    read_on_store(db, as_json, show, lambda store, principal: {
        "bulletins": list_bulletins(store, first, last, principal=principal)})  # fmt: skip


@bulletin_app.command("show")
def bulletin_show(
    bulletin_id: Annotated[int, typer.Argument(help="The bulletin's id (bulletin list).")],
    out_dir: Annotated[Path, typer.Option("--out", help="Folder to write it to.")] = Path("."),
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Write a bulletin: its JSON and an HTML page by the report package."""
    from trucewatch.app.bulletins import render_bulletin

    folder = out_folder(out_dir)

    def show(result: dict[str, Any]) -> None:
        out.print(f"bulletin {result['period']} v{result['version']} ({result['kind']}): "
                  f"{result['json']}  {result['html']}", highlight=False)  # fmt: skip

    read_on_store(db, as_json, show, render_bulletin, bulletin_id, folder)
