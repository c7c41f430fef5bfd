"""Simulation commands: simulate, evaluate, plan (registered in ``__init__``)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from trucewatch.cli.common import (
    DbOpt,
    JsonOpt,
    _progress,
    _run,
    _show_pairs,
    out_folder,
    with_existing_store,
)
from trucewatch.errors import TrucewatchError


def _scenario_errors(job: Callable[[], dict[str, Any]]) -> Callable[[], dict[str, Any]]:
    """Scenario problems (bad key, unknown name) as one-line errors."""

    def wrapped() -> dict[str, Any]:
        try:
            return job()
        except (ValueError, FileNotFoundError) as exc:
            raise TrucewatchError(str(exc)) from exc

    return wrapped


ScenarioOpt = Annotated[
    str, typer.Option("--scenario",
                      help="smoke, standard, large, field, national, or a scenario TOML file."),
]


def simulate(
    scenario: ScenarioOpt,
    out_dir: Annotated[Path, typer.Option("--out", help="Output folder.")],
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same files).")] = 0,
    as_json: JsonOpt = False,
) -> None:
    """Simulate a truce, its violations and what the sensors report (with ground truth)."""
    from trucewatch.sim import simulate as run_simulation

    folder = out_folder(out_dir)

    def job() -> dict[str, Any]:
        with _progress(not as_json) as progress:
            return run_simulation(scenario, seed, folder, progress=progress)

    _run(_scenario_errors(job), as_json, _show_pairs)


def evaluate(
    truth: Annotated[Path, typer.Option("--truth", help="truth.jsonl from `simulate`.")],
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Score the store's incidents against a simulation's ground truth."""
    from trucewatch.app import simulation

    def job() -> dict[str, Any]:
        return with_existing_store(db, simulation.evaluate, truth)

    _run(_scenario_errors(job), as_json, _show_pairs)


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

    if out_dir is not None:
        out_folder(out_dir)
    _run(_scenario_errors(lambda: run_plan(scenario, seed, out_dir=out_dir)), as_json,
         _show_pairs)  # fmt: skip
