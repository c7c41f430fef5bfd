"""The sensors' and the weather's parts of a scenario (``[patrols]``, ``[acoustic]``,
``[cameras]``, ``[satellite]``, ``[complaints]``, ``[weather]``), with the field error
models of each, off at their defaults. Units are in the key names or the field docstrings:
km, hours, degrees clockwise from true north, seconds. ``docs/simulator.md`` documents
every key.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = [
    "SEASONS",
    "AcousticSpec",
    "CameraSpec",
    "ComplaintSpec",
    "PatrolSpec",
    "SatelliteSpec",
    "WeatherSpec",
]

SEASONS: tuple[str, ...] = ("winter", "spring", "summer", "autumn")
"""Seasons of ``cameras.fog_days_share``: December-February, March-May, June-August,
September-November (local dates)."""


@dataclass(frozen=True, kw_only=True)
class PatrolSpec:
    """Monitor patrols (see docs/simulator.md, "Patrols")."""

    teams: int = 6
    """Patrol teams."""
    side: str = "both"
    """``both`` (teams alternate sides) or the party code of the side they patrol."""
    placement: str = "hotspots"
    """``hotspots`` (team bases at the hottest hot spots, within 5 km) or ``uniform``."""
    depth_km: tuple[float, float] = (2.0, 10.0)
    """Distance behind the line, [min, max] km (uniform), drawn again each slot."""
    start_hour: float = 8.0
    """Start of the daily patrol window (local hour)."""
    end_hour: float = 16.0
    """End of the daily patrol window (local hour)."""
    moves_per_day: int = 2
    """Positions (time slots) per day."""
    availability: float = 0.9
    """Probability that a team works on a given day."""
    detect_probability: float = 0.9
    """``p0``: probability of hearing an episode well within range."""
    bearing_sigma_deg: float = 15.0
    """Bearing error (sd, degrees clockwise from true north; Gaussian)."""
    bearing_report: str = "degrees"
    """``degrees`` (``bearings_deg``, half-width sqrt(3) sigma) or ``compass`` (16 points);
    ``report_style = "totals"`` always writes compass words (the SMM style)."""
    distance_sigma: float = 0.25
    """Log-normal distance error (sd of ln): 95% within x/÷ 1.6. Episodes: per sound heard;
    totals: one judgement error per event, common to all its sounds."""
    distance_spread: float = 0.3
    """Reported range = estimate × [1 - spread, 1 + spread], rounded (0.1 km below 3 km,
    else 0.5 km)."""
    count_sigma: float = 0.3
    """Log-normal counting error (sd of ln): of each episode's rounds, or (totals) of an
    event's total."""
    flow_error: float = 0.15
    """Probability that incoming/outgoing is judged the wrong way round."""
    undetermined_share: float = 0.3
    """Probability that the flow is reported ``undetermined``."""
    weapon_error: float = 0.25
    """Probability that the weapon is not identified (kind ``explosion``, no weapon)."""
    observer_sigma_km: float = 0.1
    """Uncertainty of the team's own position (km), written as ``observer_sigma_km``."""
    reliability: str = "B"
    """Admiralty reliability (A-F) written in the records."""
    credibility: int = 2
    """Admiralty credibility (1-6) written in the records."""
    report_style: str = "episodes"
    """``episodes`` (one report per team, slot and episode heard, to the minute) or
    ``totals`` (the OSCE SMM style: per reporting window at a position, one event per
    kind with the total count, every compass direction heard and a whole-km distance
    range; see :mod:`trucewatch.sim.patrol_totals`)."""
    total_window_h: tuple[float, float] = (1.0, 4.0)
    """Totals: length of a reporting window at a position, [min, max] hours (uniform);
    the windows tile each slot, the last one ending with the slot."""
    distance_factor: float = 2.0
    """Totals: the reported range is [min / factor, max × factor] of the judged distances
    (km), rounded outward to whole km; it holds every true distance when the judgement
    error is within ×/÷ factor."""
    vague_count_share: float = 0.0
    """Totals: share of the events whose count is vague: half written as "at least N" (a
    round number at or below the estimate), half missing (``count`` null: "several")."""
    avoid_hotspot_km: float = 0.0
    """Security restrictions: patrol positions stay at least this far (km) from every hot
    spot centre (the point of the line at the hot spot); 0: no restriction."""
    mistaken_per_team_day: float = 0.0
    """Mistaken reports per working team and day (Poisson): a sound misjudged, either a
    burst heard where nothing happened (``phantom``) or a real sound reported in a wrong
    direction (``wrong_direction``); listed in ``patrol_truth.jsonl``."""


@dataclass(frozen=True, kw_only=True)
class AcousticSpec:
    """Fixed acoustic arrays (see docs/simulator.md, "Acoustic arrays")."""

    enabled: bool = True
    spacing_km: float = 15.0
    """One array every this many km along the stretch."""
    depth_km: float = 5.0
    """Distance behind the line (km; halved, then quartered, where that point is not held
    by the array's side)."""
    side: str = "both"
    """``both`` (alternating sides) or a party code."""
    range_factor: float = 1.3
    """Detection range = this × the audible range of the sound."""
    detect_probability: float = 0.95
    """``p0``: probability of detecting a sound well within range."""
    timing_sigma_s: float = 0.1
    """Arrival-time error (sd, seconds): sensor timing and propagation."""
    bearing_sigma_deg: float = 3.0
    """Direction-of-arrival error (sd, degrees)."""
    false_alarms_per_day: float = 1.0
    """False alarms per array and day, at random times and bearings."""
    speed_of_sound_m_s: float = 340.0
    """Speed of sound (m/s) the records state (and detection uses, unless ``[weather]``
    is on: then the true speed varies and this stays the nominal one)."""
    reliability: str = "B"
    """Admiralty reliability (A-F) written in the records."""
    credibility: int = 3
    """Admiralty credibility (1-6) written in the records."""
    # field error models (docs/simulator.md, "Field errors of the acoustic arrays"); each
    # default switches its model off
    outlier_share: float = 0.0
    """Probability that an arrival time or a bearing error is drawn from the wide
    component of the error mixture instead of N(0, nominal sigma); records still state the
    nominal sigma."""
    outlier_scale: float = 5.0
    """sd of the wide component, in units of the nominal sigma."""
    bearing_bias_sigma_deg: float = 0.0
    """sd (degrees) of each array's constant bearing bias (drawn once per array)."""
    clock_offset_sigma_s: float = 0.0
    """sd (s) of each array's clock offset at the start of the period."""
    clock_drift_s_per_day: float = 0.0
    """sd (s per day) of each array's clock drift (its offset grows linearly)."""
    echo_share: float = 0.0
    """Probability that a detection also yields an echo: a second detection later, with
    a bearing off by a reflection angle."""
    echo_delay_s: tuple[float, float] = (0.5, 8.0)
    """Delay of an echo after its detection, [min, max] s (log-uniform)."""
    echo_angle_deg: tuple[float, float] = (20.0, 160.0)
    """Bearing offset of an echo, [min, max] degrees (uniform, either sign)."""
    own_fire_false_per_day: float = 0.0
    """False launch detections per array and day with bearings toward nearby positions of
    its own side, for arrays with outgoing fire of their own side within
    ``own_fire_km``."""
    own_fire_km: float = 10.0
    """Distance (km) within which an array hears its own side's firing positions."""
    outage_share: float = 0.0
    """Share of array-time an array is down (reports nothing), in [0, 1)."""
    outage_mean_h: float = 12.0
    """Mean length of an outage (h; exponential)."""
    outage_reported_share: float = 0.5
    """Probability that an outage is reported (``acoustic_outages.jsonl``); the rest are
    silent."""
    signature_error: float = 0.0
    """Probability that the launch/impact label (``signature``) is the wrong one."""
    count_sigma: float = 0.0
    """Log-normal impulse-count error (sd of ln; 0: the rounds counted exactly)."""


@dataclass(frozen=True, kw_only=True)
class CameraSpec:
    """Fixed cameras (see docs/simulator.md, "Cameras")."""

    count: int = 4
    """Cameras."""
    side: str = "both"
    """As for patrols: ``both`` or a party code."""
    placement: str = "hotspots"
    """As for patrols: ``hotspots`` or ``uniform``."""
    depth_km: float = 1.5
    """Distance behind the line (km), looking at it."""
    range_km: float = 5.0
    """Sees the flashes and smoke of sites within this distance (km)."""
    fov_deg: float = 120.0
    """Field of view (degrees), centred on the direction of the line."""
    bearing_sigma_deg: float = 1.5
    """Bearing error (sd, degrees)."""
    detect_probability_day: float = 0.9
    """Probability of seeing a site in range by day (06:00-20:00 local)."""
    detect_probability_night: float = 0.6
    """Probability of seeing a site in range by night."""
    false_alarms_per_day: float = 0.2
    """False alarms per camera and day."""
    reliability: str = "B"
    """Admiralty reliability (A-F) written in the records."""
    credibility: int = 2
    """Admiralty credibility (1-6) written in the records."""
    # field error models (docs/simulator.md, "[cameras]"; each off at its default)
    outlier_share: float = 0.0
    """Probability that a bearing is an outlier: its error is ``outlier_scale`` times wider
    (the record still states ``bearing_sigma_deg``)."""
    outlier_scale: float = 10.0
    """Width of an outlier's bearing error, a multiple of ``bearing_sigma_deg`` (>= 1)."""
    outage_share: float = 0.0
    """Share of camera-time a camera is down (reports nothing, not even false alarms)."""
    outage_mean_h: float = 24.0
    """Mean length of an outage spell (hours, exponential)."""
    outage_reported_share: float = 0.5
    """Probability that an outage spell is reported in ``outages.jsonl`` (else silent)."""
    thermal_share: float = 1.0
    """Share of the cameras with thermal imaging (they keep ``detect_probability_night``)."""
    night_blind: float = 0.0
    """Probability of seeing a site at night for a camera without thermal imaging (at most
    ``detect_probability_night``)."""
    fog_days_share: dict[str, float] = field(default_factory=dict)
    """Share of foggy days by season (``winter`` Dec-Feb, ``spring``, ``summer``,
    ``autumn``); fog is drawn once per sector and local day."""
    fog_detect_probability: float = 0.1
    """Probability of seeing a site on a foggy day (the lower of it and the clear value)."""
    signature_error: float = 0.0
    """Probability that launch and impact are swapped (signature and kind word)."""
    kind_error: float = 0.0
    """Probability that the kind word is wrong (another word a camera uses)."""


@dataclass(frozen=True, kw_only=True)
class SatelliteSpec:
    """VIIRS-like thermal detections (see docs/simulator.md, "Satellite")."""

    enabled: bool = True
    overpasses_local: tuple[str, ...] = ("01:30", "13:30")
    """Nominal overpasses each day (local time, HH:MM)."""
    satellite: str = "N20"
    """FIRMS satellite code written in the records."""
    overpass_jitter_min: float = 45.0
    """Each overpass is shifted uniformly by up to this many minutes."""
    pixel_km: float = 0.375
    """Nadir pixel size (km); scan and track grow to 2.1 and 1.9 times off nadir."""
    cloud_cover: float = 0.4
    """Probability that a sector is cloudy at an overpass."""
    detect_probability: float = 0.8
    """Probability that a burning fire under clear sky is detected."""
    fire_duration_h: tuple[float, float] = (0.5, 12.0)
    """How long a fire burns, [min, max] hours (log-uniform)."""
    false_alarms_per_100km_per_pass: float = 0.3
    """Unrelated fires within 15 km of the line, per 100 km of line and overpass (the
    ``flat`` model of ``background_fires``)."""
    background_fires: str = "flat"
    """``flat``: single-pixel false alarms at ``false_alarms_per_100km_per_pass``;
    ``fitted``: fire events (several adjacent pixels, burning for hours) at the monthly
    rate per km² fitted on the pre-war FIRMS history (``sim/data/background_fires.json``),
    within 15 km of the line."""
    background_scale: float = 1.0
    """Multiplier of the fitted rate of unrelated fires (``fitted`` only)."""
    detection: str = "flat"
    """``flat``: every burning fire under clear sky is detected with ``detect_probability``;
    ``frp``: each fire has a fire radiative power (MW, log-normal fitted on VIIRS) and is
    detected with ``detect_probability / (1 + (frp_half_mw / FRP)^frp_slope)``."""
    frp_half_mw: float = 1.0
    """FRP (MW) at which the detection probability is half of ``detect_probability``."""
    frp_slope: float = 2.5
    """Steepness of the detection curve in log FRP (``frp`` only)."""
    clouds: str = "sectors"
    """``sectors``: each sector is cloudy with ``cloud_cover`` at each overpass,
    independently; ``field``: a spatially correlated cloud field, persistent between
    overpasses, with the monthly cloud fraction ``cloud_fraction_by_month``."""
    cloud_corr_km: float = 40.0
    """Correlation length L (km) of the cloud field: its latent Gaussian field has the
    correlation exp(-(r / L)^2) at distance r (``field`` only)."""
    cloud_persistence: float = 0.6
    """Correlation of the latent cloud field between consecutive overpasses (AR(1);
    ``field`` only)."""
    cloud_fraction_by_month: tuple[float, ...] = (
        0.76, 0.72, 0.66, 0.58, 0.55, 0.50, 0.42, 0.38, 0.46, 0.58, 0.74, 0.79,
    )  # fmt: skip
    """Cloud fraction of each month, January first (``field`` only; default: approximate
    total cloud cover climatology of eastern Ukraine, docs/simulator.md)."""


@dataclass(frozen=True, kw_only=True)
class ComplaintSpec:
    """Party complaints (see docs/simulator.md, "Complaints")."""

    enabled: bool = True
    report_probability: float = 0.1
    """Probability that the party hit files a complaint about an episode."""
    location_sigma_km: float = 2.0
    """Location error (sd per axis, km)."""
    time_window_h: float = 1.0
    """The stated time window is widened by up to this many hours each side."""
    false_per_day: float = 2.0
    """False accusations per party and day (on the complainant's side, 1-15 km from the
    line)."""
    truce_false_factor: float = 2.0
    """False accusations are this many times more frequent during the truce."""
    reliability: str = "C"
    """Admiralty reliability (A-F) written in the records."""
    credibility: int = 4
    """Admiralty credibility (1-6) written in the records."""
    # the parties' bias (docs/simulator.md, "[complaints]"; each off at its default)
    own_fire_blame_share: float = 0.0
    """Share of the complaints about real episodes that are about the complainant's own
    fire (placed at the firing position, accusing the other party)."""
    fabrication_near_fighting_share: float = 0.0
    """Share of the false accusations placed near a recent real episode."""
    fabrication_km: float = 5.0
    """Such a false accusation lies within this distance (km) of the episode's site on
    the complainant's side."""
    fabrication_hours: float = 6.0
    """and is about a time within this many hours after the episode's firing."""
    filing_delay_median_h: float = 0.0
    """Median delay from the end of the stated window to ``filed_utc`` (hours, log-normal;
    0: uniform 2-24 h)."""
    filing_delay_sigma: float = 1.0
    """Spread of the filing delay (sd of ln)."""
    time_vagueness_h: float = 0.0
    """The stated window is rounded outward to whole blocks of this many hours from local
    midnight (0: not rounded)."""
    count_inflation: float = 1.0
    """Median factor on the rounds a complaint states (log-normal)."""
    count_inflation_sigma: float = 0.0
    """Spread of the count inflation factor (sd of ln)."""


@dataclass(frozen=True, kw_only=True)
class WeatherSpec:
    """Weather per day (docs/simulator.md, "Weather"): temperature and wind change the true
    speed and reach of sound; records keep the nominal speed. Off by default."""

    enabled: bool = False
    temperature_mean_c: float = 8.5
    """Annual mean of the daily mean air temperature (°C)."""
    temperature_amplitude_c: float = 13.0
    """Half the difference between the warmest and the coldest seasonal daily mean (°C)."""
    warmest_day_of_year: float = 200.0
    """Day of the year (1 = 1 January) of the warmest seasonal daily mean."""
    temperature_sigma_c: float = 3.0
    """sd (°C) of the day-to-day anomaly around the seasonal mean."""
    temperature_persistence: float = 0.7
    """Correlation of one day's anomaly with the next (AR(1)), in [0, 1)."""
    wind_speed_mean_m_s: float = 4.0
    """Mean daily wind speed (m/s; Rayleigh-distributed)."""
    wind_from_deg: float = 270.0
    """Prevailing direction the wind blows from (degrees clockwise from true north)."""
    wind_direction_sigma_deg: float = 60.0
    """sd (degrees) of the daily wind direction around the prevailing one."""
    range_per_wind_m_s: float = 0.03
    """Relative change of the audible range per m/s of wind along the path (downwind
    farther, upwind shorter): range × exp(this × wind along)."""
    range_per_degree_c: float = 0.01
    """Relative loss of the audible range per °C above ``range_reference_c``:
    range × exp(-this × (T - reference))."""
    range_reference_c: float = 10.0
    """Temperature (°C) at which the audible ranges of ``[violations.weapons]`` hold."""
