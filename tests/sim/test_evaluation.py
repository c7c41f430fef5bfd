"""Evaluation metrics on engines whose answer is known by hand."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from trucewatch.app import incidents as app_incidents
from trucewatch.app import intake as app_intake
from trucewatch.app import lines as app_lines
from trucewatch.geo.projection import to_local_km, to_lonlat
from trucewatch.sim import Gates, Truth, evaluate, evaluate_store, load_scenario, read_truth
from trucewatch.sim.evaluation import match
from trucewatch.store import Store
from trucewatch.types import Attribution, PointLocation

from .conftest import Inc

T0 = datetime(2025, 3, 13, 12, 0, tzinfo=UTC)
METRIC_KEYS = {"truth_events", "reported_incidents", "precision", "recall", "f1",
               "oracle_recall", "loc_error_km_median", "loc_error_km_p90",
               "crlb_ratio_median", "attribution_accuracy", "runtime_s"}  # fmt: skip




def _iso(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def _event(k: int, lon: float, lat: float, party: str = "RU", bound: float = 0.5) -> dict:
    t = T0 + timedelta(hours=k)
    site = {"lon": lon, "lat": lat, "time_start": _iso(t),
            "time_end": _iso(t + timedelta(minutes=5)),
            "observations": [f"uid{k}"], "crlb_km": bound}  # fmt: skip
    origin = dict(site, lon=lon + 0.1, observations=[f"uidO{k}"])
    return {"id": f"E{k}", "party": party, "weapon": "mortar", "phase": "before",
            "observed": True, "impact": site, "origin": origin}  # fmt: skip


def _hand_truth() -> Truth:
    return Truth.from_records([_event(k, 37.0 + 0.2 * k, 48.0, "RU" if k % 2 else "UA")
                               for k in range(6)])  # fmt: skip


def _inc_at(lon: float, lat: float, t: datetime, party: str) -> Inc:
    return Inc(t, t + timedelta(minutes=5), PointLocation.isotropic(lon, lat, 0.3),
               Attribution(party=party))  # fmt: skip


def _perfect(truth: Truth, shift_km: float = 0.0) -> list[Inc]:
    out = []
    for k in range(len(truth)):
        x, y = to_local_km(truth.site_lon[2 * k], truth.site_lat[2 * k])
        lon, lat = to_lonlat(x, y + shift_km)  # north: away from the origins (east)
        t = datetime.fromtimestamp(truth.site_start[2 * k], UTC)
        out.append(_inc_at(float(lon), float(lat), t, str(truth.party[k])))
    return out


def test_perfect_engine() -> None:
    truth = _hand_truth()
    m = evaluate(_perfect(truth), truth)
    assert set(m) >= METRIC_KEYS
    assert m["precision"] == m["recall"] == m["f1"] == m["oracle_recall"] == 1.0
    assert m["loc_error_km_median"] == pytest.approx(0.0, abs=1e-6)
    assert m["crlb_ratio_median"] == pytest.approx(0.0, abs=1e-5)
    assert m["attribution_accuracy"] == 1.0
    json.dumps(m)


def test_engine_that_reports_nothing() -> None:
    m = evaluate([], _hand_truth())
    assert m["recall"] == 0.0
    assert m["precision"] is None  # undefined: no incident
    assert m["f1"] == 0.0
    assert m["loc_error_km_median"] is None and m["attribution_accuracy"] is None
    assert m["reported_incidents"] == 0 and m["truth_events"] == 6


def test_shifted_engine_has_the_known_error() -> None:
    truth = _hand_truth()
    m = evaluate(_perfect(truth, shift_km=1.5), truth)
    assert m["recall"] == 1.0
    assert m["loc_error_km_median"] == pytest.approx(1.5, abs=0.01)
    assert m["loc_error_km_p90"] == pytest.approx(1.5, abs=0.01)
    assert m["crlb_ratio_median"] == pytest.approx(3.0, abs=0.03)


def test_beyond_the_gates_nothing_matches() -> None:
    truth = _hand_truth()
    far = evaluate(_perfect(truth, shift_km=6.0), truth)
    assert far["recall"] == 0.0 and far["precision"] == 0.0
    late = [Inc(i.time_start + timedelta(hours=0.5), i.time_end + timedelta(hours=0.5),
                i.location, i.attribution) for i in _perfect(truth)]  # fmt: skip
    assert evaluate(late, truth)["recall"] == 0.0
    assert evaluate(late, truth, gates=Gates(time_s=3600))["recall"] == 1.0


def test_duplicates_count_once_and_wrong_party() -> None:
    truth = _hand_truth()
    perfect = _perfect(truth)
    wrong = [Inc(i.time_start, i.time_end, i.location,
                 Attribution(party="UA" if i.attribution.party == "RU" else "RU"))
             for i in perfect]  # fmt: skip
    m = evaluate(perfect + perfect, truth)
    assert m["recall"] == 1.0 and m["precision"] == 0.5
    assert evaluate(wrong, truth)["attribution_accuracy"] == 0.0
    undetermined = [Inc(i.time_start, i.time_end, i.location, Attribution()) for i in perfect]
    u = evaluate(undetermined, truth)
    assert u["attribution_accuracy"] is None and u["attribution_rate"] == 0.0


def test_origin_and_impact_both_count() -> None:
    truth = _hand_truth()
    at_origin = [_inc_at(float(truth.site_lon[2 * k + 1]), float(truth.site_lat[2 * k + 1]),
                         datetime.fromtimestamp(truth.site_start[2 * k + 1], UTC), "RU")
                 for k in range(len(truth))]  # fmt: skip
    m = evaluate(_perfect(truth) + at_origin, truth)
    assert m["precision"] == 1.0 and m["recall"] == 1.0
    assert m["matched_to"] == {"impact": 6, "origin": 6}


def test_assignment_is_optimal_not_greedy() -> None:
    # incident 0 is closest to site 0 but only incident 0 can reach site 1
    inc = np.array([[0.0, 0.0], [-1.0, 0.0]])
    sites = np.array([[-0.5, 0.0], [2.0, 0.0]])
    t = np.zeros(2)
    mi, mj, _ = match(inc, t, t, sites, t, t, Gates(space_km=2.5))
    assert dict(zip(mi.tolist(), mj.tolist(), strict=True)) == {0: 1, 1: 0}


def test_perfect_engine_on_a_simulation(smoke_run: tuple[Path, dict[str, Any]]) -> None:
    folder, summary = smoke_run
    truth = read_truth(folder / "truth.jsonl")
    assert truth.period is not None
    observed = [k for k in range(len(truth)) if truth.site_observed[2 * k]]
    incidents = []
    for k in observed:
        t = datetime.fromtimestamp(truth.site_start[2 * k], UTC)
        incidents.append(_inc_at(float(truth.site_lon[2 * k]), float(truth.site_lat[2 * k]), t,
                                 str(truth.party[k])))  # fmt: skip
    m = evaluate(incidents, truth)
    assert m["precision"] == 1.0
    assert m["recall"] == pytest.approx(len(observed) / len(truth), abs=1e-4)
    assert m["recall"] <= m["oracle_recall"] == summary["oracle_recall"]
    assert m["attribution_accuracy"] == 1.0


def test_evaluate_store_json(tmp_path: Path, smoke_run: tuple[Path, dict[str, Any]]) -> None:
    folder, summary = smoke_run
    store = Store.open(f"sqlite:///{tmp_path / 'store.db'}")
    try:
        s = load_scenario(folder / "scenario.toml")
        app_lines.import_line(store, s.control_path())
        app_intake.import_files(store, [Path(p) for p in summary["files"]["observations"]])
        fused = app_incidents.fuse(store)
        m = evaluate_store(store, folder / "truth.jsonl")
    finally:
        store.close()
    assert set(m) >= METRIC_KEYS
    assert m["truth_events"] == summary["truth_events"]
    assert 0 < m["reported_incidents"] <= fused["incidents"]
    for key in ("precision", "recall", "f1"):
        assert 0.0 <= m[key] <= 1.0
    assert m["recall"] <= m["oracle_recall"]
    assert m["runtime_of"] == "evaluate"
    assert len(m["calibration"]) == 10
    assert json.loads(json.dumps(m)) == m


def test_sparse_assignment_equals_the_dense_one() -> None:
    """Large components are matched on a sparse matrix: same number of pairs, same cost."""
    from scipy.optimize import linear_sum_assignment

    from trucewatch.sim.evaluation import FORBIDDEN, _sparse_assignment

    rng = np.random.default_rng(1)
    for _ in range(100):
        ni, ns = int(rng.integers(1, 25)), int(rng.integers(1, 25))
        cells = np.unique(rng.integers(0, ni * ns, int(rng.integers(1, ni * ns + 1))))
        ri, rj = cells // ns, cells % ns
        cost = rng.uniform(0.0, 2.0, cells.size)
        dense = np.full((ni, ns), FORBIDDEN)
        dense[ri, rj] = cost
        r, c = linear_sum_assignment(dense)
        real = dense[r, c] < FORBIDDEN
        r2, c2 = _sparse_assignment(ri, rj, cost, ni, ns)
        assert len(r2) == int(real.sum())
        assert dense[r2, c2].sum() == pytest.approx(dense[r[real], c[real]].sum())
