"""Bulletins: what is due when (lags after the period, the cut-off in Kyiv time), the
versions of a period with what changed since the last, the sign-off, and the daily report
written at the cut-off."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from trucewatch.app import incidents as app_incidents
from trucewatch.app.bulletins import Schedule, changes, due, get_bulletin, run_due, sign_off
from trucewatch.app.review import ReviewRequest, review_incident
from trucewatch.app.roles import OPERATOR
from trucewatch.app.views.errors import BadQuery
from trucewatch.store import Store
from trucewatch.store import schema as t
from trucewatch.store.ledger_verify import verify_store
from trucewatch.types import EventKind, Flow, Observation, PointLocation, SourceKind

DAY = date(2025, 8, 12)
T0 = datetime(2025, 8, 12, 6, 30, tzinfo=UTC)


def _obs(i: int, lon: float, minute: int, source: str) -> Observation:
    payload = f'{{"n": {i}}}'
    return Observation(
        uid=f"{i:064x}", source_kind=SourceKind.PATROL, source_format="patrol",
        source_id=source, time_start=T0 + timedelta(minutes=minute),
        time_end=T0 + timedelta(minutes=minute + 10),
        location=PointLocation.isotropic(lon, 48.0, 0.5), kind=EventKind.EXPLOSION, count=3,
        weapon="artillery", flow=Flow.INCOMING, reliability="B", credibility=2,
        payload=payload, payload_sha256=hashlib.sha256(payload.encode()).hexdigest(),
        attributes={"synthetic": True, "event_index": 0},
    )  # fmt: skip


@pytest.fixture
def store(sqlite_url: str) -> Any:
    s = Store.open(sqlite_url)
    s.add_observations([_obs(1, 37.5, 0, "a"), _obs(2, 37.505, 2, "b"), _obs(3, 38.5, 0, "a")])
    app_incidents.fuse(s)
    yield s
    s.close()


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_what_is_due_and_when(sqlite_url: str) -> None:
    store = Store.open(sqlite_url)
    schedule = Schedule(lags_hours=(1.0, 6.0, 24.0), cutoff=time(19, 30), tz="Europe/Kyiv")

    def of_day(at: str) -> list[tuple[date, float]]:
        return [d for d in due(store, _at(at), schedule)[0] if d[0] == DAY]

    # 00:59 UTC on the 13th: nothing for the 12th yet; 01:00: its 1 h bulletin
    assert of_day("2025-08-13T00:59:00") == []
    assert of_day("2025-08-13T01:00:00") == [(DAY, 1.0)]
    # a server started at 07:00 owes the 6 h bulletin only, not the 1 h one too
    assert of_day("2025-08-13T07:00:00") == [(DAY, 6.0)]
    # the day before (lag 24 h passed, within the look-back) is due too, even if quiet
    assert (DAY - timedelta(days=1), 24.0) in due(store, _at("2025-08-13T01:00:00"), schedule)[0]
    # 19:30 in Kyiv in August is 16:30 UTC (EEST, UTC+3); in January 17:30 UTC (EET)
    assert date(2025, 8, 13) not in due(store, _at("2025-08-13T16:29:00"), schedule)[1]
    assert date(2025, 8, 13) in due(store, _at("2025-08-13T16:30:00"), schedule)[1]
    assert date(2026, 1, 13) not in due(store, _at("2026-01-13T17:29:00"), schedule)[1]
    assert date(2026, 1, 13) in due(store, _at("2026-01-13T17:30:00"), schedule)[1]
    with pytest.raises(ValueError):
        Schedule(lags_hours=())
    store.close()


def test_versions_say_what_changed(store: Store, tmp_path: Path) -> None:
    schedule = Schedule(report_dir=tmp_path / "reports")
    done = run_due(store, schedule, _at("2025-08-13T01:00:00"), principal=OPERATOR)
    done["bulletins"] = [b for b in done["bulletins"] if b["period"] == DAY.isoformat()]
    assert [(b["version"], b["lag_hours"]) for b in done["bulletins"]] == [(1, 1.0)]
    assert done["bulletins"][0]["changes"] == {"added": 2, "removed": 0, "changed": 0}
    assert run_due(store, schedule, _at("2025-08-13T01:30:00"), principal=OPERATOR) == {
        "bulletins": [], "reports": []}
    # two more patrols report late: the pair's incident gets a new uid and a new status
    store.add_observations([_obs(4, 37.53, 3, "c"), _obs(5, 37.52, 4, "d")])
    app_incidents.fuse(store)
    done = run_due(store, schedule, _at("2025-08-13T06:00:00"), principal=OPERATOR)
    second = get_bulletin(store, done["bulletins"][0]["id"], principal=OPERATOR)
    assert second["version"] == 2 and second["changes"]["added"] == []
    assert second["changes"]["removed"] == []
    [change] = second["changes"]["changed"]
    assert change["was"] != change["uid"]
    assert change["fields"]["status"] == ["probable", "confirmed"]
    assert change["fields"]["observation_count"] == [2, 4]
    # the daily report of the 13th at its cut-off (16:30 UTC), written and logged once
    done = run_due(store, schedule, _at("2025-08-13T16:30:00"), principal=OPERATOR)
    assert [r["date"] for r in done["reports"]] == ["2025-08-13"]
    assert Path(done["reports"][0]["html"]).is_file()
    later = run_due(store, schedule, _at("2025-08-13T18:00:00"), principal=OPERATOR)
    assert later["reports"] == []
    with store.engine.connect() as conn:
        kept = conn.execute(select(t.bulletins.c.version)
                            .where(t.bulletins.c.period_start == T0.replace(hour=0, minute=0)))
        assert sorted(kept.scalars()) == [1, 2]
        assert verify_store(conn).problems == []


def test_sign_off_waits_for_re_review(store: Store) -> None:
    pair = next(i.uid for i in store.incidents() if len(i.observation_uids) == 2)
    review_incident(store, pair, ReviewRequest("confirm", "two patrols"), principal=OPERATOR)
    store.add_observations([_obs(4, 37.53, 3, "c"), _obs(5, 37.52, 4, "d")])
    app_incidents.fuse(store)  # status probable -> confirmed: flagged
    with pytest.raises(BadQuery, match="await re-review"):
        sign_off(store, DAY, "done", principal=OPERATOR)
    with pytest.raises(BadQuery, match="reason"):
        sign_off(store, DAY, " ", principal=OPERATOR)
    review_incident(store, pair, ReviewRequest("confirm", "two more patrols agree"),
                    principal=OPERATOR)  # fmt: skip
    signed = sign_off(store, DAY, "day reviewed", principal=OPERATOR)
    full = get_bulletin(store, signed["id"], principal=OPERATOR)
    assert full["kind"] == "reviewed" and full["content"]["sign_off"] == "day reviewed"
    assert [i["uid"] for i in full["content"]["incidents"]] == [pair]
    assert full["content"]["incidents"][0]["evaluation_status"] == "confirmed"


def test_changes_pairs_by_uid_then_by_shared_observations() -> None:
    before = [{"uid": "a", "status": "possible", "observations": ["1", "2"]},
              {"uid": "b", "status": "possible", "observations": ["3"]},
              {"uid": "c", "status": "possible", "observations": ["4"]}]
    after = [{"uid": "a", "status": "probable", "observations": ["1", "2"]},
             {"uid": "b2", "status": "possible", "observations": ["3", "5"]},
             {"uid": "d", "status": "possible", "observations": ["6"]}]
    assert changes(before, after) == {
        "added": ["d"], "removed": ["c"],
        "changed": [{"uid": "a", "fields": {"status": ["possible", "probable"]}},
                    {"uid": "b2", "was": "b", "fields": {}}],
    }  # fmt: skip
