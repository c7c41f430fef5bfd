"""Analysis commands: the ``thermal`` and ``parse`` groups and ``truce-effect``
(registered in ``__init__``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from trucewatch.cli.common import JsonOpt, _run, _show_pairs, out, out_file
from trucewatch.errors import InputError, RecordError

thermal_app = typer.Typer(
    help="Satellite thermal anomalies: baseline and war-fire classification.",
    no_args_is_help=True,
)
parse_app = typer.Typer(help="Parse narrative reports into observations.", no_args_is_help=True)

BaselineOpt = Annotated[
    Path | None,
    typer.Option("--baseline", help="Baseline file (default thermal-baseline.npz)."),
]
ControlOpt = Annotated[
    Path | None,
    typer.Option("--control", help="Folder of control maps (default: <shared data>/control, "
                 "else the DeepStateMap snapshots shipped in the package)."),
]


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


@thermal_app.command("baseline")
def thermal_baseline(
    history: Annotated[Path | None, typer.Option("--history", help=(
        "Folder of pre-war FIRMS CSVs (default: <shared data>/firms/history, else the "
        "sample shipped in the package)."))] = None,
    out_path: Annotated[Path, typer.Option("--out", help="Baseline file to write.")] = Path(
        "thermal-baseline.npz"
    ),
    as_json: JsonOpt = False,
) -> None:
    """Build the normal-year fire baseline per 0.1-degree cell and day of year."""
    from trucewatch.app.thermal import baseline_command

    target = out_file(out_path, example="thermal-baseline.npz")
    _run(lambda: baseline_command(history, out=target), as_json, _show_pairs)


@thermal_app.command("classify")
def thermal_classify(
    files: Annotated[list[Path], typer.Argument(help="FIRMS CSV files.")],
    baseline: BaselineOpt = None,
    control: ControlOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """War-fire detections by trucewatch and by The Economist's thresholds."""
    from trucewatch.app.thermal import classify_command

    _run(lambda: classify_command(files, baseline=baseline, control_dir=control), as_json,
         _show_pairs)  # fmt: skip


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
    from trucewatch.app.thermal import truce_effect_command

    if chart is not None:
        out_file(chart, "--chart", example="truce.png")

    def job() -> dict[str, Any]:
        return truce_effect_command(
            agreement, before_days=before, after_days=after, firms=firms or (),
            baseline=baseline, control_dir=control, method=method, chart=chart,
        )  # fmt: skip

    _run(job, as_json, _show_pairs)
