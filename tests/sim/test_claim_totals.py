"""The simulator's aggregate claims: from the truth, inflated the way parties count."""

from __future__ import annotations

import json
from pathlib import Path

from trucewatch.claims.read import read_claims
from trucewatch.sim.claim_totals import TotalsSpec, aggregate_claims, true_counts


def _truth(tmp_path: Path) -> Path:
    rows = [("RU", "S1", "2025-04-20T10:00:00Z")] * 6 + [("UA", "S1", "2025-04-20T11:00:00Z")] * 2 \
        + [("RU", "S2", "2025-04-21T01:00:00Z")] * 3
    p = tmp_path / "truth.jsonl"
    p.write_text("".join(json.dumps({"party": a, "sector": s, "time_start": t}) + "\n"
                         for a, s, t in rows))  # fmt: skip
    return p


def test_exact_counts_without_bias(tmp_path: Path) -> None:
    truth = _truth(tmp_path)
    assert true_counts(truth)[("RU", "S1", "2025-04-20")] == 6
    spec = TotalsSpec(inflation=1.0, inflation_sigma=0.0, own_fire_share=0.0)
    recs = aggregate_claims(truth, seed=3, spec=spec)
    got = {(r["claimant"], r["sector"], r["period_start_utc"][:10]): r["count"] for r in recs}
    # UA claims RU's episodes, RU claims UA's; a sector-day with nothing to claim is skipped
    assert got == {("UA", "S1", "2025-04-20"): 6, ("RU", "S1", "2025-04-20"): 2,
                   ("UA", "S2", "2025-04-21"): 3}


def test_inflated_claims_are_valid_claim_records(tmp_path: Path) -> None:
    truth = _truth(tmp_path)
    recs = aggregate_claims(truth, seed=3, spec=TotalsSpec(inflation=3.0, inflation_sigma=0.1))
    assert recs == aggregate_claims(truth, seed=3, spec=TotalsSpec(inflation=3.0,
                                                                   inflation_sigma=0.1))
    ua = next(r for r in recs if r["claimant"] == "UA" and r["sector"] == "S1")
    assert ua["count"] >= 12  # 6 true, inflated about three-fold
    path = tmp_path / "claims.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in recs))
    claims, errors = read_claims(path)
    assert errors == [] and len(claims) == len(recs)
