"""Clauses that prohibit offensive movement: no incident (an event of fire) is one."""

from __future__ import annotations

from trucewatch.agreements.clauses.base import Check, ClauseCase, ClauseCheck, ScopeTerms, Tri
from trucewatch.agreements.clauses.steps import kind_words

__all__ = ["OffensiveMovementClause"]


class OffensiveMovementClause(ClauseCheck):
    """Offensive movement is prohibited; the incidents are events of fire, never a
    movement, so the clause permits them and does not decide a verdict."""

    key = "offensive_movement"
    relevant = False

    def words(self, scope: ScopeTerms) -> str:
        return "offensive movement"

    def checks(self, case: ClauseCase) -> list[Check]:
        return [Check(Tri.NO, f"{kind_words(case.facts.kind)} is not an offensive movement")]
