"""The clause types: the activity a clause may prohibit -> how it is judged.

Adding a clause type is one module with a :class:`~.base.ClauseCheck` subclass and one line
here; its key becomes a word the loader accepts in ``prohibits`` (:data:`PROHIBITIONS`).
"""

from __future__ import annotations

from trucewatch.agreements.clauses.base import ClauseCheck, by_key
from trucewatch.agreements.clauses.fire import FireClause
from trucewatch.agreements.clauses.offensive_movement import OffensiveMovementClause
from trucewatch.agreements.clauses.presence import HeavyWeaponsPresenceClause

__all__ = ["CLAUSE_CHECKS", "PROHIBITIONS"]

CLAUSE_CHECKS: dict[str, ClauseCheck] = by_key(
    FireClause(),
    OffensiveMovementClause(),
    HeavyWeaponsPresenceClause(),
)
"""Clause checks by the activity they prohibit, in the order of the file format."""

PROHIBITIONS: tuple[str, ...] = tuple(CLAUSE_CHECKS)
"""What a clause can prohibit."""
