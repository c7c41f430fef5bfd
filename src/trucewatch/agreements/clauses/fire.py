"""Clauses that prohibit fire (``prohibits = ["fire"]``): the ceasefire itself."""

from __future__ import annotations

from collections.abc import Sequence

from trucewatch.agreements.clauses.base import Check, ClauseCheck, IncidentFacts, ScopeTerms, Tri
from trucewatch.agreements.clauses.steps import fmt_km, zone_check
from trucewatch.agreements.model import Clause, LoadedAgreement

__all__ = ["FireClause"]


class FireClause(ClauseCheck):
    """Fire is prohibited while the clause is in force, where the scope applies (and,
    with a zone, within its half width of the line): the event must be fire as the scope
    reads it, at a place the scope covers, inside the zone."""

    key = "fire"

    def words(self, scope: ScopeTerms) -> str:
        return scope.fire_words

    def checks(
        self,
        facts: IncidentFacts,
        agreement: LoadedAgreement,
        clause: Clause,
        timing: Check,
        scope: ScopeTerms,
        place: Sequence[Check],
    ) -> list[Check]:
        checks = [timing, scope.kind_check(facts), *place]
        if clause.zone:
            checks.append(zone_check(facts, agreement, clause.zone))
        elif facts.line_km is not None:
            checks.append(Check(Tri.YES, f"{fmt_km(facts.line_km)} from the line"))
        return checks
