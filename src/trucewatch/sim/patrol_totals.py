"""Patrol reports as the OSCE SMM wrote them (``patrols.report_style = "totals"``).

"Between 19:10 and 21:40, positioned at X, the SMM heard 34 explosions and 120 bursts
3-5 km north-east and east": a team reports **totals over hours from a position**.

1. **Reporting windows.** Each position (a patrol slot) is cut into consecutive windows
   whose lengths are uniform in ``total_window_h`` (the last one ends with the slot).
   A sound belongs to the window in which the team first heard it (its arrival at the
   speed of sound, clipped to the slot).
2. **Events.** The sounds of a team and window are aggregated per reported kind
   (``artillery``, ``mortar``, ``small_arms``, ``explosion``, ``burst``: the kind word of
   the weapon, or ``explosion``/``burst`` when it was not identified) into one event;
   each mistaken sound (:mod:`trucewatch.sim.patrol_mistakes`) is an event of its own.
3. **Count**: the rounds of every sound heard (impacts and firing positions count
   apart), times a log-normal error exp(N(0, ``count_sigma``)) common to the event,
   rounded (at least 1). With probability ``vague_count_share`` it is vague: half of
   those are written "at least N" (N rounded down to a multiple of 5 from 10, of 10
   from 100), half missing (``count`` null: "several").
4. **Distance range**: a judgement error g = exp(N(0, ``distance_sigma``)) common to the
   event scales the nearest and farthest true distances; the range
   [min g / f, max g f] (f = ``distance_factor``) is rounded outward to whole km. It
   holds every true distance of the event whenever |ln g| <= ln f, that is with
   probability at least 2 Phi(ln f / ``distance_sigma``) - 1 (rounding only widens it).
5. **Directions**: the 16-point compass words of every measured bearing (true bearing
   plus N(0, ``bearing_sigma_deg``)), clockwise from north, each word once.
6. **Flow**: the flow judged for every sound if they all agree, else ``undetermined``.

The draws of steps 1, 3 and 4 come from the totals stream
(:data:`~trucewatch.sim.patrol_stands.TOTALS_STREAM`), in stand, team and event order.
Positions local km; bearings grid degrees (converted to true north when written); times
UTC epoch seconds.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from trucewatch.sim.detections import Detections, Sites
from trucewatch.sim.patrol_mistakes import PHANTOM, PHANTOM_SECONDS
from trucewatch.sim.patrol_stands import SOUND_KM_S, PatrolStand, patrol_kind
from trucewatch.sim.scenario import WEAPONS, Scenario
from trucewatch.sim.violations import Episodes
from trucewatch.types import COMPASS_16

__all__ = [
    "AT_LEAST",
    "MISSING",
    "assign_totals",
    "at_least",
    "compass_words",
    "event_flow",
    "whole_km_range",
]

AT_LEAST = 1
"""``extra["vague"]`` of a count written "at least N"."""
MISSING = 2
"""``extra["vague"]`` of a count left out ("several")."""
COMPASS_STEP_DEG = 360.0 / len(COMPASS_16)


def assign_totals(s: Scenario, e: Episodes, sites: Sites, det: Detections,
                  stands: list[PatrolStand], rng: np.random.Generator) -> Detections:  # fmt: skip
    """``det`` with the columns of the totals added (per row, the values of its window
    and event): ``report`` and ``event`` (ids, in order), ``window_start``/``_end``,
    ``heard_start``/``_end`` (epoch s), ``kind``, ``weapon_class`` (-1 unidentified),
    ``true_km`` and ``true_bearing`` (grid degrees) of the sound, ``total_count`` (-1
    missing), ``vague`` (0, :data:`AT_LEAST`, :data:`MISSING`), ``distance_scale`` and
    ``range_min_km``/``range_max_km``. The noise columns become those of a compass word
    and of the reported range (uniform), for the Cramér-Rao bound."""
    p = s.patrols
    x = det.extra
    like = x["like_site"]
    phantom = x["mistaken"] == PHANTOM
    away = sites.xy[like] - det.sensor_xy
    true_km = np.where(phantom, x["distance_km"], np.linalg.norm(away, axis=1))
    true_bearing = np.where(phantom, x["bearing_deg"],
                            np.degrees(np.arctan2(away[:, 0], away[:, 1])) % 360.0)  # fmt: skip
    heard_start = np.where(phantom, det.time, sites.start[like] + true_km / SOUND_KM_S)
    heard_end = np.where(phantom, det.time + PHANTOM_SECONDS,
                         sites.end[like] + true_km / SOUND_KM_S)  # fmt: skip
    window, w_start, w_end = _windows(p.total_window_h, stands, det, heard_start, rng)
    weapon = e.weapon[like // 2]
    specs = [s.violations.weapons[w] for w in WEAPONS]
    kind = np.array([patrol_kind(specs[w], bool(ok)) for w, ok in zip(weapon, x["weapon_ok"],
                                                                       strict=True)], dtype=object)
    event = _events(window, kind, x["mistaken"])
    n_ev = int(event.max()) + 1
    count_scale = np.exp(rng.normal(0.0, p.count_sigma, n_ev))
    vague_u, vague_half = rng.random(n_ev), rng.random(n_ev)
    scale = np.exp(rng.normal(0.0, p.distance_sigma, n_ev))
    total = np.zeros(n_ev)
    np.add.at(total, event, e.rounds[like // 2])
    count = np.maximum(1, np.rint(total * count_scale)).astype(np.int64)
    vague = np.where(vague_u < p.vague_count_share, np.where(vague_half < 0.5, AT_LEAST, MISSING),
                     0)  # fmt: skip
    written = np.array([-1 if v == MISSING else (at_least(int(c)) if v == AT_LEAST else int(c))
                        for c, v in zip(count, vague, strict=True)], dtype=np.int64)  # fmt: skip
    near, far = np.full(n_ev, np.inf), np.zeros(n_ev)
    np.minimum.at(near, event, true_km)
    np.maximum.at(far, event, true_km)
    lo, hi = whole_km_range(near * scale, far * scale, p.distance_factor)
    extra = dict(x) | {
        "report": window, "event": event, "window_start": w_start, "window_end": w_end,
        "heard_start": heard_start, "heard_end": heard_end, "kind": kind,
        "weapon_class": np.where(x["weapon_ok"], weapon, -1), "true_km": true_km,
        "true_bearing": true_bearing, "total_count": written[event], "vague": vague[event],
        "distance_scale": scale[event], "range_min_km": lo[event], "range_max_km": hi[event],
    }  # fmt: skip
    bearing_sigma = np.hypot(np.radians(p.bearing_sigma_deg),
                             np.radians(COMPASS_STEP_DEG) / np.sqrt(12.0))  # fmt: skip
    return Detections(
        det.source, det.site, det.sensor, det.sensor_xy, det.time,
        np.full(len(det), bearing_sigma), (hi - lo)[event] / np.sqrt(12.0), det.toa_sigma_s,
        det.point_sigma_km, det.obs_sigma_km, extra,
    )  # fmt: skip


def _windows(window_h: tuple[float, float], stands: list[PatrolStand], det: Detections,
             heard: NDArray[np.float64], rng: np.random.Generator
             ) -> tuple[NDArray[np.int64], NDArray[np.float64], NDArray[np.float64]]:  # fmt: skip
    """Per row: its reporting window (an id, in stand, team and time order) and the
    window's start and end (epoch s). Every working team's slot is cut into windows
    (drawn whether or not the team heard anything, so the cuts do not depend on it)."""
    slot, team = det.extra["slot"], det.sensor
    window = np.full(len(det), -1, dtype=np.int64)
    w_start, w_end = np.zeros(len(det)), np.zeros(len(det))
    number = 0
    for stand in stands:
        span = stand.end - stand.start
        n_cut = int(np.ceil(span / (window_h[0] * 3600.0))) if window_h[0] > 0 else 1
        lengths = rng.uniform(window_h[0], window_h[1], (stand.teams.size, n_cut)) * 3600.0
        in_stand = slot == stand.slot
        for t, member in enumerate(stand.teams):
            edges = np.minimum(stand.start + np.concatenate([[0.0], np.cumsum(lengths[t])]),
                               stand.end)  # fmt: skip
            edges = edges[: int(np.searchsorted(edges, stand.end)) + 1]
            rows = np.flatnonzero(in_stand & (team == member))
            at = np.clip(heard[rows], stand.start, np.nextafter(stand.end, -np.inf))
            k = np.searchsorted(edges, at, side="right") - 1
            window[rows] = number + k
            w_start[rows], w_end[rows] = edges[k], edges[k + 1]
            number += edges.size - 1
    _, dense = np.unique(window, return_inverse=True)
    return dense.astype(np.int64), w_start, w_end


def _events(window: NDArray[np.int64], kind: NDArray[np.object_],
            mistaken: NDArray[np.int64]) -> NDArray[np.int64]:  # fmt: skip
    """Event id of each row: one per window and kind, and one per mistaken row, numbered
    in window order, kind order, mistakes last."""
    keys = [(int(w), 1, str(k), i) if m else (int(w), 0, str(k), -1)
            for i, (w, k, m) in enumerate(zip(window, kind, mistaken, strict=True))]
    ids = {key: n for n, key in enumerate(sorted(set(keys)))}
    return np.array([ids[key] for key in keys], dtype=np.int64)


def at_least(n: int) -> int:
    """The round number a team writes for "at least N" of ``n`` counted: ``n`` below 10,
    a multiple of 5 below 100, else of 10 (never above ``n``)."""
    if n < 10:
        return n
    step = 5 if n < 100 else 10
    return n // step * step


def whole_km_range(near: NDArray[np.float64], far: NDArray[np.float64],
                   factor: float) -> tuple[NDArray[np.float64], NDArray[np.float64]]:  # fmt: skip
    """[near / factor, far × factor] rounded outward to whole km (at least 1 km wide)."""
    lo = np.floor(near / factor)
    return lo, np.maximum(lo + 1.0, np.ceil(far * factor))


def compass_words(bearings_deg: NDArray[np.float64]) -> list[str]:
    """The 16-point compass words of bearings (degrees from true north), each once,
    clockwise from north."""
    points = np.unique(np.rint(np.asarray(bearings_deg) / COMPASS_STEP_DEG).astype(int) % 16)
    return [COMPASS_16[k] for k in points]


def event_flow(flows: NDArray[np.object_]) -> str:
    """The flow of an event: the one judged for all its sounds, else ``undetermined``."""
    distinct = set(flows.tolist())
    return distinct.pop() if len(distinct) == 1 else "undetermined"
