"""Store commands: init, import, fuse, serve, demo and the ``line``, ``agreement``,
``report`` and ``export`` groups. Top-level commands are registered in ``__init__``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from trucewatch.cli.common import (
    DbOpt,
    JsonOpt,
    LangOpt,
    SinceOpt,
    UntilOpt,
    _fail,
    _parse_date,
    _parse_time,
    _progress,
    _run,
    _show_pairs,
    err,
    note,
    out,
    out_file,
    out_folder,
    quiet,
    read_on_store,
    report_language,
    run_on_store,
    table_of,
    with_existing_store,
    with_store,
)
from trucewatch.errors import TrucewatchError

line_app = typer.Typer(help="Contact lines: import and list.", no_args_is_help=True)
report_app = typer.Typer(help="Reports: the daily report.", no_args_is_help=True)
agreement_app = typer.Typer(help="Agreements: add and list truce terms.", no_args_is_help=True)
export_app = typer.Typer(help="Exports: incidents as GeoJSON, CSV, GeoPackage, KML, GeoParquet.",
                         no_args_is_help=True)  # fmt: skip


def init(db: DbOpt = None, as_json: JsonOpt = False) -> None:
    """Create or migrate the store."""
    from trucewatch.app import session

    run_on_store(db, as_json, _show_pairs, session.describe)


@line_app.command("import")
def line_import(
    file: Annotated[Path, typer.Argument(help="Control-area polygons or a line (GeoJSON).")],
    valid_from: Annotated[
        str | None, typer.Option(help="Date the line is valid from (default: from the file).")
    ] = None,
    name: Annotated[str | None, typer.Option(help="Name of the line.")] = None,
    country: Annotated[
        Path | None, typer.Option(help="Country outline (default: the shipped one).")
    ] = None,
    sector_km: Annotated[float, typer.Option(help="Target sector length in km.")] = 50.0,
    controlled_by: Annotated[
        str, typer.Option(help="Party holding the polygons' area.")
    ] = "RU",
    other_party: Annotated[str, typer.Option(help="Party holding the rest.")] = "UA",
    contact_only: Annotated[bool, typer.Option(
        "--contact-only", help="Only the line of contact inside the country, without the "
        "state border (default: the whole front).")] = False,
    held_across: Annotated[Path | None, typer.Option(
        help="Polygons of land the other party holds across the border (e.g. the Kursk "
        "salient): the line runs around them.")] = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Import a contact line (derived from control areas, or given as a line); reports its
    parts (line of contact, Dnipro, state border) and their lengths."""
    from trucewatch.app import lines

    when = _parse_date(valid_from, "--valid-from")
    run_on_store(db, as_json, _show_pairs, lines.import_line, file, valid_from=when, name=name,
                 country=country, sector_km=sector_km, controlled_by=controlled_by,
                 other_party=other_party, contact_only=contact_only,
                 held_across=held_across)  # fmt: skip


@line_app.command("list")
def line_list(db: DbOpt = None, as_json: JsonOpt = False) -> None:
    """List stored contact lines."""
    from trucewatch.app import lines

    show = table_of("lines", ("id", "valid from", "name", "km", "sectors"), lambda ln: (
        str(ln["line_id"]), ln["valid_from"], ln["name"], f"{ln['length_km']:.0f}",
        str(ln["sectors"])))  # fmt: skip
    read_on_store(db, as_json, show, lines.list_lines)


def import_(
    files: Annotated[list[Path], typer.Argument(help=(
        "Input files (FIRMS CSV, patrol, acoustic, camera, complaint JSONL; docs/formats.md) "
        "or folders: a `simulate` output folder gives its observation files."))],
    format: Annotated[
        str | None, typer.Option("--format", help="Format name (default: sniffed per file).")
    ] = None,
    skip_bad: Annotated[
        bool, typer.Option("--skip-bad", help="Store good records, list rejected ones.")
    ] = False,
    signatures: Annotated[Path | None, typer.Option(
        "--signatures", help="Signatures of the records (`trucewatch key sign-file`), "
        "checked against the registered keys and logged with each observation.")] = None,
    require_signatures: Annotated[bool, typer.Option(
        "--require-signatures", help="Refuse the import unless every record is signed by "
        "an active registered key.")] = False,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Import observations; idempotent (re-imports count as duplicates). A liaison
    (``--role liaison --party X``) imports patrol records as party X's complaints."""
    from trucewatch.app import intake

    def job() -> dict[str, Any]:
        with _progress(not as_json) as progress:
            return with_store(db, intake.import_files, files, format=format,
                              skip_bad=skip_bad, progress=progress, signatures=signatures,
                              require_signatures=require_signatures)  # fmt: skip

    def show(result: dict[str, Any]) -> None:
        out.print(
            f"{len(result['files'])} files: read {result['read']}, stored {result['stored']}, "
            f"duplicates {result['duplicates']}, rejected {result['rejected']}", highlight=False
        )
        if result["skipped_files"]:
            note(f"left out (not observation files): "
                 f"{', '.join(Path(f).name for f in result['skipped_files'])}")  # fmt: skip
        for e in result["errors"][:20]:
            err.print(f"rejected: {e['file']}, line {e['line']}, field {e['field']!r}: "
                      f"{e['message']}", highlight=False)  # fmt: skip
        if result["unlocated"]:
            err.print(f"{result['unlocated']} events kept unlocated (observer position not "
                      "read: stored, not placed by fusion)", highlight=False)  # fmt: skip
        for n in result["notes"][:20]:
            err.print(f"unlocated: {n['file']}, line {n['line']}: {n['message']}",
                      highlight=False, soft_wrap=True)  # fmt: skip

    _run(job, as_json, show)


@agreement_app.command("add")
def agreement_add(
    file: Annotated[Path, typer.Argument(help="Agreement file (TOML, docs/agreements.md).")],
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Validate and store an agreement (truce terms as data)."""
    from trucewatch.app import agreements

    run_on_store(db, as_json, _show_pairs, agreements.add_agreement, file)


@agreement_app.command("list")
def agreement_list(db: DbOpt = None, as_json: JsonOpt = False) -> None:
    """List stored agreements."""
    from trucewatch.app import agreements

    show = table_of("agreements", ("id", "slug", "scope", "start (UTC)", "end (UTC)"), lambda a: (
        str(a["agreement_id"]), a["slug"], a["scope"], str(a["start_utc"]), str(a["end_utc"])))
    read_on_store(db, as_json, show, agreements.list_agreements)


def fuse(
    since: SinceOpt = None,
    until: UntilOpt = None,
    db: DbOpt = None,
    workers: Annotated[int, typer.Option(
        "--workers", min=0, help="Fuse partitioned on a local Dask cluster of this many "
        "worker processes (0: in this process).")] = 0,
    scheduler: Annotated[str | None, typer.Option(
        "--scheduler", envvar="TRUCEWATCH_DASK_SCHEDULER",
        help="Fuse partitioned on the running Dask cluster at this address "
        "(tcp://host:8786).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Fuse observations into located, assessed incidents."""
    from trucewatch.app import incidents

    t0, t1 = _parse_time(since, "--since"), _parse_time(until, "--until")
    cluster = None
    if workers or scheduler:
        from trucewatch.app.partitioned import ClusterOptions

        cluster = ClusterOptions(workers=max(workers, 1), scheduler=scheduler or None)

    def job() -> dict[str, Any]:
        with _progress(not as_json) as progress:
            return with_existing_store(db, incidents.fuse, t0, t1, progress=progress,
                                       cluster=cluster)  # fmt: skip

    def show(result: dict[str, Any]) -> None:
        statuses = ", ".join(f"{n} {s}" for s, n in result["by_status"].items())
        out.print(f"{result['observations']} observations -> {result['incidents']} incidents"
                  + (f" ({statuses})" if statuses else ""), highlight=False)  # fmt: skip
        verdicts = ", ".join(f"{n} {v}" for v, n in result["by_verdict"].items())
        if verdicts:
            out.print(f"verdicts: {verdicts}", highlight=False)
        if result["unresolved"]:
            err.print(f"{len(result['unresolved'])} observations could not be located")
        for q in result["quarantined"]:
            err.print(f"warning: observation {q['observation']} quarantined (left out of "
                      f"fusion): {q['reason']}", highlight=False, soft_wrap=True)  # fmt: skip

    result = _run(job, as_json, show)
    for warning in result.get("warnings", []):
        note(f"[yellow]warning:[/yellow] {warning}")


@report_app.command("daily")
def report_daily(
    date_: Annotated[str, typer.Option("--date", help="UTC day to report (YYYY-MM-DD).")],
    out_dir: Annotated[Path, typer.Option("--out", help="Output folder.")] = Path("report-out"),
    lang: LangOpt = "en",
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Write the daily report (report.html, report.pdf, report.json) in English,
    Ukrainian or Russian (--lang)."""
    from trucewatch.app import reports

    day = _parse_date(date_, "--date")
    assert day is not None
    language = report_language(lang)
    folder = out_folder(out_dir)
    read_on_store(db, as_json, _show_pairs, reports.daily_report, day, folder,
                  language=language)  # fmt: skip


@export_app.command("incidents")
def export_incidents(
    out_path: Annotated[Path, typer.Option("--out", help="Output file.")],
    fmt: Annotated[str, typer.Option("--format", help=(
        "geojson, csv (the flat ACLED-style columns), gpkg, kml or parquet (GeoParquet); "
        "docs/formats.md."))] = "geojson",
    since: SinceOpt = None,
    until: UntilOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Export incidents (GeoJSON, CSV, GeoPackage, KML or GeoParquet)."""
    from trucewatch.app import incidents
    from trucewatch.export import FORMATS

    if fmt not in FORMATS:
        _fail(f"--format {fmt!r}: supported formats are {', '.join(FORMATS)}")
    t0, t1 = _parse_time(since, "--since"), _parse_time(until, "--until")
    target = out_file(out_path, example=f"incidents{FORMATS[fmt].suffix}")

    def job() -> dict[str, Any]:
        with _progress(not as_json) as progress:
            return with_existing_store(db, incidents.export_incidents, target, fmt, t0, t1,
                                       progress=progress)  # fmt: skip

    _run(job, as_json, _show_pairs)


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    db: DbOpt = None,
    bulletins: Annotated[bool, typer.Option(
        "--bulletins", help="Run the bulletin scheduler: automatic bulletins at the lags and "
                            "the daily report at the cut-off (TRUCEWATCH_BULLETIN_* and "
                            "TRUCEWATCH_CUTOFF settings; docs/operations.md).")] = False,
    live: Annotated[bool, typer.Option(
        "--live/--no-live",
        help="Fuse submissions as they arrive and send alerts (docs/operations.md).")] = True,
) -> None:
    """Serve the HTTP API and the map dashboard (docs/api.md)."""
    import uvicorn

    from trucewatch.api import Settings, create_app

    try:
        overrides: dict[str, Any] = {"db": db} if db else {}
        if bulletins:
            overrides["bulletins"] = True
        application = create_app(Settings(live=live, **overrides))
    except TrucewatchError as exc:
        _fail(str(exc))
        return
    err.print(f"dashboard: http://{host}:{port}/   API docs: http://{host}:{port}/api/docs")
    # an open live stream never ends by itself: stop waiting for it 5 s after Ctrl+C
    uvicorn.run(application, host=host, port=port, timeout_graceful_shutdown=5)


def live(db: DbOpt = None) -> None:
    """Fuse submissions as they arrive and send alerts, without serving HTTP: beside
    `trucewatch serve --no-live` processes on the same store, so fusion does not share
    their interpreter (docs/operations.md). Ctrl+C or SIGTERM stops it."""
    import signal
    import threading

    from trucewatch.api import Settings
    from trucewatch.api.state import AppState

    try:
        state = AppState.open(Settings(db=db, live=True) if db else Settings(live=True))
    except TrucewatchError as exc:
        _fail(str(exc))
        return
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    err.print("live fusion and alerts running (Ctrl+C stops)")
    try:
        while not stop.wait(1.0):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        state.close()


def demo(
    out_dir: Annotated[Path, typer.Option("--out", help="Output folder.")] = Path("demo-out"),
    lang: LangOpt = "en",
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Run the whole pipeline on the bundled sample data and write a report."""
    from trucewatch.app import demo as demo_module

    language = report_language(lang)
    out_folder(out_dir)

    def job() -> dict[str, Any]:
        say = (lambda _m: None) if as_json or quiet() else (lambda m: note(m))
        return demo_module.run_demo(out_dir, db_url=db, say=say, language=language)

    def show(result: dict[str, Any]) -> None:
        out.print(f"\nReport: {result['report_html']}\nData:   {result['report_json']}",
                  highlight=False)
        if result["report_pdf"]:
            out.print(f"PDF:    {result['report_pdf']}", highlight=False)
        else:
            note(result.get("report_pdf_note", "no PDF written"))
        out.print(f"Dashboard: trucewatch serve --db {result['db']}  "
                  "then open http://127.0.0.1:8000/", highlight=False)  # fmt: skip

    _run(job, as_json, show)
