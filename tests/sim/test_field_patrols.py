"""Patrols that report like the OSCE SMM did (``patrols.report_style = "totals"``,
``avoid_hotspot_km``, ``mistaken_per_team_day``): the statistics of what was simulated
against the configured values, the records still import and fuse, and the defaults
change nothing."""

from __future__ import annotations

import dataclasses
import json
import math
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from scipy.stats import norm
from typer.testing import CliRunner

from trucewatch.cli import app
from trucewatch.sim import ScenarioError, load_scenario, simulate
from trucewatch.sim.detections import Sites
from trucewatch.sim.patrol_stands import PatrolStand
from trucewatch.sim.patrol_totals import at_least, compass_words, whole_km_range
from trucewatch.sim.scenario import Scenario
from trucewatch.sim.scenario_file import scenario_from_dict, scenario_to_dict
from trucewatch.sim.sensor_specs import PatrolSpec
from trucewatch.sim.sensors import listen_patrols, patrol_slots
from trucewatch.sim.simulation import run_simulation
from trucewatch.sim.world import to_xy
from trucewatch.sources import read_file

SEED = 11
FIELD = {"report_style": "totals", "total_window_h": (1.0, 3.0), "distance_sigma": 0.5,
         "distance_factor": 1.5, "vague_count_share": 0.3, "avoid_hotspot_km": 8.0,
         "mistaken_per_team_day": 1.5, "count_sigma": 0.4}  # fmt: skip
"""The models on, with a distance range that misses often enough to measure the rate."""


def _smoke(days: float = 4.0, teams: int = 20, **patrols: Any) -> Scenario:
    """The smoke scenario over ``days`` with busy violations and ``patrols`` keys set."""
    s = load_scenario("smoke")
    return dataclasses.replace(
        s, period=dataclasses.replace(s.period, days=days),
        violations=dataclasses.replace(s.violations, rate_during_per_day=250.0),
        patrols=dataclasses.replace(s.patrols, teams=teams, **patrols),
    )  # fmt: skip


def _jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line]


def _epoch(text: str) -> float:
    return datetime.fromisoformat(text).timestamp()


@pytest.fixture(scope="module")
def field_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A totals-mode simulation with every patrol model on: scenario, summary, records,
    patrol truth and truth."""
    s = _smoke(**FIELD)
    folder = tmp_path_factory.mktemp("field_patrols")
    summary = simulate(s, SEED, folder)
    return {"scenario": s, "folder": folder, "summary": summary,
            "records": _jsonl(folder / "observations.jsonl"),
            "patrol_truth": _jsonl(folder / "patrol_truth.jsonl"),
            "truth": _jsonl(folder / "truth.jsonl")}  # fmt: skip


def _real(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [t for t in events if t["mistaken"] is None]


# --------------------------------------------------------------------------- defaults


def test_every_model_is_off_by_default() -> None:
    p = PatrolSpec()
    assert (p.report_style, p.vague_count_share, p.avoid_hotspot_km,
            p.mistaken_per_team_day) == ("episodes", 0.0, 0.0, 0.0)  # fmt: skip


def test_off_models_draw_nothing(tmp_path: Path) -> None:
    """With the models off, their other keys change no byte: nothing is drawn for them."""
    base, other = tmp_path / "base", tmp_path / "other"
    simulate(_smoke(days=1.0, teams=6), SEED, base)
    simulate(_smoke(days=1.0, teams=6, total_window_h=(2.0, 2.5), distance_factor=3.0),
             SEED, other)  # fmt: skip
    names = {p.name for p in base.iterdir()} - {"scenario.toml"}
    assert "patrol_truth.jsonl" not in names
    for name in names:
        assert (base / name).read_bytes() == (other / name).read_bytes(), name


def test_patrol_truth_of_an_earlier_run_is_removed(tmp_path: Path) -> None:
    summary = simulate(_smoke(days=0.5, teams=6, report_style="totals"), SEED, tmp_path)
    assert str(tmp_path / "patrol_truth.jsonl") in summary["files"]["beside"]
    summary = simulate(_smoke(days=0.5, teams=6), SEED, tmp_path)
    assert not (tmp_path / "patrol_truth.jsonl").exists()
    assert str(tmp_path / "patrol_truth.jsonl") not in summary["files"].get("beside", [])


def test_totals_and_mistakes_hear_what_the_patrols_heard() -> None:
    """Own streams: the sites heard, and every other sensor, are the same in either mode."""
    episodes = run_simulation(_smoke(days=1.0), SEED)
    totals = run_simulation(_smoke(days=1.0, report_style="totals", mistaken_per_team_day=2.0),
                            SEED)  # fmt: skip
    a, b = episodes.detections["patrol"], totals.detections["patrol"]
    real = b.site >= 0
    assert np.array_equal(a.site, b.site[real]) and np.array_equal(a.sensor, b.sensor[real])
    assert (~real).sum() > 0
    for source in ("acoustic", "camera", "satellite", "complaint"):
        assert np.array_equal(episodes.detections[source].time, totals.detections[source].time)


# --------------------------------------------------------------------------- totals


def test_records_are_valid_patrol_records(field_run: dict[str, Any]) -> None:
    read = read_file(field_run["folder"] / "observations.jsonl")
    assert read.errors == [] and read.format == "patrol"
    events = [ev for r in field_run["records"] for ev in r["events"]]
    assert len(read.observations) == len(events) == len(field_run["patrol_truth"])
    for ev in events:
        assert ev["directions"] and "bearings_deg" not in ev
        assert set(ev["directions"]) <= set(compass_words(np.arange(0.0, 360.0, 22.5)))
        assert all(float(ev[k]).is_integer() for k in ("distance_km_min", "distance_km_max"))
        assert ev["distance_km_min"] < ev["distance_km_max"]
    # totals: an event counts several sounds
    covered = [len(t["sites"]) for t in _real(field_run["patrol_truth"])]
    assert np.mean(covered) > 1.2 and max(covered) >= 4


def test_window_lengths(field_run: dict[str, Any]) -> None:
    s: Scenario = field_run["scenario"]
    lo_h, hi_h = s.patrols.total_window_h
    slot_ends = {round(b) for _, _, b in patrol_slots(s)}
    inner = []
    for t in field_run["patrol_truth"]:
        start, end = _epoch(t["window_start"]), _epoch(t["window_end"])
        length = (end - start) / 3600.0
        assert length <= hi_h + 1e-3
        if round(end) not in slot_ends:  # a window cut short by the end of its slot
            assert length >= lo_h - 1e-3
            inner.append(length)
    inner_mean = np.mean(list(dict.fromkeys(inner)))
    assert abs(inner_mean - (lo_h + hi_h) / 2) < 0.25
    for r in field_run["records"]:  # the span of the sounds heard fits in the window
        t0, t1 = (datetime.strptime(r[k], "%H:%M") for k in ("time_start", "time_end"))
        assert 0 < (t1 - t0).total_seconds() % 86400 <= hi_h * 3600 + 120


def test_direction_sets_contain_the_true_directions(field_run: dict[str, Any]) -> None:
    """Exactly with a perfect ear; with 15 degrees of error at least as often as one sound's
    word is right (an event's other sounds add words)."""
    s: Scenario = field_run["scenario"]
    sigma = s.patrols.bearing_sigma_deg
    u = np.linspace(-11.25, 11.25, 2001)
    p_single = float(np.mean(norm.cdf((11.25 - u) / sigma) - norm.cdf((-11.25 - u) / sigma)))
    words_of = {(r["report_id"], k): set(ev["directions"])
                for r in field_run["records"] for k, ev in enumerate(r["events"])}  # fmt: skip
    hits = [w in words_of[t["report_id"], t["event_index"]]
            for t in _real(field_run["patrol_truth"]) for w in t["true_directions"]]
    assert np.mean(hits) >= p_single - 3 * math.sqrt(p_single * (1 - p_single) / len(hits))


def test_directions_exact_with_a_perfect_ear(tmp_path: Path) -> None:
    simulate(_smoke(days=1.0, report_style="totals", bearing_sigma_deg=0.0), SEED, tmp_path)
    records = _jsonl(tmp_path / "observations.jsonl")
    words_of = {(r["report_id"], k): ev["directions"]
                for r in records for k, ev in enumerate(r["events"])}  # fmt: skip
    truth = _jsonl(tmp_path / "patrol_truth.jsonl")
    assert truth
    for t in truth:
        assert words_of[t["report_id"], t["event_index"]] == t["true_directions"]


def test_distance_ranges_contain_the_true_distances_at_the_configured_rate(
    field_run: dict[str, Any],
) -> None:
    s: Scenario = field_run["scenario"]
    f, sigma = s.patrols.distance_factor, s.patrols.distance_sigma
    rate = 2 * norm.cdf(math.log(f) / sigma) - 1
    ranges = {(r["report_id"], k): (ev["distance_km_min"], ev["distance_km_max"])
              for r in field_run["records"] for k, ev in enumerate(r["events"])}  # fmt: skip
    events = _real(field_run["patrol_truth"])
    within_factor, contained = [], []
    for t in events:
        lo, hi = ranges[t["report_id"], t["event_index"]]
        near, far = t["true_distance_km"]
        holds = lo <= near + 1e-3 and far <= hi + 1e-3
        ok = abs(math.log(t["distance_scale"])) <= math.log(f)
        assert holds or not ok  # an error within the factor always gives a range holding all
        within_factor.append(ok)
        contained.append(holds)
    n = len(events)
    assert abs(np.mean(within_factor) - rate) <= 3 * math.sqrt(rate * (1 - rate) / n)
    assert np.mean(contained) >= rate - 3 * math.sqrt(rate * (1 - rate) / n)
    assert np.mean(contained) < 0.95  # the factor-2 errors of the field do show


def test_whole_km_range() -> None:
    lo, hi = whole_km_range(np.array([3.2, 0.4]), np.array([4.1, 0.5]), 1.5)
    assert lo.tolist() == [2.0, 0.0] and hi.tolist() == [7.0, 1.0]
    assert [at_least(n) for n in (7, 34, 99, 123)] == [7, 30, 95, 120]


def test_counts_are_totals_with_the_configured_error_and_vagueness(
    field_run: dict[str, Any],
) -> None:
    s: Scenario = field_run["scenario"]
    counts = {(r["report_id"], k): ev["count"]
              for r in field_run["records"] for k, ev in enumerate(r["events"])}  # fmt: skip
    events = _real(field_run["patrol_truth"])
    vague = [t["vague"] is not None for t in events]
    share = s.patrols.vague_count_share
    assert abs(np.mean(vague) - share) <= 3 * math.sqrt(share * (1 - share) / len(events))
    log_ratio = []
    for t in events:
        count = counts[t["report_id"], t["event_index"]]
        if t["vague"] == "missing":
            assert count is None
        elif t["vague"] == "at_least":
            assert count is not None and (count < 10 or count % 5 == 0)
        elif t["true_count"] >= 20:
            log_ratio.append(math.log(count / t["true_count"]))
    n, sigma = len(log_ratio), s.patrols.count_sigma
    assert n >= 30
    assert abs(np.mean(log_ratio)) <= 3 * sigma / math.sqrt(n)
    assert abs(np.std(log_ratio) / sigma - 1.0) <= 3 / math.sqrt(2 * n)


def test_flow_is_often_undetermined(field_run: dict[str, Any]) -> None:
    flows = [ev["flow"] for r in field_run["records"] for ev in r["events"]]
    share = field_run["scenario"].patrols.undetermined_share
    assert np.mean([f == "undetermined" for f in flows]) > share


# --------------------------------------------------------------------------- restrictions


def _hotspot_distances(s: Scenario, records: list[dict[str, Any]]) -> np.ndarray:
    run = run_simulation(s, SEED)
    centres = run.world.frame(run.episodes.hotspots_along)[0]
    lon = np.array([r["observer_lon"] for r in records])
    lat = np.array([r["observer_lat"] for r in records])
    xy = to_xy(lon, lat)
    return np.linalg.norm(xy[:, None, :] - centres[None, :, :], axis=2).min(axis=1)


def test_positions_keep_away_from_the_hot_spots(field_run: dict[str, Any]) -> None:
    s: Scenario = field_run["scenario"]
    d = _hotspot_distances(s, field_run["records"])
    assert d.min() >= s.patrols.avoid_hotspot_km - 0.01
    free = dataclasses.replace(s, patrols=dataclasses.replace(s.patrols, avoid_hotspot_km=0.0))
    stands = _stands(free)
    centres_d = _stand_distances(free, stands)
    assert (centres_d < s.patrols.avoid_hotspot_km).mean() > 0.2  # without it, they go close


def _stands(s: Scenario) -> list[PatrolStand]:
    run = run_simulation(s, SEED)
    stands, _ = listen_patrols(s, run.world, run.episodes, Sites.of(s, run.episodes), run.layout,
                               np.random.default_rng([SEED, 10]))  # fmt: skip
    return stands


def _stand_distances(s: Scenario, stands: list[PatrolStand]) -> np.ndarray:
    run = run_simulation(s, SEED)
    centres = run.world.frame(run.episodes.hotspots_along)[0]
    xy = np.concatenate([st.xy for st in stands])
    return np.linalg.norm(xy[:, None, :] - centres[None, :, :], axis=2).min(axis=1)


# --------------------------------------------------------------------------- mistakes


def test_mistaken_reports_at_the_configured_rate(field_run: dict[str, Any]) -> None:
    s: Scenario = field_run["scenario"]
    p = s.patrols
    team_days = sum(st.teams.size for st in _stands(s)) / p.moves_per_day
    expected = p.mistaken_per_team_day * team_days
    mistaken = [t for t in field_run["patrol_truth"] if t["mistaken"] is not None]
    assert abs(len(mistaken) - expected) <= 3 * math.sqrt(expected)
    assert {t["mistaken"] for t in mistaken} == {"phantom", "wrong_direction"}
    assert field_run["summary"]["false_alarms"]["patrol"] == len(mistaken)
    linked = {uid for rec in field_run["truth"] for site in ("impact", "origin")
              for uid in rec[site]["observations"]}  # fmt: skip
    for t in mistaken:
        assert t["episodes"] == [] and t["sites"] == [] and t["observation_uid"] not in linked
        assert bool(t["misjudged"]) == (t["mistaken"] == "wrong_direction")


def test_mistakes_in_episode_reports(tmp_path: Path) -> None:
    """Episodes mode: each mistaken sound is a record of its own, marked in the truth."""
    simulate(_smoke(days=1.0, teams=6, mistaken_per_team_day=2.0), SEED, tmp_path)
    assert read_file(tmp_path / "observations.jsonl").errors == []
    records = {r["report_id"]: r for r in _jsonl(tmp_path / "observations.jsonl")}
    truth = _jsonl(tmp_path / "patrol_truth.jsonl")
    assert len(truth) == sum(len(r["events"]) for r in records.values())
    mistaken = [t for t in truth if t["mistaken"]]
    assert mistaken and all(len(records[t["report_id"]]["events"]) == 1 for t in mistaken)
    assert all(len(t["episodes"]) == 1 for t in truth if not t["mistaken"])


def test_truth_tells_which_episodes_each_report_covers(field_run: dict[str, Any]) -> None:
    by_site: dict[str, set[str]] = {}
    for rec in field_run["truth"]:
        for site in ("impact", "origin"):
            for uid in rec[site]["observations"]:
                by_site.setdefault(uid, set()).add(f"{rec['id']}:{site}")
    for t in _real(field_run["patrol_truth"]):
        assert by_site[t["observation_uid"]] == set(t["sites"])
        assert t["episodes"] == sorted({label.split(":")[0] for label in t["sites"]})


# --------------------------------------------------------------------------- scenario keys


@pytest.mark.parametrize(("key", "value"), [
    ("report_style", "hourly"), ("total_window_h", [3.0, 1.0]), ("distance_factor", 0.5),
    ("vague_count_share", 1.5), ("avoid_hotspot_km", -1.0), ("mistaken_per_team_day", -0.1),
])  # fmt: skip
def test_bad_keys_are_rejected(key: str, value: object) -> None:
    data = scenario_to_dict(load_scenario("smoke"))
    data["patrols"][key] = value
    with pytest.raises(ScenarioError, match=f"patrols.{key}"):
        scenario_from_dict(data)


# --------------------------------------------------------------------------- import, fuse


def test_trucewatch_import_and_fuse_run_on_totals(tmp_path: Path) -> None:
    s = _smoke(days=1.0, teams=6, **FIELD)
    summary = simulate(s, SEED, tmp_path / "sim")
    db = f"sqlite:///{tmp_path / 'store.db'}"
    runner = CliRunner()

    def run(*args: str) -> dict[str, Any]:
        result = runner.invoke(app, [*args, "--db", db, "--json"])
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    run("line", "import", str(s.control_path()))
    imported = run("import", *summary["files"]["observations"])
    assert imported["rejected"] == 0 and imported["stored"] == summary["observations"]["total"]
    fused = run("fuse")
    assert fused["observations"] == imported["stored"] and fused["incidents"] > 0
