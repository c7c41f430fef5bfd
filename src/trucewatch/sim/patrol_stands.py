"""Where the patrol teams stood, and the random streams of the patrols' field models.

A :class:`PatrolStand` is one patrol time slot: the teams that worked in it, where each
stood (local km) and the slot's start and end (UTC epoch seconds). The mistaken reports
(:mod:`trucewatch.sim.patrol_mistakes`) and the SMM-style totals
(:mod:`trucewatch.sim.patrol_totals`) are drawn per stand.

Each of those models draws from its own stream, a child of the patrol stream
(:func:`model_rng`), so turning one on neither changes what the patrols hear nor the
other model's draws; a model that is off draws nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from trucewatch.sim.detections import Detections
from trucewatch.sim.scenario import WeaponSpec

__all__ = [
    "MISTAKES_STREAM",
    "SOUND_KM_S",
    "TOTALS_STREAM",
    "PatrolStand",
    "concat_detections",
    "model_rng",
    "patrol_kind",
]

SOUND_KM_S = 0.34
"""Speed of sound (km/s) with which a patrol hears a sound after it was made."""

MISTAKES_STREAM = 1
"""Child stream tag of the mistaken reports."""
TOTALS_STREAM = 2
"""Child stream tag of the SMM-style totals (windows, count and distance errors)."""


@dataclass(frozen=True, eq=False)
class PatrolStand:
    """The working teams of one patrol slot: ``teams`` (team indices), their positions
    ``xy`` (local km, one row per team) and the slot [``start``, ``end``) (epoch s)."""

    slot: int
    start: float
    end: float
    teams: NDArray[np.int64]
    xy: NDArray[np.float64]


def patrol_kind(spec: WeaponSpec, identified: bool) -> str:
    """The kind word a patrol reports for a sound of weapon class ``spec``: its own kind
    when the weapon is identified, else ``explosion`` (a sound with an impact) or
    ``burst``."""
    if identified:
        return spec.kind
    return "explosion" if spec.audible_km > 0 else "burst"


def model_rng(rng: np.random.Generator, tag: int) -> np.random.Generator:
    """A stream of its own for a field model: the child ``tag`` of the seed sequence of
    ``rng`` (``[seed, 10]`` for patrols). Draws nothing from ``rng``."""
    seq = rng.bit_generator.seed_seq
    if not isinstance(seq, np.random.SeedSequence):
        raise TypeError("the patrol stream must come from a SeedSequence")
    child = np.random.SeedSequence(seq.entropy, spawn_key=(*seq.spawn_key, tag))
    return np.random.default_rng(child)


def concat_detections(a: Detections, b: Detections) -> Detections:
    """The rows of ``a`` then those of ``b`` (both with the same ``extra`` columns)."""
    if len(a) == 0:
        return b
    if len(b) == 0:
        return a
    return Detections(
        a.source, np.concatenate([a.site, b.site]), np.concatenate([a.sensor, b.sensor]),
        np.concatenate([a.sensor_xy, b.sensor_xy]), np.concatenate([a.time, b.time]),
        np.concatenate([a.bearing_sigma_rad, b.bearing_sigma_rad]),
        np.concatenate([a.range_sigma_km, b.range_sigma_km]),
        np.concatenate([a.toa_sigma_s, b.toa_sigma_s]),
        np.concatenate([a.point_sigma_km, b.point_sigma_km]),
        np.concatenate([a.obs_sigma_km, b.obs_sigma_km]),
        {k: np.concatenate([v, b.extra[k]]) for k, v in a.extra.items()},
    )  # fmt: skip
