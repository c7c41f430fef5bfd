"""Random streams of their own for the field error models.

Every stage of a simulation draws from its own stream (``numpy.random.default_rng([seed,
k])``, :mod:`trucewatch.sim.simulation`). A field error model of a sensor draws from a
*substream* of the sensor's stream: a child of its seed sequence, derived without drawing
a single number from the parent. So a model that is off leaves its sensor's draws
untouched, and turning one model on does not reshuffle the draws of the others.
"""

from __future__ import annotations

import numpy as np

__all__ = ["substream"]


def substream(rng: np.random.Generator, tag: int) -> np.random.Generator:
    """The stream numbered ``tag`` under ``rng``'s seed sequence (the same for the same
    seed and tag, independent of ``rng``'s own draws and of the other tags)."""
    seq = rng.bit_generator.seed_seq
    if not isinstance(seq, np.random.SeedSequence):
        raise TypeError("substream needs a generator seeded through a SeedSequence")
    child = np.random.SeedSequence(seq.entropy, spawn_key=(*seq.spawn_key, tag),
                                   pool_size=seq.pool_size)  # fmt: skip
    return np.random.default_rng(child)
