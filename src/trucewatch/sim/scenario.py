"""Scenario files: what the simulator simulates (TOML, every key with a default).

A scenario names the contact line (a control-area file and its date), the period and the
truce, the violation process and the sensors. :func:`load_scenario` reads a TOML file or
a bundled name (``smoke``, ``standard``, ``large`` in ``trucewatch/sim/scenarios/``),
fills every missing key from the defaults below and checks types and ranges, naming the
key on error; :func:`scenario_to_toml` writes the resolved scenario (every key), which
loads back to the same :class:`Scenario`. Units are in the key names or the field
docstrings: km, minutes, hours, degrees clockwise from true north, seconds, UTC unless a
time zone is given. ``docs/simulator.md`` documents every key.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import re
import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from trucewatch.sim import tomlw

__all__ = [
    "AcousticSpec",
    "CameraSpec",
    "ComplaintSpec",
    "LineSpec",
    "PatrolSpec",
    "PeriodSpec",
    "SatelliteSpec",
    "Scenario",
    "ScenarioError",
    "TruceSpec",
    "ViolationSpec",
    "WeaponSpec",
    "bundled_scenarios",
    "load_scenario",
    "resolve_data_path",
    "scenario_from_dict",
    "scenario_to_dict",
    "scenario_to_toml",
]

_DEFAULT_START = datetime.fromisoformat("2025-08-09T00:00:00+03:00")
_DEFAULT_TRUCE_START = datetime.fromisoformat("2025-08-10T00:00:00+03:00")
_DEFAULT_TRUCE_END = datetime.fromisoformat("2025-09-09T00:00:00+03:00")

WEAPONS: tuple[str, ...] = ("small_arms", "mortar", "artillery", "mlrs", "drone")
"""Weapon classes of the violation process."""


class ScenarioError(ValueError):
    """A bad scenario: ``key`` is the dotted path of the offending key."""

    def __init__(self, key: str, message: str, source: str = "") -> None:
        where = f"{source}: " if source else ""
        super().__init__(f"{where}key '{key}': {message}")
        self.key = key
        self.message = message


# --------------------------------------------------------------------------- specs


@dataclass(frozen=True, kw_only=True)
class LineSpec:
    """The contact line: a control-area file (or a line file) and the date it is valid.

    ``control_file``: a path, ``package:REL`` (inside the installed ``trucewatch``
    package, e.g. ``package:demo_data/deepstatemap_data_20250809.geojson``) or
    ``shared:REL`` (under the shared data directory: ``$TRUCEWATCH_SHARED_DATA`` or
    ``../shared/data`` beside the repository). ``valid_from``: date of the map (default:
    from the file name). ``along_km``: simulate only this stretch of the line (km along
    it, parts in order; empty: all). ``control_sha256``: if given, the file must have this
    SHA-256 (the resolved scenario pins it)."""

    control_file: str = "package:demo_data/deepstatemap_data_20250809.geojson"
    valid_from: date | None = None
    controlled_by: str = "RU"
    other_party: str = "UA"
    sector_km: float = 50.0
    along_km: tuple[float, ...] = ()
    control_sha256: str = ""


@dataclass(frozen=True, kw_only=True)
class PeriodSpec:
    """Simulated period: ``start`` (aware datetime) and ``days``; ``timezone`` (IANA) is
    the local time of patrol reports, daytime windows and satellite overpasses."""

    start: datetime = _DEFAULT_START
    days: float = 2.0
    timezone: str = "Europe/Kyiv"

    @property
    def end(self) -> datetime:
        return self.start + timedelta(days=self.days)


@dataclass(frozen=True, kw_only=True)
class TruceSpec:
    """The truce in force in [start, end) (aware datetimes); may extend past the period."""

    start: datetime = _DEFAULT_TRUCE_START
    end: datetime = _DEFAULT_TRUCE_END


@dataclass(frozen=True, kw_only=True)
class WeaponSpec:
    """One weapon class.

    ``share``/``share_truce``: share of episodes before-after / during the truce
    (normalized over classes). ``range_km``: distance origin to impact [min, max].
    ``rounds``: rounds per episode [min, max] (log-uniform). ``duration_min``: length of
    the episode [min, max] (minutes). ``speed_km_s``: mean speed of the projectile
    (time of flight = range / speed). ``audible_km``: distance at which a listener hears
    its impacts with certainty fading to nothing (see docs); ``launch_audible_km``: the
    same for the firing (0: silent launch, e.g. a drone operator). ``fire_per_round``:
    probability that one round starts a fire visible from space. ``kind``: the patrol
    kind word reported for it.
    """

    share: float
    share_truce: float
    range_km: tuple[float, float]
    rounds: tuple[float, float]
    duration_min: tuple[float, float]
    speed_km_s: float
    audible_km: float
    launch_audible_km: float
    fire_per_round: float
    kind: str


DEFAULT_WEAPONS: dict[str, WeaponSpec] = {
    "small_arms": WeaponSpec(share=0.30, share_truce=0.45, range_km=(0.1, 1.5), rounds=(5.0, 300.0),
                             duration_min=(2.0, 40.0), speed_km_s=0.8, audible_km=0.0,
                             launch_audible_km=3.0, fire_per_round=0.0, kind="small_arms"),
    "mortar": WeaponSpec(share=0.25, share_truce=0.25, range_km=(1.0, 7.0), rounds=(2.0, 40.0),
                         duration_min=(2.0, 30.0), speed_km_s=0.2, audible_km=10.0,
                         launch_audible_km=6.0, fire_per_round=0.01, kind="mortar"),
    "artillery": WeaponSpec(share=0.25, share_truce=0.15, range_km=(5.0, 25.0), rounds=(1.0, 30.0),
                            duration_min=(1.0, 30.0), speed_km_s=0.5, audible_km=15.0,
                            launch_audible_km=12.0, fire_per_round=0.02, kind="artillery"),
    "mlrs": WeaponSpec(share=0.05, share_truce=0.02, range_km=(10.0, 40.0), rounds=(6.0, 40.0),
                       duration_min=(0.3, 2.0), speed_km_s=0.7, audible_km=15.0,
                       launch_audible_km=15.0, fire_per_round=0.02, kind="artillery"),
    "drone": WeaponSpec(share=0.15, share_truce=0.13, range_km=(1.0, 20.0), rounds=(1.0, 3.0),
                        duration_min=(0.1, 5.0), speed_km_s=0.03, audible_km=8.0,
                        launch_audible_km=0.0, fire_per_round=0.05, kind="explosion"),
}  # fmt: skip
"""Default weapon classes (ranges from the issue: small arms <= 1.5 km, mortar 1-7 km,
tube artillery 5-25 km, MLRS 10-40 km)."""


@dataclass(frozen=True, kw_only=True)
class ViolationSpec:
    """The violation process (see docs/simulator.md, "Violations").

    Episodes per day before, during and after the truce; ``hotspots`` places along the
    line drawing ``1 - background_share`` of the episodes, spread ``hotspot_sigma_km``
    along the line; bursts of ``burst_mean`` episodes (mean) within ``burst_minutes`` and
    ``burst_km`` of each other; ``night_factor`` multiplies the rate from 20:00 to 06:00
    local; ``party_share``/``party_share_truce`` the share of episodes fired by each party.
    """

    rate_before_per_day: float = 300.0
    rate_during_per_day: float = 60.0
    rate_after_per_day: float = 250.0
    hotspots: int = 8
    hotspot_sigma_km: float = 6.0
    background_share: float = 0.15
    burst_mean: float = 3.0
    burst_minutes: float = 60.0
    burst_km: float = 2.0
    night_factor: float = 1.5
    party_share: dict[str, float] = field(default_factory=lambda: {"RU": 0.6, "UA": 0.4})
    party_share_truce: dict[str, float] = field(default_factory=lambda: {"RU": 0.55, "UA": 0.45})
    weapons: dict[str, WeaponSpec] = field(default_factory=lambda: dict(DEFAULT_WEAPONS))


@dataclass(frozen=True, kw_only=True)
class PatrolSpec:
    """Monitor patrols (see docs/simulator.md, "Patrols")."""

    teams: int = 6
    side: str = "both"
    placement: str = "hotspots"
    depth_km: tuple[float, float] = (2.0, 10.0)
    start_hour: float = 8.0
    end_hour: float = 16.0
    moves_per_day: int = 2
    availability: float = 0.9
    detect_probability: float = 0.9
    bearing_sigma_deg: float = 15.0
    bearing_report: str = "degrees"
    distance_sigma: float = 0.25
    distance_spread: float = 0.3
    count_sigma: float = 0.3
    flow_error: float = 0.15
    undetermined_share: float = 0.3
    weapon_error: float = 0.25
    observer_sigma_km: float = 0.1
    reliability: str = "B"
    credibility: int = 2


@dataclass(frozen=True, kw_only=True)
class AcousticSpec:
    """Fixed acoustic arrays (see docs/simulator.md, "Acoustic arrays")."""

    enabled: bool = True
    spacing_km: float = 15.0
    depth_km: float = 5.0
    side: str = "both"
    range_factor: float = 1.3
    detect_probability: float = 0.95
    timing_sigma_s: float = 0.1
    bearing_sigma_deg: float = 3.0
    false_alarms_per_day: float = 1.0
    speed_of_sound_m_s: float = 340.0
    reliability: str = "B"
    credibility: int = 3


@dataclass(frozen=True, kw_only=True)
class CameraSpec:
    """Fixed cameras (see docs/simulator.md, "Cameras")."""

    count: int = 4
    side: str = "both"
    placement: str = "hotspots"
    depth_km: float = 1.5
    range_km: float = 5.0
    fov_deg: float = 120.0
    bearing_sigma_deg: float = 1.5
    detect_probability_day: float = 0.9
    detect_probability_night: float = 0.6
    false_alarms_per_day: float = 0.2
    reliability: str = "B"
    credibility: int = 2


@dataclass(frozen=True, kw_only=True)
class SatelliteSpec:
    """VIIRS-like thermal detections (see docs/simulator.md, "Satellite")."""

    enabled: bool = True
    overpasses_local: tuple[str, ...] = ("01:30", "13:30")
    satellite: str = "N20"
    overpass_jitter_min: float = 45.0
    pixel_km: float = 0.375
    cloud_cover: float = 0.4
    detect_probability: float = 0.8
    fire_duration_h: tuple[float, float] = (0.5, 12.0)
    false_alarms_per_100km_per_pass: float = 0.3


@dataclass(frozen=True, kw_only=True)
class ComplaintSpec:
    """Party complaints (see docs/simulator.md, "Complaints")."""

    enabled: bool = True
    report_probability: float = 0.1
    location_sigma_km: float = 2.0
    time_window_h: float = 1.0
    false_per_day: float = 2.0
    truce_false_factor: float = 2.0
    reliability: str = "C"
    credibility: int = 4


@dataclass(frozen=True, kw_only=True)
class Scenario:
    """A whole scenario. ``source`` is the file it was read from (not a scenario key)."""

    name: str = "custom"
    description: str = ""
    line: LineSpec = field(default_factory=LineSpec)
    period: PeriodSpec = field(default_factory=PeriodSpec)
    truce: TruceSpec = field(default_factory=TruceSpec)
    violations: ViolationSpec = field(default_factory=ViolationSpec)
    patrols: PatrolSpec = field(default_factory=PatrolSpec)
    acoustic: AcousticSpec = field(default_factory=AcousticSpec)
    cameras: CameraSpec = field(default_factory=CameraSpec)
    satellite: SatelliteSpec = field(default_factory=SatelliteSpec)
    complaints: ComplaintSpec = field(default_factory=ComplaintSpec)
    source: str = ""

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.period.timezone)

    def control_path(self) -> Path:
        """The control-area file, resolved (see :class:`LineSpec`)."""
        return resolve_data_path(self.line.control_file, self.source)


# --------------------------------------------------------------------------- paths


def shared_data_dirs() -> list[Path]:
    """Where ``shared:`` paths are looked for, in order."""
    dirs = []
    env = os.environ.get("TRUCEWATCH_SHARED_DATA")
    if env:
        dirs.append(Path(env))
    here = Path(__file__).resolve()
    dirs.append(here.parents[3].parent / "shared" / "data")  # src/trucewatch/sim -> repo/..
    dirs.append(Path.cwd().parent / "shared" / "data")
    return dirs


def resolve_data_path(spec: str, scenario_source: str = "") -> Path:
    """Resolve ``package:``, ``shared:`` and plain paths (relative to the scenario file)."""
    if spec.startswith("package:"):
        return Path(str(resources.files("trucewatch") / spec.removeprefix("package:")))
    if spec.startswith("shared:"):
        rel = spec.removeprefix("shared:")
        for base in shared_data_dirs():
            if (base / rel).exists():
                return base / rel
        raise ScenarioError(
            "line.control_file",
            f"{rel!r} not found under the shared data ({', '.join(map(str, shared_data_dirs()))});"
            " set TRUCEWATCH_SHARED_DATA",
        )
    path = Path(spec)
    if not path.is_absolute() and scenario_source and not scenario_source.startswith("bundled:"):
        candidate = Path(scenario_source).parent / path
        if candidate.exists():
            return candidate
    return path


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


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


def _check(s: Scenario) -> None:
    def need(ok: bool, key: str, message: str) -> None:
        if not ok:
            raise ScenarioError(key, message, s.source)

    need(s.period.days > 0, "period.days", "must be > 0")
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
    for sec, spec in (("patrols", s.patrols), ("acoustic", s.acoustic), ("cameras", s.cameras)):
        need(spec.side in ("both", *parties), f"{sec}.side",
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
    graded: tuple[tuple[str, Any], ...] = (
        ("patrols", s.patrols), ("acoustic", s.acoustic), ("cameras", s.cameras),
        ("complaints", s.complaints),
    )  # fmt: skip
    for sec, spec in graded:
        need(spec.reliability in tuple("ABCDEF"), f"{sec}.reliability", "must be A-F")
        need(1 <= spec.credibility <= 6, f"{sec}.credibility", "must be 1-6")
    probs = [("patrols", "availability"), ("patrols", "detect_probability"),
             ("patrols", "flow_error"), ("patrols", "undetermined_share"),
             ("patrols", "weapon_error"), ("acoustic", "detect_probability"),
             ("cameras", "detect_probability_day"), ("cameras", "detect_probability_night"),
             ("satellite", "cloud_cover"), ("satellite", "detect_probability"),
             ("complaints", "report_probability")]  # fmt: skip
    for sec, k in probs:
        value = getattr(getattr(s, sec), k)
        need(0 <= value <= 1, f"{sec}.{k}", f"must be a probability in [0, 1], not {value}")


def scenario_from_dict(data: dict[str, Any], source: str = "") -> Scenario:
    """A :class:`Scenario` from a parsed TOML document (missing keys take defaults)."""
    data = dict(data)
    sections = {
        "line": LineSpec, "period": PeriodSpec, "truce": TruceSpec, "patrols": PatrolSpec,
        "acoustic": AcousticSpec, "cameras": CameraSpec, "satellite": SatelliteSpec,
        "complaints": ComplaintSpec,
    }  # fmt: skip
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


def valid_from_name(path: Path) -> date | None:
    """The date in a file name (``..._YYYYMMDD`` or ``..._YYYY-MM-DD``), if any."""
    m = re.search(r"(20\d\d)-?(\d\d)-?(\d\d)(?!\d)", path.stem)
    if not m:
        return None
    try:
        return date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None
