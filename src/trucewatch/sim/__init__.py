"""trucewatch.sim: scenario simulator with ground truth, evaluation and network planning.

* :func:`load_scenario` - a bundled scenario (``smoke``, ``standard``, ``large``, ``field``,
  ``national``) or a TOML file (:mod:`trucewatch.sim.scenario_file`; the keys in
  :mod:`trucewatch.sim.scenario` and docs/simulator.md);
* :func:`simulate` - observations in the import formats, ``truth.jsonl`` and the resolved
  ``scenario.toml`` (:mod:`trucewatch.sim.simulation`);
* :func:`read_truth` - the ground truth of a simulation as arrays (:mod:`trucewatch.sim.truth`);
* :func:`evaluate` / :func:`evaluate_store` - one-to-one matching of incidents to the
  truth and the metrics of docs/simulator.md (:mod:`trucewatch.sim.evaluation`, the
  arithmetic in :mod:`trucewatch.sim.metrics`);
* :func:`plan` - per-sector detection, location and attribution capability of a sensor
  layout, a sweep of added sensors and a capability map (:mod:`trucewatch.sim.planning`).

The ground truth is for evaluation only: nothing here writes to the store.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from trucewatch.sim.evaluation import Gates, evaluate, evaluate_store
    from trucewatch.sim.planning import plan
    from trucewatch.sim.scenario import Scenario, ScenarioError
    from trucewatch.sim.scenario_file import load_scenario
    from trucewatch.sim.simulation import run_simulation, simulate
    from trucewatch.sim.truth import Truth, read_truth

_EXPORTS = {
    "Gates": "evaluation",
    "Truth": "truth",
    "evaluate": "evaluation",
    "evaluate_store": "evaluation",
    "read_truth": "truth",
    "plan": "planning",
    "Scenario": "scenario",
    "ScenarioError": "scenario",
    "load_scenario": "scenario_file",
    "run_simulation": "simulation",
    "simulate": "simulation",
}

__all__ = [
    "Gates",
    "Scenario",
    "ScenarioError",
    "Truth",
    "evaluate",
    "evaluate_store",
    "load_scenario",
    "plan",
    "read_truth",
    "run_simulation",
    "simulate",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{module}"), name)
