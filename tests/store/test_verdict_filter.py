"""The incident filter on the assessment (agreement, verdict, clause) on both backends:
the same matches as the rule it states (one agreement's assessment matching all three,
the clause deciding or among the other clauses) now that a condition on the worst
verdict narrows it, and that condition can be served by the worst-verdict indexes
(migration 0013)."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text

from trucewatch.agreements.verdicts import worst_verdict
from trucewatch.store import Store
from trucewatch.store import queries as q
from trucewatch.store.queries import IncidentFilter
from trucewatch.types import Attribution, EventKind, Incident, IncidentStatus, PointLocation

T0 = datetime(2025, 8, 12, 6, 30, tzinfo=UTC)

ASSESSED: list[list[tuple[str, str, str, tuple[str, ...]]]] = [
    [],
    [("a", "violation", "1", ("2",))],
    [("a", "permitted", "1", ()), ("b", "violation", "2", ())],
    [("a", "undetermined", "2", ()), ("b", "permitted", "1", ())],
    [("b", "permitted", "3", ())],
    [("a", "undetermined", "1", ()), ("b", "undetermined", "3", ("1",))],
    [("a", "violation", "2", ()), ("b", "undetermined", "1", ())],
    [("a", "permitted", "2", ("3",))],
]
"""Per incident: (agreement, verdict, deciding clause, other clauses) of each agreement
in force; one more incident has no assessment at all (``{}``)."""


def assessment(rows: list[tuple[str, str, str, tuple[str, ...]]]) -> dict[str, Any]:
    """As :func:`trucewatch.agreements.verdicts.assessment_dict` writes it."""
    worst = worst_verdict([v for _, v, _, _ in rows])
    return {"agreements_version": 1, "agreement_verdict": None if worst is None else worst.value,
            "agreements": [{"agreement": a, "verdict": v, "clause": c, "other_clauses": list(o),
                            "zone": None, "party": "RU", "party_probability": 0.7,
                            "reason": "test", "exceptions": []}
                           for a, v, c, o in rows]}  # fmt: skip


def incident(k: int, assessed: dict[str, Any]) -> Incident:
    return Incident(
        uid=f"{k:064x}", time_start=T0 + timedelta(hours=k), time_end=T0 + timedelta(hours=k),
        location=PointLocation(lon=37.5, lat=48.0, cov_km2=((1.0, 0.0), (0.0, 1.0))),
        kind=EventKind.EXPLOSION, count=1, confidence=round(0.1 * (k % 9) + 0.05, 2),
        status=IncidentStatus.PROBABLE,
        attribution=Attribution(party="RU", probabilities={"RU": 0.7}, method="flow"),
        observation_uids=(), source_kinds=(), assessment=assessed,
    )  # fmt: skip


INCIDENTS = [incident(k, assessment(rows)) for k, rows in enumerate(ASSESSED)]
INCIDENTS.append(incident(len(ASSESSED), {}))


def expected(agreement: str | None, verdict: str | None, clause: str | None) -> list[str]:
    """The uids the stated rule selects, oldest first."""
    def match(a: dict[str, Any]) -> bool:
        in_clause = clause is None or clause == a["clause"] or clause in a["other_clauses"]
        return ((agreement is None or a["agreement"] == agreement)
                and (verdict is None or a["verdict"] == verdict) and in_clause)  # fmt: skip

    return [i.uid for i in INCIDENTS if any(match(a) for a in i.assessment.get("agreements", []))]


@pytest.fixture
def store(db_url: str):
    s = Store.open(db_url)
    s.replace_incidents(INCIDENTS)
    yield s
    s.close()


def test_the_filter_selects_what_its_rule_says(store: Store):
    combos = itertools.product((None, "a", "b", "c"),
                               (None, "violation", "undetermined", "permitted", "maybe"),
                               (None, "1", "2", "3"))  # fmt: skip
    with store.engine.connect() as conn:
        for agreement, verdict, clause in combos:
            f = IncidentFilter(agreement=agreement, verdict=verdict, clause=clause)
            want = (expected(agreement, verdict, clause) if (agreement, verdict, clause) != (
                None, None, None) else [i.uid for i in INCIDENTS])  # fmt: skip
            page = q.find_incident_rows(conn, f, limit=100, with_total=True)
            assert [r.uid for r in page.items] == want, (agreement, verdict, clause)
            assert page.total == len(want)
            ranked = q.find_incident_rows(conn, f, limit=100, sort="-confidence")
            assert sorted(r.uid for r in ranked.items) == sorted(want)
    assert expected(None, "violation", None) and expected(None, "permitted", None)


def plan_of(store: Store, f: IncidentFilter, sort: str, count: bool = False) -> str:
    """The backend's plan of one page (or the count) of the incidents matching ``f``."""
    captured: list[tuple[str, Any]] = []
    from sqlalchemy import event

    def keep(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        captured.append((statement, parameters))

    event.listen(store.engine, "before_cursor_execute", keep)
    try:
        with store.engine.connect() as conn:
            q.find_incident_rows(conn, f, limit=100, sort=sort, with_total=count)
    finally:
        event.remove(store.engine, "before_cursor_execute", keep)
    statement, parameters = captured[-1 if count else 0]
    with store.engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
            return "\n".join(str(r[3]) for r in rows)
        conn.execute(text("SET enable_seqscan = off"))  # a small table: is the index usable
        rows = conn.exec_driver_sql("EXPLAIN " + statement, parameters).all()
        return "\n".join(str(r[0]) for r in rows)


WINDOW = {"since": T0, "until": T0 + timedelta(days=1)}


@pytest.mark.parametrize(("f", "sort", "count", "index"), [
    (IncidentFilter(verdict="violation"), "-confidence", False, "ix_incidents_verdict_confidence"),
    (IncidentFilter(verdict="violation"), "time", False, "ix_incidents_verdict_time_start"),
    (IncidentFilter(verdict="violation"), "-confidence", True, "ix_incidents_verdict_"),
    (IncidentFilter(verdict="undetermined", **WINDOW), "time", False, "ix_incidents_verdict_"),
    (IncidentFilter(agreement="a", clause="2", verdict="violation", **WINDOW), "time", False,
     "ix_incidents_verdict_"),
])  # fmt: skip
def test_the_verdict_filter_can_use_an_index(store: Store, f: IncidentFilter, sort: str,
                                             count: bool, index: str):  # fmt: skip
    plan = plan_of(store, f, sort, count)
    if store.engine.dialect.name == "postgresql" and f.since is not None:
        # nine rows: PostgreSQL rightly reads a one-day window through the time index and
        # tests the worst verdict on each row (on 1,000,000 it takes the verdict index:
        # docs/benchmarks.md)
        assert "agreement_verdict" in plan, plan
    else:
        assert index in plan, plan
