"""Random streams of the field error models, apart from the streams they refine.

A sensor model draws from ``numpy.random.default_rng([seed, k])``. Each field error model
of that sensor draws from a child of the same seed sequence with its own fixed ``tag``
(:func:`substream`): creating the child draws nothing from the parent, so a model that is
off leaves every existing draw unchanged, and turning one model on does not reshuffle
the draws of the others.
"""

from __future__ import annotations

import numpy as np

__all__ = ["substream"]


def substream(rng: np.random.Generator, tag: int) -> np.random.Generator:
    """The child stream ``tag`` of ``rng``'s seed sequence (the same for the same seed and
    tag, whatever was drawn from ``rng`` before)."""
    seq = rng.bit_generator.seed_seq
    if not isinstance(seq, np.random.SeedSequence):
        raise TypeError("the parent stream must be seeded from a SeedSequence")
    child = np.random.SeedSequence(seq.entropy, spawn_key=(*seq.spawn_key, 1000 + tag))
    return np.random.default_rng(child)
