"""Many API processes, one store: two uvicorn servers on one PostgreSQL store store a
submission sent to both with the same idempotency key once, answer the repeat from either
with the first answer, and store every distinct submission once, each observation logged
once in the ledger. (PostgreSQL only: it is the store for several API hosts, and starting
two servers costs about a minute; the key table's rules are tested on both backends in
tests/store/test_idempotency.py.)"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

import trucewatch
from trucewatch.store import Store

from .conftest import patrol_record

PROCESSES = 2
TOKEN = "fleet-token"
HEADERS = {"Authorization": f"Bearer {TOKEN}"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def servers(db_url: str, tmp_path: Path) -> Iterator[list[str]]:
    """Base URLs of ``PROCESSES`` API servers on the store ``db_url`` (migrated first)."""
    Store.open(db_url).close()
    src = str(Path(trucewatch.__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": src, "TRUCEWATCH_DB": db_url,
           "TRUCEWATCH_TOKENS": json.dumps([{"name": "mon", "role": "monitor", "token": TOKEN}]),
           "TRUCEWATCH_REPORT_CACHE_DIR": str(tmp_path / "reports")}  # fmt: skip
    procs, urls = [], []
    for k in range(PROCESSES):
        port = _free_port()
        log = (tmp_path / f"server{k}.log").open("w")
        procs.append(subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "--factory", "trucewatch.api:create_app",
             "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
            env=env, stdout=log, stderr=subprocess.STDOUT))  # fmt: skip
        urls.append(f"http://127.0.0.1:{port}")
    try:
        for url, proc in zip(urls, procs, strict=True):
            _wait_until_up(url, proc)
        yield urls
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=30)


def _wait_until_up(url: str, proc: subprocess.Popen[Any], timeout_s: float = 120.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        assert proc.poll() is None, "the API server exited while starting"
        try:
            if httpx.get(f"{url}/api/health", timeout=2.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"the API server at {url} did not start in {timeout_s} s")


def _post(url: str, body: dict[str, Any], key: str) -> httpx.Response:
    return httpx.post(f"{url}/api/observations", json=body, timeout=60.0,
                      headers={**HEADERS, "Idempotency-Key": key})  # fmt: skip


def _settled(url: str, body: dict[str, Any], key: str) -> httpx.Response:
    """The answer once the key is no longer in progress (409 means: retry later)."""
    for _ in range(200):
        r = _post(url, body, key)
        if r.status_code != 409:
            return r
        time.sleep(0.05)
    raise AssertionError(f"key {key!r} still in progress after 10 s")


def _counts(db_url: str) -> tuple[int, int, int, int]:
    """Observations, their ledger entries, distinct uids logged, batches with key ``same``."""
    store = Store.open(db_url)
    try:
        with store.engine.connect() as conn:
            obs = conn.exec_driver_sql("SELECT count(*) FROM observations").scalar_one()
            entries, refs = conn.exec_driver_sql(
                "SELECT count(*), count(DISTINCT ref) FROM ledger_entries "
                "WHERE entry_type = 'observation'").one()  # fmt: skip
            batches = conn.exec_driver_sql(
                "SELECT count(*) FROM import_batches WHERE idempotency_key = 'same'"
            ).scalar_one()
        return int(obs), int(entries), int(refs), int(batches)
    finally:
        store.close()


@pytest.mark.parametrize(
    "db_url", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True
)
def test_two_processes_store_a_key_once_and_every_submission_once(
    servers: list[str], db_url: str
) -> None:
    same = {"records": [patrol_record(source_id=f"same-{i}") for i in range(3)]}
    with ThreadPoolExecutor(max_workers=2 * PROCESSES) as pool:  # the same key to both at once
        first = list(pool.map(lambda u: _settled(u, same, "same"), servers))
        assert sorted(r.status_code for r in first) == [200, 201], [r.text for r in first]
        answers = [r.json() for r in first]
        assert {a["batch_id"] for a in answers} == {answers[0]["batch_id"]}
        assert sorted(a.get("replayed", False) for a in answers) == [False, True]
        bodies = [({"records": [patrol_record(source_id=f"s{k}-{i}") for i in range(2)]}, f"k{k}")
                  for k in range(12)]  # fmt: skip
        distinct = list(pool.map(lambda kb: _settled(servers[kb[1] % PROCESSES], *bodies[kb[1]]),
                                 [(b, k) for k, b in enumerate(bodies)]))  # fmt: skip
    assert all(r.status_code == 201 for r in distinct), [r.text for r in distinct]
    again = _settled(servers[1], same, "same")
    assert again.status_code == 200 and again.json()["batch_id"] == answers[0]["batch_id"]
    conflict = _post(servers[0], {"records": [patrol_record(source_id="x")]}, "same")
    assert conflict.status_code == 422
    stored = 3 + 12 * 2
    assert _counts(db_url) == (stored, stored, stored, 1)
