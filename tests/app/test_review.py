"""The analyst's review across re-fusions: the mapping of new automatic incidents onto
reviewed ones (by shared observations, deterministic), new evidence attached, material
changes flagged for re-review instead of overwritten, splits and merges kept; and every
row of it covered by the ledger."""

from __future__ import annotations

import hashlib
import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from trucewatch.app import incidents as app_incidents
from trucewatch.app.review import (
    ReviewRequest,
    assign,
    material_changes,
    publish,
    review_incident,
    review_state,
)
from trucewatch.app.roles import PermissionDenied, Principal, Role
from trucewatch.app.views.errors import BadQuery
from trucewatch.store import Store
from trucewatch.store import schema as t
from trucewatch.store.ledger_verify import verify_store
from trucewatch.types import EventKind, Flow, Observation, PointLocation, SourceKind

T0 = datetime(2025, 8, 12, 6, 30, tzinfo=UTC)
ALICE = Principal("alice", Role.ANALYST)


def _obs(i: int, lon: float, lat: float, minute: int, source: str) -> Observation:
    payload = f'{{"n": {i}}}'
    return Observation(
        uid=f"{i:064x}", source_kind=SourceKind.PATROL, source_format="patrol",
        source_id=source, time_start=T0 + timedelta(minutes=minute),
        time_end=T0 + timedelta(minutes=minute + 10),
        location=PointLocation.isotropic(lon, lat, 0.5), kind=EventKind.EXPLOSION, count=3,
        weapon="artillery", flow=Flow.INCOMING, reliability="B", credibility=2,
        payload=payload, payload_sha256=hashlib.sha256(payload.encode()).hexdigest(),
        attributes={"synthetic": True, "event_index": 0},
    )  # fmt: skip


PAIR = (f"{1:064x}", f"{2:064x}")
"""Two patrols' reports of one barrage (fused into one probable incident)."""


@pytest.fixture
def store(db_url: str) -> Any:
    s = Store.open(db_url)
    s.add_observations([_obs(1, 37.5, 48.0, 0, "a"), _obs(2, 37.505, 48.0, 2, "b"),
                        _obs(3, 38.5, 48.5, 0, "a"), _obs(4, 38.5, 48.5, 300, "c")])  # fmt: skip
    app_incidents.fuse(s)
    yield s
    s.close()


def _auto(store: Store, obs: tuple[str, ...]) -> str:
    return next(i.uid for i in store.incidents() if set(obs) <= set(i.observation_uids))


def _rows(store: Store, table: Any) -> list[dict[str, Any]]:
    with store.engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(select(table))]


def _review(store: Store, uid: str, action: str, reason: str = "why", **kw: Any) -> Any:
    return review_incident(store, uid, ReviewRequest(action=action, reason=reason, **kw),
                           principal=ALICE)  # fmt: skip


# --------------------------------------------------------------------------- pure


def test_assign_is_deterministic_and_breaks_ties_by_uid() -> None:
    reviewed = {"r2": ["a", "b"], "r1": ["c"], "r3": ["x"]}
    automatic = [("A", ["a", "b", "c", "n1"]), ("B", ["c", "n2"]), ("C", ["z"])]
    first = assign(reviewed, automatic)
    for seed in range(5):
        rng = random.Random(seed)
        shuffled_auto = rng.sample(automatic, len(automatic))
        shuffled_rev = dict(rng.sample(list(reviewed.items()), len(reviewed)))
        assert assign(shuffled_rev, shuffled_auto) == first
    # A shares 2 with r2 and 1 with r1: it belongs to r2, which takes its new observation;
    # r1 shares 1 with A and 1 with B and rests on the smaller uid, A
    assert first.owner_of_automatic == {"A": "r2", "B": "r1"}
    assert first.attach == {"r2": ["n1"], "r1": ["n2"]}
    assert first.automatic_of == {"r2": "A", "r1": "A", "r3": None}


def test_material_changes() -> None:
    base = {"status": "probable", "attribution_party": "RU", "lon": 37.5, "lat": 48.0,
            "clause": "1", "verdict": "violation"}  # fmt: skip
    assert material_changes(base, dict(base)) == []
    assert material_changes(base, {**base, "lon": 37.5 + 4 / 74.4}) == []  # about 4 km east
    moved = material_changes(base, {**base, "lon": 37.5 + 6 / 74.4})
    assert len(moved) == 1 and moved[0].startswith("place moved 6.")
    assert material_changes(base, {**base, "status": "confirmed", "clause": "2"}) == [
        "status probable -> confirmed", "clause 1 -> 2"]


# --------------------------------------------------------------------------- store


def test_only_analysts_review_and_reasons_are_required(store: Store) -> None:
    uid = _auto(store, PAIR)
    liaison = Principal("ua", Role.LIAISON, "UA")
    with pytest.raises(PermissionDenied):
        review_incident(store, uid, ReviewRequest("confirm", "x"), principal=liaison)
    with pytest.raises(BadQuery, match="reason"):
        _review(store, uid, "confirm", reason="  ")
    with pytest.raises(BadQuery, match="not evidence"):
        _review(store, uid, "split", observations=(f"{9:064x}",))
    assert _rows(store, t.incident_reviews) == []


def test_refusion_keeps_reviews_attaches_evidence_and_flags_changes(store: Store) -> None:
    pair, lone = _auto(store, PAIR), _auto(store, (f"{3:064x}",))
    _review(store, pair, "confirm", "two patrols heard it")
    _review(store, lone, "reject", "a quarry blast")
    publish(store, pair, "briefing", principal=ALICE)
    before_rows, before_acts = _rows(store, t.reviewed_incidents), _rows(store, t.incident_reviews)

    summary = app_incidents.fuse(store)  # the same observations: nothing changes
    assert summary["reviews"] == {"reviewed": 2, "attached": 0, "flagged": 0, "unmatched": 0}
    assert _rows(store, t.reviewed_incidents) == before_rows
    assert _rows(store, t.incident_reviews) == before_acts

    store.add_observations([_obs(5, 37.53, 48.0, 3, "c"),
                            _obs(6, 37.52, 48.0, 4, "d")])  # two more patrols: now confirmed
    summary = app_incidents.fuse(store)
    assert summary["reviews"]["attached"] == 2 and summary["reviews"]["flagged"] == 1
    state = review_state(store, pair, principal=ALICE)
    reviewed = state["reviewed"]
    assert reviewed["uid"] == pair and reviewed["evaluation_status"] == "confirmed"
    assert reviewed["observations"] == sorted([*PAIR, f"{5:064x}", f"{6:064x}"])
    assert reviewed["automatic_uid"] == _auto(store, (f"{5:064x}",)) != pair
    assert "status probable -> confirmed" in reviewed["needs_review"]
    assert reviewed["published_at"] is not None  # the publication is kept too
    assert [(a["action"], a["analyst"]) for a in state["acts"]][-2:] == [
        ("attach", "fusion"), ("flag", "fusion")]
    # the new automatic uid leads to the same review; the analyst's act clears the flag
    again = _review(store, reviewed["automatic_uid"], "confirm", "third patrol agrees")
    assert again["uid"] == pair and again["reviewed"]["needs_review"] is None
    assert review_state(store, lone, principal=ALICE)["evaluation_status"] == "rejected"
    with store.engine.connect() as conn:
        assert verify_store(conn).problems == []


def test_split_and_merge_survive_refusion(store: Store) -> None:
    pair, lone = _auto(store, PAIR), _auto(store, (f"{3:064x}",))
    later = _auto(store, (f"{4:064x}",))
    split = _review(store, pair, "split", "two guns, two places", observations=(PAIR[1],))
    off = split["acts"][-1]["details"]["split_off"]
    merged = _review(store, lone, "merge", "the same battery, hours apart", merge=(later,))
    assert merged["reviewed"]["observations"] == sorted([f"{3:064x}", f"{4:064x}"])
    rows_before = {r["uid"]: r for r in _rows(store, t.reviewed_incidents)}
    assert set(rows_before) == {pair, off, lone, later}
    assert rows_before[later]["merged_into"] == lone

    store.add_observations([_obs(5, 37.53, 48.0, 3, "c")])
    app_incidents.fuse(store)
    rows = {r["uid"]: r for r in _rows(store, t.reviewed_incidents)}
    assert set(rows) == set(rows_before)
    # the new automatic incident shares one observation with each half: the new evidence
    # goes to the half with the smaller uid
    first, second = sorted([(pair, PAIR[0]), (off, PAIR[1])])
    assert rows[first[0]]["observations"] == sorted([first[1], f"{5:064x}"])
    assert rows[second[0]]["observations"] == [second[1]]
    assert rows[later]["merged_into"] == lone
    assert rows[lone]["observations"] == rows_before[lone]["observations"]
    assert {rows[pair]["evaluation_status"], rows[off]["evaluation_status"]} == {"reviewed"}
    # a re-fusion of the same store again changes nothing
    app_incidents.fuse(store)
    assert {r["uid"]: r for r in _rows(store, t.reviewed_incidents)} == rows


def test_refusion_of_a_reviewed_standard_period_keeps_every_review() -> None:
    """Half a day of ``standard`` with 50 random reviews (the 30 days with 500 reviews are
    ``python -m benchmarks.bench_review``, results in benchmarks/results/)."""
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_review.py"
    spec = importlib.util.spec_from_file_location("bench_review", path)
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)  # the benchmark's own code, on a shorter period
    result = bench.run("standard", seed=3, days=0.5, reviews=50, retract=0.01)
    assert result["review"]["reviews"] == 50
    same, changed = result["refuse_same"], result["refuse_after_retracting"]
    assert same["every_review_kept"] and changed["every_review_kept"], result
    assert same["flagged"] == 0 and same["unmatched"] == 0 and same["acts_added_by_fusion"] == 0
    assert changed["retracted"] > 0 and result["ledger_problems"] == 0
