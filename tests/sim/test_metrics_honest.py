"""The honest metrics of evaluation on hand-built cases whose answers are known."""

from __future__ import annotations

import json
import math
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from trucewatch.geo.projection import to_local_km, to_lonlat
from trucewatch.sim import Truth, evaluate
from trucewatch.sim.evaluation import STRICT_GATES
from trucewatch.sim.metrics import (
    crlb_ratios,
    expected_calibration_error,
    f1,
    precision_by_status,
    reliability,
)
from trucewatch.types import UNDETERMINED_PARTY, Attribution, PointLocation

from .conftest import Inc

T0 = datetime(2025, 3, 13, 12, 0, tzinfo=UTC)
N = 6
CONTRACT = ("truth_events", "reported_incidents", "precision", "recall", "f1",
            "oracle_recall", "loc_error_km_median", "loc_error_km_p90",
            "crlb_ratio_median", "attribution_accuracy", "runtime_s")  # fmt: skip
HONEST = ("attribution_accuracy_all", "precision_by_status", "calibration_ece",
          "crlb_ratio_median_all", "crlb_matched_without_bound", "recall_over_oracle",
          "f1_observable", "precision_strict", "recall_strict", "f1_strict",
          "strict_gates")  # fmt: skip




def _iso(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def _truth(bounds: list[float | None] | None = None, seen: list[bool] | None = None) -> Truth:
    """N episodes 0.2 degrees apart, an hour apart; party alternating UA, RU; each site
    bound ``bounds[k]`` km (None: no bound), observed when ``seen[k]``."""
    bounds = bounds or [0.5] * N
    seen = seen or [True] * N
    records = []
    for k in range(N):
        t = T0 + timedelta(hours=k)
        site = {"lon": 37.0 + 0.2 * k, "lat": 48.0, "time_start": _iso(t),
                "time_end": _iso(t + timedelta(minutes=5)),
                "observations": [f"uid{k}"] if seen[k] else [], "crlb_km": bounds[k]}  # fmt: skip
        records.append({"id": f"E{k}", "party": "RU" if k % 2 else "UA", "weapon": "mortar",
                        "phase": "before", "observed": seen[k], "impact": site,
                        "origin": dict(site, lon=site["lon"] + 0.1)})  # fmt: skip
    return Truth.from_records(records)


def _at_impact(truth: Truth, k: int, *, north_km: float = 0.0, late_s: float = 0.0,
               party: str | None = None, **kw: object) -> Inc:  # fmt: skip
    """An incident at episode k's impact, moved ``north_km`` and ``late_s`` later."""
    x, y = to_local_km(truth.site_lon[2 * k], truth.site_lat[2 * k])
    lon, lat = to_lonlat(x, y + north_km)
    t = datetime.fromtimestamp(truth.site_start[2 * k] + late_s, UTC)
    who = str(truth.party[k]) if party is None else party
    return Inc(t, t + timedelta(minutes=5), PointLocation.isotropic(float(lon), float(lat), 0.3),
               Attribution(party=who), **kw)  # type: ignore[arg-type]  # fmt: skip


def _perfect(truth: Truth, **kw: object) -> list[Inc]:
    return [_at_impact(truth, k, **kw) for k in range(len(truth))]  # type: ignore[arg-type]


def test_every_existing_key_stays_and_new_keys_are_added() -> None:
    m = evaluate(_perfect(_truth()), _truth())
    assert set(CONTRACT) | set(HONEST) <= set(m)
    assert len(m["calibration"]) == 10
    assert json.loads(json.dumps(m)) == m


def test_perfect_engine_scores_one_everywhere() -> None:
    truth = _truth()
    m = evaluate(_perfect(truth, confidence=1.0), truth)
    for key in ("precision_strict", "recall_strict", "f1_strict", "recall_over_oracle",
                "f1_observable", "attribution_accuracy", "attribution_accuracy_all"):
        assert m[key] == 1.0, key
    assert m["strict_gates"] == {"space_km": 1.0, "time_s": 300.0}
    assert m["calibration_ece"] == 0.0  # confidence 1, all true
    assert m["crlb_ratio_median_all"] == pytest.approx(0.0, abs=1e-5)
    assert m["crlb_matched_without_bound"] == 0


def test_engine_that_is_all_wrong() -> None:
    truth = _truth()
    far = evaluate(_perfect(truth, north_km=6.0, confidence=0.9), truth)
    assert far["precision_strict"] == far["recall_strict"] == far["f1_strict"] == 0.0
    assert far["recall_over_oracle"] == 0.0 and far["f1_observable"] == 0.0
    assert far["calibration_ece"] == pytest.approx(0.9)  # sure of itself, never right
    assert far["crlb_ratio_median_all"] is None and far["crlb_matched_without_bound"] == 0
    wrong = [_at_impact(truth, k, party="RU" if truth.party[k] == "UA" else "UA")
             for k in range(N)]  # fmt: skip
    w = evaluate(wrong, truth)
    assert w["attribution_accuracy"] == w["attribution_accuracy_all"] == 0.0


def test_undetermined_attributions_count_as_wrong_over_all_matches() -> None:
    truth = _truth()
    incidents = [_at_impact(truth, k, party=UNDETERMINED_PARTY if k < 3 else None)
                 for k in range(N)]  # fmt: skip
    m = evaluate(incidents, truth)
    assert m["attribution_accuracy"] == 1.0  # the determined three are right
    assert m["attribution_rate"] == 0.5
    assert m["attribution_accuracy_all"] == 0.5  # of all six matches


def test_strict_gates_score_what_the_loose_ones_forgive() -> None:
    truth = _truth()
    shifted = evaluate(_perfect(truth, north_km=1.5), truth)
    assert shifted["recall"] == shifted["precision"] == 1.0
    assert shifted["recall_strict"] == shifted["precision_strict"] == 0.0
    late = evaluate(_perfect(truth, late_s=10 * 60 + 5 * 60), truth)  # window 10 min off
    assert late["f1"] == 1.0 and late["f1_strict"] == 0.0
    half = [_at_impact(truth, k, north_km=0.5 if k < 3 else 2.0) for k in range(N)]
    h = evaluate(half, truth)
    assert h["precision_strict"] == h["recall_strict"] == h["f1_strict"] == 0.5
    custom = evaluate(half, truth, strict_gates=replace(STRICT_GATES, space_km=3.0))
    assert custom["f1_strict"] == 1.0 and custom["strict_gates"]["space_km"] == 3.0


def test_recall_over_oracle_and_f1_of_observable_events() -> None:
    seen = [True, True, True, False, False, False]
    truth = _truth(seen=seen)
    m = evaluate([_at_impact(truth, k) for k in range(3)], truth)
    assert m["oracle_recall"] == 0.5 and m["recall"] == 0.5 and m["precision"] == 1.0
    assert m["recall_over_oracle"] == 1.0 == m["recall_of_observable"]
    assert m["f1"] == pytest.approx(2 * 0.5 / 1.5, abs=1e-4)
    assert m["f1_observable"] == 1.0
    two = evaluate([_at_impact(truth, k) for k in range(2)], truth)
    assert two["recall_over_oracle"] == pytest.approx(2 / 3, abs=1e-4)
    assert two["f1_observable"] == pytest.approx(0.8, abs=1e-4)  # 2 * 1 * (2/3) / (5/3)


def test_crlb_ratio_over_all_matches_counts_those_without_a_bound() -> None:
    truth = _truth(bounds=[0.5, 0.5, 0.5, 0.5, None, None])
    m = evaluate(_perfect(truth, north_km=0.25), truth)
    assert m["crlb_matched_with_bound"] == 4 and m["crlb_matched_without_bound"] == 2
    assert m["crlb_ratio_median"] == pytest.approx(0.5, abs=0.01)
    assert m["crlb_ratio_median_all"] == pytest.approx(0.5, abs=0.01)  # 0.5 x4, inf x2
    mostly_unbounded = _truth(bounds=[0.5, 0.5, None, None, None, None])
    u = evaluate(_perfect(mostly_unbounded, north_km=0.25), mostly_unbounded)
    assert u["crlb_ratio_median"] == pytest.approx(0.5, abs=0.01)
    assert u["crlb_ratio_median_all"] is None  # the median match has no bound
    assert u["crlb_matched_without_bound"] == 4


def test_precision_per_status_and_refuted_apart() -> None:
    truth = _truth()
    incidents = [
        *(_at_impact(truth, k, status="confirmed") for k in range(3)),
        _at_impact(truth, 3, status="probable"),
        _at_impact(truth, 3, north_km=10.0, status="probable"),  # nothing there
        _at_impact(truth, 4, north_km=20.0, status="possible"),
        _at_impact(truth, 4, status="refuted"),  # a real event the engine dismissed
        _at_impact(truth, 0, status="refuted"),  # a duplicate of a matched one
        _at_impact(truth, 5, north_km=30.0, status="refuted"),  # rightly refuted
    ]
    m = evaluate(incidents, truth)
    by = m["precision_by_status"]
    assert list(by) == ["confirmed", "probable", "possible", "unverified", "refuted"]
    assert by["confirmed"] == {"incidents": 3, "matched": 3, "precision": 1.0}
    assert by["probable"] == {"incidents": 2, "matched": 1, "precision": 0.5}
    assert by["possible"] == {"incidents": 1, "matched": 0, "precision": 0.0}
    assert by["unverified"] == {"incidents": 0, "matched": 0, "precision": None}
    assert by["refuted"] == {"incidents": 3, "matched": 1, "share_real": pytest.approx(1 / 3,
                                                                                     abs=1e-4)}
    assert m["refuted_incidents"] == 3 and m["reported_incidents"] == 6
    assert m["recall"] == pytest.approx(4 / 6, abs=1e-4)  # refuted never count as found


def test_ece_through_evaluate_matches_the_reliability_table() -> None:
    truth = _truth()
    sure = [_at_impact(truth, k, confidence=0.95) for k in range(4)]  # all true
    unsure = [_at_impact(truth, k, north_km=9.0, confidence=0.15) for k in range(4, 6)]
    m = evaluate(sure + unsure, truth)
    # bin 9: 4 incidents at 0.95, all true (gap 0.05); bin 1: 2 at 0.15, none true (0.15)
    assert m["calibration_ece"] == pytest.approx((4 * 0.05 + 2 * 0.15) / 6, abs=1e-4)
    table = m["calibration"]
    assert table[9]["incidents"] == 4 and table[9]["share_true"] == 1.0
    assert table[1]["incidents"] == 2 and table[1]["share_true"] == 0.0


# --------------------------------------------------------------------------- arithmetic


def test_ece_of_bins_with_known_gaps() -> None:
    conf = np.array([0.15] * 4 + [0.85] * 6)
    true = np.array([True, False, False, False, True, True, True, False, False, False])
    # bin 1: 4/10 x |0.15 - 0.25| = 0.04; bin 8: 6/10 x |0.85 - 0.5| = 0.21
    assert expected_calibration_error(conf, true, 10) == pytest.approx(0.25)
    assert expected_calibration_error(np.array([0.3, 0.7]), np.array([False, True]), 1) == (
        pytest.approx(0.0))  # one bin: mean 0.5, half true
    assert expected_calibration_error(np.array([]), np.array([], dtype=bool), 10) is None
    edges = reliability(np.array([0.0, 1.0, 0.1]), np.array([False, True, True]), 10)
    assert [b["incidents"] for b in edges] == [1, 1, 0, 0, 0, 0, 0, 0, 0, 1]


def test_arithmetic_helpers() -> None:
    assert f1(1.0, 0.5, 6) == pytest.approx(2 / 3)
    assert f1(None, 0.0, 6) == 0.0 and f1(None, None, 0) is None
    with_bound, every = crlb_ratios(np.array([1.0, 2.0, 3.0]), np.array([2.0, math.inf, 0.0]))
    assert with_bound.tolist() == [0.5]
    assert every[0] == 0.5 and math.isinf(every[1]) and math.isinf(every[2])
    by = precision_by_status(["confirmed", None, "confirmed", "possible"],
                             np.array([True, True, False, False]))  # fmt: skip
    assert by["confirmed"]["precision"] == 0.5 and by["possible"]["precision"] == 0.0
    assert sum(b["incidents"] for b in by.values()) == 3  # no status: in no row


def test_assessed_scores_leave_out_unverified_leads_beside_the_headline() -> None:
    truth = _truth()
    incidents = [
        *(_at_impact(truth, k, status="possible") for k in range(4)),
        _at_impact(truth, 4, status="unverified"),  # a real event found only as a lead
        _at_impact(truth, 5, north_km=30.0, status="unverified"),  # a false lead
        _at_impact(truth, 5, north_km=40.0, status="unverified"),  # another
    ]
    m = evaluate(incidents, truth)
    assert m["precision"] == pytest.approx(5 / 7, abs=1e-4)
    assert m["recall_over_oracle"] == pytest.approx(5 / 6, abs=1e-4)
    assessed = m["assessed"]
    assert assessed["incidents"] == 4
    assert assessed["precision"] == 1.0
    assert assessed["recall_over_oracle"] == pytest.approx(4 / 6, abs=1e-4)
    assert assessed["f1_observable"] == pytest.approx(2 * (4 / 6) / (1 + 4 / 6), abs=1e-4)
    # without statuses (a peer) every incident is assessed
    plain = evaluate([_at_impact(truth, k) for k in range(6)], truth)
    assert plain["assessed"]["incidents"] == 6
