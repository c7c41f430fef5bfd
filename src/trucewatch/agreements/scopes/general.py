"""Scope ``general``: all fire, everywhere."""

from __future__ import annotations

from trucewatch.agreements.clauses.base import Check, Tri
from trucewatch.agreements.scopes.air import AIR_STRIKE_KINDS
from trucewatch.agreements.scopes.base import Scope
from trucewatch.types import EventKind

__all__ = ["FIRE_KINDS", "GeneralScope"]

FIRE_KINDS: frozenset[str] = frozenset(
    {"explosion", "artillery", "mortar", "small_arms", "burst", "shot", "projectile",
     "grenade"}
) | AIR_STRIKE_KINDS
"""Kinds that are fire for a ``general`` or ``sea`` scope."""


class GeneralScope(Scope):
    """All fire, wherever the clause's zone (if any) applies."""

    key = "general"
    fire_words = "fire"

    def event_check(self, kind: str, words: str) -> Check:
        if kind in FIRE_KINDS:
            return Check(Tri.YES, words)
        if kind == EventKind.FLARE.value:
            return Check(Tri.UNKNOWN, "an illumination flare is not fire at the other side; "
                         "whether it breaks the truce depends on the text")
        return Check(Tri.UNKNOWN, f"{words} is not a known kind of fire")
