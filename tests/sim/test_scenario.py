"""Scenario files: bundled names, defaults, round trip of the resolved TOML, errors."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from trucewatch.sim.scenario import Scenario, ScenarioError
from trucewatch.sim.scenario_file import (
    bundled_scenarios,
    load_scenario,
    scenario_from_dict,
    scenario_to_toml,
)


def test_bundled_scenarios() -> None:
    assert {"smoke", "standard", "large"} <= set(bundled_scenarios())
    standard = load_scenario("standard")
    assert standard.period.days == 30
    assert (standard.truce.start - standard.period.start).days == 10
    assert standard.line.control_file.endswith("deepstatemap_data_20250313.geojson")
    large = load_scenario("large")
    assert large.period.days >= standard.period.days


def test_defaults_fill_missing_keys() -> None:
    s = scenario_from_dict({"name": "x", "patrols": {"teams": 3}})
    assert s.patrols.teams == 3
    assert s.patrols.bearing_sigma_deg == Scenario().patrols.bearing_sigma_deg
    assert s.violations.weapons["mortar"].range_km == (1.0, 7.0)


def test_weapon_override_keeps_other_keys() -> None:
    s = scenario_from_dict({"violations": {"weapons": {"drone": {"share": 0.5}}}})
    assert s.violations.weapons["drone"].share == 0.5
    assert s.violations.weapons["drone"].range_km == (1.0, 20.0)


def test_resolved_toml_round_trips(tmp_path: Path) -> None:
    s = load_scenario("smoke")
    path = tmp_path / "s.toml"
    path.write_text(scenario_to_toml(s))
    again = load_scenario(path)
    pinned = dataclasses.replace(s.line, valid_from=again.line.valid_from,
                                 control_sha256=again.line.control_sha256)  # fmt: skip
    assert dataclasses.replace(again, source="") == dataclasses.replace(s, line=pinned, source="")
    assert scenario_to_toml(again) == path.read_text()


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"patrols": {"teamz": 3}}, "patrols.teamz"),
        ({"patrols": {"teams": "many"}}, "patrols.teams"),
        ({"period": {"days": -1}}, "period.days"),
        ({"truce": {"start": "2025-01-02T00:00:00+00:00", "end": "2025-01-01T00:00:00+00:00"}},
         "truce.end"),
        ({"violations": {"weapons": {"laser": {"share": 1.0}}}}, "violations.weapons.laser"),
        ({"satellite": {"cloud_cover": 1.5}}, "satellite.cloud_cover"),
        ({"period": {"start": "2025-01-01T00:00:00"}}, "period.start"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_errors_name_the_key(data: dict, key: str) -> None:
    with pytest.raises(ScenarioError) as err:
        scenario_from_dict(data, "x.toml")
    assert err.value.key == key
    assert f"'{key}'" in str(err.value) and "x.toml" in str(err.value)


def test_unknown_scenario_name() -> None:
    with pytest.raises(FileNotFoundError, match="bundled"):
        load_scenario("no-such-scenario")


def test_the_field_scenario_turns_every_field_model_on():
    """``field`` ships beside ``standard`` with the harsh sensors on (docs/simulator.md)."""
    from trucewatch.sim import load_scenario

    s = load_scenario("field")
    assert s.weather.enabled and s.patrols.report_style == "totals"
    assert s.acoustic.outlier_share > 0 and s.acoustic.outage_share > 0
    assert s.acoustic.bearing_bias_sigma_deg > 0 and s.acoustic.signature_error > 0
    assert s.cameras.outage_share > 0 and s.cameras.thermal_share < 1 and s.cameras.fog_days_share
    assert s.satellite.background_fires == "fitted" and s.satellite.clouds == "field"
    c = s.complaints
    assert c.own_fire_blame_share > 0 and c.fabrication_near_fighting_share > 0


def test_default_weapon_rows_are_in_the_order_of_their_names():
    from trucewatch.sim.scenario import DEFAULT_WEAPONS

    w = DEFAULT_WEAPONS
    assert w["small_arms"].range_km == (0.1, 1.5) and w["mortar"].range_km == (1.0, 7.0)
    assert w["artillery"].range_km == (5.0, 25.0) and w["mlrs"].range_km == (10.0, 40.0)
    assert w["drone"].speed_km_s == 0.03 and w["drone"].kind == "explosion"
