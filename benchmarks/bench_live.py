"""Live monitoring under load: latency from a submission to its incident on the stream and
in queries, agreement with a batch ``fuse``, and webhook alerts through a receiver outage
and a server restart.

The ``standard`` scenario (seed 0) is simulated once; its records (patrols, acoustic
arrays, cameras, complaints; the satellite CSV is left out: it arrives hours late by
nature) are sent in arrival order (the end of each observation plus up to 10 minutes of
reporting delay, as ``bench_fusion``'s streaming run) to the server on SQLite at ``RATE``
observations per second for ``DURATION_S`` seconds (open loop: every 100 ms the next
records, one request per format, sent by 32 client threads without waiting for earlier
answers). The server runs in subprocesses: ``split`` (default), the API under uvicorn with
live off plus ``trucewatch live`` (fusion, alerts and webhooks in a process of their own),
or ``single``, one uvicorn process with live on (``trucewatch serve``). Meanwhile:

- an analyst reads ``GET /api/stream``: an incident is *visible on the stream* when an
  event carries an incident holding its first-posted observation; latency is from that
  observation's request to the event's arrival;
- every 50th observation is polled with ``GET /api/observations/{uid}`` (every 0.25 s)
  until it belongs to an incident: latency *visible to queries*;
- an analyst's webhook subscription (least status ``probable``) posts to a receiver in
  this process; the receiver is down (connection refused) from ``OUTAGE`` s to ``OUTAGE``
  + ``OUTAGE_S`` s, and the server is stopped and started again at ``RESTART_AT`` s
  (during the outage, with alerts pending). An alert's latency is from the change that
  made its incident match (``incident_changes.at``) to its first arrival at the receiver;
  alerts whose incident matched while the receiver was down are reported apart. Lost:
  alerts queued in the store that never arrived.

At the end, after the server's refresh, the stored incidents are compared with a batch
fusion of the same stored observations (same uids; same status and confidence).

    python -m benchmarks.bench_live [SIM_FOLDER] [split|single]
                                    # prints the JSON, writes results/live_<mode>_<date>.json
    BENCH_LIVE_OUTAGE_S=300 BENCH_LIVE_RATE=250 python -m benchmarks.bench_live
                                    # a 5-minute outage, 250 observations/s offered
                                    # (BENCH_LIVE_SUFFIX=b: results file ..._b.json)
"""

from __future__ import annotations

import json
import math
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx

from benchmarks.bench_api import wait_for_port

HOST = "127.0.0.1"
RATE = float(os.environ.get("BENCH_LIVE_RATE", "500"))
"""Observations per second offered (``BENCH_LIVE_RATE``)."""
DURATION_S = 60.0
TICK_S = 0.1
OUTAGE = 20.0
OUTAGE_S = float(os.environ.get("BENCH_LIVE_OUTAGE_S", "60"))
"""How long the webhook receiver is down (``BENCH_LIVE_OUTAGE_S``; issue 21 asks 300)."""
RESTART_AT = 70.0
DRAIN_S = 240.0
SAMPLE_EVERY = 50
REPORT_DELAY_S = 600.0
TOKEN = "bench-live-analyst"
TARGETS = {"stream_p95_s": 10.0, "stream_p99_s": 30.0, "webhook_p95_s": 15.0, "lost": 0}
FORMATS = {"observations.jsonl": "patrol", "acoustic.jsonl": "acoustic",
           "camera.jsonl": "camera", "complaint.jsonl": "complaint"}  # fmt: skip


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def _pct(xs: Sequence[float]) -> dict[str, float | int | None]:
    if not xs:
        return {"n": 0, "p50_s": None, "p95_s": None, "p99_s": None, "max_s": None}
    s = sorted(xs)

    def q(p: float) -> float:
        return round(s[min(len(s) - 1, math.ceil(p * len(s)) - 1)], 3)

    return {"n": len(s), "p50_s": q(0.5), "p95_s": q(0.95), "p99_s": q(0.99),
            "max_s": round(s[-1], 3)}  # fmt: skip


# --------------------------------------------------------------------------- data


def _records(folder: Path) -> list[tuple[str, str]]:
    """(format, line) of each record in arrival order (seeded delays)."""
    from trucewatch import sources

    rng = random.Random(0)
    out: list[tuple[float, str, str]] = []
    for name, fmt in FORMATS.items():
        path = folder / name
        ready: dict[str, float] = {}
        for o in sources.read_file(path).observations:
            t = o.time_end.timestamp()
            ready[o.payload] = max(ready.get(o.payload, t), t)
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip() and line in ready:
                out.append((ready[line] + rng.uniform(0.0, REPORT_DELAY_S), fmt, line))
    out.sort(key=lambda r: r[0])
    return [(fmt, line) for _, fmt, line in out]


# --------------------------------------------------------------------------- processes


class ServerProcess:
    """The server in subprocesses: ``split`` (the default), the API under uvicorn with
    live off and ``trucewatch live`` beside it; ``single``, one uvicorn process with live
    on (what ``trucewatch serve`` runs)."""

    def __init__(self, db: Path, port: int, mode: str) -> None:
        self.port = port
        tokens = [{"name": "bench-analyst", "role": "analyst", "token": TOKEN}]
        env = {**os.environ, "TRUCEWATCH_DB": f"sqlite:///{db}",
               "TRUCEWATCH_LIVE": "true" if mode == "single" else "false",
               "TRUCEWATCH_TOKENS": json.dumps(tokens), "TRUCEWATCH_RATE_PER_SECOND": "0",
               "TRUCEWATCH_LIVE_QUIET_S": "5", "TRUCEWATCH_LIVE_POLL_S": "0.5",
               "TRUCEWATCH_WEBHOOK_CAP_S": "10",
               "TRUCEWATCH_WEBHOOK_ALLOWED_HOSTS": json.dumps([HOST]),  # the receiver
               "TRUCEWATCH_REPORT_CACHE_DIR": str(db.parent / "reports")}  # fmt: skip
        root = Path(__file__).resolve().parents[1]
        cmd = [sys.executable, "-m", "uvicorn", "trucewatch.api:create_app", "--factory",
               "--host", HOST, "--port", str(port), "--log-level", "warning",
               "--no-access-log", "--timeout-graceful-shutdown", "5"]  # fmt: skip
        self.procs = [subprocess.Popen(cmd, env=env, cwd=root)]
        if mode == "split":
            worker = [sys.executable, "-c", "from trucewatch.cli import main; main()", "live"]
            self.procs.append(subprocess.Popen(worker, env=env, cwd=root))
        wait_for_port(port, self.procs, "the server", 120.0)

    def stop(self) -> None:
        for proc in self.procs:
            proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


class Receiver:
    """A webhook receiver that can go down (its socket closed: connection refused)."""

    def __init__(self) -> None:
        self.port = _free_port()
        self.first: dict[str, float] = {}
        self.bodies: dict[str, dict[str, Any]] = {}
        self.calls = 0
        self._httpd: ThreadingHTTPServer | None = None
        self.up()

    def up(self) -> None:
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                now = time.time()
                aid = self.headers.get("Trucewatch-Alert-Id", "")
                outer.calls += 1
                if aid not in outer.first:
                    outer.first[aid] = now
                    outer.bodies[aid] = json.loads(body)
                self.send_response(204)
                self.end_headers()

            def log_message(self, *_a: Any) -> None:
                return None

        ThreadingHTTPServer.allow_reuse_address = True
        self._httpd = ThreadingHTTPServer((HOST, self.port), Handler)
        threading.Thread(target=self._httpd.serve_forever, daemon=True).start()

    def down(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None


class StreamReader:
    """An analyst's ``GET /api/stream``, reconnecting with Last-Event-ID."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.first_seen: dict[str, float] = {}
        self.events = 0
        self.last: int | None = None
        self._stop = threading.Event()
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self) -> None:
        while not self._stop.is_set():
            headers = {"Authorization": f"Bearer {TOKEN}"}
            if self.last is not None:
                headers["Last-Event-ID"] = str(self.last)
            timeout = httpx.Timeout(5.0, read=None)
            with suppress(httpx.HTTPError), httpx.Client(timeout=timeout) as c, \
                    c.stream("GET", f"{self.base}/api/stream", headers=headers) as r:
                    data = None
                    for line in r.iter_lines():
                        if line.startswith("id: "):
                            self.last = int(line[4:])
                        elif line.startswith("data: "):
                            data = json.loads(line[6:])
                        elif line == "" and data is not None:
                            self._take(data)
                            data = None
            self._stop.wait(0.5)

    def _take(self, data: dict[str, Any]) -> None:
        now = time.time()
        self.events += 1
        for uid in data.get("observations", ()):
            self.first_seen.setdefault(uid, now)

    def stop(self) -> None:
        self._stop.set()


class QueryPoller:
    """Polls sampled observations until each belongs to an incident."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.pending: dict[str, float] = {}
        self.seen: dict[str, float] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        threading.Thread(target=self._run, daemon=True).start()

    def add(self, uid: str, posted: float) -> None:
        with self._lock:
            self.pending[uid] = posted

    def _run(self) -> None:
        with httpx.Client(base_url=self.base, timeout=10.0,
                          headers={"Authorization": f"Bearer {TOKEN}"}) as c:  # fmt: skip
            while not self._stop.is_set():
                with self._lock:
                    todo = list(self.pending)
                for uid in todo:
                    with suppress(httpx.HTTPError, ValueError):
                        r = c.get(f"/api/observations/{uid}")
                        if r.status_code == 200 and r.json().get("incidents"):
                            with self._lock:
                                self.seen[uid] = time.time()
                                self.pending.pop(uid, None)
                self._stop.wait(0.25)

    def stop(self) -> None:
        self._stop.set()


# --------------------------------------------------------------------------- the run


def _post(client: httpx.Client, fmt: str, lines: list[str], key: str) -> list[str]:
    body = {"lines": "\n".join(lines) + "\n", "format": fmt}
    r = client.post("/api/observations", json=body,
                    headers={"Idempotency-Key": key})  # fmt: skip
    if r.status_code not in (200, 201):
        raise RuntimeError(f"submission refused: {r.status_code} {r.text[:300]}")
    return list(r.json()["observations"])


def _load(base: str, records: list[tuple[str, str]], poller: QueryPoller,
          t0: float, events: dict[str, Any]) -> dict[str, float]:  # fmt: skip
    """Send the records for DURATION_S seconds at RATE; the outage and the restart happen
    on the way (``events`` holds the receiver and the server controls)."""
    posted: dict[str, float] = {}
    lock = threading.Lock()
    per_tick = int(RATE * TICK_S)
    k = 0
    tick = 0

    def send(c: httpx.Client, fmt: str, lines: list[str], key: str) -> None:
        sent = time.time()  # open loop: the request's due time, not its answer's
        uids = _post(c, fmt, lines, key)
        with lock:
            for uid in uids:
                if uid not in posted:
                    posted[uid] = sent
                    if len(posted) % SAMPLE_EVERY == 0:
                        poller.add(uid, sent)

    with httpx.Client(base_url=base, timeout=120.0, limits=httpx.Limits(max_connections=32),
                      headers={"Authorization": f"Bearer {TOKEN}"}) as c, \
            ThreadPoolExecutor(32) as pool:  # fmt: skip
        futures = []
        while time.monotonic() - t0 < DURATION_S and k < len(records):
            due = t0 + tick * TICK_S
            if (wait := due - time.monotonic()) > 0:
                time.sleep(wait)
            chunk = records[k : k + per_tick]
            k += len(chunk)
            by_format: dict[str, list[str]] = defaultdict(list)
            for fmt, line in chunk:
                by_format[fmt].append(line)
            for fmt, lines in by_format.items():
                futures.append(pool.submit(send, c, fmt, lines, f"live-{tick}-{fmt}"))
            tick += 1
            events["tick"](time.monotonic() - t0)
        for f in futures:
            f.result()
    return posted


def _agreement(db: Path) -> dict[str, Any]:
    """The stored (live, refreshed) incidents against a batch fusion of the same
    observations."""
    from trucewatch.app import lines as app_lines
    from trucewatch.app.incidents import trusted_observations
    from trucewatch.fusion.engine import fuse_observations
    from trucewatch.store import Store

    store = Store.open(f"sqlite:///{db}")
    try:
        live = {i.uid: i for i in store.incidents()}
        observations, _ = trusted_observations(store, None, None)
        lines = app_lines.line_history(store)
        t = time.perf_counter()
        batch = {i.uid: i for i in fuse_observations(observations, lines or None).incidents}
        batch_s = time.perf_counter() - t
    finally:
        store.close()
    same = set(live) & set(batch)
    status = sum(live[u].status == batch[u].status for u in same)
    conf = sum(abs(live[u].confidence - batch[u].confidence) < 1e-9 for u in same)
    return {"live_incidents": len(live), "batch_incidents": len(batch), "same_uid": len(same),
            "same_status": status, "same_confidence": conf,
            "equal": len(same) == len(live) == len(batch) == status == conf,
            "batch_fuse_s": round(batch_s, 1)}  # fmt: skip


def _wait_refreshed(db: Path, timeout_s: float = 600.0) -> None:
    """Wait until live fusion has refreshed after its last change (``live_cursor``)."""
    import sqlite3

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        con = sqlite3.connect(db, timeout=60)
        try:
            row = con.execute("SELECT updated_at FROM live_cursor "
                              "WHERE name = 'refreshed'").fetchone()
            last = con.execute("SELECT MAX(at) FROM incident_changes").fetchone()[0]
        finally:
            con.close()
        if row is not None and last is not None and _ts(row[0]) >= _ts(last):
            return
        time.sleep(2.0)


def _ts(text: str) -> float:
    """Unix seconds of a time SQLite holds as naive UTC text."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp()


def _alert_latencies(db: Path, receiver: Receiver, outage: tuple[float, float]
                     ) -> dict[str, Any]:  # fmt: skip
    """Latency of each alert from its incident's change to its first arrival; alerts
    whose change fell in the outage apart; alerts queued but never received. Alerts whose
    change came before the outage but whose delivery fell in it wait for the receiver and
    count in ``latency_outside_outage``; ``latency_receiver_up_throughout`` keeps only the
    alerts the receiver could have taken from their change to their arrival (the service's
    own delay, a server restart included)."""
    import sqlite3

    con = sqlite3.connect(db)
    try:
        upserts: dict[str, list[float]] = defaultdict(list)
        for uid, at in con.execute("SELECT incident_uid, at FROM incident_changes "
                                   "WHERE change = 'upsert'"):  # fmt: skip
            upserts[uid].append(_ts(at))
        queued = [(a, u, s, _ts(c)) for a, u, s, c in con.execute(
            "SELECT alert_id, incident_uid, state, created_at FROM alert_deliveries")]
    finally:
        con.close()
    normal, during, receiver_up = [], [], []
    for aid, uid, _state, created in queued:
        # the change that made the incident match: its last upsert before the alert
        before = [t for t in upserts.get(uid, ()) if t <= created + 1e-3]
        if aid not in receiver.first or not before:
            continue
        crossed = max(before)
        lat = receiver.first[aid] - crossed
        (during if outage[0] <= crossed <= outage[1] else normal).append(lat)
        if receiver.first[aid] < outage[0] or crossed > outage[1]:
            receiver_up.append(lat)
    lost = [aid for aid, _u, _s, _c in queued if aid not in receiver.first]
    states: dict[str, int] = defaultdict(int)
    for _a, _u, state, _c in queued:
        states[state] += 1
    return {"queued": len(queued), "received_ids": len(receiver.first),
            "receiver_calls": receiver.calls, "states": dict(states), "lost": len(lost),
            "latency_outside_outage": _pct(normal), "latency_matched_during_outage": _pct(during),
            "latency_receiver_up_throughout": _pct(receiver_up)}


def run(folder: Path | None = None, mode: str = "split") -> dict[str, Any]:
    from trucewatch.app import agreements as app_agreements
    from trucewatch.app import lines as app_lines
    from trucewatch.app.demo import AGREEMENT_FILE, demo_file
    from trucewatch.sim import load_scenario, simulate
    from trucewatch.store import Store

    with tempfile.TemporaryDirectory(prefix="bench-live-") as tmp:
        work = Path(tmp)
        sim_dir = folder or work / "standard"
        if not (sim_dir / "acoustic.jsonl").exists():
            simulate("standard", 0, sim_dir)
        records = _records(sim_dir)
        db = work / "live.db"
        store = Store.open(f"sqlite:///{db}")
        try:
            app_lines.import_line(store, load_scenario(sim_dir / "scenario.toml").control_path())
            app_agreements.add_agreement(store, demo_file(AGREEMENT_FILE))
        finally:
            store.close()
        port = _free_port()
        base = f"http://{HOST}:{port}"
        server = ServerProcess(db, port, mode)
        receiver = Receiver()
        sub = httpx.post(f"{base}/api/subscriptions", headers={"Authorization": f"Bearer {TOKEN}"},
                         json={"name": "bench", "min_status": "probable",
                               "webhook_url": f"http://{HOST}:{receiver.port}/hook"})  # fmt: skip
        sub.raise_for_status()
        stream = StreamReader(base)
        poller = QueryPoller(base)
        servers = [server]
        try:
            result = _drive(base, db, records, servers, receiver, stream, poller, mode)
        finally:  # a failure on the way leaves no server, thread or receiver behind
            stream.stop()
            poller.stop()
            servers[0].stop()
            receiver.down()
    return result


def _drive(base: str, db: Path, records: list[tuple[str, str]],
           servers: list[ServerProcess], receiver: Receiver, stream: StreamReader,
           poller: QueryPoller, mode: str) -> dict[str, Any]:  # fmt: skip
    """Offer the load, take the receiver down and restart the server on schedule, drain,
    and measure (:func:`run`, which stops everything afterwards)."""
    time.sleep(1.0)
    t0 = time.monotonic()
    wall0 = time.time()
    done = {"down": False, "up": False, "restart": False}

    def tick(elapsed: float) -> None:
        if not done["down"] and elapsed >= OUTAGE:
            receiver.down()
            done["down"] = True
        if not done["up"] and elapsed >= OUTAGE + OUTAGE_S:
            receiver.up()
            done["up"] = True
        if not done["restart"] and elapsed >= RESTART_AT:
            servers[0].stop()
            servers[0] = ServerProcess(db, servers[0].port, mode)
            done["restart"] = True

    posted = _load(base, records, poller, t0, {"tick": tick})
    load_s = time.monotonic() - t0
    while not all(done.values()):
        tick(time.monotonic() - t0)
        time.sleep(0.2)
    deadline = time.monotonic() + DRAIN_S
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {TOKEN}"}) as c:
        while time.monotonic() < deadline:
            with suppress(httpx.HTTPError):
                if not c.get("/api/alerts", params={"state": "pending"}).json():
                    break
            time.sleep(1.0)
    _wait_refreshed(db)
    time.sleep(3.0)  # the stream has caught up
    stream.stop()
    poller.stop()
    servers[0].stop()
    outage = (wall0 + OUTAGE, wall0 + OUTAGE + OUTAGE_S)
    alerts = _alert_latencies(db, receiver, outage)
    agreement = _agreement(db)
    incidents = _incident_latencies(db, posted, stream.first_seen)
    queries = _pct([poller.seen[u] - posted[u] for u in poller.seen])
    return {
        "mode": mode, "observations_posted": len(posted), "load_s": round(load_s, 1),
        "rate_per_s": round(len(posted) / load_s, 1),
        "stream": incidents, "queries_sampled": {**queries, "never": len(poller.pending)},
        "webhooks": alerts, "agreement_with_batch_fuse": agreement,
        "outage_s": OUTAGE_S, "restart_at_s": RESTART_AT, "targets": TARGETS,
    }  # fmt: skip


def _incident_latencies(db: Path, posted: dict[str, float],
                        first_seen: dict[str, float]) -> dict[str, Any]:  # fmt: skip
    """Per stored incident: from its first-posted observation's request to the first
    stream event holding that observation."""
    import sqlite3

    con = sqlite3.connect(db)
    try:
        members: dict[str, list[str]] = defaultdict(list)
        for inc, obs in con.execute("SELECT incident_uid, observation_uid FROM "
                                    "incident_observations"):  # fmt: skip
            members[inc].append(obs)
    finally:
        con.close()
    lat, unseen = [], 0
    for obs in members.values():
        mine = [o for o in obs if o in posted]
        if not mine:
            continue
        first = min(mine, key=lambda o: posted[o])
        if first in first_seen:
            lat.append(first_seen[first] - posted[first])
        else:
            unseen += 1
    return {**_pct(lat), "incidents": len(members), "never_on_stream": unseen}


def main() -> None:
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else None
    mode = sys.argv[2] if len(sys.argv) > 2 else "split"
    result = run(folder, mode)
    print(json.dumps(result, indent=2))
    tag = "" if (RATE, OUTAGE_S) == (500.0, 60.0) else f"_{RATE:g}obs_{OUTAGE_S:g}s"
    tag += os.environ.get("BENCH_LIVE_SUFFIX", "")  # e.g. "b": keep an earlier run's file
    out = (Path(__file__).parent / "results"
           / f"live_{mode}{tag}_{datetime.now(UTC).date()}.json")  # fmt: skip
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
