"""Scope ``air``: only air and drone strikes."""

from __future__ import annotations

from trucewatch.agreements.clauses.base import Check, IncidentFacts, Tri
from trucewatch.agreements.scopes.base import Scope

__all__ = ["AIR_STRIKE_KINDS", "AirScope"]

AIR_STRIKE_KINDS: frozenset[str] = frozenset(
    {"air_strike", "drone_strike", "drone", "missile_strike", "missile", "aerial_bomb"}
)
"""Event kinds (by value) that are air or drone strikes. :class:`EventKind` has none
yet; a kind added with one of these values is assessed as such without a change here."""


class AirScope(Scope):
    """Air and drone strikes anywhere; a projectile or an explosion may be one."""

    key = "air"
    fire_words = "air or drone strikes"

    def thermal_check(self, facts: IncidentFacts) -> Check:
        return Check(Tri.UNKNOWN, "a satellite thermal anomaly does not tell an air "
                     "strike from shelling or a field fire")

    def event_check(self, kind: str, words: str) -> Check:
        if kind in AIR_STRIKE_KINDS:
            return Check(Tri.YES, words)
        if kind in ("projectile", "explosion"):
            return Check(Tri.UNKNOWN, f"{words} may come from a drone, missile or aircraft "
                         "or from artillery (the event vocabulary has no air or drone "
                         "strike kind yet)")
        return Check(Tri.NO, f"{words} is not an air or drone strike")
