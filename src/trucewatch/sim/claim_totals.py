"""The parties' aggregate claims, drawn from the truth the way parties count (docs/claims.md,
"Claims in the simulator").

Each party, for each sector and UTC day, claims the number of violations by the other side
(``type: aggregate`` records of the claims format): the true number of episodes the other
party fired into that sector that day, times a log-normal inflation factor (median
``inflation``, sd of ln ``inflation_sigma``), plus a share ``own_fire_share`` of its own
episodes there blamed on the other side; stated a log-normal delay (median ``delay_h``)
after the day ends. Only sector-days where the claimed count is at least 1 are claimed.

The item claims of the simulator are its complaints (``complaint.jsonl``, with the bias
models of :mod:`trucewatch.sim.complaint_bias`), read as claims by
:func:`trucewatch.claims.read.read_claims`. This model is not a scenario key: the claims
benchmark draws it from ``truth.jsonl`` (its own random stream, from ``seed``).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["TotalsSpec", "aggregate_claims", "true_counts"]

STREAM = 1701
"""Tag of this model's random stream (with the seed)."""


@dataclass(frozen=True, kw_only=True)
class TotalsSpec:
    """How parties inflate their counts (defaults: the values of the claims benchmark)."""

    inflation: float = 1.6
    """Median factor on the true count (log-normal)."""
    inflation_sigma: float = 0.3
    own_fire_share: float = 0.15
    """Share of the claimant's own episodes blamed on the other side."""
    delay_h: float = 12.0
    """Median delay from the end of the day to the statement (h)."""


def true_counts(truth_path: Path) -> Counter[tuple[str, str, str]]:
    """Episodes per (firing party, sector, UTC day ``YYYY-MM-DD``) of ``truth.jsonl``."""
    out: Counter[tuple[str, str, str]] = Counter()
    with open(truth_path, encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            if r.get("sector"):
                out[(r["party"], r["sector"], r["time_start"][:10])] += 1
    return out


def aggregate_claims(truth_path: Path, seed: int, spec: TotalsSpec = TotalsSpec()
                     ) -> list[dict[str, Any]]:  # fmt: skip
    """The aggregate claim records of both parties, by day, sector and claimant."""
    counts = true_counts(truth_path)
    parties = sorted({p for p, _, _ in counts})
    strata = sorted({(d, s) for _, s, d in counts})
    rng = np.random.default_rng([seed, STREAM])
    records: list[dict[str, Any]] = []
    for day, sector in strata:
        for claimant in parties:
            for accused in (p for p in parties if p != claimant):
                factor = spec.inflation * np.exp(rng.normal(0.0, spec.inflation_sigma))
                own = rng.binomial(counts[(claimant, sector, day)], spec.own_fire_share)
                claimed = round(counts[(accused, sector, day)] * factor) + int(own)
                delay = spec.delay_h * float(np.exp(rng.normal(0.0, 1.0)))
                if claimed < 1:
                    continue
                start = datetime.fromisoformat(day).replace(tzinfo=UTC)
                stated = start + timedelta(days=1, hours=delay)
                records.append({
                    "type": "aggregate", "claim_id": f"SIM-AGG-{claimant}-{len(records):06d}",
                    "claimant": claimant, "accused": accused,
                    "stated_utc": stated.isoformat().replace("+00:00", "Z"),
                    "period_start_utc": f"{day}T00:00:00Z",
                    "period_end_utc": (start + timedelta(days=1)).isoformat().replace(
                        "+00:00", "Z"),
                    "sector": sector, "count": claimed, "kind": "violations",
                    "synthetic": True,
                })  # fmt: skip
    return records
