"""trucewatch's war-fire model and the classify summary on a constructed war."""

from __future__ import annotations

import numpy as np
import pytest

from trucewatch.thermal.assessment import assess
from trucewatch.thermal.classify import classify
from trucewatch.thermal.model import ClassifyParams, band_names


@pytest.fixture(scope="module")
def war(synth, synthetic_baseline, line_context):
    """2022: the normal background everywhere, plus war fire in the cells along the line
    (3 detections on every other day, from April to September) and one big one-off
    field fire 200 km behind the line."""
    rng = np.random.default_rng(11)
    parts = [synth.random_fires(rng, 2022)]
    days = np.arange(np.datetime64("2022-04-01"), np.datetime64("2022-10-01"), 2)
    lats = np.arange(47.25, 49.8, 0.1)
    d, la = np.meshgrid(days, lats, indexing="ij")
    d = np.repeat(d.ravel(), 3)
    la = np.repeat(la.ravel(), 3)
    lo = synth.LINE_LON + rng.uniform(-0.05, 0.05, d.size)
    parts.append((lo, la, d))
    field = np.full(12, np.datetime64("2022-07-10"))
    parts.append((np.full(12, 28.75), np.full(12, 48.45), field))
    fires = synth.table(parts)
    near = np.zeros(len(fires), dtype=bool)
    near[-(d.size + 12) : -12] = True
    one_off = np.zeros(len(fires), dtype=bool)
    one_off[-12:] = True
    a = assess(fires, synthetic_baseline, line_context)
    return fires, a, near, one_off


def test_war_fire_along_the_line_is_found(war) -> None:
    _, a, near, _ = war
    assert a.war[near].mean() > 0.9
    assert a.probability[near].mean() > 0.8


def test_background_and_a_far_one_off_are_not_war(war) -> None:
    _, a, near, one_off = war
    background = ~near & ~one_off
    away = background & (np.abs(a.distance_km) > 15)
    assert a.war[away].mean() < 0.01
    # background fire inside the war band cannot be told from war fire: some is called war
    assert a.war[background].mean() < 0.05
    assert a.anomalous[one_off].all()  # surprising, yet in the reference band
    assert not a.war[one_off].any()


def test_bands_and_distances(war) -> None:
    _, a, near, one_off = war
    names = a.band_names
    assert names == band_names((10.0, 30.0, 100.0))
    assert {names[b] for b in a.band[near]} <= {"RU 0-10 km", "UA 0-10 km"}
    assert names[a.band[one_off][0]] == "UA >100 km"
    assert np.all(np.abs(a.distance_km[near]) < 6)


def test_economist_on_the_same_data(war) -> None:
    _, a, near, one_off = war
    assert a.economist.war[near].mean() > 0.9
    assert a.economist.war[~near & ~one_off].mean() > a.war[~near & ~one_off].mean()


def test_summary_keys_and_shares(synth, synthetic_baseline, line_context) -> None:
    rng = np.random.default_rng(2)
    fires = synth.table([synth.random_fires(rng, 2022, rate=0.005)])
    out = classify(fires, synthetic_baseline, line_context)
    assert out["detections"] == len(fires)
    for m in ("trucewatch", "economist"):
        for key in ("war_related", "within_10km", "within_30km", "within_100km"):
            assert key in out["methods"][m]
    agr = out["agreement"]
    assert agr["both"] + agr["trucewatch_only"] + agr["economist_only"] + agr["neither"] == len(
        fires
    )
    assert len(out["by_month"]) == 12
    assert out["fit"]["reference_band"] == "UA >100 km"


def test_empty_and_outside_the_grid(synthetic_baseline, synth) -> None:
    fires = synth.table([(np.array([10.0]), np.array([10.0]),
                          np.array(["2022-01-01"], dtype="datetime64[D]"))])  # fmt: skip
    a = assess(fires, synthetic_baseline)
    assert not a.war.any() and a.cell[0] == -1
    out = classify(fires.take(np.zeros(1, dtype=bool)), synthetic_baseline)
    assert out["detections"] == 0 and out["methods"]["trucewatch"]["war_related"] == 0


def test_industrial_detections_are_never_war(synth, line_context) -> None:
    from trucewatch.thermal.baseline import build_baseline

    rng = np.random.default_rng(5)
    parts = [synth.random_fires(rng, y, rate=0.005) for y in (2012, 2013, 2018, 2019)]
    for y in (2012, 2013, 2018, 2019):  # a plant right on the future line
        days = np.arange(np.datetime64(f"{y}-01-01"), np.datetime64(f"{y + 1}-01-01"), 4)
        parts.append((np.full(days.size, 31.555), np.full(days.size, 48.505), days))
    base = build_baseline(synth.table(parts), grid=synth.GRID)
    days = np.repeat(np.arange(np.datetime64("2022-05-01"), np.datetime64("2022-06-01")), 5)
    fires = synth.table([(np.full(days.size, 31.555), np.full(days.size, 48.505), days)])
    a = assess(fires, base, line_context, ClassifyParams(info_fraction=0.0))
    assert a.industrial.all() and not a.war.any()
    assert a.economist.war.any()  # the peer has no industrial mask
