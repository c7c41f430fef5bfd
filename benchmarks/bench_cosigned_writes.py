"""Writes answered once they are in a cosigned head (issue 16), on loopback only.

The API server (uvicorn, its own process, SQLite) publishes heads itself
(``TRUCEWATCH_COSIGN_CONFIG``: a new tree head every ``EVERY_S`` seconds when entries
arrived, sent to three witnesses running in this process, published once all three, the two
parties' and the neutral one, cosigned it). For ``DURATION_S`` seconds it takes an
open-loop load of ``RATE`` observations/s in batches of 5 (answered at once: the peer of
the waiting writes, same run, same server); meanwhile one single-record write per
``PROBE_EVERY_S`` asks ``Prefer: wait-for-cosigned-head, wait=30`` and is timed from send
to answer. Afterwards the store says, for every published head, the time from its tree
head's signature to its publication with the quorum's cosignatures.

Targets: a head cosigned by the quorum within 10 s at p95 while the API takes 500
observations/s (Rekor v2 answers a write once its entry is in a published head, p95 within
10 s).

    python -m benchmarks.bench_cosigned_writes [--out benchmarks/results/cosigned_writes_DATE.json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sqlite3
import tempfile
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks.bench_api import (
    TOKEN,
    Connection,
    _open_loop,
    _percentiles,
    _post,
    _record,
    _server_env,
    _submission_requests,
    serve,
)

RATE = 500
PER_REQUEST = 5
DURATION_S = 45.0
PROBE_EVERY_S = 0.5
EVERY_S = 0.5
ORIGIN = "bench.example/log"
NAMES = ("ua.example/witness", "ru.example/witness", "neutral.example/witness")
TARGET_P95_S = 10.0


def _witnesses(tmp: Path, key_path: Path) -> tuple[list[Any], list[str]]:
    """Three witnesses on loopback threads; returns their servers and config blocks."""
    from trucewatch.app import cosign
    from trucewatch.ledger.note import COSIGNATURE, Signer, Verifier
    from trucewatch.ledger.signing import generate_key
    from trucewatch.ledger.witness import Witness, make_server

    log = Verifier.parse(cosign.mission_vkey(key_path, ORIGIN)["vkey"])
    servers, blocks = [], []
    for name in NAMES:
        witness = Witness(Signer(name, generate_key(), COSIGNATURE), {ORIGIN: [log]},
                          tmp / name.split(".")[0])  # fmt: skip
        server = make_server(witness)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        blocks.append(f'[[witnesses]]\nurl = "http://127.0.0.1:{server.server_address[1]}"\n'
                      f'vkey = "{witness.signer.verifier.vkey()}"\n')  # fmt: skip
    return servers, blocks


def _prepare(tmp: Path) -> tuple[Path, Path, list[Any]]:
    """The store with the mission key registered, the witnesses, the configuration."""
    from trucewatch.app import ledger as app_ledger
    from trucewatch.store import Store

    db = tmp / "cosigned.db"
    store = Store.open(f"sqlite:///{db}")
    app_ledger.init_key(store, tmp / "mission.pem", "the mission")
    store.close()
    servers, blocks = _witnesses(tmp, tmp / "mission.pem")
    config = tmp / "cosign.toml"
    config.write_text(f'origin = "{ORIGIN}"\nkey = "mission.pem"\nquorum = {list(NAMES)}\n'
                      f"every_s = {EVERY_S}\ntimeout_s = 10\n\n" + "\n".join(blocks))  # fmt: skip
    return db, config, servers


async def _probes(port: int, duration_s: float) -> list[dict[str, Any]]:
    """One waiting single-record write every ``PROBE_EVERY_S`` seconds, concurrently."""
    loop = asyncio.get_running_loop()
    out: list[dict[str, Any]] = []

    async def one(i: int) -> None:
        body = json.dumps({"records": [_record(50_000_000 + i)]}).encode()
        raw = _post("/api/observations", body, {
            "Authorization": f"Bearer {TOKEN}", "Idempotency-Key": f"probe-{i}",
            "Prefer": "wait-for-cosigned-head, wait=30"})  # fmt: skip
        conn = Connection(port)
        t = loop.time()
        status, answer = await conn.request(raw)
        conn.close()
        head = json.loads(answer).get("cosigned_head") if answer else None
        out.append({"status": status, "seconds": loop.time() - t,
                    "cosigned_by": None if head is None else len(head["cosigned_by"])})

    tasks = []
    t0 = loop.time()
    for i in range(int(duration_s / PROBE_EVERY_S)):
        await asyncio.sleep(max(0.0, t0 + i * PROBE_EVERY_S - loop.time()))
        tasks.append(asyncio.create_task(one(i)))
    await asyncio.gather(*tasks)
    return out


async def _load(port: int, duration_s: float, rate_obs: float, prefix: str) -> dict[str, Any]:
    """``rate_obs`` new observations/s in requests of ``PER_REQUEST``, answered at once."""
    rate = rate_obs / PER_REQUEST
    first = 0 if prefix == "load" else 90_000_000
    requests = _submission_requests(int(rate * duration_s), prefix, PER_REQUEST, first)
    return await _open_loop(port, requests, rate, duration_s)


async def _load_and_probes(port: int, duration_s: float, rate_obs: float
                           ) -> tuple[dict[str, Any], list[Any]]:  # fmt: skip
    return await asyncio.gather(_load(port, duration_s, rate_obs, "load"),
                                _probes(port, duration_s))


def _head_latencies(db: Path) -> list[float]:
    """Seconds from each published head's tree-head signature to its publication."""
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT h.timestamp_ms, c.published_at FROM ledger_cosigned_heads c "
            "JOIN ledger_tree_heads h ON h.tree_size = c.tree_size").fetchall()  # fmt: skip
    out = []
    for signed_ms, published in rows:
        at = datetime.fromisoformat(str(published)).replace(tzinfo=UTC)
        out.append(at.timestamp() - signed_ms / 1000)
    return out


def _seconds(values: list[float]) -> dict[str, float | None]:
    return {k.replace("_ms", "_s"): None if v is None else round(v / 1000, 3)
            for k, v in _percentiles(values).items()}  # fmt: skip


def run(duration_s: float = DURATION_S, rate: float = RATE) -> dict[str, Any]:
    """The peer (the same server without publishing, the same load, no waiting writes),
    then the measurement; about twice ``duration_s`` plus the start-ups."""
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        db, config, servers = _prepare(tmp)
        try:
            with serve("trucewatch.api:create_app", _server_env(db)) as port:
                peer = asyncio.run(_load(port, duration_s, rate, "peer"))
            env = {**_server_env(db), "TRUCEWATCH_COSIGN_CONFIG": str(config)}
            with serve("trucewatch.api:create_app", env) as port:
                load, probes = asyncio.run(_load_and_probes(port, duration_s, rate))
        finally:
            for s in servers:
                s.shutdown()
        heads = _head_latencies(db)
    waited = [p["seconds"] for p in probes if p["status"] == 201]
    statuses: dict[str, int] = {}
    for p in probes:
        statuses[str(p["status"])] = statuses.get(str(p["status"]), 0) + 1
    write_wait = _seconds(waited)
    return {
        "witnesses": list(NAMES), "quorum": "all three", "publish_every_s": EVERY_S,
        "load_observations_per_s": rate, "records_per_request": PER_REQUEST,
        "duration_s": duration_s,
        "peer_same_load_no_publishing": peer,
        "load_answered_at_once": load,
        "waiting_writes": {"sent": len(probes), "statuses": statuses,
                           "all_cosigned_by_three": all(p["cosigned_by"] == 3 for p in probes
                                                        if p["status"] == 201),
                           **write_wait},
        "heads_published": len(heads),
        "head_signed_to_published": _seconds(heads),
        "target_p95_s": TARGET_P95_S,
        "meets_target": write_wait["p95_s"] is not None and write_wait["p95_s"] < TARGET_P95_S
        and statuses.get("202", 0) == 0,
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    day = datetime.now(UTC).date().isoformat()
    parser.add_argument("--out", type=Path,
                        default=Path(f"benchmarks/results/cosigned_writes_{day}.json"))
    parser.add_argument("--duration", type=float, default=DURATION_S)
    parser.add_argument("--rate", type=float, default=RATE, help="observations/s")
    args = parser.parse_args()
    started = {"started_at": datetime.now(UTC).isoformat(), "load_average": list(os.getloadavg())}
    results = {**started, **run(args.duration, args.rate),
               "load_average_after": list(os.getloadavg())}  # fmt: skip
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))
