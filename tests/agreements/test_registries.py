"""The clause and scope registries: the file format's words, and a clause type added with
one class and one registry entry."""

from __future__ import annotations

from dataclasses import replace

import pytest

from trucewatch.agreements import schema
from trucewatch.agreements.clauses.base import (
    Check,
    ClauseCase,
    ClauseCheck,
    IncidentFacts,
    ScopeTerms,
    Tri,
)
from trucewatch.agreements.clauses.registry import CLAUSE_CHECKS, PROHIBITIONS
from trucewatch.agreements.load import loads_agreement
from trucewatch.agreements.model import Clause
from trucewatch.agreements.scopes.base import Scope
from trucewatch.agreements.scopes.registry import SCOPE_TYPES, SCOPES, scope_of
from trucewatch.agreements.verdicts import Verdict, assess_incident

from .conftest import BASE_TOML


def test_the_schema_names_the_registered_scopes_and_prohibitions() -> None:
    s = schema()
    assert tuple(s["properties"]["scope"]["enum"]) == SCOPES
    prohibits = s["$defs"]["clause"]["properties"]["prohibits"]["anyOf"]
    assert tuple(prohibits[0]["items"]["enum"]) == PROHIBITIONS
    assert tuple(prohibits[1]["enum"]) == PROHIBITIONS


def test_registry_keys_are_the_classes_keys() -> None:
    assert PROHIBITIONS == ("fire", "offensive_movement", "heavy_weapons_presence")
    assert SCOPES == ("general", "protected_sites", "sea", "air")
    assert all(isinstance(c, ClauseCheck) and c.key == k for k, c in CLAUSE_CHECKS.items())
    assert all(isinstance(s, Scope) and s.key == k for k, s in SCOPE_TYPES.items())
    assert scope_of("no such scope") is SCOPE_TYPES["general"]


class _CurfewClause(ClauseCheck):
    """A made-up clause type: any event of fire in the clause's period breaks it."""

    key = "curfew"

    def words(self, scope: ScopeTerms) -> str:
        return "activity during the curfew"

    def checks(self, case: ClauseCase) -> list[Check]:
        return [case.timing, Check(Tri.YES, "during the curfew")]


def test_a_clause_type_added_to_the_registry_is_judged(monkeypatch, make_incident) -> None:
    monkeypatch.setitem(CLAUSE_CHECKS, "curfew", _CurfewClause())
    base = loads_agreement(BASE_TOML)
    curfew = Clause(id="c", text="Curfew.", prohibits=("curfew",))
    ag = replace(base, clauses=(curfew,))
    a = assess_incident(make_incident(base.start.replace(day=10)), [ag])[0]
    assert a.verdict is Verdict.VIOLATION and a.clause == "c"
    assert "no activity during the curfew" in a.reason


@pytest.mark.parametrize("scope", SCOPES)
def test_each_scope_reads_an_undetermined_kind_as_undetermined(scope, make_incident) -> None:
    t = loads_agreement(BASE_TOML).start
    facts = IncidentFacts(incident=make_incident(t), t0=t, t1=t, kind="undetermined",
                          margin_km=0.0, line_km=None, war_fire=False)
    assert scope_of(scope).kind_check(facts).tri is Tri.UNKNOWN
