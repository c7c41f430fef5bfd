"""Planning: per-sector capability, the sweep of added sensors and the capability map."""

from __future__ import annotations

import json
from pathlib import Path

from trucewatch.sim import plan


def test_plan_smoke(tmp_path: Path) -> None:
    result = plan("smoke", 3, out_dir=tmp_path, episodes=300)
    json.dumps(result)
    overall = result["overall"]
    assert overall["episodes"] > 200
    for key in ("p_detect", "p_located_1km", "p_attributed", "p_all"):
        assert 0.0 <= overall[key] <= 1.0
    assert overall["p_all"] <= min(overall["p_detect"], overall["p_located_1km"])
    assert overall["p_located_1km"] <= overall["p_detect"]
    assert result["sectors"]
    assert sum(s["episodes"] for s in result["sectors"]) == overall["episodes"]
    sweep = {row["variant"]: row for row in result["sweep"]}
    assert next(iter(sweep)) == "base" and sweep["base"]["gain_p_detect"] == 0.0
    # more sensors never lose capability on the same episodes; fewer never gain
    assert sweep["acoustic_half_spacing"]["gain_p_located_1km"] > 0
    assert sweep["patrols_x2"]["gain_p_attributed"] >= 0
    assert sweep["no_satellite"]["gain_p_detect"] <= 0
    assert sweep["no_complaints"]["gain_p_detect"] <= 0
    png = Path(result["map"])
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_plan_without_sweep_or_map() -> None:
    result = plan("smoke", 3, episodes=100, sweep=False)
    assert [row["variant"] for row in result["sweep"]] == ["base"]
    assert result["map"] is None
