"""On the real data (../shared/data; skipped, saying why, when it is not there): the
baseline, 2022 with the ISW 2023 line, and the Christmas truce of 2023."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from trucewatch.thermal.assessment import assess
from trucewatch.thermal.baseline import build_baseline
from trucewatch.thermal.columns import read_firms_columns
from trucewatch.thermal.lines import isw_2023_history
from trucewatch.thermal.summary import summarize
from trucewatch.thermal.truce import truce_effect

CHRISTMAS = (
    Path(__file__).resolve().parents[2]
    / "src/trucewatch/agreements/examples/christmas_truce_2023.toml"
)


SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"


@pytest.fixture(scope="module")
def real():
    history, control = SHARED / "firms" / "history", SHARED / "control"
    if not (history.is_dir() and control.is_dir()):
        pytest.skip(f"real data not available at {SHARED} (needs ../shared beside the repo)")
    base = build_baseline(history)
    fires = read_firms_columns(history / "ukraine_fires_2022.csv")
    lines = isw_2023_history(control)
    return base, fires, lines


def test_baseline_from_the_pre_war_years(real) -> None:
    base, _, _ = real
    assert base.years == (2012, 2013, 2016, 2018, 2019, 2020, 2021)
    # the Azovstal and Zaporizhstal steelworks are masked as industrial sources
    assert base.is_industrial([37.605, 35.165], [47.095, 47.865]).all()
    assert base.info["donbas_cells_left_out"] > 100
    total = base.rates()[:, base.support].sum(axis=1)
    assert total[200] > 5 * total[10]  # July burns far more than January


def test_2022_war_fires_concentrate_near_the_line(real) -> None:
    base, fires, lines = real
    a = assess(fires, base, lines)
    s = summarize(a, by_month=False)
    assert s["detections"] > 120_000
    tw, ec, every = s["methods"]["trucewatch"], s["methods"]["economist"], s["all_detections"]
    assert tw["within_30km"] > every["within_30km"] + 0.15
    assert tw["within_100km"] > 0.9
    assert ec["war_related"] > tw["war_related"]  # the peer is far less selective
    assert 0.0 < s["agreement"]["cohen_kappa"] < 1.0


def test_christmas_truce_2023(real) -> None:
    from trucewatch.agreements.load import load_agreement

    base, _, lines = real
    fires = read_firms_columns(
        [real[1].files[0], str(Path(real[1].files[0]).with_name("ukraine_fires_2023.csv"))]
    )
    sel = (fires.day >= np.datetime64("2022-11-01")) & (fires.day <= np.datetime64("2023-02-28"))
    a = assess(fires.take(sel), base, lines)
    out = truce_effect(load_agreement(CHRISTMAS), a, before_days=14, after_days=7)
    ov = out["overall"]
    assert ov["during"]["days"] == 2 and ov["before"]["days"] + ov["after"]["days"] <= 21
    assert out["days"][14]["fraction_in_force"] == 0.625
    assert "no acquisition time" in out["notes"][1]
