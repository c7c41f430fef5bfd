"""Weather per day (``[weather]``): air temperature and wind, and what they do to sound.

One value per day of the period (day ``k`` is ``[start + k days, start + k + 1 days)``):

* temperature (°C): the seasonal daily mean, ``mean + amplitude cos(2 pi (doy - warmest) /
  365.25)`` at the day of year ``doy``, plus an AR(1) anomaly with sd ``temperature_sigma_c``
  and lag-one correlation ``temperature_persistence``;
* wind: speed (m/s) Rayleigh-distributed with mean ``wind_speed_mean_m_s``, and the
  direction it blows from (degrees clockwise from true north), normal around
  ``wind_from_deg`` with sd ``wind_direction_sigma_deg``.

Sound from a source to a sensor then (:func:`propagate`) travels at the still-air speed
``331.3 sqrt(1 + T / 273.15)`` m/s (:func:`trucewatch.sources.acoustic.speed_of_sound`)
plus the wind component along its path; its wavefront drifts with the wind, so it seems to
come from the source displaced downwind by wind × travel time; and it is heard to
``range × exp(range_per_wind_m_s × wind along - range_per_degree_c × (T - reference))``:
farther downwind, shorter upwind and in heat. The records and the engine keep the nominal
``acoustic.speed_of_sound_m_s``: the weather is an unmodelled systematic error. Positions
local km; times UTC epoch seconds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
from numpy.typing import NDArray

from trucewatch.sim.scenario import Scenario
from trucewatch.sim.sensor_specs import WeatherSpec
from trucewatch.sources.acoustic import speed_of_sound

__all__ = ["Propagation", "Weather", "draw_weather", "propagate"]

DAYS_PER_YEAR = 365.25
DAY_S = 86400.0


@dataclass(frozen=True, eq=False)
class Weather:
    """The weather of each day of the period (index ``k``: day ``k`` from the start)."""

    spec: WeatherSpec
    start: float
    """Start of day 0 (epoch s: the period's start)."""
    dates: tuple[date, ...]
    """Local date at the start of each day."""
    temperature_c: NDArray[np.float64]
    """Daily mean air temperature (°C)."""
    wind_speed_m_s: NDArray[np.float64]
    """Daily wind speed (m/s)."""
    wind_from_deg: NDArray[np.float64]
    """Direction the wind blows from (degrees clockwise from true north, [0, 360))."""

    def day_of(self, t: NDArray[np.float64]) -> NDArray[np.int64]:
        """Index of the day of epoch seconds ``t`` (clipped to the days drawn)."""
        k = np.floor((np.asarray(t, dtype=float) - self.start) / DAY_S).astype(np.int64)
        return np.clip(k, 0, len(self.dates) - 1)

    def still_air_speed_m_s(self) -> NDArray[np.float64]:
        """Speed of sound in still air on each day (m/s)."""
        return np.array([speed_of_sound(float(t)) for t in self.temperature_c])

    def max_range_factor(self) -> float:
        """The largest factor on the audible range on any day (all the wind along)."""
        spec = self.spec
        exponent = (spec.range_per_wind_m_s * self.wind_speed_m_s
                    - spec.range_per_degree_c * (self.temperature_c - spec.range_reference_c))
        return float(np.exp(exponent.max()))


def _seasonal_c(spec: WeatherSpec, dates: tuple[date, ...]) -> NDArray[np.float64]:
    doy = np.array([d.timetuple().tm_yday for d in dates], dtype=float)
    phase = 2.0 * np.pi * (doy - spec.warmest_day_of_year) / DAYS_PER_YEAR
    return spec.temperature_mean_c + spec.temperature_amplitude_c * np.cos(phase)


def _ar1(rng: np.random.Generator, n: int, sigma: float, rho: float) -> NDArray[np.float64]:
    """A stationary AR(1) series of ``n`` values with sd ``sigma`` and lag-one
    correlation ``rho``."""
    shocks = rng.normal(0.0, sigma, n)
    out = np.empty(n)
    innovation = np.sqrt(1.0 - rho**2)
    for k in range(n):
        out[k] = shocks[k] if k == 0 else rho * out[k - 1] + innovation * shocks[k]
    return out


def draw_weather(s: Scenario, rng: np.random.Generator) -> Weather | None:
    """The weather of every day of the period plus one (sound may arrive after its end);
    None when ``[weather]`` is off (nothing drawn)."""
    w = s.weather
    if not w.enabled:
        return None
    n = int(np.ceil(s.period.days)) + 1
    local = s.period.start.astimezone(s.zone)
    dates = tuple((local + timedelta(days=k)).date() for k in range(n))
    temperature = _seasonal_c(w, dates) + _ar1(rng, n, w.temperature_sigma_c,
                                               w.temperature_persistence)  # fmt: skip
    rayleigh_sigma = w.wind_speed_mean_m_s / np.sqrt(np.pi / 2.0)
    speed = rng.rayleigh(rayleigh_sigma, n) if rayleigh_sigma > 0 else np.zeros(n)
    wind_from = (w.wind_from_deg + rng.normal(0.0, w.wind_direction_sigma_deg, n)) % 360.0
    return Weather(w, s.period.start.timestamp(), dates, temperature, speed, wind_from)


@dataclass(frozen=True, eq=False)
class Propagation:
    """How sound travels from sources to sensors, per row."""

    speed_km_s: NDArray[np.float64]
    """Effective speed along the path (km/s): still air plus the wind along the path."""
    wind_along_m_s: NDArray[np.float64]
    """Wind component along the path, source to sensor (m/s; > 0 downwind)."""
    range_factor: NDArray[np.float64]
    """Factor on the audible range."""
    apparent_xy: NDArray[np.float64]
    """Where the sound seems to come from: the source displaced downwind (local km)."""

    def take(self, idx: NDArray) -> Propagation:
        """The rows ``idx`` (indices or a mask)."""
        return Propagation(self.speed_km_s[idx], self.wind_along_m_s[idx],
                           self.range_factor[idx], self.apparent_xy[idx])  # fmt: skip


def propagate(weather: Weather, t: NDArray[np.float64], source_xy: NDArray[np.float64],
              sensor_xy: NDArray[np.float64],
              convergence_deg: NDArray[np.float64]) -> Propagation:  # fmt: skip
    """Propagation of sounds emitted at epoch seconds ``t`` from ``source_xy`` to
    ``sensor_xy`` (local km, one row each); ``convergence_deg`` is the grid convergence
    at each sensor (true bearing = grid bearing + convergence)."""
    spec = weather.spec
    day = weather.day_of(t)
    temperature = weather.temperature_c[day]
    still = weather.still_air_speed_m_s()[day]
    toward = np.radians(weather.wind_from_deg[day] + 180.0 - convergence_deg)
    wind = weather.wind_speed_m_s[day][:, None] * np.column_stack([np.sin(toward),
                                                                  np.cos(toward)])  # fmt: skip
    path = sensor_xy - source_xy
    dist = np.linalg.norm(path, axis=1)
    unit = path / np.where(dist > 0, dist, 1.0)[:, None]
    along = np.einsum("ij,ij->i", wind, unit)
    speed_km_s = (still + along) / 1000.0
    travel_s = dist / speed_km_s
    apparent = source_xy + wind / 1000.0 * travel_s[:, None]
    factor = np.exp(spec.range_per_wind_m_s * along
                    - spec.range_per_degree_c * (temperature - spec.range_reference_c))  # fmt: skip
    return Propagation(speed_km_s, along, factor, apparent)

