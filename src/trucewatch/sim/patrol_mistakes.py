"""Mistaken patrol reports: sounds misjudged (``patrols.mistaken_per_team_day``).

Each working team makes Poisson(``mistaken_per_team_day / moves_per_day``) mistakes per
slot. A mistake is, with probability :data:`WRONG_DIRECTION_SHARE` when the team heard
anything in that slot, a real sound it heard reported once more in a **wrong direction**
(turned by 90-270 degrees: an echo off a slope or a building, a sound judged from the
wrong side), else a **phantom**: a sound heard where nothing happened (the sound of a
random episode of the scenario - its weapon and rounds - at a uniform time of the slot,
a uniform direction and 10-80 % of that sound's audible range).

A mistaken row has ``site`` -1 (it stems from no site, so it names no site in
``truth.jsonl``), ``extra["mistaken"]`` :data:`PHANTOM` or :data:`WRONG_DIRECTION`, and
``extra["like_site"]`` the site whose sound it imitates (the misjudged site for a wrong
direction). Positions local km; bearings grid degrees; times UTC epoch seconds.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from trucewatch.sim.detections import Detections, Sites, noise_columns
from trucewatch.sim.patrol_stands import PatrolStand, concat_detections
from trucewatch.sim.sensor_specs import PatrolSpec

__all__ = ["MISTAKES", "PHANTOM", "WRONG_DIRECTION", "WRONG_DIRECTION_SHARE", "with_mistakes"]

PHANTOM = 1
"""``extra["mistaken"]`` of a sound heard where nothing happened."""
WRONG_DIRECTION = 2
"""``extra["mistaken"]`` of a real sound reported in a wrong direction."""
MISTAKES = {0: None, PHANTOM: "phantom", WRONG_DIRECTION: "wrong_direction"}
"""The name of each ``extra["mistaken"]`` code (0: not mistaken)."""
WRONG_DIRECTION_SHARE = 0.5
"""Share of the mistakes that turn a real sound's direction (when there is one)."""
PHANTOM_RANGE_SHARE = (0.1, 0.8)
"""A phantom's judged distance, as a share of its sound's audible range."""
PHANTOM_SECONDS = 60.0
"""How long a phantom sound lasts (s)."""


def with_mistakes(p: PatrolSpec, stands: list[PatrolStand], det: Detections, sites: Sites,
                  rounds: NDArray[np.int64], rng: np.random.Generator) -> Detections:  # fmt: skip
    """``det`` (the patrol rows heard, ``extra`` with ``mistaken`` and ``like_site``)
    followed by the mistaken rows of every stand, in stand and team order. ``rounds``:
    rounds of each episode. Draws nothing when ``mistaken_per_team_day`` is 0."""
    if p.mistaken_per_team_day <= 0:
        return det
    heard: dict[tuple[int, int], list[int]] = {}
    if len(det):
        for i, key in enumerate(zip(det.extra["slot"].tolist(), det.sensor.tolist(),
                                    strict=True)):  # fmt: skip
            heard.setdefault(key, []).append(i)
    audible = np.flatnonzero(sites.audible_km > 0)
    rows: list[dict[str, float | int | str | bool]] = []
    lam = p.mistaken_per_team_day / p.moves_per_day
    for stand in stands:
        per_team = rng.poisson(lam, stand.teams.size)
        for t in np.flatnonzero(per_team):
            team, xy = int(stand.teams[t]), stand.xy[t]
            for _ in range(int(per_team[t])):
                own = heard.get((stand.slot, team), [])
                if own and rng.random() < WRONG_DIRECTION_SHARE:
                    row = _wrong_direction(det, own[int(rng.integers(len(own)))], rng)
                elif audible.size:
                    row = _phantom(p, stand, sites, rounds, audible, rng)
                else:
                    continue
                rows.append(row | {"sensor": team, "x": xy[0], "y": xy[1], "slot": stand.slot})
    return concat_detections(det, _as_detections(p, rows, sites))


def _wrong_direction(det: Detections, j: int, rng: np.random.Generator
                     ) -> dict[str, float | int | str | bool]:  # fmt: skip
    """Row ``j`` heard once more, turned by 90-270 degrees."""
    x = det.extra
    return {"time": float(det.time[j]),
            "bearing_deg": float((x["bearing_deg"][j] + rng.uniform(90.0, 270.0)) % 360.0),
            "distance_km": float(x["distance_km"][j]), "count": int(x["count"][j]),
            "flow": str(x["flow"][j]), "weapon_ok": bool(x["weapon_ok"][j]),
            "mistaken": WRONG_DIRECTION, "like_site": int(det.site[j])}  # fmt: skip


def _phantom(p: PatrolSpec, stand: PatrolStand, sites: Sites, rounds: NDArray[np.int64],
             audible: NDArray[np.int64], rng: np.random.Generator
             ) -> dict[str, float | int | str | bool]:  # fmt: skip
    """A sound heard where nothing happened, like that of a random audible site."""
    like = int(audible[int(rng.integers(audible.size))])
    share = rng.uniform(*PHANTOM_RANGE_SHARE)
    count = max(1, int(np.rint(rounds[like // 2] * np.exp(rng.normal(0.0, p.count_sigma)))))
    return {"time": float(rng.uniform(stand.start, stand.end)),
            "bearing_deg": float(rng.uniform(0.0, 360.0)),
            "distance_km": float(sites.audible_km[like] * share), "count": count,
            "flow": "undetermined", "weapon_ok": False, "mistaken": PHANTOM,
            "like_site": like}  # fmt: skip


def _as_detections(p: PatrolSpec, rows: list[dict[str, float | int | str | bool]],
                   sites: Sites) -> Detections:  # fmt: skip
    """The mistaken rows as patrol detections (site -1), noise as for a real sound."""
    n = len(rows)
    if n == 0:
        return Detections.empty("patrol")

    def col(key: str, dtype: type | str) -> NDArray:
        return np.array([r[key] for r in rows], dtype=dtype)

    distance = col("distance_km", float)
    noise = noise_columns(n, bearing_sigma_rad=np.radians(p.bearing_sigma_deg),
                          range_sigma_km=p.distance_sigma * distance,
                          obs_sigma_km=p.observer_sigma_km)  # fmt: skip
    flow = col("flow", object)
    return Detections(
        "patrol", np.full(n, -1, dtype=np.int64), col("sensor", np.int64),
        np.column_stack([col("x", float), col("y", float)]), col("time", float), **noise,
        extra={"bearing_deg": col("bearing_deg", float), "distance_km": distance,
               "count": col("count", np.int64), "flow": flow,
               "weapon_ok": col("weapon_ok", bool), "slot": col("slot", np.int64),
               "true_flow": flow.copy(), "mistaken": col("mistaken", np.int64),
               "like_site": col("like_site", np.int64)},
    )  # fmt: skip
