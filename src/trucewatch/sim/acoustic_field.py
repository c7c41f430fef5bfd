"""Field error models of the acoustic arrays (``[acoustic]`` keys, each off by default),
and the acoustic detection rows (:func:`acoustic_rows`) they and the nominal model build.

The nominal model (:func:`trucewatch.sim.sensors.detect_acoustic`) gives Gaussian errors
of exactly the sigma the records state. In the field:

* errors are heavy-tailed (:func:`trucewatch.sim.errors.heavy_tailed`, applied where the
  errors are drawn);
* each array has a constant bearing bias, a clock offset and a clock drift
  (:class:`ArrayBiases`);
* a detection may yield an echo, a second detection later from another direction
  (:func:`echo_rows`);
* an array near outgoing fire of its own side reports launches toward nearby own
  positions (:func:`own_fire_sources`);
* arrays are down for spells, some reported, some silent (:mod:`trucewatch.sim.outages`);
* the launch/impact label is sometimes wrong and impulse counts are off
  (:func:`trucewatch.sim.errors.mislabelled`, :func:`~trucewatch.sim.errors.miscounted`);
* the weather changes the true speed and reach of sound (:mod:`trucewatch.sim.weather`).

:class:`AcousticField` holds what was drawn for one run (the truth the records do not
state). Every model draws from its own substream of the acoustic stream
(:func:`trucewatch.sim.streams.substream`, the ``*_STREAM`` tags), so a model that is off
draws nothing and the nominal draws stay as they were. Positions local km; times UTC
epoch seconds; bearings grid degrees clockwise from the plane's north.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum

import numpy as np
from numpy.typing import NDArray
from scipy.spatial import cKDTree

from trucewatch.geo.projection import grid_convergence_deg
from trucewatch.sim.detections import Detections, Sites, noise_columns
from trucewatch.sim.errors import miscounted, mislabelled
from trucewatch.sim.layout import Layout
from trucewatch.sim.outages import Outages, draw_outages
from trucewatch.sim.scenario import Scenario
from trucewatch.sim.sensor_specs import AcousticSpec
from trucewatch.sim.streams import substream
from trucewatch.sim.violations import Episodes
from trucewatch.sim.weather import Propagation, Weather, draw_weather
from trucewatch.sim.world import to_lonlat_arrays

__all__ = [
    "ECHO_STREAM",
    "OUTLIER_BEARING_STREAM",
    "OUTLIER_TIME_STREAM",
    "OWN_FIRE_STREAM",
    "UNKNOWN_SOUND_AUDIBLE_KM",
    "AcousticField",
    "ArrayBiases",
    "Heard",
    "OwnFire",
    "RowKind",
    "acoustic_rows",
    "echo_rows",
    "field_models_on",
    "finish_field_rows",
    "own_fire_sources",
]

DAY_S = 86400.0
OUTAGE_MARGIN_S = DAY_S
"""Outages are drawn past the period's end by this much: sounds arrive after it."""

WEATHER_STREAM, BIASES_STREAM, OUTLIER_TIME_STREAM, OUTLIER_BEARING_STREAM = 1, 2, 3, 4
ECHO_STREAM, OWN_FIRE_STREAM, OUTAGE_STREAM, SIGNATURE_STREAM, COUNT_STREAM = 5, 6, 7, 8, 9
"""Child stream tags of the acoustic field models (fixed: changing one reshuffles it)."""


@dataclass(frozen=True, eq=False)
class ArrayBiases:
    """Systematic errors of each array (index = array), drawn once per run."""

    bearing_bias_deg: NDArray[np.float64]
    """Added to every bearing the array measures (degrees)."""
    clock_offset_s: NDArray[np.float64]
    """The array's clock minus true time at the start of the period (s)."""
    clock_drift_s_per_day: NDArray[np.float64]
    """Growth of the clock offset (s per day)."""

    @classmethod
    def draw(cls, a: AcousticSpec, n: int, rng: np.random.Generator) -> ArrayBiases:
        """N(0, sigma) per array for each key with sigma > 0 (zeros, nothing drawn, else)."""

        def normal(sigma: float) -> NDArray[np.float64]:
            return rng.normal(0.0, sigma, n) if sigma > 0 else np.zeros(n)

        return cls(normal(a.bearing_bias_sigma_deg), normal(a.clock_offset_sigma_s),
                   normal(a.clock_drift_s_per_day))  # fmt: skip

    def clock_error_s(self, sensor: NDArray[np.int64], t: NDArray[np.float64],
                      start: float) -> NDArray[np.float64]:  # fmt: skip
        """Clock error (s) of arrays ``sensor`` at true epoch seconds ``t``."""
        days = (t - start) / DAY_S
        return self.clock_offset_s[sensor] + self.clock_drift_s_per_day[sensor] * days


def field_models_on(a: AcousticSpec) -> bool:
    """Whether any acoustic field model other than the heavy tails and the weather is on
    (those act where the nominal errors are drawn)."""
    return any(v > 0 for v in (a.bearing_bias_sigma_deg, a.clock_offset_sigma_s,
                               a.clock_drift_s_per_day, a.echo_share,
                               a.own_fire_false_per_day, a.outage_share, a.signature_error,
                               a.count_sigma))  # fmt: skip


@dataclass(eq=False)
class AcousticField:
    """What the field models drew for one run: the truth the records do not state."""

    spec: AcousticSpec
    start: float
    """Start of the period (epoch s)."""
    end: float
    """End of the period (epoch s)."""
    rng: np.random.Generator
    """The acoustic stream (only its substreams are drawn from here)."""
    weather: Weather | None
    biases: ArrayBiases
    outages: Outages
    convergence_deg: NDArray[np.float64]
    """Grid convergence at each array (true bearing = grid bearing + convergence)."""
    streams: dict[int, np.random.Generator] = field(default_factory=dict)

    @classmethod
    def draw(cls, s: Scenario, layout: Layout, rng: np.random.Generator) -> AcousticField:
        """The weather, the arrays' biases and outages (from their substreams)."""
        a = s.acoustic
        n_arr = layout.acoustic_xy.shape[0]
        start, end = s.period.start.timestamp(), s.period.end.timestamp()
        weather = draw_weather(s, substream(rng, WEATHER_STREAM))
        convergence = (grid_convergence_deg(*to_lonlat_arrays(layout.acoustic_xy))
                       if weather is not None else np.zeros(n_arr))  # fmt: skip
        outages = draw_outages(n_arr, start, end + OUTAGE_MARGIN_S, a.outage_share,
                               a.outage_mean_h, a.outage_reported_share,
                               substream(rng, OUTAGE_STREAM))  # fmt: skip
        return cls(a, start, end, rng, weather,
                   ArrayBiases.draw(a, n_arr, substream(rng, BIASES_STREAM)), outages,
                   np.asarray(convergence, dtype=float))  # fmt: skip

    def stream(self, tag: int) -> np.random.Generator:
        """The substream of one model (the same generator on every call)."""
        if tag not in self.streams:
            self.streams[tag] = substream(self.rng, tag)
        return self.streams[tag]

    @property
    def drawn(self) -> bool:
        """Whether the run has field truth to write (weather, biases or outages)."""
        return self.weather is not None or field_models_on(self.spec)


# --------------------------------------------------------------------------- rows


UNKNOWN_SOUND_AUDIBLE_KM = 15.0
"""Audible range (km) assumed for a sound the array cannot place (false alarms, own fire):
its records state ``range_factor`` times this as the range."""


@dataclass(frozen=True, eq=False)
class Heard:
    """Which array heard which site: rows of site, array, distance (km) and, with
    ``[weather]`` on, how the sound travelled."""

    site: NDArray[np.int64]
    sensor: NDArray[np.int64]
    distance_km: NDArray[np.float64]
    propagation: Propagation | None


class RowKind(IntEnum):
    """What an acoustic detection row is (the ``row_kind`` extra)."""

    DETECTION = 0
    ECHO = 1
    OWN_FIRE = 2
    FALSE_ALARM = 3


def acoustic_rows(s: Scenario, kind: RowKind, site: NDArray, sensor: NDArray,
                  sensor_xy: NDArray, arrival: NDArray, bearing: NDArray, *, count: NDArray,
                  duration_s: NDArray, range_km: NDArray,
                  impact: NDArray) -> Detections:  # fmt: skip
    """Acoustic detection rows of one kind with the nominal noise columns (arrival epoch
    s, bearing grid degrees, range km; ``impact`` False: a launch)."""
    a = s.acoustic
    n = site.size
    rows = noise_columns(n, bearing_sigma_rad=np.radians(a.bearing_sigma_deg),
                         toa_sigma_s=a.timing_sigma_s, obs_sigma_km=0.01)  # fmt: skip
    return Detections(
        "acoustic", site.astype(np.int64), sensor.astype(np.int64), sensor_xy, arrival, **rows,
        extra={"arrival": arrival.copy(), "bearing_deg": bearing,
               "count": count.astype(np.int64), "duration_s": duration_s,
               "range_km": range_km, "impact": impact,
               "row_kind": np.full(n, kind, dtype=np.int8)},
    )  # fmt: skip


# --------------------------------------------------------------------------- echoes


def echo_rows(det: Detections, a: AcousticSpec, rng: np.random.Generator) -> Detections:
    """Echoes of a share ``echo_share`` of the detections: the same site, later by
    ``echo_delay_s`` (log-uniform), the bearing off by ``echo_angle_deg`` (uniform, either
    sign). They carry no information on the site (NaN noise columns: the Cramér-Rao bound
    ignores them); the records state the nominal sigmas."""
    primary = np.flatnonzero(det.extra["row_kind"] == RowKind.DETECTION)
    if a.echo_share <= 0 or primary.size == 0:
        return det.take(np.empty(0, np.int64))
    rows = primary[rng.random(primary.size) < a.echo_share]
    echo = det.take(rows)
    k = rows.size
    delay = np.exp(rng.uniform(np.log(a.echo_delay_s[0]), np.log(a.echo_delay_s[1]), k))
    angle = rng.uniform(a.echo_angle_deg[0], a.echo_angle_deg[1], k) * rng.choice([-1.0, 1.0], k)
    echo.time = echo.time + delay
    echo.extra["arrival"] = echo.time.copy()
    echo.extra["bearing_deg"] = (echo.extra["bearing_deg"] + angle) % 360.0
    echo.extra["row_kind"] = np.full(k, RowKind.ECHO, dtype=np.int8)
    echo.bearing_sigma_rad = np.full(k, np.nan)
    echo.toa_sigma_s = np.full(k, np.nan)
    return echo


# --------------------------------------------------------------------------- own fire


@dataclass(frozen=True, eq=False)
class OwnFire:
    """Own-fire false detections to measure: array, time (epoch s), the own position the
    sound comes from (local km), the impulses counted, the burst's length (s) and the
    audible range (km) the array reports for that weapon."""

    sensor: NDArray[np.int64]
    time: NDArray[np.float64]
    source_xy: NDArray[np.float64]
    count: NDArray[np.int64]
    duration_s: NDArray[np.float64]
    range_km: NDArray[np.float64]


def own_fire_sources(s: Scenario, e: Episodes, sites: Sites, layout: Layout,
                     rng: np.random.Generator) -> OwnFire:  # fmt: skip
    """Per array with firing positions of its own side within ``own_fire_km`` (the
    origins of episodes its side fired), Poisson(``own_fire_false_per_day`` × days) false
    launch detections at uniform times, each from one of those positions and sounding like
    the fire of the episode fired from there (its rounds, its burst's length and its
    weapon's audible range: own fire cannot be told from real fire by how it sounds)."""
    a = s.acoustic
    empty = OwnFire(np.empty(0, np.int64), np.empty(0), np.empty((0, 2)), np.empty(0, np.int64),
                    np.empty(0), np.empty(0))  # fmt: skip
    if a.own_fire_false_per_day <= 0 or len(e) == 0:
        return empty
    origins = sites.xy[1::2]
    near = cKDTree(origins).query_ball_point(layout.acoustic_xy, r=a.own_fire_km)
    start = s.period.start.timestamp()
    parts = []
    for array, candidates in enumerate(near):
        own = np.asarray(sorted(candidates), dtype=np.int64)
        own = own[e.party[own] == layout.acoustic_side[array]]
        k = int(rng.poisson(a.own_fire_false_per_day * s.period.days)) if own.size else 0
        if k:
            parts.append((np.full(k, array), start + rng.uniform(0.0, s.period.days * DAY_S, k),
                          rng.choice(own, k)))  # fmt: skip
    if not parts:
        return empty
    sensor, time, episode = (np.concatenate(col) for col in zip(*parts, strict=True))
    reach = np.maximum(sites.audible_km[2 * episode + 1] * a.range_factor, 1.0)
    return OwnFire(sensor.astype(np.int64), time, origins[episode],
                   e.rounds[episode].astype(np.int64), e.duration_s[episode].astype(float),
                   reach)  # fmt: skip


# --------------------------------------------------------------------------- the rest


def finish_field_rows(det: Detections, f: AcousticField) -> Detections:
    """Wrong labels and counts, the arrays' biases, and silence during outages, on all the
    rows (detections, echoes, own fire and false alarms); ``det.conditions`` is set to
    ``f`` when it has truth to write."""
    a = f.spec
    if not field_models_on(a):
        det.conditions = f if f.drawn else None
        return det
    sound = det.extra["row_kind"] != RowKind.FALSE_ALARM
    impact, count = det.extra["impact"].copy(), det.extra["count"].copy()
    impact[sound], _ = mislabelled(f.stream(SIGNATURE_STREAM), impact[sound], a.signature_error)
    count[sound] = miscounted(f.stream(COUNT_STREAM), count[sound], a.count_sigma)
    silent = f.outages.down(det.sensor, det.time)
    arrival = det.time + np.where(sound, f.biases.clock_error_s(det.sensor, det.time, f.start),
                                  0.0)  # fmt: skip
    bearing = (det.extra["bearing_deg"]
               + np.where(sound, f.biases.bearing_bias_deg[det.sensor], 0.0)) % 360.0  # fmt: skip
    det.time = arrival
    det.extra.update(arrival=arrival.copy(), bearing_deg=bearing, impact=impact, count=count)
    kept = det.take(np.flatnonzero(~silent))
    kept.conditions = f if f.drawn else None
    return kept
