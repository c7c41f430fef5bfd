"""Scenarios: what the simulator simulates, as frozen dataclasses with every default.

A :class:`Scenario` names the contact line (a control-area file and its date), the period
and the truce, the violation process (:class:`ViolationSpec`, its weapon classes
:class:`WeaponSpec`) and the sensors (patrols, acoustic arrays, cameras, satellite,
complaints). Units are in the key names or the field docstrings: km, minutes, hours,
degrees clockwise from true north, seconds, UTC unless a time zone is given.
``docs/simulator.md`` documents every key; :mod:`trucewatch.sim.scenario_file` reads and
writes scenario TOML files. Data paths (``package:``, ``shared:``, relative to the
scenario file) are resolved here.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from importlib import resources
from pathlib import Path
from zoneinfo import ZoneInfo

__all__ = [
    "DEFAULT_WEAPONS",
    "WEAPONS",
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
    "file_sha256",
    "resolve_data_path",
    "shared_data_dirs",
    "valid_from_name",
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


def valid_from_name(path: Path) -> date | None:
    """The date in a file name (``..._YYYYMMDD`` or ``..._YYYY-MM-DD``), if any."""
    m = re.search(r"(20\d\d)-?(\d\d)-?(\d\d)(?!\d)", path.stem)
    if not m:
        return None
    try:
        return date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None
