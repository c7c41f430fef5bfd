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

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import numpy as np
from numpy.typing import NDArray

from trucewatch.sim.scenario import WEAPONS, Scenario
from trucewatch.sim.world import World

__all__ = ["PHASES", "Episodes", "generate_episodes", "local_hours"]

PHASES = ("before", "during", "after")
ANSWER_PROBABILITY = 0.4
"""Probability that a later episode of a burst is the other party answering."""
CROSSING_SIGMA_DEG = 20.0
MAX_REDRAWS = 30


@dataclass(frozen=True, eq=False)
class Episodes:
    """Parallel arrays, one row per episode, sorted by firing time."""

    t_fire: NDArray[np.float64]
    duration_s: NDArray[np.float64]
    tof_s: NDArray[np.float64]
    weapon: NDArray[np.int64]
    rounds: NDArray[np.int64]
    party: NDArray[np.object_]
    target: NDArray[np.object_]
    phase: NDArray[np.int64]
    hotspot: NDArray[np.int64]
    along_km: NDArray[np.float64]
    origin: NDArray[np.float64]
    impact: NDArray[np.float64]
    fire: NDArray[np.bool_]
    fire_start: NDArray[np.float64]
    fire_end: NDArray[np.float64]
    hotspots_along: NDArray[np.float64] = field(default_factory=lambda: np.empty(0))
    hotspots_weight: NDArray[np.float64] = field(default_factory=lambda: np.empty(0))
    dropped: int = 0

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
    truce0, truce1 = _epoch(s.truce.start), _epoch(s.truce.end)
    mid = t + 1800.0
    phase = np.where(mid < truce0, 0, np.where(mid < truce1, 1, 2)).astype(np.int64)
    return t, phase


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


def generate_episodes(s: Scenario, world: World, rng: np.random.Generator) -> Episodes:
    """Draw the episodes of a scenario (deterministic for a given ``rng`` state)."""
    v = s.violations
    lo, hi = world.span
    n_hot = v.hotspots
    hot_along = np.sort(rng.uniform(lo, hi, n_hot))
    hot_weight = rng.exponential(1.0, n_hot)
    hot_weight /= hot_weight.sum()

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

    n_parents = rng.poisson(per_hour / v.burst_mean)
    parent_hour = np.repeat(np.arange(hour_t.size), n_parents)
    n_p = parent_hour.size
    parent_t = hour_t[parent_hour] + rng.uniform(0.0, 3600.0, n_p) * frac[parent_hour]
    parent_phase = hour_phase[parent_hour]
    background = rng.random(n_p) < v.background_share
    parent_hot = np.where(background, -1, rng.choice(n_hot, n_p, p=hot_weight))
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

    kids = 1 + rng.poisson(v.burst_mean - 1.0, n_p)
    owner = np.repeat(np.arange(n_p), kids)
    n = owner.size
    first = np.zeros(n, dtype=bool)
    first[np.concatenate([[0], np.cumsum(kids)[:-1]]) if n_p else []] = True
    offset_t = np.where(first, 0.0, rng.uniform(0.0, v.burst_minutes * 60.0, n))
    t_fire = parent_t[owner] + offset_t
    along = np.clip(parent_along[owner] + np.where(first, 0.0, rng.normal(0, v.burst_km, n)),
                    lo, hi)  # fmt: skip
    answer = (~first) & (rng.random(n) < ANSWER_PROBABILITY)
    party_idx = np.where(answer, 1 - first_party[owner], first_party[owner])
    phase_of = parent_phase[owner]
    # an episode's phase is that of its own time
    truce0, truce1 = _epoch(s.truce.start), _epoch(s.truce.end)
    phase = np.where(t_fire < truce0, 0, np.where(t_fire < truce1, 1, 2)).astype(np.int64)
    del phase_of
    keep = t_fire < _epoch(s.period.end)
    t_fire, along, party_idx, phase = t_fire[keep], along[keep], party_idx[keep], phase[keep]
    hotspot = parent_hot[owner][keep]
    n = t_fire.size

    specs = [v.weapons[w] for w in WEAPONS]
    share = np.array([[w.share for w in specs], [w.share_truce for w in specs]])
    share /= share.sum(axis=1, keepdims=True)
    u = rng.random(n)
    cum = np.cumsum(share, axis=1)[(phase == 1).astype(int)]
    weapon = np.minimum((u[:, None] > cum).sum(axis=1), len(WEAPONS) - 1).astype(np.int64)
    rng_lo = np.array([w.range_km[0] for w in specs])[weapon]
    rng_hi = np.array([w.range_km[1] for w in specs])[weapon]
    rounds = np.rint(_log_uniform(rng, np.array([w.rounds[0] for w in specs])[weapon],
                                  np.array([w.rounds[1] for w in specs])[weapon] + 0.499))
    rounds = np.maximum(rounds, 1).astype(np.int64)
    duration = 60.0 * _log_uniform(rng, np.array([w.duration_min[0] for w in specs])[weapon],
                                   np.array([w.duration_min[1] for w in specs])[weapon])
    rounds_one = rounds == 1
    duration = np.where(rounds_one, 1.0, duration)
    speed = np.array([w.speed_km_s for w in specs])[weapon]
    party = np.array(parties, dtype=object)[party_idx]
    target = np.array(parties, dtype=object)[1 - party_idx]
    sign = world.sign_of(party)

    origin = np.full((n, 2), np.nan)
    impact = np.full((n, 2), np.nan)
    distance = np.full(n, np.nan)
    todo = np.arange(n)
    for _ in range(MAX_REDRAWS):
        if todo.size == 0:
            break
        m = todo.size
        r = _log_uniform(rng, rng_lo[todo], rng_hi[todo])
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
    placed = np.isfinite(distance)
    dropped = int((~placed).sum())

    fire_p = 1.0 - (1.0 - np.array([w.fire_per_round for w in specs])[weapon]) ** rounds
    has_fire = rng.random(n) < fire_p
    fd_lo, fd_hi = s.satellite.fire_duration_h
    fire_start = t_fire + distance / speed + rng.uniform(0.0, 1.0, n) * duration
    fire_end = fire_start + 3600.0 * _log_uniform(rng, np.full(n, fd_lo), np.full(n, fd_hi))

    sel = np.flatnonzero(placed)
    order = sel[np.argsort(t_fire[sel], kind="stable")]
    return Episodes(
        t_fire=t_fire[order],
        duration_s=duration[order],
        tof_s=(distance / speed)[order],
        weapon=weapon[order],
        rounds=rounds[order],
        party=party[order],
        target=target[order],
        phase=phase[order],
        hotspot=hotspot[order],
        along_km=along[order],
        origin=origin[order],
        impact=impact[order],
        fire=has_fire[order],
        fire_start=np.where(has_fire, fire_start, np.nan)[order],
        fire_end=np.where(has_fire, fire_end, np.nan)[order],
        hotspots_along=hot_along,
        hotspots_weight=hot_weight,
        dropped=dropped,
    )
