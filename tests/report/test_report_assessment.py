"""Grouping of incidents by their assessment against agreements."""

from __future__ import annotations

from trucewatch.report.assessment import group_assessments


def _inc(sector, status, *entries):
    return {"sector": sector, "status": status, "assessment": {"agreements": list(entries)}}


def _a(verdict, clause="1", party="RU"):
    return {"agreement": "truce", "agreement_name": "Truce", "clause": clause,
            "verdict": verdict, "party": party}  # fmt: skip


def test_groups_violations_by_clause_party_sector():
    doc = group_assessments([
        _inc("Pokrovsk", "confirmed", _a("violation")),
        _inc("Pokrovsk", "possible", _a("violation")),
        _inc("Kherson", "probable", _a("violation", clause="2", party="UA")),
        _inc(None, "possible", _a("undetermined")),
        _inc("Kherson", "possible"),
    ])  # fmt: skip
    assert doc["by_verdict"] == {"violation": 3, "undetermined": 1}
    first = doc["violations"][0]
    assert (first["sector"], first["clause"], first["party"]) == ("Pokrovsk", "1", "RU")
    assert (first["incidents"], first["confirmed_or_probable"]) == (2, 1)
    assert doc["violations"][1]["sector"] == "Kherson"


def test_no_assessments():
    assert group_assessments([]) == {"by_verdict": {}, "violations": []}
