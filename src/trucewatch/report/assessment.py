"""Incidents grouped by their assessment against the agreements: violations (and the other
verdicts) by agreement, clause, responsible party and sector.

Reads the ``assessment`` dict that :mod:`trucewatch.agreements.verdicts` writes into each
incident: ``{"agreements": [{"agreement", "agreement_name", "clause", "verdict", "party",
...}]}``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

VERDICT_ORDER = ("violation", "undetermined", "permitted")


def group_assessments(incidents: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Counts of verdicts over the report's incidents (their JSON form, with ``sector``).

    Returns ``{"by_verdict": {verdict: n}, "violations": [{"agreement",
    "agreement_name", "clause", "party", "sector", "incidents", "confirmed_or_probable"}]}``,
    violations sorted by count, largest first. An incident counts once per agreement.
    """
    by_verdict: Counter[str] = Counter()
    groups: Counter[tuple[str, str, str, str, str]] = Counter()
    strong: Counter[tuple[str, str, str, str, str]] = Counter()
    for inc in incidents:
        for a in (inc.get("assessment") or {}).get("agreements", []):
            verdict = str(a.get("verdict"))
            by_verdict[verdict] += 1
            if verdict != "violation":
                continue
            key = (
                str(a.get("agreement")),
                str(a.get("agreement_name") or a.get("agreement")),
                str(a.get("clause")),
                str(a.get("party") or "undetermined"),
                str(inc.get("sector") or "outside sectors"),
            )
            groups[key] += 1
            if inc.get("status") in ("confirmed", "probable"):
                strong[key] += 1
    violations = [
        {
            "agreement": k[0], "agreement_name": k[1], "clause": k[2], "party": k[3],
            "sector": k[4], "incidents": n, "confirmed_or_probable": strong[k],
        }
        for k, n in sorted(groups.items(), key=lambda kv: (-kv[1], kv[0]))
    ]  # fmt: skip
    ordered = {v: by_verdict[v] for v in VERDICT_ORDER if by_verdict[v]}
    ordered.update({v: n for v, n in by_verdict.items() if v not in ordered})
    return {"by_verdict": ordered, "violations": violations}
