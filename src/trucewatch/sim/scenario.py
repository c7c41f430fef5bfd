"""Scenarios: what the simulator simulates, as frozen dataclasses with every default.

A :class:`Scenario` names the contact line (a control-area file and its date), the period
and the truce, the violation process (:class:`ViolationSpec`, its weapon classes
:class:`WeaponSpec`), the sensors and the weather (their specs in
:mod:`trucewatch.sim.sensor_specs`). Units are in the key names or the
field docstrings: km, minutes, hours, degrees clockwise from true north, seconds, UTC
unless a time zone is given.
``docs/simulator.md`` documents every key; :mod:`trucewatch.sim.scenario_file` reads and
writes scenario TOML files. Data paths (``package:``, ``shared:``, relative to the
scenario file) are resolved here.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import MISSING, dataclass, field, fields
from datetime import date, datetime, timedelta
from importlib import resources
from pathlib import Path
from zoneinfo import ZoneInfo

from trucewatch.sim.sensor_specs import (
    AcousticSpec,
    CameraSpec,
    ComplaintSpec,
    PatrolSpec,
    SatelliteSpec,
    WeatherSpec,
)

__all__ = [
    "DEFAULT_WEAPONS",
    "WEAPONS",
    "LineSpec",
    "PeriodSpec",
    "Scenario",
    "ScenarioError",
    "TruceSpec",
    "ViolationSpec",
    "WeaponSpec",
    "file_sha256",
    "resolve_data_path",
    "section_specs",
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
    """The contact line: a control-area file (or a line file) and the date it is valid."""

    control_file: str = "package:demo_data/control/deepstate/deepstatemap_data_20250809.geojson"
    """Control-area GeoJSON (the line is derived as in docs/contact-line.md): a path
    (relative to the scenario file), ``package:REL`` (inside the installed ``trucewatch``
    package) or ``shared:REL`` (under ``$TRUCEWATCH_SHARED_DATA`` or ``../shared/data``
    beside the repository)."""
    valid_from: date | None = None
    """Date of the map (None: from the file name)."""
    controlled_by: str = "RU"
    """Party code holding the control area."""
    other_party: str = "UA"
    """Party code holding the rest."""
    sector_km: float = 50.0
    """Sector length along the line (km)."""
    along_km: tuple[float, ...] = ()
    """Simulate only these stretches (``start, end`` km along the line, parts in order;
    empty: the whole line)."""
    whole_front: bool = True
    """The whole front: the line of contact, then the state border with Russia where
    Ukrainian-held land faces it (docs/contact-line.md); false: the line of contact only.
    The line of contact comes first either way, so ``along_km`` stretches on it stay."""
    control_sha256: str = ""
    """If set, the control file must have this SHA-256 (the resolved scenario pins it)."""


@dataclass(frozen=True, kw_only=True)
class PeriodSpec:
    """The simulated period."""

    start: datetime = _DEFAULT_START
    """Start of the period (timezone-aware)."""
    days: float = 2.0
    """Length of the period (days, may be fractional)."""
    timezone: str = "Europe/Kyiv"
    """IANA zone of local time: patrol reports, day and night, satellite overpasses."""
    chunk_days: float = 0.0
    """When > 0, the run is drawn and written this many days at a time, never all in
    memory (:mod:`trucewatch.sim.chunked`); 0: all at once (every scenario but
    ``national``)."""

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
    """One weapon class (``[min, max]`` pairs are drawn log-uniformly where noted)."""

    share: float
    """Share of the episodes before and after the truce (normalized over the classes)."""
    share_truce: float
    """Share of the episodes during the truce (normalized over the classes)."""
    range_km: tuple[float, float]
    """Distance from origin to impact, [min, max] km (log-uniform)."""
    rounds: tuple[float, float]
    """Rounds per episode, [min, max] (log-uniform)."""
    duration_min: tuple[float, float]
    """Length of the episode, [min, max] minutes (log-uniform)."""
    speed_km_s: float
    """Mean speed of the projectile (km/s): time of flight = range / speed."""
    audible_km: float
    """Distance (km) to which a listener hears its impacts, certain up to half of it and
    fading to nothing at it (docs/simulator.md, "Detection with distance")."""
    launch_audible_km: float
    """The same for the firing (0: a silent launch, e.g. a drone operator)."""
    fire_per_round: float
    """Probability that one round starts a fire visible from space."""
    kind: str
    """The patrol kind word reported for it."""


DEFAULT_WEAPONS: dict[str, WeaponSpec] = {
    name: WeaponSpec(share=share, share_truce=share_truce, range_km=range_km, rounds=rounds,
                     duration_min=duration_min, speed_km_s=speed_km_s, audible_km=audible_km,
                     launch_audible_km=launch_audible_km, fire_per_round=fire_per_round,
                     kind=kind)
    for name, (share, share_truce, range_km, rounds, duration_min, speed_km_s, audible_km,
               launch_audible_km, fire_per_round, kind) in zip(WEAPONS, (
        # one row per class of WEAPONS, in its order
        (0.30, 0.45, (0.1, 1.5),   (5.0, 300.0), (2.0, 40.0), 0.8,  0.0,  3.0,  0.0,  "small_arms"),
        (0.25, 0.25, (1.0, 7.0),   (2.0, 40.0),  (2.0, 30.0), 0.2,  10.0, 6.0,  0.01, "mortar"),
        (0.25, 0.15, (5.0, 25.0),  (1.0, 30.0),  (1.0, 30.0), 0.5,  15.0, 12.0, 0.02, "artillery"),
        (0.05, 0.02, (10.0, 40.0), (6.0, 40.0),  (0.3, 2.0),  0.7,  15.0, 15.0, 0.02, "artillery"),
        (0.15, 0.13, (1.0, 20.0),  (1.0, 3.0),   (0.1, 5.0),  0.03, 8.0,  0.0,  0.05, "explosion"),
    ), strict=True)
}  # fmt: skip
"""Default weapon classes (ranges from the issue: small arms <= 1.5 km, mortar 1-7 km,
tube artillery 5-25 km, MLRS 10-40 km)."""


@dataclass(frozen=True, kw_only=True)
class ViolationSpec:
    """The violation process (see docs/simulator.md, "Violations")."""

    rate_before_per_day: float = 300.0
    """Mean episodes per day before the truce (over the stretch simulated)."""
    rate_during_per_day: float = 60.0
    """Mean episodes per day during the truce."""
    rate_after_per_day: float = 250.0
    """Mean episodes per day after the truce."""
    hotspots: int = 8
    """Hot spots, uniform along the stretch, with exponential weights."""
    hotspot_sigma_km: float = 6.0
    """Spread of episodes along the line around a hot spot (sd, km)."""
    background_share: float = 0.15
    """Share of the bursts anywhere on the stretch rather than at a hot spot."""
    burst_mean: float = 3.0
    """Mean episodes per burst (1 + Poisson(mean - 1))."""
    burst_minutes: float = 60.0
    """A burst's later episodes come within this many minutes of its first."""
    burst_km: float = 2.0
    """and this far along the line (sd, km)."""
    night_factor: float = 1.5
    """Rate multiplier from 20:00 to 06:00 local time (the daily mean is kept)."""
    party_share: dict[str, float] = field(default_factory=lambda: {"RU": 0.6, "UA": 0.4})
    """Share of the bursts each party opens before and after the truce."""
    party_share_truce: dict[str, float] = field(default_factory=lambda: {"RU": 0.55, "UA": 0.45})
    """Share of the bursts each party opens during the truce."""
    weapons: dict[str, WeaponSpec] = field(default_factory=lambda: dict(DEFAULT_WEAPONS))
    """The weapon classes by name (:data:`WEAPONS`)."""


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
    weather: WeatherSpec = field(default_factory=WeatherSpec)
    source: str = ""

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.period.timezone)

    def control_path(self) -> Path:
        """The control-area file, resolved (see :class:`LineSpec`)."""
        return resolve_data_path(self.line.control_file, self.source)


def section_specs() -> dict[str, type]:
    """The tables of a scenario file and the spec class each is read into, in file order
    (every section but ``violations``, whose ``weapons`` table is read apart)."""
    return {f.name: f.default_factory for f in fields(Scenario)  # type: ignore[misc]
            if f.default_factory is not MISSING and f.name != "violations"}  # fmt: skip


# --------------------------------------------------------------------------- paths


def shared_data_dirs() -> list[Path]:
    """Where ``shared:`` paths are looked for, in order: ``$TRUCEWATCH_SHARED_DATA`` alone
    when it is set, else ``../shared/data`` beside the repository or the working directory."""
    env = os.environ.get("TRUCEWATCH_SHARED_DATA")
    if env:
        return [Path(env)]
    dirs = []
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
