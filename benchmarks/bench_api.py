"""Load on the HTTP API, on loopback only (127.0.0.1), bounded in count and time.

1. **Submissions**: open-loop load of ``RATE`` observations per second for ``DURATION_S``
   seconds, sent as batches of 5 records (each request with its own Idempotency-Key);
   then ``RATE`` single-record requests per second for ``SINGLE_S`` seconds. Latency is
   measured from the instant each request was *due* (a stalled server cannot hide
   queueing: no coordinated omission). After each phase the store is counted: observations
   stored must equal the observations accepted. The peer, in the same run and with the
   same client, is a bare FastAPI endpoint that parses the same JSON body and stores
   nothing.
2. **Queries with 1,000,000 incidents**: the incidents are generated straight into a
   temporary SQLite store (random points along a 1,000 km band, 100 days, realistic status,
   sector and assessment mix); a closed loop then times a mix of queries (one day; bbox and
   a week; sector, status and a month; agreement clause and verdict; the next page by
   cursor; one incident with its evidence; a day with its total count).

The server runs in its own process (uvicorn, one worker, uvloop + httptools), the client in
this one (raw HTTP/1.1 over asyncio keep-alive connections: a few µs per request, so the
client does not compete with the server for the machine's two cores more than it must).

    python -m benchmarks.bench_api            # prints the JSON
    run(rate=500, duration_s=60, incidents=1_000_000) -> dict
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import random
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

from fastapi import FastAPI, Header
from pydantic import BaseModel

HOST = "127.0.0.1"
RATE = 500
DURATION_S = 60.0
SINGLE_S = 60.0
INCIDENTS = 1_000_000
QUERIES_PER_KIND = 150
QUERY_TIME_CAP_S = 40.0
CONNECTIONS = 48
TOKEN = "bench-analyst-token"
TARGETS = {"submit_p99_ms": 100.0, "query_p95_ms": 50.0}


# --------------------------------------------------------------------------- servers


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


class PeerBatch(BaseModel):
    records: list[dict[str, Any]]


class PeerAck(BaseModel):
    read: int
    stored: int


def bare_app() -> Any:
    """The peer: FastAPI parsing the same body into a pydantic model, storing nothing."""
    app = FastAPI()

    @app.post("/api/observations", response_model=PeerAck, status_code=201)
    def submit(
        batch: PeerBatch, key: Annotated[str, Header(alias="Idempotency-Key")]
    ) -> PeerAck:
        return PeerAck(read=len(batch.records), stored=0)

    return app


def wait_for_port(port: int, procs: Sequence[subprocess.Popen[Any]], what: str,
                  timeout_s: float) -> None:  # fmt: skip
    """Return once ``port`` on :data:`HOST` accepts connections; raise if one of ``procs``
    exits first or ``timeout_s`` seconds pass."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            socket.create_connection((HOST, port), timeout=0.2).close()
            return
        except OSError:
            if any(p.poll() is not None for p in procs) or time.monotonic() > deadline:
                raise RuntimeError(f"{what} did not start") from None
            time.sleep(0.1)


@contextmanager
def serve(factory: str, env: dict[str, str]) -> Iterator[int]:
    """``uvicorn --factory`` in a subprocess on a free loopback port; stopped on exit."""
    port = _free_port()
    cmd = [
        sys.executable, "-m", "uvicorn", factory, "--factory", "--host", HOST,
        "--port", str(port), "--log-level", "warning", "--no-access-log",
        "--loop", "uvloop", "--http", "httptools", "--backlog", "4096",
    ]  # fmt: skip
    root = Path(__file__).resolve().parents[1]
    proc = subprocess.Popen(cmd, env={**os.environ, **env}, cwd=root)
    try:
        wait_for_port(port, [proc], f"server {factory}", 60.0)
        yield port
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _server_env(db: Path) -> dict[str, str]:
    tokens = [
        {"name": "bench-analyst", "role": "analyst", "token": TOKEN},
    ]
    return {
        "TRUCEWATCH_DB": f"sqlite:///{db}",
        "TRUCEWATCH_TOKENS": json.dumps(tokens),
        "TRUCEWATCH_REPORT_CACHE_DIR": str(db.parent / "reports"),
    }


# --------------------------------------------------------------------------- HTTP client


class Connection:
    """One keep-alive HTTP/1.1 connection (the server answers with Content-Length)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, raw: bytes) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(HOST, self.port)
        assert self.reader is not None
        self.writer.write(raw)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        length = 0
        for line in head.split(b"\r\n"):
            if line[:15].lower() == b"content-length:":
                length = int(line[15:])
        body = await self.reader.readexactly(length) if length else b""
        return status, body

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


def _post(path: str, body: bytes, headers: dict[str, str]) -> bytes:
    extra = [f"{k}: {v}" for k, v in headers.items()]
    lines = [f"POST {path} HTTP/1.1", f"Host: {HOST}", "Content-Type: application/json",
             f"Content-Length: {len(body)}", *extra]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def _get(path: str) -> bytes:
    return (f"GET {path} HTTP/1.1\r\nHost: {HOST}\r\n"
            f"Authorization: Bearer {TOKEN}\r\n\r\n").encode()  # fmt: skip


def _percentiles(latencies_s: Sequence[float]) -> dict[str, float | None]:
    if not latencies_s:
        return {"p50_ms": None, "p95_ms": None, "p99_ms": None, "max_ms": None}
    xs = sorted(latencies_s)

    def q(p: float) -> float:
        return round(xs[min(len(xs) - 1, math.ceil(p * len(xs)) - 1)] * 1000, 2)

    return {"p50_ms": q(0.50), "p95_ms": q(0.95), "p99_ms": q(0.99),
            "max_ms": round(xs[-1] * 1000, 2)}  # fmt: skip


# --------------------------------------------------------------------------- submissions


def _record(i: int) -> dict[str, Any]:
    day = datetime(2025, 8, 1, tzinfo=UTC) + timedelta(days=i % 20)
    return {
        "date": day.date().isoformat(),
        "observer_place": f"bench post {i % 97}",
        "observer_lon": round(36.0 + (i % 1000) * 0.002, 5),
        "observer_lat": round(48.0 + (i % 700) * 0.002, 5),
        "time_start": f"{(i // 60) % 24:02d}:{i % 60:02d}",
        "time_end": f"{(i // 60) % 24:02d}:{i % 60:02d}",
        "source_id": f"bench-monitor-{i % 50}",
        "events": [{"count": 1 + i % 9, "kind": "artillery", "flow": "outgoing",
                    "directions": ["north-east"], "distance_km_min": 2,
                    "distance_km_max": 5, "weapon": f"w{i}"}],
    }


async def _open_loop(
    port: int, requests: Sequence[bytes], rate: float, time_cap_s: float
) -> dict[str, Any]:
    """Send ``requests`` at ``rate`` per second from a pool of keep-alive connections;
    latency from each request's due time to its answer."""
    pool: asyncio.Queue[Connection] = asyncio.Queue()
    conns = [Connection(port) for _ in range(CONNECTIONS)]
    for c in conns:
        pool.put_nowait(c)
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    accepted = stored = 0
    loop = asyncio.get_running_loop()
    t0 = loop.time() + 0.05
    tasks: list[asyncio.Task[None]] = []

    async def one(raw: bytes, due: float) -> None:
        nonlocal accepted, stored
        conn = await pool.get()
        try:
            status, body = await conn.request(raw)
        except (OSError, asyncio.IncompleteReadError):
            conn.close()
            conn = Connection(port)
            status, body = 599, b""
        finally:
            pool.put_nowait(conn)
        latencies.append(loop.time() - due)
        statuses[status] = statuses.get(status, 0) + 1
        if status == 201:
            answer = json.loads(body)
            accepted += int(answer["read"])
            stored += int(answer["stored"])

    for i, raw in enumerate(requests):
        due = t0 + i / rate
        if due - t0 > time_cap_s:
            break
        delay = due - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(raw, due)))
    _, pending = await asyncio.wait(tasks, timeout=max(1.0, t0 + time_cap_s + 20 - loop.time()))
    for task in pending:  # the server fell behind: stop waiting (bounded in time)
        task.cancel()
    elapsed = loop.time() - t0
    for c in conns:
        c.close()
    return {
        "sent": len(tasks),
        "unanswered": len(pending),
        "elapsed_s": round(elapsed, 2),
        "achieved_rate": round(len(tasks) / elapsed, 1),
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "accepted": accepted,
        "stored": stored,
        **_percentiles(latencies),
    }


def _submission_requests(
    n: int, prefix: str, per_request: int = 1, first: int = 0
) -> list[bytes]:
    """``n`` requests of ``per_request`` distinct records, record numbers from ``first``."""
    out = []
    for i in range(n):
        records = [_record(first + i * per_request + k) for k in range(per_request)]
        body = json.dumps({"records": records}, separators=(",", ":")).encode()
        headers = {"Authorization": f"Bearer {TOKEN}", "Idempotency-Key": f"{prefix}-{i}"}
        out.append(_post("/api/observations", body, headers))
    return out


def _count_observations(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute("SELECT count(*) FROM observations").fetchone()[0])


def _submission_phase(
    port: int, db: Path, rate_obs: float, per_request: int, duration_s: float, first: int
) -> dict[str, Any]:
    """``rate_obs`` observations per second in requests of ``per_request`` new records
    (numbered from ``first``); the store is counted before and after."""
    rate = rate_obs / per_request
    requests = _submission_requests(int(rate * duration_s), f"r{first}", per_request, first)
    before = _count_observations(db)
    result = asyncio.run(_open_loop(port, requests, rate, duration_s))
    in_store = _count_observations(db) - before
    sent_obs = result["sent"] * per_request
    ok = (result["p99_ms"] is not None and result["p99_ms"] < TARGETS["submit_p99_ms"]
          and result["accepted"] == result["stored"] == in_store == sent_obs
          and not result["unanswered"])  # fmt: skip
    return {
        "observations_per_s": rate_obs, "records_per_request": per_request,
        "requests_per_s": rate, "duration_s": duration_s, **result,
        "observations_sent": sent_obs, "new_in_store": in_store,
        "lost": result["stored"] - in_store, "meets_target": ok,
    }  # fmt: skip


def bench_submissions(
    folder: Path, rate: float, duration_s: float, single_s: float
) -> dict[str, Any]:
    """Sustained: ``rate`` observations/s for ``duration_s`` in batches of 5 records (100
    requests/s at the default); then ``rate`` single-record requests/s for ``single_s``
    (one request per observation: the per-request cost); the peer at the latter."""
    from trucewatch.store import Store

    db = folder / "submit.db"
    Store.open(f"sqlite:///{db}").close()
    with serve("trucewatch.api:create_app", _server_env(db)) as port:
        asyncio.run(_open_loop(port, _submission_requests(200, "warm", 1, 10**8), 100, 5))
        batched = _submission_phase(port, db, rate, 5, duration_s, 0)
        single = _submission_phase(port, db, rate, 1, single_s, 10**7)
    with serve("benchmarks.bench_api:bare_app", {}) as port:
        peer = asyncio.run(_open_loop(port, _submission_requests(int(rate * single_s), "peer"),
                                      rate, single_s))  # fmt: skip
    return {
        "sustained_batches_of_5": batched,
        "single_record_requests": single,
        "peer_bare_fastapi_single_record": peer,
        "target_p99_ms": TARGETS["submit_p99_ms"],
    }


# --------------------------------------------------------------------------- queries


SECTORS = [f"Sector {k:02d}" for k in range(28)]
STATUSES = (["possible"] * 70) + (["probable"] * 15) + (["confirmed"] * 8) + \
    (["unverified"] * 5) + (["refuted"] * 2)  # fmt: skip
T_START = datetime(2025, 5, 1, tzinfo=UTC)
DAYS = 100


def _assessment(rng: random.Random) -> str:
    if rng.random() < 0.4:
        return '{"agreements_version": 1, "agreement_verdict": null, "agreements": []}'
    verdict = rng.choice(["violation", "undetermined", "undetermined", "permitted"])
    clause = rng.choice(["1", "2"])
    party = rng.choice(["RU", "UA", "undetermined"])
    return json.dumps({"agreements_version": 1, "agreement_verdict": verdict, "agreements": [{
        "agreement": "bench-ceasefire", "agreement_id": 1, "verdict": verdict,
        "clause": clause, "zone": None, "party": party, "party_probability": 0.7,
        "reason": "bench", "other_clauses": ["2"] if clause == "1" else [], "exceptions": []}]})


def generate_incidents(db: Path, n: int, seed: int = 7) -> float:
    """Write ``n`` incidents straight into the store's ``incidents`` table; seconds taken."""
    from trucewatch.store import Store

    t0 = time.perf_counter()
    Store.open(f"sqlite:///{db}").close()
    rng = random.Random(seed)
    cols = ("uid, time_start, time_end, lon, lat, cov_ee, cov_en, cov_nn, kind, count, "
            "confidence, status, attribution_party, attribution, source_kinds, sector, held_by, "
            "line_distance_km, assessment, fused_at")  # fmt: skip
    sql = f"INSERT INTO incidents ({cols}) VALUES ({', '.join('?' * 20)})"
    fused = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=OFF")
    chunk = []
    for i in range(n):
        s = rng.random()  # position along a 1,000 km diagonal band
        lon = 31.0 + 7.5 * s + rng.gauss(0, 0.15)
        lat = 46.5 + 3.5 * s + rng.gauss(0, 0.15)
        t = T_START + timedelta(seconds=rng.random() * DAYS * 86400)
        ts = t.strftime("%Y-%m-%d %H:%M:%S.%f")
        party = rng.choice(["RU", "UA", "undetermined", "undetermined"])
        chunk.append((
            f"{i:064x}", ts, ts, lon, lat, 0.5, 0.0, 0.5, "artillery", 1 + i % 30,
            round(rng.random(), 3), rng.choice(STATUSES), party,
            json.dumps({"party": party, "probabilities": {"RU": 0.5, "UA": 0.3}, "method": "flow"}),
            '["patrol"]', SECTORS[min(27, int(s * 28))], rng.choice(["RU", "UA"]),
            rng.uniform(-30, 30), _assessment(rng), fused,
        ))  # fmt: skip
        if len(chunk) == 50_000:
            conn.executemany(sql, chunk)
            chunk = []
    if chunk:
        conn.executemany(sql, chunk)
    conn.commit()
    conn.execute("ANALYZE")
    conn.close()
    return time.perf_counter() - t0


def _query_kinds(rng: random.Random) -> dict[str, Any]:
    def day() -> datetime:
        return T_START + timedelta(days=rng.randrange(DAYS - 31))

    def iso(t: datetime) -> str:
        return t.strftime("%Y-%m-%dT%H:%M:%SZ")

    def one_day() -> str:
        d = day()
        return f"/api/incidents?since={iso(d)}&until={iso(d + timedelta(days=1))}&limit=100"

    def bbox_week() -> str:
        s = rng.random()
        lon, lat, d = 31.0 + 7.5 * s, 46.5 + 3.5 * s, day()
        box = f"{lon - 0.35:.3f},{lat - 0.25:.3f},{lon + 0.35:.3f},{lat + 0.25:.3f}"
        return (f"/api/incidents?bbox={box}&since={iso(d)}&until={iso(d + timedelta(days=7))}"
                "&limit=100")  # fmt: skip

    def sector_status_month() -> str:
        d = day()
        return (f"/api/incidents?sector={rng.choice(SECTORS).replace(' ', '%20')}"
                f"&status=probable,confirmed&since={iso(d)}&until={iso(d + timedelta(days=30))}"
                "&limit=100")  # fmt: skip

    def clause_week() -> str:
        d = day()
        return (f"/api/incidents?agreement=bench-ceasefire&clause=2&verdict=violation"
                f"&since={iso(d)}&until={iso(d + timedelta(days=7))}&limit=100")  # fmt: skip

    def day_with_count() -> str:
        return one_day() + "&count=true"

    def detail() -> str:
        return f"/api/incidents/{rng.randrange(INCIDENTS_IN_STORE[0]):064x}"

    return {"one_day": one_day, "bbox_week": bbox_week, "sector_status_month":
            sector_status_month, "clause_verdict_week": clause_week,
            "day_with_count": day_with_count, "incident_detail": detail}  # fmt: skip


INCIDENTS_IN_STORE = [INCIDENTS]


async def _closed_loop(port: int, paths: dict[str, list[str]], cap_s: float) -> dict[str, Any]:
    conn = Connection(port)
    out: dict[str, Any] = {}
    all_latencies: list[float] = []
    deadline = time.monotonic() + cap_s
    try:
        for kind, items in paths.items():
            lat: list[float] = []
            statuses: dict[int, int] = {}
            nxt: str | None = None
            for path in items:
                if time.monotonic() > deadline:
                    break
                t = time.perf_counter()
                status, body = await conn.request(_get(path))
                lat.append(time.perf_counter() - t)
                statuses[status] = statuses.get(status, 0) + 1
                if kind == "one_day" and nxt is None and status == 200:
                    nxt = json.loads(body).get("next_cursor")
            out[kind] = {"n": len(lat), "statuses": statuses, **_percentiles(lat)}
            all_latencies.extend(lat)
            if kind == "one_day" and nxt:
                page: list[float] = []
                for _ in range(20):
                    t = time.perf_counter()
                    await conn.request(_get(f"/api/incidents?limit=100&cursor={nxt}"))
                    page.append(time.perf_counter() - t)
                out["next_page_by_cursor"] = {"n": len(page), **_percentiles(page)}
                all_latencies.extend(page)
    finally:
        conn.close()
    out["all"] = {"n": len(all_latencies), **_percentiles(all_latencies)}
    return out


def bench_queries(folder: Path, incidents: int) -> dict[str, Any]:
    db = folder / "incidents.db"
    INCIDENTS_IN_STORE[0] = incidents
    gen_s = generate_incidents(db, incidents)
    rng = random.Random(11)
    kinds = _query_kinds(rng)
    paths = {k: [make() for _ in range(QUERIES_PER_KIND)] for k, make in kinds.items()}
    with serve("trucewatch.api:create_app", _server_env(db)) as port:
        asyncio.run(_closed_loop(port, {k: v[:5] for k, v in paths.items()}, 30))  # warm up
        result = asyncio.run(_closed_loop(port, paths, QUERY_TIME_CAP_S))
    worst = max((v["p95_ms"] or 0.0) for k, v in result.items() if k != "all")
    return {
        "incidents": incidents,
        "generate_s": round(gen_s, 1),
        "page_size": 100,
        "by_query": result,
        "worst_p95_ms": worst,
        "target_p95_ms": TARGETS["query_p95_ms"],
        "meets_target": bool(worst < TARGETS["query_p95_ms"]),
    }


# --------------------------------------------------------------------------- entry point


def run(
    rate: float = RATE,
    duration_s: float = DURATION_S,
    incidents: int = INCIDENTS,
    single_s: float = SINGLE_S,
) -> dict[str, Any]:
    """Both benchmarks in a temporary folder (removed afterwards)."""
    with tempfile.TemporaryDirectory(prefix="trucewatch-bench-api-") as tmp:
        folder = Path(tmp)
        t0 = time.perf_counter()
        submissions = bench_submissions(folder, rate, duration_s, single_s)
        queries = bench_queries(folder, incidents)
        return {
            "submissions": submissions,
            "queries": queries,
            "runtime_s": round(time.perf_counter() - t0, 1),
            "notes": "loopback only; one uvicorn worker (uvloop, httptools) on SQLite WAL; "
            "client and server share the machine's cores",
        }


if __name__ == "__main__":
    quick = "--quick" in sys.argv
    out = run(rate=200, duration_s=10, incidents=100_000, single_s=5) if quick else run()
    print(json.dumps(out, indent=2))
