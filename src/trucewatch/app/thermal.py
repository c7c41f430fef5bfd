"""The three thermal commands as functions returning their JSON-able result.

The command line (``trucewatch.cli``) parses its options and prints what these return:

* ``trucewatch thermal baseline --history DIR [--out FILE]`` -> :func:`baseline_command`
* ``trucewatch thermal classify FILE... [--baseline FILE] [--control DIR] --json``
  -> :func:`classify_command`
* ``trucewatch truce-effect --agreement FILE --before DAYS --after DAYS [--firms FILE...]
  [--baseline FILE] [--control DIR] [--method trucewatch|economist] [--chart PNG] --json``
  -> :func:`truce_effect_command`

Defaults: the baseline file ``thermal-baseline.npz`` in the working directory if there is
one, else the baseline shipped in the package (:func:`shipped_baseline_path`: built by
``trucewatch thermal baseline`` from the FIRMS VIIRS histories of 2012-2021); the control
maps in ``<shared data>/control`` (:func:`trucewatch.thermal.lines.shared_data_dir`), else
the three DeepStateMap snapshots shipped in ``demo_data/control``; the history of
``thermal baseline``: ``<shared data>/firms/history``, else the shipped sample
(``demo_data/firms_history``: four pre-war years around Zaporizhzhia); for
``truce-effect`` without ``--firms``, the FIRMS history files of the years the window
touches in ``<shared data>/firms/history``. Errors are
:class:`trucewatch.errors.InputError` (file, record, field, message).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import timedelta
from importlib import resources
from pathlib import Path
from typing import Any

from trucewatch.errors import InputError, RecordError
from trucewatch.geo.history import LineHistory
from trucewatch.thermal.baseline import build_baseline
from trucewatch.thermal.classify import classify_files
from trucewatch.thermal.climatology import Baseline, BaselineParams
from trucewatch.thermal.fusion import war_fire_uids_from_records
from trucewatch.thermal.lines import shared_data_dir
from trucewatch.thermal.model import ClassifyParams
from trucewatch.thermal.truce import day_periods, plot_truce, truce_effect_for_files
from trucewatch.types import EventKind, Incident, Observation, SourceKind

__all__ = [
    "DEFAULT_BASELINE_FILE",
    "baseline_command",
    "classify_command",
    "default_baseline",
    "default_control_dir",
    "default_history",
    "shipped_baseline_path",
    "shipped_data_path",
    "truce_effect_command",
    "war_fire_incidents",
]

DEFAULT_BASELINE_FILE = "thermal-baseline.npz"
SHIPPED_BASELINE_FILE = "baseline_2012-2021.npz"


def shipped_baseline_path() -> Path:
    """The normal-year baseline shipped in the package (pre-war years 2012-2021 of the
    FIRMS VIIRS history in ``shared/data/firms/history``; 0.1-degree grid)."""
    return Path(str(resources.files("trucewatch.thermal") / "data" / SHIPPED_BASELINE_FILE))


def default_baseline() -> Baseline:
    """``thermal-baseline.npz`` in the working directory if present, else the shipped one."""
    local = Path(DEFAULT_BASELINE_FILE)
    return Baseline.load(local if local.exists() else shipped_baseline_path())


def shipped_data_path(rel: str) -> Path:
    """A file or folder of the package's ``demo_data`` (see its README)."""
    return Path(str(resources.files("trucewatch") / "demo_data" / rel))


def default_control_dir() -> Path:
    """``<shared data>/control`` if it exists, else the control maps shipped in the package
    (DeepStateMap snapshots of 13 March, 9 August and 18 August 2025)."""
    root = shared_data_dir()
    if root is not None and (root / "control").is_dir():
        return root / "control"
    return shipped_data_path("control")


def default_history() -> Path:
    """``<shared data>/firms/history`` if it exists, else the shipped sample (FIRMS
    detections of 2012, 2013, 2016 and 2018 within 47.6-48.0 N, 35.0-35.4 E)."""
    root = shared_data_dir()
    if root is not None and (root / "firms" / "history").is_dir():
        return root / "firms" / "history"
    return shipped_data_path("firms_history")


def baseline_command(
    history: str | Path | None = None,
    *,
    out: str | Path = DEFAULT_BASELINE_FILE,
    params: BaselineParams | None = None,
) -> dict[str, Any]:
    """Build the normal-year baseline from ``history`` (a directory of FIRMS CSV files, or
    one file; default :func:`default_history`) and write it to ``out``.

    Returns ``{"history", "path", "bytes", "build_s", **Baseline.summary()}``: ``years``, ``grid``,
    ``params``, ``cells``, ``cells_with_support``, ``industrial_fine_cells``,
    ``industrial_detections``, ``donbas_cells_left_out``, ``detections_read``,
    ``detections_used``, ``nb_size_k``, ``k_rate_edges``, ``expected_per_day_by_month``.
    """
    history = default_history() if history is None else history
    if not Path(history).exists():
        raise InputError(RecordError(str(history), None, None, "not found"))
    t0 = time.perf_counter()
    base = build_baseline(history, params=params)
    build_s = time.perf_counter() - t0
    path = base.save(out)
    return {
        "history": str(history),
        "path": str(path),
        "bytes": path.stat().st_size,
        "build_s": round(build_s, 3),
        **base.summary(),
    }


def _baseline(baseline: str | Path | Baseline | None) -> Baseline:
    if isinstance(baseline, Baseline):
        return baseline
    return default_baseline() if baseline is None else Baseline.load(baseline)


def classify_command(
    files: Sequence[str | Path],
    *,
    baseline: str | Path | Baseline | None = None,
    control_dir: str | Path | None = None,
    params: ClassifyParams | None = None,
) -> dict[str, Any]:
    """Classify FIRMS files with both methods (:func:`trucewatch.thermal.classify.
    classify_files`); ``control_dir`` defaults to the shared control maps."""
    control = control_dir if control_dir is not None else default_control_dir()
    return classify_files(list(files), baseline=_baseline(baseline), control_dir=control,
                          params=params)  # fmt: skip


def _history_files_for(agreement: Any, before: int, after: int, context: int) -> list[Path]:
    from trucewatch.agreements.load import load_agreement

    ag = load_agreement(agreement) if isinstance(agreement, str | Path) else agreement
    days, _, _ = day_periods(ag.start, ag.end, before, after)
    root = shared_data_dir()
    if root is None:
        raise InputError(RecordError("--firms", None, None, "no FIRMS files given and no "
                                     "shared data folder found"))  # fmt: skip
    first, last = days[0] - timedelta(days=context), days[-1] + timedelta(days=context)
    years = set(range(first.year, last.year + 1))
    files = [root / "firms" / "history" / f"ukraine_fires_{y}.csv" for y in sorted(years)]
    found = [f for f in files if f.exists()]
    if not found:
        raise InputError(RecordError(str(root / "firms" / "history"), None, None,
                                     f"no FIRMS history file for {sorted(years)}"))  # fmt: skip
    return found


def truce_effect_command(
    agreement: str | Path,
    *,
    before_days: int,
    after_days: int,
    firms: Sequence[str | Path] = (),
    baseline: str | Path | Baseline | None = None,
    control_dir: str | Path | None = None,
    method: str = "trucewatch",
    chart: str | Path | None = None,
    **kwargs: Any,
) -> dict[str, Any]:
    """The truce effect (:func:`trucewatch.thermal.truce.truce_effect_for_files`); with
    ``chart``, also writes the PNG and adds ``"chart": path``."""
    if before_days < 1 or after_days < 0:
        raise InputError(RecordError("--before/--after", None, None,
                                     "need at least 1 day before and 0 or more after"))  # fmt: skip
    context = int(kwargs.get("context_days", 60))
    paths = list(firms) or _history_files_for(agreement, before_days, after_days, context)
    control = control_dir if control_dir is not None else default_control_dir()
    out = truce_effect_for_files(
        agreement, paths, baseline=_baseline(baseline), control_dir=control,
        before_days=before_days, after_days=after_days, method=method, **kwargs,
    )  # fmt: skip
    out["files"] = [str(p) for p in paths]
    if chart is not None:
        out["chart"] = str(plot_truce(out, chart))
    return out


def war_fire_incidents(incidents: Sequence[Incident], observations: Sequence[Observation],
                       lines: LineHistory | None,
                       baseline: Baseline | None = None) -> frozenset[str]:  # fmt: skip
    """Uids of the satellite-thermal incidents judged war fires: every satellite detection
    of the period is classified against the normal-year ``baseline`` (default
    :func:`default_baseline`) and the lines valid on its day
    (:func:`trucewatch.thermal.fusion.war_fire_uids_from_records`); a thermal-anomaly
    incident is a war fire when any of its detections is."""
    thermal = [i for i in incidents if i.kind is EventKind.THERMAL_ANOMALY]
    detections = [o for o in observations if o.source_kind is SourceKind.SATELLITE_THERMAL]
    if not thermal or not detections:
        return frozenset()
    war = war_fire_uids_from_records(detections, baseline=baseline or default_baseline(),
                                     lines=lines)  # fmt: skip
    return frozenset(i.uid for i in thermal if not war.isdisjoint(i.observation_uids))
