"""The ``trucewatch`` command line (Typer). Thin: parse, call :mod:`trucewatch.service`,
print. With ``--json`` exactly one JSON object goes to stdout; progress and errors go to
stderr. Errors are one line naming file, record and field, with exit status 1."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from trucewatch import service
from trucewatch.errors import InputError, RecordError, TrucewatchError
from trucewatch.store import Store, default_db_url

app = typer.Typer(
    help="trucewatch: monitor and verify a ceasefire along a long front line.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
line_app = typer.Typer(help="Contact lines: import and list.", no_args_is_help=True)
report_app = typer.Typer(help="Reports: the daily report.", no_args_is_help=True)
app.add_typer(line_app, name="line")
agreement_app = typer.Typer(help="Agreements: add and list truce terms.", no_args_is_help=True)
app.add_typer(agreement_app, name="agreement")
thermal_app = typer.Typer(
    help="Satellite thermal anomalies: baseline and war-fire classification.",
    no_args_is_help=True,
)
app.add_typer(thermal_app, name="thermal")
parse_app = typer.Typer(help="Parse narrative reports into observations.", no_args_is_help=True)
app.add_typer(parse_app, name="parse")
ledger_app = typer.Typer(
    help="Ledger: verify the record, proofs, the mission key, signed tree heads.",
    no_args_is_help=True,
)
app.add_typer(ledger_app, name="ledger")
export_app = typer.Typer(help="Exports: incidents as GeoJSON or CSV.", no_args_is_help=True)
app.add_typer(report_app, name="report")
app.add_typer(export_app, name="export")

err = Console(stderr=True)
out = Console()

DbOpt = Annotated[
    str | None,
    typer.Option("--db", help="Store URL (default: $TRUCEWATCH_DB or sqlite:///trucewatch.db; "
                 "postgresql+psycopg://user@host/db for a server)."),
]  # fmt: skip
JsonOpt = Annotated[
    bool, typer.Option("--json", help="Print one JSON object with the result on stdout.")
]


def _fail(message: str) -> None:
    err.print(f"[red]error:[/red] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code=1)


@contextmanager
def _store(db: str | None) -> Iterator[Store]:
    store = Store.open(db or default_db_url())
    try:
        yield store
    finally:
        store.close()


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


def _show_pairs(result: dict[str, Any]) -> None:
    for key, value in result.items():
        if isinstance(value, list | dict) and not value:
            continue
        out.print(f"{key}: {value}", highlight=False)


@contextmanager
def _progress(enabled: bool) -> Iterator[service.Progress]:
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


# ---------------------------------------------------------------------- commands


@app.command()
def init(db: DbOpt = None, as_json: JsonOpt = False) -> None:
    """Create or migrate the store."""

    def job() -> dict[str, Any]:
        with _store(db) as store:
            return {"db": str(store.engine.url), "observations": store.count_observations()}

    _run(job, as_json, _show_pairs)


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
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Import a contact line (derived from control areas, or given as a line)."""
    when = _parse_date(valid_from, "--valid-from")

    def job() -> dict[str, Any]:
        with _store(db) as store:
            return service.import_line(
                store, file, valid_from=when, name=name, country=country,
                sector_km=sector_km, controlled_by=controlled_by, other_party=other_party,
            )  # fmt: skip

    _run(job, as_json, _show_pairs)


@line_app.command("list")
def line_list(db: DbOpt = None, as_json: JsonOpt = False) -> None:
    """List stored contact lines."""

    def job() -> dict[str, Any]:
        with _store(db) as store:
            return {
                "lines": [
                    {"line_id": ln.id, "name": ln.name, "valid_from": ln.valid_from.isoformat(),
                     "length_km": ln.length_km, "sectors": len(store.sectors(ln.id or 0))}
                    for ln in store.lines()
                ]
            }  # fmt: skip

    def show(result: dict[str, Any]) -> None:
        table = Table("id", "valid from", "name", "km", "sectors")
        for ln in result["lines"]:
            table.add_row(str(ln["line_id"]), ln["valid_from"], ln["name"],
                          f"{ln['length_km']:.0f}", str(ln["sectors"]))  # fmt: skip
        out.print(table)

    _run(job, as_json, show)


@app.command("import")
def import_(
    files: Annotated[list[Path], typer.Argument(help="Input files (FIRMS CSV, patrol JSONL).")],
    format: Annotated[
        str | None, typer.Option("--format", help="Format name (default: sniffed per file).")
    ] = None,
    skip_bad: Annotated[
        bool, typer.Option("--skip-bad", help="Store good records, list rejected ones.")
    ] = False,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Import observations; idempotent (re-imports count as duplicates)."""

    def job() -> dict[str, Any]:
        with _store(db) as store, _progress(not as_json) as progress:
            return service.import_files(
                store, files, format=format, skip_bad=skip_bad, progress=progress
            )

    def show(result: dict[str, Any]) -> None:
        out.print(
            f"read {result['read']}, stored {result['stored']}, "
            f"duplicates {result['duplicates']}, rejected {result['rejected']}"
        )
        for e in result["errors"][:20]:
            err.print(f"rejected: {e['file']}, line {e['line']}, field {e['field']!r}: "
                      f"{e['message']}", highlight=False)  # fmt: skip

    _run(job, as_json, show)


@agreement_app.command("add")
def agreement_add(
    file: Annotated[Path, typer.Argument(help="Agreement file (TOML, docs/agreements.md).")],
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Validate and store an agreement (truce terms as data)."""

    def job() -> dict[str, Any]:
        with _store(db) as store:
            return service.add_agreement(store, file)

    _run(job, as_json, _show_pairs)


@agreement_app.command("list")
def agreement_list(db: DbOpt = None, as_json: JsonOpt = False) -> None:
    """List stored agreements."""

    def job() -> dict[str, Any]:
        with _store(db) as store:
            return {"agreements": [
                {"agreement_id": a.agreement.id, "slug": a.slug, "name": a.name,
                 "scope": a.scope, "start_utc": a.definition.get("start_utc"),
                 "end_utc": a.definition.get("end_utc")}
                for a in service.stored_agreements(store)
            ]}  # fmt: skip

    def show(result: dict[str, Any]) -> None:
        table = Table("id", "slug", "scope", "start (UTC)", "end (UTC)")
        for a in result["agreements"]:
            table.add_row(str(a["agreement_id"]), a["slug"], a["scope"],
                          str(a["start_utc"]), str(a["end_utc"]))  # fmt: skip
        out.print(table)

    _run(job, as_json, show)


@parse_app.command("smm")
def parse_smm(
    file: Annotated[Path, typer.Argument(help="SMM-style passages (text or JSON Lines).")],
    as_json: JsonOpt = False,
) -> None:
    """Read OSCE SMM-style narrative passages into patrol observations (nothing stored)."""
    from trucewatch.sources.smm import parse_file

    def job() -> dict[str, Any]:
        if not file.is_file():
            raise InputError(RecordError(str(file), None, None, "no such file"))
        records, errors = parse_file(file)
        if errors:
            raise InputError(errors[0])
        return {"observations": [{k: v for k, v in r.items() if k != "line"} for r in records]}

    def show(result: dict[str, Any]) -> None:
        for rec in result["observations"]:
            out.print_json(json.dumps(rec, default=str))

    _run(job, as_json, show)


@app.command()
def fuse(
    since: Annotated[str | None, typer.Option(help="Start (UTC ISO 8601), inclusive.")] = None,
    until: Annotated[str | None, typer.Option(help="End (UTC ISO 8601), exclusive.")] = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Fuse observations into located, assessed incidents."""
    t0, t1 = _parse_time(since, "--since"), _parse_time(until, "--until")

    def job() -> dict[str, Any]:
        with _store(db) as store:
            return service.fuse(store, t0, t1)

    def show(result: dict[str, Any]) -> None:
        out.print(f"{result['observations']} observations -> {result['incidents']} incidents "
                  f"{result['by_status']}")  # fmt: skip
        if result["unresolved"]:
            err.print(f"{len(result['unresolved'])} observations could not be located")

    _run(job, as_json, show)


@report_app.command("daily")
def report_daily(
    date_: Annotated[str, typer.Option("--date", help="UTC day to report (YYYY-MM-DD).")],
    out_dir: Annotated[Path, typer.Option("--out", help="Output folder.")] = Path("report-out"),
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Write the daily report (report.html, report.json)."""
    day = _parse_date(date_, "--date")
    assert day is not None

    def job() -> dict[str, Any]:
        with _store(db) as store:
            return service.daily_report(store, day, out_dir)

    _run(job, as_json, _show_pairs)


@export_app.command("incidents")
def export_incidents(
    out_file: Annotated[Path, typer.Option("--out", help="Output file.")],
    fmt: Annotated[str, typer.Option("--format", help="geojson or csv.")] = "geojson",
    since: Annotated[str | None, typer.Option(help="Start (UTC ISO 8601), inclusive.")] = None,
    until: Annotated[str | None, typer.Option(help="End (UTC ISO 8601), exclusive.")] = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Export incidents (GeoJSON or CSV)."""
    from trucewatch.export import FORMATS, write_incidents

    if fmt not in FORMATS:
        _fail(f"--format {fmt!r}: supported formats are {', '.join(FORMATS)}")
    t0, t1 = _parse_time(since, "--since"), _parse_time(until, "--until")

    def job() -> dict[str, Any]:
        with _store(db) as store:
            since_utc, until_utc = service.utc_bounds(t0, t1)
            n = write_incidents(store.incidents(since_utc, until_utc), out_file, fmt)
        return {"incidents": n, "format": fmt, "out": str(out_file)}

    _run(job, as_json, _show_pairs)


KeyOpt = Annotated[Path, typer.Option("--key", help="Mission private key (PEM).")]


@ledger_app.command("verify")
def ledger_verify(db: DbOpt = None, as_json: JsonOpt = False) -> None:
    """Check the whole store against the append-only log (exit 1 if anything is wrong)."""
    from trucewatch import ledger_service

    def job() -> dict[str, Any]:
        with _store(db) as store:
            return ledger_service.verify(store)

    def show(result: dict[str, Any]) -> None:
        state = "OK" if result["ok"] else "FAILED"
        out.print(f"{state}: {result['entries']} entries, root {result['root_hash']}, "
                  f"{result['tree_heads']} signed tree heads, "
                  f"{result['unsigned_entries']} entries not yet signed")  # fmt: skip
        for p in result["problems"][:50]:
            out.print(f"  entry {p.get('index')}: {p.get('kind')}: {p.get('message')}")

    if not _run(job, as_json, show)["ok"]:
        raise typer.Exit(code=1)


@ledger_app.command("proof")
def ledger_proof(
    ref: Annotated[str, typer.Argument(help="Observation uid (or other logged id).")],
    db: DbOpt = None,
    as_json: JsonOpt = True,
) -> None:
    """Print an inclusion proof (JSON) for a logged id against the latest tree head.
    The output is always JSON (``--json`` is accepted for uniformity)."""
    from trucewatch import ledger_service

    def job() -> dict[str, Any]:
        with _store(db) as store:
            return ledger_service.proof(store, ref)

    _run(job, True, _show_pairs)


@ledger_app.command("init-key")
def ledger_init_key(
    key: KeyOpt,
    owner: Annotated[str, typer.Option(help="Who holds the key.")] = "mission",
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Create the mission's signing key and register it in the log."""
    from trucewatch import ledger_service

    def job() -> dict[str, Any]:
        with _store(db) as store:
            return ledger_service.init_key(store, key, owner)

    _run(job, as_json, _show_pairs)


@ledger_app.command("sign")
def ledger_sign(key: KeyOpt, db: DbOpt = None, as_json: JsonOpt = False) -> None:
    """Sign a tree head for the whole log with the mission key."""
    from trucewatch import ledger_service

    def job() -> dict[str, Any]:
        with _store(db) as store:
            return ledger_service.sign(store, key)

    _run(job, as_json, _show_pairs)


def _scenario_errors(job: Callable[[], dict[str, Any]]) -> Callable[[], dict[str, Any]]:
    """Scenario problems (bad key, unknown name) as one-line errors."""

    def wrapped() -> dict[str, Any]:
        try:
            return job()
        except (ValueError, FileNotFoundError) as exc:
            raise TrucewatchError(str(exc)) from exc

    return wrapped


ScenarioOpt = Annotated[
    str, typer.Option("--scenario", help="smoke, standard, large, or a scenario TOML file.")
]


@app.command()
def simulate(
    scenario: ScenarioOpt,
    out_dir: Annotated[Path, typer.Option("--out", help="Output folder.")],
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same files).")] = 0,
    as_json: JsonOpt = False,
) -> None:
    """Simulate a truce, its violations and what the sensors report (with ground truth)."""
    from trucewatch.sim import simulate as run_simulation

    _run(_scenario_errors(lambda: run_simulation(scenario, seed, out_dir)), as_json, _show_pairs)


@app.command()
def evaluate(
    truth: Annotated[Path, typer.Option("--truth", help="truth.jsonl from `simulate`.")],
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Score the store's incidents against a simulation's ground truth."""
    from trucewatch.sim import evaluate_store

    def job() -> dict[str, Any]:
        if not truth.is_file():
            raise InputError(RecordError(str(truth), None, "--truth", "no such file"))
        with _store(db) as store:
            return evaluate_store(store, truth)

    _run(_scenario_errors(job), as_json, _show_pairs)


@app.command()
def plan(
    scenario: ScenarioOpt,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
    out_dir: Annotated[
        Path | None, typer.Option("--out", help="Folder for the capability map.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Detection, location and attribution capability of a sensor layout, per sector."""
    from trucewatch.sim import plan as run_plan

    _run(_scenario_errors(lambda: run_plan(scenario, seed, out_dir=out_dir)), as_json,
         _show_pairs)  # fmt: skip


BaselineOpt = Annotated[
    Path | None,
    typer.Option("--baseline", help="Baseline file (default thermal-baseline.npz)."),
]
ControlOpt = Annotated[
    Path | None,
    typer.Option("--control", help="Folder of control maps (default ../shared/data/control)."),
]


@thermal_app.command("baseline")
def thermal_baseline(
    history: Annotated[Path, typer.Option("--history", help="Folder of pre-war FIRMS CSVs.")],
    out_file: Annotated[Path, typer.Option("--out", help="Baseline file to write.")] = Path(
        "thermal-baseline.npz"
    ),
    as_json: JsonOpt = False,
) -> None:
    """Build the normal-year fire baseline per 0.1-degree cell and day of year."""
    from trucewatch.thermal.commands import baseline_command

    _run(lambda: baseline_command(history, out=out_file), as_json, _show_pairs)


@thermal_app.command("classify")
def thermal_classify(
    files: Annotated[list[Path], typer.Argument(help="FIRMS CSV files.")],
    baseline: BaselineOpt = None,
    control: ControlOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """War-fire detections by trucewatch and by The Economist's thresholds."""
    from trucewatch.thermal.commands import classify_command

    _run(lambda: classify_command(files, baseline=baseline, control_dir=control), as_json,
         _show_pairs)  # fmt: skip


@app.command("truce-effect")
def truce_effect(
    agreement: Annotated[Path, typer.Option("--agreement", help="Agreement file (TOML).")],
    before: Annotated[int, typer.Option("--before", help="Days before the truce.")] = 14,
    after: Annotated[int, typer.Option("--after", help="Days after the truce.")] = 7,
    firms: Annotated[
        list[Path] | None, typer.Option("--firms", help="FIRMS files (default: history).")
    ] = None,
    baseline: BaselineOpt = None,
    control: ControlOpt = None,
    method: Annotated[str, typer.Option(help="trucewatch or economist.")] = "trucewatch",
    chart: Annotated[Path | None, typer.Option(help="Write a PNG chart here.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """War fires per day before, during and after a truce, and the rate ratio with a 95% CI."""
    from trucewatch.thermal.commands import truce_effect_command

    def job() -> dict[str, Any]:
        return truce_effect_command(
            agreement, before_days=before, after_days=after, firms=firms or (),
            baseline=baseline, control_dir=control, method=method, chart=chart,
        )  # fmt: skip

    _run(job, as_json, _show_pairs)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    db: DbOpt = None,
) -> None:
    """Serve the HTTP API and the map dashboard (docs/api.md)."""
    import uvicorn

    from trucewatch.api import Settings, create_app

    try:
        application = create_app(Settings(db=db) if db else Settings())
    except TrucewatchError as exc:
        _fail(str(exc))
        return
    err.print(f"dashboard: http://{host}:{port}/   API docs: http://{host}:{port}/api/docs")
    uvicorn.run(application, host=host, port=port)


@app.command()
def demo(
    out_dir: Annotated[Path, typer.Option("--out", help="Output folder.")] = Path("demo-out"),
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Run the whole pipeline on the bundled sample data and write a report."""
    from trucewatch import demo as demo_module

    def job() -> dict[str, Any]:
        say = (lambda _m: None) if as_json else (lambda m: err.print(m, highlight=False))
        return demo_module.run_demo(out_dir, db_url=db, say=say)

    def show(result: dict[str, Any]) -> None:
        out.print(f"\nReport: {result['report_html']}\nData:   {result['report_json']}")
        out.print(f"Dashboard: trucewatch serve --db {result['db']}  "
                  "then open http://127.0.0.1:8000/", highlight=False)  # fmt: skip

    _run(job, as_json, show)


def main() -> None:
    """Entry point of the ``trucewatch`` script."""
    app()


if __name__ == "__main__":
    main()
