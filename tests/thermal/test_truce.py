"""Truce effect: periods, rate ratios with known answers, CI coverage, low-information days."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from trucewatch.agreements.load import load_agreement
from trucewatch.thermal.assessment import assess
from trucewatch.thermal.rate_ratio import (
    dispersion_test,
    rate_ratio,
    rate_ratio_negbin,
    rate_ratio_poisson,
)
from trucewatch.thermal.truce import day_periods, low_information_days, plot_truce, truce_effect
from trucewatch.types import Agreement, Party

CHRISTMAS = (
    Path(__file__).resolve().parents[2]
    / "src/trucewatch/agreements/examples/christmas_truce_2023.toml"
)


def test_christmas_truce_file_and_days() -> None:
    ag = load_agreement(CHRISTMAS)
    assert ag.start.astimezone(UTC) == datetime(2023, 1, 6, 9, tzinfo=UTC)
    assert ag.end.astimezone(UTC) == datetime(2023, 1, 7, 21, tzinfo=UTC)
    assert [p.code for p in ag.parties] == ["RU"]
    days, periods, fractions = day_periods(ag.start, ag.end, 2, 1)
    assert [d.isoformat() for d in days] == [
        "2023-01-04", "2023-01-05", "2023-01-06", "2023-01-07", "2023-01-08",
    ]  # fmt: skip
    assert periods == ["before", "before", "during", "during", "after"]
    assert fractions[2:4] == [0.625, 0.875]


def test_transition_day() -> None:
    s = datetime(2025, 1, 1, 20, tzinfo=UTC)
    e = datetime(2025, 1, 3, 6, tzinfo=UTC)
    _, periods, fractions = day_periods(s, e, 1, 1)
    assert periods == ["before", "transition", "during", "transition", "after"]
    assert fractions[1] == pytest.approx(4 / 24, abs=1e-4)


def test_poisson_ratio_exact_values() -> None:
    r = rate_ratio_poisson(10, 2, 100, 10)
    assert r.estimate == pytest.approx(0.5)
    assert (r.low, r.high) == pytest.approx((0.2326, 0.9583), abs=1e-3)
    z = rate_ratio_poisson(0, 2, 30, 10)
    assert z.estimate == 0.0 and z.low == 0.0 and 0.3 < z.high < 0.7


@pytest.mark.parametrize("true_rr", [0.2, 0.5, 1.0])
def test_poisson_interval_covers_the_true_ratio(true_rr: float) -> None:
    rng = np.random.default_rng(int(true_rr * 100))
    mu_before, days_before, days_during = 6.0, 14, 2
    hits = 0
    n = 600
    for _ in range(n):
        b = rng.poisson(mu_before, days_before).sum()
        d = rng.poisson(mu_before * true_rr, days_during).sum()
        r = rate_ratio_poisson(d, days_during, b, days_before)
        hits += r.low <= true_rr <= r.high
    coverage = hits / n
    assert 0.94 <= coverage <= 1.0  # exact intervals are conservative


def test_negbin_interval_covers_on_overdispersed_counts() -> None:
    rng = np.random.default_rng(1)
    k, mu, rr = 2.0, 8.0, 0.5
    hits, n = 0, 500
    for _ in range(n):
        b = rng.negative_binomial(k, k / (k + mu), 30)
        d = rng.negative_binomial(k, k / (k + mu * rr), 10)
        r, _ = rate_ratio_negbin(d, b)
        hits += r.low <= rr <= r.high
    assert 0.88 <= hits / n <= 0.99


def test_model_choice_follows_dispersion() -> None:
    rng = np.random.default_rng(4)
    calm = rng.poisson(5.0, 20)
    wild = rng.negative_binomial(0.8, 0.8 / 5.8, 20)
    assert rate_ratio(calm[:3], calm)["model"] == "poisson_exact"
    assert rate_ratio(wild[:3], wild)["model"] == "negative_binomial_wald"
    phi, p = dispersion_test([5, 5, 5, 5])
    assert phi == 0.0 and p == pytest.approx(1.0)


def test_low_information_days() -> None:
    flags = low_information_days(np.array([20, 22, 1, 19, 0, 25, 18]))
    assert flags.tolist() == [False, False, True, False, True, False, False]


def test_truce_effect_on_constructed_days(synth, synthetic_baseline, line_context, tmp_path):
    """War fire along the line every day, stopping exactly on the truce days; one cloudy
    day with almost nothing seen."""
    rng = np.random.default_rng(9)
    ag = Agreement(
        name="Test truce",
        parties=(Party(code="RU", name="R"),),
        start=datetime(2022, 6, 15, tzinfo=UTC),
        end=datetime(2022, 6, 17, tzinfo=UTC),
    )
    parts = [synth.random_fires(rng, 2022, rate=0.01)]
    days = np.arange(np.datetime64("2022-05-01"), np.datetime64("2022-07-31"))
    days = days[(days < np.datetime64("2022-06-15")) | (days >= np.datetime64("2022-06-17"))]
    days = days[days != np.datetime64("2022-06-10")]  # the cloudy day: nothing at all
    lats = np.arange(47.35, 49.6, 0.3)
    d, la = np.meshgrid(days, lats, indexing="ij")
    d, la = np.repeat(d.ravel(), 2), np.repeat(la.ravel(), 2)
    parts.append((synth.LINE_LON + rng.uniform(-0.04, 0.04, d.size), la, d))
    fires = synth.table(parts)
    cloudy = fires.day == np.datetime64("2022-06-10")
    fires = fires.take(~cloudy | (np.arange(len(fires)) % 50 == 0))
    a = assess(fires, synthetic_baseline, line_context)
    out = truce_effect(ag, a, before_days=10, after_days=5)
    json.dumps(out)  # JSON-able
    rows = {r["date"]: r for r in out["days"]}
    assert rows["2022-06-15"]["period"] == "during" and rows["2022-06-16"]["period"] == "during"
    assert rows["2022-06-10"]["low_information"]
    ov = out["overall"]
    # only background fire near the line (0.01 per cell-day) is left during the truce
    assert ov["during"]["war_fires"] <= 3 < ov["before"]["war_fires"] / 9
    assert ov["before"]["days"] == 9  # 10 days minus the cloudy one
    rr = ov["rate_ratio_during_before"]
    assert rr["estimate"] < 0.1 and rr["ci95"][1] < 0.5
    assert ov["rate_ratio_after_before"]["ci95"][0] < 1.0 < ov["rate_ratio_after_before"]["ci95"][1]
    png = plot_truce(out, tmp_path / "t.png")
    assert png.stat().st_size > 10_000
