"""Reviews across re-fusion: does a re-fusion of a reviewed period keep every review?

    python -m benchmarks.bench_review [--scenario standard] [--seed 0] [--days 30]
        [--reviews 500] [--retract 0.01] [--out FILE]

1. ``simulate(scenario, seed)`` (``standard``: 30 days, about 57,000 observations; with
   ``--days`` a shorter period of the same scenario) into a temporary folder, then a
   temporary SQLite store: the scenario's line, every observation file, ``fuse``;
2. ``--reviews`` random acts of review (seeded) on distinct random incidents, by two
   analysts, each with a reason: confirm 30 %, reject 15 %, relabel 20 %, annotate 10 %,
   publish 10 %, merge (with the next incident in time) 8 %, split (half of its
   observations) 7 %;
3. **re-fusion, same observations**: ``fuse`` again; every reviewed incident must be kept
   with the same evaluation status, labels and publication, its evidence kept, every
   analyst's act kept, nothing flagged;
4. **re-fusion after a change**: ``--retract`` of the observations retracted at random,
   then ``fuse``; every review must still be kept (same statuses, labels, publications,
   acts); the flags for re-review and the unmatched reviews are counted;
5. ``ledger verify`` of the whole store.

:func:`review_and_refuse` is also run by ``tests/app/test_review.py`` on one day of
``standard`` with 60 reviews (the full run takes minutes: it is this benchmark's).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import random
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from trucewatch.app import incidents as app_incidents
from trucewatch.app import intake as app_intake
from trucewatch.app import lines as app_lines
from trucewatch.app.retractions import retract_observation
from trucewatch.app.review import ReviewRequest, review_incident
from trucewatch.app.roles import Principal, Role
from trucewatch.sim import load_scenario, simulate
from trucewatch.store import Store
from trucewatch.store import schema as t
from trucewatch.store.ledger_verify import verify_store

ANALYSTS = (Principal("analyst-a", Role.ANALYST), Principal("analyst-b", Role.ANALYST))
WEIGHTS = {"confirm": 30, "reject": 15, "relabel": 20, "annotate": 10, "publish": 10,
           "merge": 8, "split": 7}  # fmt: skip
KEPT = ("evaluation_status", "status", "attribution_party", "clause", "verdict",
        "published_at", "merged_into", "published_by")  # fmt: skip
"""The columns of a reviewed incident a re-fusion must never change."""


def _request(action: str, inc: Any, neighbour: Any, rng: random.Random) -> ReviewRequest:
    reason = f"{action}: random review {rng.randrange(10**6)}"
    if action == "relabel":
        return ReviewRequest(action, reason, attribution=rng.choice(["RU", "UA", "undetermined"]),
                             status=rng.choice(["possible", "probable", "confirmed"]),
                             clause=rng.choice([None, "1", "2"]))  # fmt: skip
    if action == "merge":
        return ReviewRequest(action, reason, merge=(neighbour.uid,))
    if action == "split":
        obs = sorted(inc.observation_uids)
        return ReviewRequest(action, reason, observations=tuple(obs[: len(obs) // 2]))
    return ReviewRequest(action, reason)


def random_reviews(store: Store, n: int, seed: int) -> dict[str, Any]:
    """``n`` random acts of review on distinct incidents; returns counts and latencies."""
    rng = random.Random(seed)
    incidents = sorted(store.incidents(), key=lambda i: (i.time_start, i.uid))
    index = {inc.uid: k for k, inc in enumerate(incidents)}
    touched: set[str] = set()
    done: dict[str, int] = {}
    latencies: list[float] = []
    actions, weights = list(WEIGHTS), list(WEIGHTS.values())
    for inc in rng.sample(incidents, min(len(incidents), 4 * n)):
        if len(latencies) >= n:
            break
        action = rng.choices(actions, weights)[0]
        neighbour = incidents[min(index[inc.uid] + 1, len(incidents) - 1)]
        if inc.uid in touched or (action == "merge" and (neighbour.uid in touched
                                                         or neighbour.uid == inc.uid)):
            continue
        if action == "split" and len(inc.observation_uids) < 2:
            action = "confirm"
        t0 = time.perf_counter()
        review_incident(store, inc.uid, _request(action, inc, neighbour, rng),
                        principal=rng.choice(ANALYSTS))  # fmt: skip
        latencies.append(time.perf_counter() - t0)
        touched |= {inc.uid, neighbour.uid} if action == "merge" else {inc.uid}
        done[action] = done.get(action, 0) + 1
    latencies.sort()
    return {"reviews": len(latencies), "by_action": done,
            "latency_ms": {"p50": round(1000 * latencies[len(latencies) // 2], 1),
                           "p95": round(1000 * latencies[int(len(latencies) * 0.95)], 1),
                           "max": round(1000 * latencies[-1], 1)}}  # fmt: skip


def _snapshot(store: Store) -> tuple[dict[str, dict[str, Any]], list[tuple[Any, ...]]]:
    with store.engine.connect() as conn:
        rows = {r.uid: dict(r._mapping) for r in conn.execute(select(t.reviewed_incidents))}
        acts = [(a.id, a.reviewed_uid, a.action, a.reason, a.analyst)
                for a in conn.execute(select(t.incident_reviews).order_by(t.incident_reviews.c.id))]
    return rows, acts


def kept_after(before: tuple[dict[str, dict[str, Any]], list[tuple[Any, ...]]],
               store: Store) -> dict[str, Any]:  # fmt: skip
    """Compare the reviews now with ``before``: every reviewed incident and analyst's act
    kept, labels unchanged, evidence only grown (or kept)."""
    rows_before, acts_before = before
    rows, acts = _snapshot(store)
    lost = sorted(set(rows_before) - set(rows))
    relabelled = sorted(u for u in rows_before if u in rows
                        and any(rows[u][k] != rows_before[u][k] for k in KEPT))  # fmt: skip
    evidence_lost = sorted(
        u for u in rows_before
        if u in rows and not set(rows_before[u]["observations"]) <= set(rows[u]["observations"]))
    acts_lost = len(set(acts_before) - set(acts))
    flagged = sum(r["needs_review"] is not None for r in rows.values())
    unmatched = sum(r["automatic_uid"] is None and r["merged_into"] is None for r in rows.values())
    return {"reviewed": len(rows), "lost": len(lost), "labels_changed": len(relabelled),
            "evidence_lost": len(evidence_lost), "acts_lost": acts_lost,
            "acts_added_by_fusion": sum(1 for a in acts if a[4] == "fusion")
            - sum(1 for a in acts_before if a[4] == "fusion"),
            "flagged": flagged, "unmatched": unmatched,
            "every_review_kept": not lost and not relabelled and not evidence_lost
            and not acts_lost}  # fmt: skip


def review_and_refuse(folder: Path, sim: dict[str, Any], store: Store, *, reviews: int,
                      seed: int, retract: float) -> dict[str, Any]:  # fmt: skip
    """Steps 1-5 of the module's description on an open (empty) store."""
    timings: dict[str, float] = {}

    def timed(name: str, fn: Any, *args: Any, **kw: Any) -> Any:
        t0 = time.perf_counter()
        out = fn(*args, **kw)
        timings[name] = round(time.perf_counter() - t0, 2)
        return out

    app_lines.import_line(store, load_scenario(folder / "scenario.toml").control_path())
    imported = timed("import", app_intake.import_files, store,
                     [Path(p) for p in sim["files"]["observations"]])  # fmt: skip
    first = timed("fuse", app_incidents.fuse, store)
    done = timed("reviews", random_reviews, store, reviews, seed)
    before = _snapshot(store)
    same = timed("refuse_same", app_incidents.fuse, store)
    kept_same = kept_after(before, store)
    rng = random.Random(seed + 1)
    with store.engine.connect() as conn:
        uids = sorted(conn.execute(select(t.observations.c.uid)).scalars())
    retracted = rng.sample(uids, int(len(uids) * retract))
    t0 = time.perf_counter()
    for uid in retracted:
        retract_observation(store, uid, "benchmark: a retracted report",
                            principal=ANALYSTS[0])  # fmt: skip
    timings["retract"] = round(time.perf_counter() - t0, 2)
    changed = timed("refuse_changed", app_incidents.fuse, store)
    kept_changed = kept_after(before, store)
    with store.engine.connect() as conn:
        report = timed("verify", verify_store, conn)
    return {
        "observations": imported["stored"], "incidents": first["incidents"],
        "review": done, "refuse_same": {**kept_same, "remap": same["reviews"],
                                        "incidents": same["incidents"]},
        "refuse_after_retracting": {**kept_changed, "retracted": len(retracted),
                                    "remap": changed["reviews"],
                                    "incidents": changed["incidents"]},
        "ledger_problems": len(report.problems), "timings_s": timings,
    }  # fmt: skip


def run(scenario: str = "standard", seed: int = 0, days: float | None = None,
        reviews: int = 500, retract: float = 0.01) -> dict[str, Any]:
    """One run in a temporary folder; returns the JSON-able result."""
    sc = load_scenario(scenario)
    if days is not None:
        sc = dataclasses.replace(sc, period=dataclasses.replace(sc.period, days=days))
    with tempfile.TemporaryDirectory(prefix="bench-review-") as tmp:
        folder = Path(tmp)
        sim = simulate(sc, seed, folder / "sim")
        store = Store.open(f"sqlite:///{folder / 'store.db'}")
        try:
            result = review_and_refuse(folder / "sim", sim, store, reviews=reviews, seed=seed,
                                       retract=retract)  # fmt: skip
        finally:
            store.close()
    return {"scenario": scenario, "seed": seed, "days": sc.period.days, **result}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="standard")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--days", type=float, default=None)
    parser.add_argument("--reviews", type=int, default=500)
    parser.add_argument("--retract", type=float, default=0.01)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    result = {"machine": "2 cores (shared), SQLite",
              "date": datetime.now(UTC).date().isoformat(),
              "runs": [run(args.scenario, args.seed, args.days, args.reviews, args.retract)]}
    text = json.dumps(result, indent=2)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    sys.stdout.write(text + "\n")
    return 0 if all(r["refuse_same"]["every_review_kept"]
                    and r["refuse_after_retracting"]["every_review_kept"]
                    for r in result["runs"]) else 1  # fmt: skip


if __name__ == "__main__":
    raise SystemExit(main())
