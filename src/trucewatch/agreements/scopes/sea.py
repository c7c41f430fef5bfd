"""Scope ``sea``: fire at sea (not on land, see :mod:`trucewatch.agreements.sea`)."""

from __future__ import annotations

import numpy as np

from trucewatch.agreements.clauses.base import Check, Tri
from trucewatch.agreements.model import LoadedAgreement
from trucewatch.agreements.scopes.base import Places
from trucewatch.agreements.scopes.general import GeneralScope
from trucewatch.agreements.sea import COAST, LAND, DefaultLand, sea_state

__all__ = ["SeaScope"]


class SeaScope(GeneralScope):
    """The kinds of fire of :class:`GeneralScope`, only at sea: a place whose location
    uncertainty reaches the coast cannot be told."""

    key = "sea"
    fire_words = "fire at sea"

    def place_checks(self, agreement: LoadedAgreement, places: Places) -> list[list[Check]]:
        land = places.land if places.land is not None else DefaultLand()
        margins = places.margins_km
        radius = np.where(np.isfinite(margins), margins, 0.0)
        states = sea_state(land, places.lon, places.lat, radius)
        bad = ~np.isfinite(margins)
        return [[_sea_check(None if bad[j] else int(states[j]))] for j in range(len(margins))]


def _sea_check(state: int | None) -> Check:
    if state is None or state == COAST:
        return Check(Tri.UNKNOWN, "the coast lies within the location uncertainty, so "
                     "'at sea' cannot be told")
    if state == LAND:
        return Check(Tri.NO, "on land, and the agreement covers only the sea")
    return Check(Tri.YES, "at sea")
