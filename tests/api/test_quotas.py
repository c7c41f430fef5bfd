"""Daily quotas of submitted records per token (docs/security.md): counted in the store, in
the transaction that stores a submission, so that a batch crossing the quota is refused
whole (429 with ``Retry-After`` to the next midnight UTC) and any number of API apps on
one store never store more than the quota; idempotent replays are not counted; other tokens
and the next UTC day are not affected. On SQLite and PostgreSQL."""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from trucewatch.api import Settings, TokenSpec, create_app
from trucewatch.app import tokens as app_tokens
from trucewatch.store import Store
from trucewatch.store import schema as t

from .conftest import patrol_record

with warnings.catch_warnings():  # starlette's notice about httpx in its test client
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

TOKENS = {"mon": "q-monitor", "mon2": "q-monitor-2", "ua": "q-liaison-ua",
          "own": "q-own-quota"}  # fmt: skip
SPECS = [
    TokenSpec(name="mon", role="monitor", token=TOKENS["mon"]),
    TokenSpec(name="mon2", role="monitor", token=TOKENS["mon2"]),
    TokenSpec(name="ua", role="liaison", party="UA", token=TOKENS["ua"]),
    TokenSpec(name="own", role="monitor", token=TOKENS["own"], daily_quota=2),
]
NOW = datetime(2025, 8, 14, 23, 0, 0, 500_000, tzinfo=UTC)
"""The injected clock: 3599.5 s before midnight UTC (Retry-After 3600)."""
CLAIM = {"type": "item", "claim_id": "UA-1", "claimant": "UA", "accused": "RU",
         "time_start_utc": "2025-08-13T10:00:00Z", "lon": 37.7, "lat": 48.0,
         "weapon": "artillery"}  # fmt: skip
_keys = itertools.count()


class Client:
    """One app on the store, with the test tokens and a settable clock."""

    def __init__(self, url: str, report_dir: Path, **settings: Any) -> None:
        app = create_app(Settings(db=url, tokens=SPECS, report_cache_dir=report_dir,
                                  rate_per_second=0, **settings))  # fmt: skip
        self.http = TestClient(app)
        self.http.__enter__()
        self.state = app.state.trucewatch
        self.now = NOW
        self.state.quotas.clock = lambda: self.now

    def post(self, who: str, records: int, key: str | None = None) -> Any:
        """A batch of ``records`` one-event patrol records (distinct observations)."""
        n = next(_keys)
        body = {"records": [patrol_record(source_id=f"q-{n}-{i}") for i in range(records)]}
        return self.post_body(who, body, key or f"key-{n}")

    def post_body(self, who: str, body: dict[str, Any], key: str) -> Any:
        headers = {"Authorization": f"Bearer {TOKENS[who]}", "Idempotency-Key": key}
        return self.http.post("/api/observations", json=body, headers=headers)

    def claims(self, who: str, records: list[dict[str, Any]]) -> Any:
        return self.http.post("/api/claims", json={"records": records},
                              headers={"Authorization": f"Bearer {TOKENS[who]}"})  # fmt: skip

    def close(self) -> None:
        self.http.__exit__(None, None, None)


MakeClient = Callable[..., Client]


@pytest.fixture
def make_client(db_url: str, tmp_path: Path) -> Iterator[MakeClient]:
    Store.open(db_url).close()  # migrated once, before apps open it
    made: list[Client] = []

    def make(**settings: Any) -> Client:
        made.append(Client(db_url, tmp_path / "reports", **settings))
        return made[-1]

    yield make
    for c in made:
        c.close()


def stored_observations(client: Client) -> int:
    with client.state.store.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(t.observations)).scalar_one())


def test_the_batch_that_crosses_the_quota_is_refused_whole(make_client: MakeClient) -> None:
    c = make_client(daily_quota_monitor=10)
    first = c.post("mon", 4, key="first")
    assert first.status_code == 201, first.text
    crossing = c.post("mon", 7)
    assert crossing.status_code == 429, crossing.text
    assert crossing.headers["Retry-After"] == "3600"  # to 2025-08-15 00:00 UTC
    error = crossing.json()["error"]
    assert error["code"] == "quota_exceeded" and error["field"] == "daily_quota"
    assert "10 records per UTC day" in error["message"]
    assert "4 were submitted on 2025-08-14 and this batch has 7" in error["message"]
    assert stored_observations(c) == 4  # nothing of the refused batch
    assert c.post("mon", 6).status_code == 201  # up to the quota exactly
    assert stored_observations(c) == 10
    assert c.post("mon", 1).status_code == 429
    # the key of the refused batch is free again: the same request is answered, not 409
    assert c.post_body("mon", {"records": [patrol_record()]}, "after").status_code == 429


def test_replays_are_not_counted_and_other_tokens_and_days_are_free(
    make_client: MakeClient,
) -> None:
    c = make_client(daily_quota_monitor=3)
    body = {"records": [patrol_record(source_id=f"replay-{i}") for i in range(3)]}
    assert c.post_body("mon", body, "once").status_code == 201
    for _ in range(3):  # the quota is used up, yet the replay is answered (and not counted)
        replay = c.post_body("mon", body, "once")
        assert replay.status_code == 200 and replay.json()["replayed"] is True
    assert c.post("mon", 1).status_code == 429
    assert c.post("mon2", 3).status_code == 201  # another token: its own count
    c.now = NOW + timedelta(hours=1)  # 2025-08-15 00:00:00.5 UTC: a new day
    assert c.post("mon", 3).status_code == 201
    refused = c.post("mon", 1)
    assert refused.status_code == 429 and refused.headers["Retry-After"] == str(86_400)
    assert stored_observations(c) == 9


def test_each_role_and_token_has_its_quota(make_client: MakeClient, db_url: str) -> None:
    c = make_client(daily_quota_monitor=100, daily_quota_liaison=2)
    assert c.post("ua", 2).status_code == 201  # complaints, on the liaison's quota
    assert c.post("ua", 1).status_code == 429
    assert c.post("own", 3).status_code == 429  # its own quota (2) over the role's (100)
    assert c.post("own", 2).status_code == 201
    store = Store.open(db_url)  # a token issued with --daily-quota
    try:
        issued = app_tokens.new_token(store, "monitor", name="issued", daily_quota=1)
    finally:
        store.close()
    TOKENS["issued"] = issued["token"]
    try:
        assert c.post("issued", 2).status_code == 429
        assert c.post("issued", 1).status_code == 201
    finally:
        del TOKENS["issued"]
    unlimited = make_client(daily_quota_monitor=0)  # 0: no quota for the role
    assert unlimited.post("mon2", 150).status_code == 201
    me = {who: c.http.get("/api/me", headers={"Authorization": f"Bearer {TOKENS[who]}"})
          .json()["daily_quota"] for who in ("mon", "ua", "own")}  # fmt: skip
    assert me == {"mon": 100, "ua": 2, "own": 2}
    assert unlimited.http.get("/api/me", headers={
        "Authorization": f"Bearer {TOKENS['mon']}"}).json()["daily_quota"] is None


def test_claims_count_against_the_same_quota(make_client: MakeClient) -> None:
    c = make_client(daily_quota_liaison=3)
    assert c.post("ua", 1).status_code == 201
    two = [CLAIM, CLAIM | {"claim_id": "UA-2"}]
    assert c.claims("ua", two).status_code == 201  # 3 of 3
    again = c.claims("ua", two)  # stored before: nothing new, nothing counted
    assert again.status_code == 200 and again.json()["duplicates"] == 2
    refused = c.claims("ua", [CLAIM | {"claim_id": "UA-3"}])
    assert refused.status_code == 429 and refused.json()["error"]["code"] == "quota_exceeded"
    with c.state.store.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(t.claims)).scalar_one() == 2


def test_concurrent_submissions_never_pass_the_quota(make_client: MakeClient) -> None:
    """Two apps on one store (two writer threads and connection pools, as two API
    processes would have), eight threads posting one-record batches: exactly the quota is
    stored, and everything else is refused."""
    quota, attempts = 25, 48
    apps = [make_client(daily_quota_monitor=quota) for _ in range(2)]
    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(lambda k: apps[k % 2].post("mon", 1).status_code,
                                 range(attempts)))  # fmt: skip
    assert statuses.count(201) == quota
    assert statuses.count(429) == attempts - quota
    assert stored_observations(apps[0]) == quota
    with apps[0].state.store.engine.connect() as conn:
        used = conn.execute(select(t.submission_quotas.c.used)).scalars().all()
    assert used == [quota]
