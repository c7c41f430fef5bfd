"""Several API processes on one PostgreSQL store (issue 19): three uvicorn servers on
127.0.0.1 take 1,500 observations/s for 60 s (150 requests/s of 10 patrol records, each
with its own idempotency key, spread over the live servers); one server is killed with
SIGKILL midway. Target: nothing lost or duplicated, p99 < 100 ms, and every acknowledged
submission stored.

The load driver is open-loop and bounded: request ``k`` is due at ``k / rate`` s, at most
``rate * duration`` requests, and it stops by itself (every request gives up after
``RETRY_S``). A request that fails on a server (connection refused or reset by the kill,
a 5xx, or 409 while its key's reservation is held by the dead server until its lease runs
out) is sent again, same key and body, to another live server. Latency is from a request's
due time to its acknowledgement (201, or 200 replayed), retries included.

Afterwards the store is checked: every acknowledged request's observations are stored,
the number of observations equals the number of distinct records sent, no idempotency key
has two batches, and the ledger logs each observation once.

    python -m benchmarks.bench_api_fleet [--processes 3] [--rate 150] [--seconds 60]

Needs ``$TRUCEWATCH_BENCH_PG`` (a database it empties).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import numpy as np
from sqlalchemy import create_engine, text

import trucewatch
from trucewatch.store import Store

TOKEN = "fleet-bench-token"
RECORDS_PER_REQUEST = 10
RETRY_S = 30.0
LEASE_S = 5.0


def patrol_record(source_id: str) -> dict[str, Any]:
    return {"date": "2025-08-14", "observer_place": "bench post", "observer_lon": 37.30,
            "observer_lat": 48.35, "time_start": "08:10", "time_end": "09:00",
            "timezone": "Europe/Kyiv", "source_id": source_id,
            "events": [{"count": 3, "kind": "mortar", "flow": "incoming",
                        "directions": ["west"], "distance_km_min": 2,
                        "distance_km_max": 4}]}  # fmt: skip


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_servers(db_url: str, n: int, log_dir: Path) -> list[tuple[str, subprocess.Popen[bytes]]]:
    src = str(Path(trucewatch.__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": src, "TRUCEWATCH_DB": db_url,
           "TRUCEWATCH_TOKENS": json.dumps([{"name": "fleet", "role": "monitor", "token": TOKEN}]),
           "TRUCEWATCH_IDEMPOTENCY_LEASE_S": str(LEASE_S), "TRUCEWATCH_RATE_PER_SECOND": "0",
           "TRUCEWATCH_REPORT_CACHE_DIR": str(log_dir / "reports")}  # fmt: skip
    out = []
    for k in range(n):
        port = _free_port()
        log = (log_dir / f"server{k}.log").open("w")
        proc = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "--factory", "trucewatch.api:create_app",
             "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
            env=env, stdout=log, stderr=subprocess.STDOUT)  # fmt: skip
        out.append((f"http://127.0.0.1:{port}", proc))
    try:
        for url, proc in out:
            _wait_up(url, proc, log_dir / f"server{[u for u, _ in out].index(url)}.log")
    except BaseException:
        for _, proc in out:
            proc.kill()
        raise
    return out


def _wait_up(url: str, proc: subprocess.Popen[bytes], log: Path, timeout_s: float = 600) -> None:
    """Wait until the server answers its health route (raises with its log's tail)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            if httpx.get(f"{url}/api/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.3)
    tail = log.read_text()[-2000:]
    raise RuntimeError(f"server {url} did not start (exit {proc.poll()}): {tail}")


@dataclass
class Tally:
    acked: dict[str, list[str]] = field(default_factory=dict)  # key -> observation uids
    latencies: list[float] = field(default_factory=list)
    retried: int = 0
    replayed: int = 0
    failed: list[str] = field(default_factory=list)
    statuses: dict[str, int] = field(default_factory=dict)


async def _one(client: httpx.AsyncClient, live: list[str], k: int, due: float,
               tally: Tally) -> None:  # fmt: skip
    key = f"fleet-{k}"
    body = {"records": [patrol_record(f"fleet-{k}-{i}") for i in range(RECORDS_PER_REQUEST)]}
    headers = {"Authorization": f"Bearer {TOKEN}", "Idempotency-Key": key}
    attempt = 0
    while attempt == 0 or time.monotonic() < due + RETRY_S:  # sent at least once
        url = live[(k + attempt) % len(live)]
        try:
            r = await client.post(f"{url}/api/observations", json=body, headers=headers)
            code = str(r.status_code)
        except httpx.HTTPError as exc:
            code = type(exc).__name__
            r = None
        tally.statuses[code] = tally.statuses.get(code, 0) + 1
        if r is not None and r.status_code in (200, 201):
            answer = r.json()
            tally.acked[key] = answer["observations"]
            tally.latencies.append(time.monotonic() - due)
            tally.retried += attempt > 0
            tally.replayed += bool(answer.get("replayed"))
            return
        attempt += 1
        await asyncio.sleep(0.05 if r is None or r.status_code != 409 else 0.25)
    tally.failed.append(key)


async def drive(servers: list[tuple[str, subprocess.Popen[bytes]]], rate: float,
                seconds: float, kill_at: float | None) -> tuple[Tally, float]:  # fmt: skip
    live = [u for u, _ in servers]
    tally = Tally()
    limits = httpx.Limits(max_connections=400, max_keepalive_connections=100)
    async with httpx.AsyncClient(timeout=20.0, limits=limits) as client:
        t0 = time.monotonic()
        tasks = []
        killed = False
        for k in range(int(rate * seconds)):
            due = t0 + k / rate
            now = time.monotonic()
            if due > now:
                await asyncio.sleep(due - now)
            if kill_at is not None and not killed and due - t0 >= kill_at:
                url, proc = servers[1]
                proc.send_signal(signal.SIGKILL)
                live.remove(url)
                killed = True
            tasks.append(asyncio.create_task(_one(client, live, k, due, tally)))
        await asyncio.gather(*tasks)
        elapsed = time.monotonic() - t0
    return tally, elapsed


def check_store(db_url: str, tally: Tally, sent_records: int) -> dict[str, Any]:
    store = Store.open(db_url)
    try:
        with store.engine.connect() as conn:
            obs = conn.exec_driver_sql("SELECT count(*) FROM observations").scalar_one()
            entries, refs = conn.exec_driver_sql(
                "SELECT count(*), count(DISTINCT ref) FROM ledger_entries "
                "WHERE entry_type = 'observation'").one()  # fmt: skip
            twice = conn.exec_driver_sql(
                "SELECT count(*) FROM (SELECT idempotency_key FROM import_batches "
                "WHERE idempotency_key IS NOT NULL GROUP BY idempotency_key "
                "HAVING count(*) > 1) AS t").scalar_one()  # fmt: skip
            acked_uids = [u for uids in tally.acked.values() for u in uids]
            stored_acked = conn.exec_driver_sql(
                "SELECT count(*) FROM observations WHERE uid = ANY(%s)", (acked_uids,)
            ).scalar_one()
    finally:
        store.close()
    return {"observations_stored": int(obs), "records_sent": sent_records,
            "acknowledged_observations": len(acked_uids),
            "acknowledged_observations_stored": int(stored_acked),
            "ledger_observation_entries": int(entries), "ledger_distinct_refs": int(refs),
            "keys_with_two_batches": int(twice)}  # fmt: skip


def _fresh(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def run(processes: int = 3, rate: float = 150.0, seconds: float = 60.0,
        kill: bool = True) -> dict[str, Any]:  # fmt: skip
    url = os.environ.get("TRUCEWATCH_BENCH_PG")
    if not url:
        return {"skipped": "TRUCEWATCH_BENCH_PG not set"}
    _fresh(url)
    Store.open(url).close()
    with tempfile.TemporaryDirectory() as tmp:
        servers = start_servers(url, processes, Path(tmp))
        try:
            load = os.getloadavg()
            tally, elapsed = asyncio.run(drive(servers, rate, seconds,
                                               seconds / 2 if kill else None))  # fmt: skip
        finally:
            for _, proc in servers:
                if proc.poll() is None:
                    proc.terminate()
            for _, proc in servers:
                proc.wait(timeout=60)
    lat = np.array(tally.latencies) * 1000.0
    sent = int(rate * seconds)
    checks = check_store(url, tally, sent * RECORDS_PER_REQUEST)
    counts = {checks[k] for k in ("observations_stored", "records_sent",
                                  "acknowledged_observations_stored", "ledger_distinct_refs",
                                  "ledger_observation_entries")}  # fmt: skip
    ok = not tally.failed and len(counts) == 1 and checks["keys_with_two_batches"] == 0
    p99 = float(np.percentile(lat, 99)) if len(lat) else None
    return {
        "processes": processes, "requests": sent, "records_per_request": RECORDS_PER_REQUEST,
        "observations_per_s_offered": rate * RECORDS_PER_REQUEST, "seconds": seconds,
        "killed_one_with_sigkill_at_s": seconds / 2 if kill else None,
        "elapsed_s": round(elapsed, 1), "acknowledged": len(tally.acked),
        "gave_up": len(tally.failed), "retried": tally.retried, "replayed": tally.replayed,
        "statuses": tally.statuses,
        "latency_ms": None if not len(lat) else {
            "p50": round(float(np.percentile(lat, 50)), 1), "p99": round(p99 or 0.0, 1),
            "max": round(float(lat.max()), 1)},
        "store": checks, "nothing_lost_or_duplicated": ok,
        "meets_target": ok and p99 is not None and p99 < 100.0,
        "load_average_at_start": load, "measured_at": datetime.now(UTC).isoformat(),
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--processes", type=int, default=3)
    parser.add_argument("--rate", type=float, default=150.0, help="requests per second")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--no-kill", action="store_true")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    result = run(args.processes, args.rate, args.seconds, not args.no_kill)
    text_out = json.dumps(result, indent=2)
    print(text_out)
    if args.out:
        args.out.write_text(text_out + "\n")


if __name__ == "__main__":
    main()
