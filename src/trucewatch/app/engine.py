"""What a fusion run depends on besides the stored observations, lines and agreements
(which the log covers row by row): the engine's version, the calibration of the
confidence model, the thermal baseline and the library that does the arithmetic. Logged as
the ``engine`` entry of every run (:func:`trucewatch.ledger.entry.engine_entry`), so that
:mod:`trucewatch.app.replay` can say whether a replay ran the same engine."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from pathlib import Path

import numpy as np

from trucewatch import __version__
from trucewatch.app.thermal import DEFAULT_BASELINE_FILE, shipped_baseline_path
from trucewatch.fusion.calibration import shipped
from trucewatch.ledger.entry import format_time

ENGINE_FIELDS = ("version", "numpy", "calibration", "baseline")
"""The fields of a run that identify the engine (the others give the period)."""


def engine_identity() -> dict[str, str]:
    """Version, numpy version, and SHA-256 of the calibration and of the thermal baseline
    file in use (hex)."""
    cal = shipped()
    calibration = json.dumps({"weights": cal.weights, "provenance": cal.provenance},
                             sort_keys=True, separators=(",", ":"))  # fmt: skip
    local = Path(DEFAULT_BASELINE_FILE)
    baseline = local if local.exists() else shipped_baseline_path()
    return {
        "version": __version__,
        "numpy": np.__version__,
        "calibration": hashlib.sha256(calibration.encode()).hexdigest(),
        "baseline": hashlib.sha256(baseline.read_bytes()).hexdigest(),
    }


def engine_run(since: datetime | None, until: datetime | None) -> dict[str, str]:
    """The ``engine`` entry's ``meta`` for a run over [since, until) (UTC; open bounds
    left out)."""
    run = engine_identity()
    if since is not None:
        run["since"] = format_time(since)
    if until is not None:
        run["until"] = format_time(until)
    return run
