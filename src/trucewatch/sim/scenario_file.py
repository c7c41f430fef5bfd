"""Scenario files: reading a TOML scenario into a checked :class:`Scenario`, and writing one.

:func:`load_scenario` reads a TOML file or a bundled name (``smoke``, ``standard``,
``large`` in ``trucewatch/sim/scenarios/``), fills every missing key from the defaults of
:mod:`trucewatch.sim.scenario` and checks types and ranges, naming the key on error;
:func:`scenario_to_toml` writes the resolved scenario (every key), which loads back to the
same :class:`Scenario`. ``docs/simulator.md`` documents every key.
"""

from __future__ import annotations

import dataclasses
import re
import tomllib
from collections.abc import Callable
from datetime import date, datetime
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from trucewatch.sim import tomlw
from trucewatch.sim.scenario import (
    WEAPONS,
    Scenario,
    ScenarioError,
    ViolationSpec,
    WeaponSpec,
    file_sha256,
    section_specs,
    valid_from_name,
)
from trucewatch.sim.sensor_specs import SEASONS

__all__ = [
    "bundled_scenarios",
    "load_scenario",
    "scenario_from_dict",
    "scenario_to_dict",
    "scenario_to_toml",
]


# --------------------------------------------------------------------------- reading


def _coerce(key: str, value: Any, default: Any, hint: str) -> Any:
    """``value`` converted to the type of the field (``hint`` is its annotation text)."""
    if "datetime" in hint:
        if isinstance(value, str):
            try:
                value = datetime.fromisoformat(value)
            except ValueError:
                raise ScenarioError(key, f"not a date-time: {value!r}") from None
        if not isinstance(value, datetime) or value.tzinfo is None:
            raise ScenarioError(key, "must be a date-time with a UTC offset, e.g. "
                                     "2025-03-23T00:00:00+02:00")  # fmt: skip
        return value
    if hint.startswith("date"):
        if value is None:
            return None
        if isinstance(value, str):
            try:
                value = date.fromisoformat(value)
            except ValueError:
                raise ScenarioError(key, f"not a date YYYY-MM-DD: {value!r}") from None
        if isinstance(value, datetime) or not isinstance(value, date):
            raise ScenarioError(key, f"must be a date YYYY-MM-DD, not {value!r}")
        return value
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise ScenarioError(key, f"must be true or false, not {value!r}")
        return value
    if isinstance(default, int) and "float" not in hint:
        if not isinstance(value, int) or isinstance(value, bool):
            raise ScenarioError(key, f"must be an integer, not {value!r}")
        return value
    if isinstance(default, float) or hint == "float":
        if not isinstance(value, int | float) or isinstance(value, bool):
            raise ScenarioError(key, f"must be a number, not {value!r}")
        return float(value)
    if isinstance(default, str):
        if not isinstance(value, str):
            raise ScenarioError(key, f"must be text, not {value!r}")
        return value
    if isinstance(default, tuple):
        if not isinstance(value, list | tuple):
            raise ScenarioError(key, f"must be a list, not {value!r}")
        if "str" in hint:
            if not all(isinstance(v, str) for v in value):
                raise ScenarioError(key, "must be a list of text")
            return tuple(value)
        if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in value):
            raise ScenarioError(key, "must be a list of numbers")
        return tuple(float(v) for v in value)
    if isinstance(default, dict):
        if not isinstance(value, dict):
            raise ScenarioError(key, f"must be a table, not {value!r}")
        out = {}
        for k, v in value.items():
            if not isinstance(v, int | float) or isinstance(v, bool):
                raise ScenarioError(f"{key}.{k}", f"must be a number, not {v!r}")
            out[str(k)] = float(v)
        return out
    raise ScenarioError(key, f"unsupported value {value!r}")


def _build(cls: type, data: Any, prefix: str, base: Any = None) -> Any:
    """An instance of dataclass ``cls`` from a TOML table, defaults from ``base``."""
    if not isinstance(data, dict):
        raise ScenarioError(prefix, f"must be a table, not {data!r}")
    base = base if base is not None else cls()
    names = {f.name: f for f in dataclasses.fields(cls)}
    unknown = sorted(set(data) - set(names))
    if unknown:
        raise ScenarioError(f"{prefix}.{unknown[0]}" if prefix else unknown[0],
                            f"unknown key (known: {', '.join(names)})")  # fmt: skip
    values = {}
    for name, f in names.items():
        key = f"{prefix}.{name}" if prefix else name
        default = getattr(base, name)
        if name not in data:
            continue
        values[name] = _coerce(key, data[name], default, str(f.type))
    return dataclasses.replace(base, **values)


def _weapons(data: Any, base: dict[str, WeaponSpec]) -> dict[str, WeaponSpec]:
    if not isinstance(data, dict):
        raise ScenarioError("violations.weapons", "must be a table of weapon tables")
    out = dict(base)
    for name, table in data.items():
        key = f"violations.weapons.{name}"
        if name not in WEAPONS:
            raise ScenarioError(key, f"unknown weapon class (one of {', '.join(WEAPONS)})")
        out[name] = _build(WeaponSpec, table, key, out[name])
    return out


_Need = Callable[[bool, str, str], None]
"""``need(ok, key, message)``: raise :class:`ScenarioError` for ``key`` unless ``ok``."""

_SENSOR_SECTIONS = ("patrols", "acoustic", "cameras")
"""Sections with a ``side`` (the sensors a party owns)."""
_GRADED_SECTIONS = ("patrols", "acoustic", "cameras", "complaints")
"""Sections with a source ``reliability`` (A-F) and ``credibility`` (1-6)."""
_PROBABILITIES = (
    ("patrols", "availability"), ("patrols", "detect_probability"), ("patrols", "flow_error"),
    ("patrols", "undetermined_share"), ("patrols", "weapon_error"),
    ("patrols", "vague_count_share"),
    ("acoustic", "detect_probability"), ("cameras", "detect_probability_day"),
    ("cameras", "detect_probability_night"), ("satellite", "cloud_cover"),
    ("satellite", "detect_probability"), ("complaints", "report_probability"),
    ("cameras", "outlier_share"), ("cameras", "outage_reported_share"),
    ("cameras", "thermal_share"), ("cameras", "night_blind"),
    ("cameras", "fog_detect_probability"), ("cameras", "signature_error"),
    ("cameras", "kind_error"), ("complaints", "own_fire_blame_share"),
    ("complaints", "fabrication_near_fighting_share"),
)  # fmt: skip
"""(section, key) of every probability in [0, 1]."""


def _check(s: Scenario) -> None:
    """Check the ranges and choices of a scenario, in a fixed order (the first bad key is
    the one reported, with the scenario's source)."""

    def need(ok: bool, key: str, message: str) -> None:
        if not ok:
            raise ScenarioError(key, message, s.source)

    _check_period_and_line(s, need)
    _check_violations(s, need)
    _check_sensors(s, need)
    _check_acoustic_field(s, need)
    _check_weather(s, need)
    _check_patrol_reports(s, need)
    _check_grades_and_probabilities(s, need)
    _check_camera_field_models(s, need)
    _check_complaint_field_models(s, need)


def _check_period_and_line(s: Scenario, need: _Need) -> None:
    need(s.period.days > 0, "period.days", "must be > 0")
    need(s.period.chunk_days >= 0, "period.chunk_days", "must be >= 0")
    try:
        ZoneInfo(s.period.timezone)
    except Exception:
        raise ScenarioError("period.timezone", f"unknown time zone {s.period.timezone!r}",
                            s.source) from None  # fmt: skip
    need(s.truce.end > s.truce.start, "truce.end", "must be after truce.start")
    need(len(s.line.along_km) in (0, 2), "line.along_km", "must be [] or [start, end]")
    if s.line.along_km:
        need(s.line.along_km[1] > s.line.along_km[0] >= 0, "line.along_km",
             "must be [start, end] with 0 <= start < end")  # fmt: skip


def _check_violations(s: Scenario, need: _Need) -> None:
    v = s.violations
    for k in ("rate_before_per_day", "rate_during_per_day", "rate_after_per_day"):
        need(getattr(v, k) >= 0, f"violations.{k}", "must be >= 0")
    need(v.hotspots >= 1, "violations.hotspots", "must be >= 1")
    need(0 <= v.background_share <= 1, "violations.background_share", "must be in [0, 1]")
    need(v.burst_mean >= 1, "violations.burst_mean", "must be >= 1")
    parties = {s.line.controlled_by, s.line.other_party}
    for k in ("party_share", "party_share_truce"):
        shares = getattr(v, k)
        need(set(shares) <= parties and sum(shares.values()) > 0, f"violations.{k}",
             f"must give positive shares for the parties {sorted(parties)}")  # fmt: skip
    need(sum(w.share for w in v.weapons.values()) > 0, "violations.weapons", "shares sum to 0")
    for name, w in v.weapons.items():
        key = f"violations.weapons.{name}"
        for pair in ("range_km", "rounds", "duration_min"):
            lo_hi = getattr(w, pair)
            need(len(lo_hi) == 2 and 0 < lo_hi[0] <= lo_hi[1], f"{key}.{pair}",
                 "must be [min, max] with 0 < min <= max")  # fmt: skip
        need(w.share >= 0 and w.share_truce >= 0, f"{key}.share", "must be >= 0")
        need(0 <= w.fire_per_round <= 1, f"{key}.fire_per_round", "must be in [0, 1]")
        need(w.speed_km_s > 0, f"{key}.speed_km_s", "must be > 0")


def _check_sensors(s: Scenario, need: _Need) -> None:
    parties = {s.line.controlled_by, s.line.other_party}
    for sec in _SENSOR_SECTIONS:
        need(getattr(s, sec).side in ("both", *parties), f"{sec}.side",
             f"must be 'both' or one of {sorted(parties)}")  # fmt: skip
    need(s.patrols.teams >= 0, "patrols.teams", "must be >= 0")
    need(s.patrols.placement in ("hotspots", "uniform"), "patrols.placement",
         "must be 'hotspots' or 'uniform'")  # fmt: skip
    need(s.cameras.placement in ("hotspots", "uniform"), "cameras.placement",
         "must be 'hotspots' or 'uniform'")  # fmt: skip
    need(s.patrols.bearing_report in ("degrees", "compass"), "patrols.bearing_report",
         "must be 'degrees' or 'compass'")  # fmt: skip
    need(0 <= s.patrols.start_hour < s.patrols.end_hour <= 24, "patrols.end_hour",
         "need 0 <= start_hour < end_hour <= 24")  # fmt: skip
    need(s.patrols.moves_per_day >= 1, "patrols.moves_per_day", "must be >= 1")
    need(len(s.patrols.depth_km) == 2 and 0 <= s.patrols.depth_km[0] <= s.patrols.depth_km[1],
         "patrols.depth_km", "must be [min, max] km")  # fmt: skip
    need(s.acoustic.spacing_km > 0, "acoustic.spacing_km", "must be > 0")
    need(s.cameras.count >= 0, "cameras.count", "must be >= 0")
    need(0 < s.cameras.fov_deg <= 360, "cameras.fov_deg", "must be in (0, 360]")
    for k in s.satellite.overpasses_local:
        need(re.fullmatch(r"\d\d:\d\d", k) is not None, "satellite.overpasses_local",
             f"times must be HH:MM, not {k!r}")  # fmt: skip
    _check_satellite(s, need)


def _check_satellite(s: Scenario, need: _Need) -> None:
    """The satellite field models' choices and ranges."""
    sat = s.satellite
    for key, choices in (("background_fires", ("flat", "fitted")), ("detection", ("flat", "frp")),
                         ("clouds", ("sectors", "field"))):  # fmt: skip
        need(getattr(sat, key) in choices, f"satellite.{key}",
             f"must be one of {', '.join(repr(c) for c in choices)}")  # fmt: skip
    need(sat.background_scale >= 0, "satellite.background_scale", "must be >= 0")
    need(sat.false_alarms_per_100km_per_pass >= 0, "satellite.false_alarms_per_100km_per_pass",
         "must be >= 0")  # fmt: skip
    need(sat.frp_half_mw > 0, "satellite.frp_half_mw", "must be > 0 MW")
    need(sat.frp_slope > 0, "satellite.frp_slope", "must be > 0")
    need(0 < sat.cloud_corr_km <= 1000, "satellite.cloud_corr_km", "must be in (0, 1000] km")
    need(0 <= sat.cloud_persistence < 1, "satellite.cloud_persistence", "must be in [0, 1)")
    months = sat.cloud_fraction_by_month
    need(len(months) == 12 and all(0 <= f <= 1 for f in months),
         "satellite.cloud_fraction_by_month",
         "must be 12 fractions in [0, 1], January first")  # fmt: skip


def _check_acoustic_field(s: Scenario, need: _Need) -> None:
    """The field error models of the acoustic arrays (docs/simulator.md)."""
    a = s.acoustic
    for k in ("outlier_share", "echo_share", "outage_reported_share", "signature_error"):
        need(0 <= getattr(a, k) <= 1, f"acoustic.{k}", "must be a probability in [0, 1]")
    need(0 <= a.outage_share < 1, "acoustic.outage_share", "must be in [0, 1)")
    for k in ("outlier_scale", "outage_mean_h", "own_fire_km"):
        need(getattr(a, k) > 0, f"acoustic.{k}", "must be > 0")
    for k in ("bearing_bias_sigma_deg", "clock_offset_sigma_s", "clock_drift_s_per_day",
              "own_fire_false_per_day", "count_sigma"):  # fmt: skip
        need(getattr(a, k) >= 0, f"acoustic.{k}", "must be >= 0")
    need(len(a.echo_delay_s) == 2 and 0 < a.echo_delay_s[0] <= a.echo_delay_s[1],
         "acoustic.echo_delay_s", "must be [min, max] s with 0 < min <= max")  # fmt: skip
    need(len(a.echo_angle_deg) == 2 and 0 <= a.echo_angle_deg[0] <= a.echo_angle_deg[1] <= 180,
         "acoustic.echo_angle_deg", "must be [min, max] degrees with 0 <= min <= max <= 180")


def _check_weather(s: Scenario, need: _Need) -> None:
    """The ``[weather]`` section (docs/simulator.md)."""
    w = s.weather
    need(-60 <= w.temperature_mean_c <= 50, "weather.temperature_mean_c", "must be in [-60, 50]")
    for k in ("temperature_amplitude_c", "temperature_sigma_c", "wind_speed_mean_m_s",
              "wind_direction_sigma_deg", "range_per_wind_m_s", "range_per_degree_c"):
        need(getattr(w, k) >= 0, f"weather.{k}", "must be >= 0")
    need(1 <= w.warmest_day_of_year <= 366, "weather.warmest_day_of_year", "must be in [1, 366]")
    need(0 <= w.temperature_persistence < 1, "weather.temperature_persistence",
         "must be in [0, 1)")  # fmt: skip
    need(w.wind_speed_mean_m_s < 40, "weather.wind_speed_mean_m_s", "must be < 40 m/s")


def _check_patrol_reports(s: Scenario, need: _Need) -> None:
    """The patrols' reporting style, security restrictions and mistakes."""
    p = s.patrols
    need(p.report_style in ("episodes", "totals"), "patrols.report_style",
         "must be 'episodes' or 'totals'")  # fmt: skip
    need(len(p.total_window_h) == 2 and 0 < p.total_window_h[0] <= p.total_window_h[1],
         "patrols.total_window_h", "must be [min, max] hours with 0 < min <= max")  # fmt: skip
    need(p.distance_factor >= 1, "patrols.distance_factor", "must be >= 1")
    need(p.avoid_hotspot_km >= 0, "patrols.avoid_hotspot_km", "must be >= 0 km")
    need(p.mistaken_per_team_day >= 0, "patrols.mistaken_per_team_day", "must be >= 0")


def _check_grades_and_probabilities(s: Scenario, need: _Need) -> None:
    for sec in _GRADED_SECTIONS:
        spec = getattr(s, sec)
        need(spec.reliability in tuple("ABCDEF"), f"{sec}.reliability", "must be A-F")
        need(1 <= spec.credibility <= 6, f"{sec}.credibility", "must be 1-6")
    for sec, k in _PROBABILITIES:
        value = getattr(getattr(s, sec), k)
        need(0 <= value <= 1, f"{sec}.{k}", f"must be a probability in [0, 1], not {value}")


def _check_camera_field_models(s: Scenario, need: _Need) -> None:
    c = s.cameras
    need(c.outlier_scale >= 1, "cameras.outlier_scale", "must be >= 1")
    need(0 <= c.outage_share < 1, "cameras.outage_share", "must be in [0, 1)")
    need(c.outage_mean_h > 0, "cameras.outage_mean_h", "must be > 0")
    need(c.night_blind <= c.detect_probability_night, "cameras.night_blind",
         "must be <= cameras.detect_probability_night")  # fmt: skip
    need(set(c.fog_days_share) <= set(SEASONS), "cameras.fog_days_share",
         f"seasons must be among {', '.join(SEASONS)}")  # fmt: skip
    for season, share in c.fog_days_share.items():
        need(0 <= share <= 1, f"cameras.fog_days_share.{season}", "must be in [0, 1]")


def _check_complaint_field_models(s: Scenario, need: _Need) -> None:
    c = s.complaints
    for k in ("fabrication_km", "fabrication_hours", "filing_delay_median_h",
              "filing_delay_sigma", "time_vagueness_h", "count_inflation_sigma"):  # fmt: skip
        need(getattr(c, k) >= 0, f"complaints.{k}", "must be >= 0")
    need(c.count_inflation > 0, "complaints.count_inflation", "must be > 0")


def scenario_from_dict(data: dict[str, Any], source: str = "") -> Scenario:
    """A :class:`Scenario` from a parsed TOML document (missing keys take defaults)."""
    data = dict(data)
    sections = section_specs()
    known = {"name", "description", "violations", *sections}
    unknown = sorted(set(data) - known)
    try:
        if unknown:
            raise ScenarioError(unknown[0], f"unknown key (known: {', '.join(sorted(known))})")
        values: dict[str, Any] = {}
        for k in ("name", "description"):
            if k in data:
                if not isinstance(data[k], str):
                    raise ScenarioError(k, "must be text")
                values[k] = data[k]
        for k, cls in sections.items():
            if k in data:
                values[k] = _build(cls, data[k], k)
        if "violations" in data:
            vdata = dict(data["violations"]) if isinstance(data["violations"], dict) else None
            if vdata is None:
                raise ScenarioError("violations", "must be a table")
            weapons = vdata.pop("weapons", None)
            spec = _build(ViolationSpec, vdata, "violations")
            if weapons is not None:
                spec = dataclasses.replace(spec, weapons=_weapons(weapons, spec.weapons))
            values["violations"] = spec
    except ScenarioError as exc:
        raise ScenarioError(exc.key, exc.message, source) from None
    scenario = Scenario(**values, source=source)
    _check(scenario)
    return scenario


def bundled_scenarios() -> list[str]:
    """Names of the scenarios shipped in ``trucewatch/sim/scenarios``."""
    folder = resources.files("trucewatch.sim") / "scenarios"
    return sorted(p.name.removesuffix(".toml") for p in folder.iterdir()
                  if p.name.endswith(".toml"))  # fmt: skip


def load_scenario(name_or_path: str | Path) -> Scenario:
    """Load a bundled scenario by name (``smoke``, ``standard``, ``large``) or a TOML file.

    Raises :class:`ScenarioError` naming the file and key for bad content, and
    ``FileNotFoundError`` for an unknown name or missing file.
    """
    text_name = str(name_or_path)
    if text_name in bundled_scenarios():
        res = resources.files("trucewatch.sim") / "scenarios" / f"{text_name}.toml"
        text, source = res.read_text(encoding="utf-8"), f"bundled:{text_name}"
    else:
        path = Path(name_or_path)
        if not path.is_file():
            raise FileNotFoundError(
                f"{path}: no such scenario file (bundled: {', '.join(bundled_scenarios())})"
            )
        text, source = path.read_text(encoding="utf-8"), str(path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError("(syntax)", str(exc), source) from None
    return scenario_from_dict(data, source)


# --------------------------------------------------------------------------- writing


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return value


def scenario_to_dict(scenario: Scenario) -> dict[str, Any]:
    """Every key of the scenario as plain TOML-able values (``source`` left out)."""
    data = _plain(scenario)
    data.pop("source", None)
    if not scenario.period.chunk_days:  # written only when on: older resolved files stay
        data["period"].pop("chunk_days")
    return data


def scenario_to_toml(scenario: Scenario, *, pin: bool = True) -> str:
    """The resolved scenario as TOML: every key, with the line's date and, if ``pin``,
    the SHA-256 of the control file filled in."""
    line = scenario.line
    if pin:
        path = scenario.control_path()
        line = dataclasses.replace(
            line,
            valid_from=line.valid_from or valid_from_name(path),
            control_sha256=line.control_sha256 or file_sha256(path),
        )
    data = scenario_to_dict(dataclasses.replace(scenario, line=line))
    header = (f"trucewatch simulator scenario {scenario.name!r}, resolved: every key with its "
              "value.\nSee docs/simulator.md for the meaning and unit of each key.")  # fmt: skip
    return tomlw.dumps(data, header)
