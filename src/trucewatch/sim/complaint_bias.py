"""The parties' bias in their complaints, each off at its default (docs/simulator.md,
"[complaints]").

5. **Own fire blamed on the other side**: a share ``own_fire_blame_share`` of the
   complaints about real episodes is filed by the party that fired, placed at its own
   firing position and accusing the other party.
6. **Fabrications near real fighting**: a share ``fabrication_near_fighting_share`` of
   the false accusations is placed within ``fabrication_km`` of a site (on the
   complainant's side) of an episode fired up to ``fabrication_hours`` before it.
7. **Late and vague filing**: ``filed_utc`` comes a log-normal delay (median
   ``filing_delay_median_h``, sd of ln ``filing_delay_sigma``) after the stated window;
   the window is rounded outward to blocks of ``time_vagueness_h`` hours from local
   midnight.
8. **Count inflation**: stated rounds times a log-normal factor (median
   ``count_inflation``, sd of ln ``count_inflation_sigma``).

Each model draws from its own child of the complaint stream
(:func:`trucewatch.sim.streams.substream`). ``extra["status"]`` says what each complaint
is: ``true``, ``own_fire_blame`` or ``fabricated`` (``extra["near_episode"]``: the episode
a fabrication was placed near, -1 if none). Times UTC epoch seconds; positions local km.
"""

from __future__ import annotations

from datetime import datetime

import numpy as np
from numpy.typing import NDArray

from trucewatch.sim.detections import Detections
from trucewatch.sim.scenario import Scenario
from trucewatch.sim.sensor_specs import ComplaintSpec
from trucewatch.sim.streams import substream
from trucewatch.sim.violations import Episodes
from trucewatch.sim.world import World

__all__ = ["STATUSES", "apply_complaint_bias", "bias_on", "own_fire_blamed"]

BLAME_STREAM, FABRICATION_STREAM, DELAY_STREAM, INFLATION_STREAM = 1, 2, 3, 4
"""Child stream tags of the complaint bias models."""
STATUSES = ("true", "own_fire_blame", "fabricated")
"""What a complaint is, in the ground truth."""
PLACEMENT_TRIES = 10
"""Draws of a fabrication's position near a site before taking the site itself."""


def bias_on(c: ComplaintSpec) -> bool:
    """Whether any of the complaint bias models is on."""
    return (c.own_fire_blame_share > 0 or c.fabrication_near_fighting_share > 0
            or c.filing_delay_median_h > 0 or c.time_vagueness_h > 0
            or c.count_inflation != 1 or c.count_inflation_sigma > 0)  # fmt: skip


def own_fire_blamed(c: ComplaintSpec, n: int, rng: np.random.Generator) -> NDArray[np.bool_]:
    """Which of ``n`` complaints about real episodes blame the complainant's own fire on
    the other side (none, drawing nothing, when off)."""
    if c.own_fire_blame_share <= 0:
        return np.zeros(n, dtype=bool)
    return substream(rng, BLAME_STREAM).random(n) < c.own_fire_blame_share


# --------------------------------------------------------------------------- fabrications


def _recent_episode(e: Episodes, t: NDArray[np.float64], hours: float,
                    u: NDArray[np.float64]) -> NDArray[np.int64]:  # fmt: skip
    """An episode fired in [t - hours, t] for each time (chosen by ``u`` in [0, 1)), -1 if
    there is none (episodes are sorted by firing time)."""
    lo = np.searchsorted(e.t_fire, t - hours * 3600.0, side="left")
    hi = np.searchsorted(e.t_fire, t, side="right")
    k = lo + np.floor(u * (hi - lo)).astype(np.int64)
    return np.where(hi > lo, k, -1)


def _place_near(world: World, site_xy: NDArray[np.float64], party: NDArray[np.object_],
                km: float, rng: np.random.Generator) -> NDArray[np.float64]:  # fmt: skip
    """A point uniform within ``km`` of each site and held by ``party`` (the first of
    :data:`PLACEMENT_TRIES` draws that is, else the site itself)."""
    n = site_xy.shape[0]
    r = km * np.sqrt(rng.random((PLACEMENT_TRIES, n)))
    a = rng.uniform(0.0, 2.0 * np.pi, (PLACEMENT_TRIES, n))
    out = site_xy.copy()
    placed = np.zeros(n, dtype=bool)
    for k in range(PLACEMENT_TRIES):
        cand = site_xy + np.column_stack([r[k] * np.sin(a[k]), r[k] * np.cos(a[k])])
        good = ~placed & (world.held_by(cand) == party)
        out[good] = cand[good]
        placed |= good
    return out


def _fabricate_near_fighting(s: Scenario, world: World, e: Episodes, det: Detections,
                             rng: np.random.Generator) -> None:  # fmt: skip
    """Move a share of the false accusations near recent real fighting (in place)."""
    c = s.complaints
    false = np.flatnonzero(det.site < 0)
    r = substream(rng, FABRICATION_STREAM)
    chosen = r.random(false.size) < c.fabrication_near_fighting_share
    u = r.random(false.size)
    middle = (det.time[false] + det.extra["end"][false]) / 2.0
    k = np.where(chosen, _recent_episode(e, middle, c.fabrication_hours, u), -1)
    rows, k = false[k >= 0], k[k >= 0]
    party = det.extra["complainant"][rows]
    site_xy = np.where((e.target[k] == party)[:, None], e.impact[k], e.origin[k])
    near = _place_near(world, site_xy, party, c.fabrication_km, r)
    det.extra["xy"] = det.extra["xy"].copy()
    det.extra["xy"][rows] = near
    det.extra["near_episode"][rows] = k


# --------------------------------------------------------------------------- timing, counts


def _lognormal(median: float, sigma: float, n: int, rng: np.random.Generator
               ) -> NDArray[np.float64]:  # fmt: skip
    return median * np.exp(rng.normal(0.0, sigma, n))


def _rounded_out(s: Scenario, t: NDArray[np.float64], hours: float, up: bool
                 ) -> NDArray[np.float64]:  # fmt: skip
    """Times rounded down (or ``up``) to blocks of ``hours`` from local midnight (a block
    ends at the next midnight at the latest)."""
    out = np.empty(t.size)
    block = hours * 3600.0
    for i, ti in enumerate(t):
        local = datetime.fromtimestamp(float(ti), s.zone)
        midnight = local.replace(hour=0, minute=0, second=0, microsecond=0).timestamp()
        step = np.ceil if up else np.floor
        rounded = midnight + step((float(ti) - midnight) / block) * block
        next_midnight = datetime.fromtimestamp(midnight + 86400.0 + 7200.0, s.zone).replace(
            hour=0, minute=0, second=0, microsecond=0).timestamp()  # fmt: skip
        out[i] = min(rounded, next_midnight) if up else rounded
    return out


def _file_late_and_vague(s: Scenario, det: Detections, rng: np.random.Generator) -> None:
    """Log-normal filing delays and windows rounded outward (in place)."""
    c = s.complaints
    if c.filing_delay_median_h > 0:
        delay_h = _lognormal(c.filing_delay_median_h, c.filing_delay_sigma, len(det),
                             substream(rng, DELAY_STREAM))  # fmt: skip
        det.extra["filed"] = det.extra["end"] + delay_h * 3600.0
    if c.time_vagueness_h > 0:
        det.time = _rounded_out(s, det.time, c.time_vagueness_h, up=False)
        det.extra["end"] = _rounded_out(s, det.extra["end"], c.time_vagueness_h, up=True)


def _inflate_counts(c: ComplaintSpec, det: Detections, rng: np.random.Generator) -> None:
    if c.count_inflation == 1 and c.count_inflation_sigma <= 0:
        return
    factor = _lognormal(c.count_inflation, c.count_inflation_sigma, len(det),
                        substream(rng, INFLATION_STREAM))  # fmt: skip
    det.extra["count"] = np.maximum(1, np.rint(det.extra["count"] * factor)).astype(np.int64)


def apply_complaint_bias(s: Scenario, world: World, e: Episodes, det: Detections,
                         rng: np.random.Generator) -> Detections:  # fmt: skip
    """The complaints with fabrications moved near fighting, late and vague filing and
    inflated counts (``rng``: the complaint stream, only its children are drawn from)."""
    c = s.complaints
    if c.fabrication_near_fighting_share > 0 and len(e):
        _fabricate_near_fighting(s, world, e, det, rng)
    _file_late_and_vague(s, det, rng)
    _inflate_counts(c, det, rng)
    return det
