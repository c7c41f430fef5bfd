"""Clauses that prohibit fire (``prohibits = ["fire"]``): the ceasefire itself."""

from __future__ import annotations

from trucewatch.agreements.clauses.base import Check, ClauseCase, ClauseCheck, ScopeTerms, Tri
from trucewatch.agreements.clauses.steps import fmt_km, zone_check

__all__ = ["FireClause"]


class FireClause(ClauseCheck):
    """Fire is prohibited while the clause is in force, where the scope applies (and,
    with a zone, within its half width of the line): the event must be fire as the scope
    reads it, at a place the scope covers, inside the zone."""

    key = "fire"

    def words(self, scope: ScopeTerms) -> str:
        return scope.fire_words

    def checks(self, case: ClauseCase) -> list[Check]:
        facts = case.facts
        checks = [case.timing, case.scope.kind_check(facts), *case.place]
        if case.clause.zone:
            checks.append(zone_check(facts, case.agreement, case.clause.zone))
        elif facts.line_km is not None:
            checks.append(Check(Tri.YES, f"{fmt_km(facts.line_km)} from the line"))
        return checks
