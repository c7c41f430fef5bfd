"""The violation process: episodes of fire clustered in space and time along the line.

1. **Hot spots**: ``hotspots`` places drawn uniformly along the simulated stretch, each with
   a weight from an exponential distribution (some fronts are hotter than others).
2. **Rate**: episodes per day before, during and after the truce, times ``night_factor``
   from 20:00 to 06:00 local time, on an hourly grid.
3. **Bursts** (a Neyman-Scott cluster process): burst parents are a Poisson process with
   the rate divided by ``burst_mean``; a parent sits at a hot spot (spread
   ``hotspot_sigma_km`` along the line) or, with probability ``background_share``,
   anywhere on the stretch; it has ``1 + Poisson(burst_mean - 1)`` episodes within
   ``burst_minutes`` after it and ``burst_km`` (sd) along the line. The first episode's
   party is drawn from the party shares of that phase; each later one answers (the
   other party) with probability 0.4.
4. **Episode**: weapon class by the phase's shares; range log-uniform in ``range_km``;
   rounds log-uniform in ``rounds``; duration log-uniform in ``duration_min``. The fire
   crosses the line at angle theta ~ N(0, 20 degrees) from the normal, a share
   f ~ U(0.25, 0.75) of the distance on the firing side: origin = L - f v, impact =
   L + (1 - f) v with v = range (cos theta (-sign n) + sin theta t). Pairs whose origin
   is not held by the firing party or whose impact is not held by the other are drawn
   again (up to 30 times, then dropped and counted).
5. **Fires**: an episode starts a fire at its impact with probability
   ``1 - (1 - fire_per_round) ** rounds``, burning for a log-uniform time in
   ``satellite.fire_duration_h``.

Times are UTC epoch seconds; positions local km.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import numpy as np
from numpy.typing import NDArray

from trucewatch.sim.scenario import WEAPONS, Scenario, WeaponSpec
from trucewatch.sim.world import World

__all__ = ["PHASES", "Episodes", "draw_hotspots", "episode_id", "generate_episodes", "local_hours"]

PHASES = ("before", "during", "after")
ANSWER_PROBABILITY = 0.4
"""Probability that a later episode of a burst is the other party answering."""
CROSSING_SIGMA_DEG = 20.0
MAX_REDRAWS = 30


@dataclass(frozen=True, eq=False)
class Episodes:
    """Parallel arrays, one row per episode, sorted by firing time."""

    t_fire: NDArray[np.float64]
    """When the first round was fired (UTC epoch seconds)."""
    duration_s: NDArray[np.float64]
    """How long the episode's firing lasted (s); its sounds span this long at each site."""
    tof_s: NDArray[np.float64]
    """Time of flight from the firing position to the impact (s): the impact is heard
    this much after the launch."""
    weapon: NDArray[np.int64]
    """Index into :data:`trucewatch.sim.scenario.WEAPONS` of the weapon fired."""
    rounds: NDArray[np.int64]
    """Rounds fired in the episode (the true count)."""
    party: NDArray[np.object_]
    """Code of the party that fired (the truth of attribution)."""
    target: NDArray[np.object_]
    """Code of the party whose land the rounds were aimed at (the other party)."""
    phase: NDArray[np.int64]
    """0 before, 1 during, 2 after the truce (by the firing time)."""
    hotspot: NDArray[np.int64]
    """Index of the hotspot the episode belongs to, or -1 for background fire spread
    along the whole line."""
    along_km: NDArray[np.float64]
    """Position along the line of contact of the crossing point (km from its start)."""
    origin: NDArray[np.float64]
    """Firing positions, shape (n, 2), local metric km (x east, y north) of
    :mod:`trucewatch.geo.projection`."""
    impact: NDArray[np.float64]
    """Impact points, shape (n, 2), local metric km."""
    fire: NDArray[np.bool_]
    """Whether the impact set something burning (visible to a satellite)."""
    fire_start: NDArray[np.float64]
    """When that fire started and ended (UTC epoch seconds; NaN without a fire)."""
    fire_end: NDArray[np.float64]
    hotspots_along: NDArray[np.float64] = field(default_factory=lambda: np.empty(0))
    """Position along the line of each hotspot centre (km)."""
    hotspots_weight: NDArray[np.float64] = field(default_factory=lambda: np.empty(0))
    """Share of the hotspot fire each hotspot draws."""
    dropped: int = 0
    """Episodes dropped because no crossing could be placed (after redraws)."""

    def __len__(self) -> int:
        return int(self.t_fire.size)

    @property
    def during_truce(self) -> NDArray[np.bool_]:
        return self.phase == 1

    def site_xy(self) -> NDArray[np.float64]:
        """Sites (2 per episode): row 2k is the impact of episode k, 2k+1 its origin."""
        out = np.empty((2 * len(self), 2))
        out[0::2] = self.impact
        out[1::2] = self.origin
        return out

    def site_window(self) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Start and end (epoch s) of the sound of each site (impacts arrive after the
        time of flight)."""
        start = np.empty(2 * len(self))
        end = np.empty(2 * len(self))
        start[0::2] = self.t_fire + self.tof_s
        end[0::2] = self.t_fire + self.tof_s + self.duration_s
        start[1::2] = self.t_fire
        end[1::2] = self.t_fire + self.duration_s
        return start, end


def _epoch(t: datetime) -> float:
    return t.astimezone(UTC).timestamp()


def _log_uniform(rng: np.random.Generator, lo: NDArray, hi: NDArray) -> NDArray[np.float64]:
    return np.exp(rng.uniform(np.log(lo), np.log(hi)))


def hourly_rate(s: Scenario) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """Start (epoch s) of every hour of the period and its phase (0/1/2)."""
    start = _epoch(s.period.start)
    hours = int(np.ceil(s.period.days * 24))
    t = np.asarray(start + 3600.0 * np.arange(hours), dtype=np.float64)
    return t, phase_at(s, t + 1800.0)


def phase_at(s: Scenario, t: NDArray[np.float64]) -> NDArray[np.int64]:
    """Phase (0 before, 1 during, 2 after the truce) of epoch seconds ``t``."""
    truce0, truce1 = _epoch(s.truce.start), _epoch(s.truce.end)
    return np.where(t < truce0, 0, np.where(t < truce1, 1, 2)).astype(np.int64)


def episode_id(k: int) -> str:
    """The truth id of episode ``k`` (0-based, time order): ``E0000001``, ..."""
    return f"E{k + 1:07d}"


def local_hours(s: Scenario, t: NDArray[np.float64]) -> NDArray[np.float64]:
    """Local hour of day (0-24) of epoch seconds ``t`` (UTC offset per hour; DST-aware)."""
    zone = s.zone
    t = np.asarray(t, dtype=float)
    hours = np.floor(t / 3600.0).astype(np.int64)
    keys, inverse = np.unique(hours, return_inverse=True)
    offsets = np.array([
        (datetime.fromtimestamp(float(k) * 3600.0, UTC).astimezone(zone).utcoffset()
         or timedelta(0)).total_seconds()
        for k in keys
    ])  # fmt: skip
    return ((t + offsets[inverse.reshape(t.shape)]) % 86400.0) / 3600.0


def generate_episodes(s: Scenario, world: World, rng: np.random.Generator,
                      hotspots: tuple[NDArray[np.float64], NDArray[np.float64]] | None = None,
                      ) -> Episodes:  # fmt: skip
    """Draw the episodes of a scenario (deterministic for a given ``rng`` state): hot
    spots, burst parents, the episodes of each burst, their weapons, where they cross the
    line and the fires they start (steps 1-5 of the module docstring, in that order of
    draws). ``hotspots`` (km along the line, weights; :func:`draw_hotspots`): the hot spots
    of an earlier draw (a run drawn a chunk of days at a time keeps its hot spots); None:
    drawn here first."""
    hot_along, hot_weight = hotspots if hotspots is not None else draw_hotspots(s, world, rng)
    parents = _draw_parents(s, world, rng, hot_along, hot_weight)
    bursts = _draw_bursts(s, world, rng, parents)
    shots = _draw_weapons(s, bursts.phase, rng)
    parties = np.array([world.controlled_by, world.other_party], dtype=object)
    party = parties[bursts.party_idx]
    target = parties[1 - bursts.party_idx]
    origin, impact, distance = _place_crossings(world, rng, bursts.along, party, target, shots)
    tof = distance / shots.speed
    has_fire, fire_start, fire_end = _draw_fires(s, rng, bursts.t + tof, shots)
    placed = np.isfinite(distance)
    sel = np.flatnonzero(placed)
    order = sel[np.argsort(bursts.t[sel], kind="stable")]
    return Episodes(
        t_fire=bursts.t[order],
        duration_s=shots.duration[order],
        tof_s=tof[order],
        weapon=shots.weapon[order],
        rounds=shots.rounds[order],
        party=party[order],
        target=target[order],
        phase=bursts.phase[order],
        hotspot=bursts.hotspot[order],
        along_km=bursts.along[order],
        origin=origin[order],
        impact=impact[order],
        fire=has_fire[order],
        fire_start=np.where(has_fire, fire_start, np.nan)[order],
        fire_end=np.where(has_fire, fire_end, np.nan)[order],
        hotspots_along=hot_along,
        hotspots_weight=hot_weight,
        dropped=int((~placed).sum()),
    )


def draw_hotspots(s: Scenario, world: World, rng: np.random.Generator,
                   ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:  # fmt: skip
    """Hot spots (km along the line, sorted) and their weights (summing to 1)."""
    lo, hi = world.span
    n_hot = s.violations.hotspots
    hot_along = np.sort(rng.uniform(lo, hi, n_hot))
    hot_weight = rng.exponential(1.0, n_hot)
    hot_weight /= hot_weight.sum()
    return hot_along, hot_weight


def _hourly_intensity(s: Scenario) -> tuple[NDArray, NDArray[np.int64], NDArray, NDArray]:
    """Start (epoch s) and phase of every hour of the period, its expected episodes and the
    share of it inside the period (the last hour may be partial)."""
    v = s.violations
    hour_t, hour_phase = hourly_rate(s)
    hour_local = local_hours(s, hour_t + 1800.0)
    night = (hour_local >= 20.0) | (hour_local < 6.0)
    rates = np.array([v.rate_before_per_day, v.rate_during_per_day, v.rate_after_per_day])
    per_hour = rates[hour_phase] / 24.0 * np.where(night, v.night_factor, 1.0)
    frac = np.clip(s.period.days * 24 - np.arange(hour_t.size), 0.0, 1.0)  # last partial hour
    per_hour = per_hour * frac
    # normalize so the daily mean matches the phase rate despite the night factor
    day_mean = 1.0 + (v.night_factor - 1.0) * 10.0 / 24.0
    per_hour /= day_mean
    return hour_t, hour_phase, per_hour, frac


@dataclass(frozen=True, eq=False)
class _Firings:
    """Who fires when and where (burst parents, or the episodes of the bursts): time (epoch
    s), km along the line, party (0: ``controlled_by``, 1: the other), phase (0/1/2) and hot
    spot (-1: background)."""

    t: NDArray[np.float64]
    along: NDArray[np.float64]
    party_idx: NDArray[np.int64]
    phase: NDArray[np.int64]
    hotspot: NDArray[np.int64]


def _draw_parents(s: Scenario, world: World, rng: np.random.Generator,
                  hot_along: NDArray[np.float64], hot_weight: NDArray[np.float64],
                  ) -> _Firings:  # fmt: skip
    """Burst parents: a Poisson process of the hourly rate over ``burst_mean``, each at a
    hot spot or (``background_share``) anywhere on the stretch, its party drawn from the
    party shares of its phase."""
    v = s.violations
    lo, hi = world.span
    hour_t, hour_phase, per_hour, frac = _hourly_intensity(s)
    n_parents = rng.poisson(per_hour / v.burst_mean)
    parent_hour = np.repeat(np.arange(hour_t.size), n_parents)
    n_p = parent_hour.size
    parent_t = hour_t[parent_hour] + rng.uniform(0.0, 3600.0, n_p) * frac[parent_hour]
    parent_phase = hour_phase[parent_hour]
    background = rng.random(n_p) < v.background_share
    parent_hot = np.where(background, -1, rng.choice(v.hotspots, n_p, p=hot_weight))
    parent_along = np.where(
        background,
        rng.uniform(lo, hi, n_p),
        hot_along[np.maximum(parent_hot, 0)] + rng.normal(0.0, v.hotspot_sigma_km, n_p),
    )
    parties = [world.controlled_by, world.other_party]
    p_share = np.array([[v.party_share.get(p, 0.0) for p in parties],
                        [v.party_share_truce.get(p, 0.0) for p in parties]])  # fmt: skip
    p_share /= p_share.sum(axis=1, keepdims=True)
    first_party = (rng.random(n_p) >= p_share[(parent_phase == 1).astype(int), 0]).astype(int)
    return _Firings(parent_t, parent_along, first_party, parent_phase, parent_hot)


def _draw_bursts(s: Scenario, world: World, rng: np.random.Generator,
                 parents: _Firings) -> _Firings:  # fmt: skip
    """``1 + Poisson(burst_mean - 1)`` episodes per parent, within ``burst_minutes`` and
    ``burst_km`` of it; a later one is the other party answering with
    :data:`ANSWER_PROBABILITY`. Episodes firing after the period are dropped."""
    v = s.violations
    lo, hi = world.span
    n_p = parents.t.size
    kids = 1 + rng.poisson(v.burst_mean - 1.0, n_p)
    owner = np.repeat(np.arange(n_p), kids)
    n = owner.size
    first = np.zeros(n, dtype=bool)
    first[np.concatenate([[0], np.cumsum(kids)[:-1]]) if n_p else []] = True
    offset_t = np.where(first, 0.0, rng.uniform(0.0, v.burst_minutes * 60.0, n))
    t_fire = parents.t[owner] + offset_t
    along = np.clip(parents.along[owner] + np.where(first, 0.0, rng.normal(0, v.burst_km, n)),
                    lo, hi)  # fmt: skip
    answer = (~first) & (rng.random(n) < ANSWER_PROBABILITY)
    party_idx = np.where(answer, 1 - parents.party_idx[owner], parents.party_idx[owner])
    phase = phase_at(s, t_fire)  # an episode's phase is that of its own time
    keep = t_fire < _epoch(s.period.end)
    return _Firings(t_fire[keep], along[keep], party_idx[keep], phase[keep],
                    parents.hotspot[owner][keep])  # fmt: skip


@dataclass(frozen=True, eq=False)
class _Shots:
    """Per episode: weapon class (index into ``WEAPONS``), rounds, duration (s), projectile
    speed (km/s) and its range bounds (km) and chance of a fire per round."""

    weapon: NDArray[np.int64]
    rounds: NDArray[np.int64]
    duration: NDArray[np.float64]
    speed: NDArray[np.float64]
    range_lo: NDArray[np.float64]
    range_hi: NDArray[np.float64]
    fire_per_round: NDArray[np.float64]


def _draw_weapons(s: Scenario, phase: NDArray[np.int64], rng: np.random.Generator) -> _Shots:
    """Weapon class by the phase's shares; rounds and duration log-uniform in its bounds
    (one round: a one-second episode)."""
    specs = [s.violations.weapons[w] for w in WEAPONS]

    def per_weapon(value: Callable[[WeaponSpec], float]) -> NDArray[np.float64]:
        return np.array([value(w) for w in specs])[weapon]

    share = np.array([[w.share for w in specs], [w.share_truce for w in specs]])
    share /= share.sum(axis=1, keepdims=True)
    u = rng.random(phase.size)
    cum = np.cumsum(share, axis=1)[(phase == 1).astype(int)]
    weapon = np.minimum((u[:, None] > cum).sum(axis=1), len(WEAPONS) - 1).astype(np.int64)
    rounds = np.rint(_log_uniform(rng, per_weapon(lambda w: w.rounds[0]),
                                  per_weapon(lambda w: w.rounds[1]) + 0.499))  # fmt: skip
    rounds = np.maximum(rounds, 1).astype(np.int64)
    duration = 60.0 * _log_uniform(rng, per_weapon(lambda w: w.duration_min[0]),
                                   per_weapon(lambda w: w.duration_min[1]))  # fmt: skip
    duration = np.where(rounds == 1, 1.0, duration)
    return _Shots(
        weapon=weapon, rounds=rounds, duration=duration,
        speed=per_weapon(lambda w: w.speed_km_s),
        range_lo=per_weapon(lambda w: w.range_km[0]), range_hi=per_weapon(lambda w: w.range_km[1]),
        fire_per_round=per_weapon(lambda w: w.fire_per_round),
    )  # fmt: skip


def _place_crossings(
    world: World, rng: np.random.Generator, along: NDArray[np.float64],
    party: NDArray[np.object_], target: NDArray[np.object_], shots: _Shots,
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:  # fmt: skip
    """Origin and impact (local km) and range (km) of each episode: the fire crosses the line
    near ``along``; pairs not held by the firing party and its target are drawn again, up
    to :data:`MAX_REDRAWS` times (then NaN: dropped)."""
    n = along.size
    sign = world.sign_of(party)
    origin = np.full((n, 2), np.nan)
    impact = np.full((n, 2), np.nan)
    distance = np.full(n, np.nan)
    todo = np.arange(n)
    for _ in range(MAX_REDRAWS):
        if todo.size == 0:
            break
        m = todo.size
        r = _log_uniform(rng, shots.range_lo[todo], shots.range_hi[todo])
        theta = np.radians(rng.normal(0.0, CROSSING_SIGMA_DEG, m))
        f = rng.uniform(0.25, 0.75, m)
        jitter = rng.normal(0.0, 0.5, m)
        point, tangent, normal = world.frame(along[todo] + jitter)
        vec = r[:, None] * (np.cos(theta)[:, None] * (-sign[todo])[:, None] * normal
                            + np.sin(theta)[:, None] * tangent)  # fmt: skip
        o = point - f[:, None] * vec
        i = point + (1.0 - f)[:, None] * vec
        ok = (world.held_by(o) == party[todo]) & (world.held_by(i) == target[todo])
        origin[todo[ok]] = o[ok]
        impact[todo[ok]] = i[ok]
        distance[todo[ok]] = r[ok]
        todo = todo[~ok]
    return origin, impact, distance


def _draw_fires(s: Scenario, rng: np.random.Generator, t_impact: NDArray[np.float64],
                shots: _Shots) -> tuple[NDArray[np.bool_], NDArray, NDArray]:  # fmt: skip
    """Whether each episode starts a fire at its impact, and when it starts and ends (epoch
    s; the fire starts during the episode and burns log-uniform in
    ``satellite.fire_duration_h``)."""
    n = t_impact.size
    fire_p = 1.0 - (1.0 - shots.fire_per_round) ** shots.rounds
    has_fire = rng.random(n) < fire_p
    fd_lo, fd_hi = s.satellite.fire_duration_h
    fire_start = t_impact + rng.uniform(0.0, 1.0, n) * shots.duration
    fire_end = fire_start + 3600.0 * _log_uniform(rng, np.full(n, fd_lo), np.full(n, fd_hi))
    return has_fire, fire_start, fire_end
