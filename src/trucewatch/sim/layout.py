"""Where the sensors stand: fixed acoustic arrays and cameras, and the patrols' bases.

Sensors stand behind the line on their owner's side (``side``: one party or ``both``,
alternating), placed evenly along the simulated stretch or near the hot spots of the
violations. All positions local km; bearings grid degrees clockwise from the plane's north.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from trucewatch.sim.camera_faults import camera_outages, thermal_cameras
from trucewatch.sim.outages import Outages
from trucewatch.sim.scenario import Scenario
from trucewatch.sim.violations import Episodes
from trucewatch.sim.world import World

__all__ = ["Layout", "behind_line", "build_layout", "keep_away"]


@dataclass(frozen=True, eq=False)
class Layout:
    """Fixed sensors: positions (local km), owning side, and for cameras the pointing
    direction (grid bearing, degrees), when each is down and whether it has thermal
    imaging (:mod:`trucewatch.sim.camera_faults`)."""

    acoustic_xy: NDArray[np.float64]
    acoustic_side: NDArray[np.object_]
    camera_xy: NDArray[np.float64]
    camera_side: NDArray[np.object_]
    camera_axis_deg: NDArray[np.float64]
    patrol_base_along: NDArray[np.float64]
    patrol_side: NDArray[np.object_]
    camera_outages: Outages = field(default_factory=Outages.none)
    camera_thermal: NDArray[np.bool_] = field(default_factory=lambda: np.empty(0, bool))


def _sides(world: World, side: str, n: int) -> NDArray[np.object_]:
    if side == "both":
        parties = [world.other_party, world.controlled_by]
        return np.array([parties[i % 2] for i in range(n)], dtype=object)
    return np.full(n, side, dtype=object)


def behind_line(
    world: World, along: NDArray, side: NDArray[np.object_], depth: NDArray
) -> tuple[NDArray[np.float64], NDArray[np.bool_], NDArray[np.float64]]:
    """Points ``depth`` km behind the line on ``side`` at ``along``; whether each is held by
    that side (tries half and quarter depth before giving up); the normal toward the line."""
    point, _, normal = world.frame(along)
    sign = world.sign_of(side)
    xy = np.full((along.size, 2), np.nan)
    ok = np.zeros(along.size, dtype=bool)
    for factor in (1.0, 0.5, 0.25):
        cand = point + (sign * depth * factor)[:, None] * normal
        good = (~ok) & (world.held_by(cand) == side)
        xy[good] = cand[good]
        ok |= good
    toward = -sign[:, None] * normal
    axis = np.degrees(np.arctan2(toward[:, 0], toward[:, 1])) % 360.0
    return xy, ok, axis


KEEP_AWAY_STEPS = 4
"""Times a position too close to a hot spot is pushed away (a push may bring it near
another one); a position still too close, or not held by its side, is dropped."""


def keep_away(world: World, xy: NDArray[np.float64], ok: NDArray[np.bool_],
              side: NDArray[np.object_], centres: NDArray[np.float64],
              min_km: float) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:  # fmt: skip
    """Positions ``xy`` (local km) moved to at least ``min_km`` from every hot spot centre
    ``centres`` (local km): one too close is pushed straight away from the nearest centre
    to ``min_km``; those still too close or no longer held by their ``side`` are dropped
    (``ok`` false: security restrictions kept the team away). Deterministic: no random
    numbers."""
    xy, ok = xy.copy(), ok.copy()
    if min_km <= 0 or centres.size == 0 or not ok.any():
        return xy, ok

    def nearest() -> tuple[NDArray[np.int64], NDArray[np.float64]]:
        d = np.linalg.norm(np.nan_to_num(xy)[:, None, :] - centres[None, :, :], axis=2)
        k = np.argmin(d, axis=1)
        return k, d[np.arange(xy.shape[0]), k]

    for _ in range(KEEP_AWAY_STEPS):
        k, d = nearest()
        close = np.flatnonzero(ok & (d < min_km))
        if close.size == 0:
            break
        away = xy[close] - centres[k[close]]
        norm = np.linalg.norm(away, axis=1)
        unit = away / np.where(norm > 0, norm, 1.0)[:, None]
        unit[norm == 0] = (1.0, 0.0)
        xy[close] = centres[k[close]] + unit * min_km * (1.0 + 1e-6)
    _, d = nearest()
    held = np.zeros(ok.size, dtype=bool)
    held[ok] = world.held_by(xy[ok]) == side[ok]
    return xy, ok & held & (d >= min_km)


def _placements(rng: np.random.Generator, n: int, world: World, how: str,
                episodes: Episodes) -> NDArray[np.float64]:  # fmt: skip
    lo, hi = world.span
    if n == 0:
        return np.empty(0)
    if how == "uniform" or episodes.hotspots_along.size == 0:
        return lo + (np.arange(n) + 0.5) * (hi - lo) / n
    hot = episodes.hotspots_along[np.argsort(-episodes.hotspots_weight, kind="stable")]
    base = hot[np.arange(n) % hot.size]
    return np.clip(base + rng.normal(0.0, 5.0, n), lo, hi)


def build_layout(s: Scenario, world: World, episodes: Episodes,
                 rng: np.random.Generator) -> Layout:  # fmt: skip
    """Positions of the fixed sensors and the patrol bases."""
    lo, hi = world.span
    a = s.acoustic
    if a.enabled:
        n_ac = max(1, int(np.floor((hi - lo) / a.spacing_km)))
        along = lo + (np.arange(n_ac) + 0.5) * (hi - lo) / n_ac
        side = _sides(world, a.side, n_ac)
        xy, ok, _ = behind_line(world, along, side, np.full(n_ac, a.depth_km))
        ac_xy, ac_side = xy[ok], side[ok]
    else:
        ac_xy, ac_side = np.empty((0, 2)), np.empty(0, dtype=object)
    c = s.cameras
    along = _placements(rng, c.count, world, c.placement, episodes)
    side = _sides(world, c.side, along.size)
    xy, ok, axis = behind_line(world, along, side, np.full(along.size, c.depth_km))
    p = s.patrols
    p_along = _placements(rng, p.teams, world, p.placement, episodes)
    return Layout(
        acoustic_xy=ac_xy,
        acoustic_side=ac_side,
        camera_xy=xy[ok],
        camera_side=side[ok],
        camera_axis_deg=axis[ok],
        patrol_base_along=p_along,
        patrol_side=_sides(world, p.side, p_along.size),
        camera_outages=camera_outages(s, int(ok.sum()), rng),
        camera_thermal=thermal_cameras(c, int(ok.sum()), rng),
    )
