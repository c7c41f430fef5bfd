"""Verifiable decisions (issue 16): append rate with the row digests, import rate, the
full ``ledger verify`` (every row of every table) and cosigning latency with three
witnesses on loopback while observations keep arriving.

Targets: append >= 20,000 entries/s; a head cosigned by the quorum within 10 s at p95
while the store takes 500 observations/s.

    python -m benchmarks.bench_cosign [--out benchmarks/results/ledger_cosign_DATE.json]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from trucewatch.app import cosign
from trucewatch.ledger.note import COSIGNATURE, Signer, Verifier
from trucewatch.ledger.signing import Role, generate_key, read_private_key, write_private_key
from trucewatch.ledger.witness import Witness, make_server
from trucewatch.store import Store
from trucewatch.store.ledger_verify import verify_store
from trucewatch.store.observations import rows_and_entries
from trucewatch.store.util import db_time_encoder
from trucewatch.types import EventKind, Flow, Observation, PointLocation, SourceKind

T0 = datetime(2025, 8, 12, 6, 30, tzinfo=UTC)
APPEND_ENTRIES = 200_000
IMPORT_OBSERVATIONS = 100_000
ROUNDS = 20
INGEST_PER_S = 500
ORIGIN = "bench.example/log"


def _obs(i: int) -> Observation:
    payload = f'{{"n": {i}, "kind": "explosion", "lat": 48.0, "lon": {37 + i * 1e-6}}}'
    return Observation(
        uid=hashlib.sha256(payload.encode()).hexdigest(), source_kind=SourceKind.PATROL,
        source_format="patrol", source_id="team-1", time_start=T0 + timedelta(seconds=i),
        time_end=T0 + timedelta(seconds=i + 60),
        location=PointLocation.isotropic(37 + i * 1e-6, 48.0, 0.5), kind=EventKind.EXPLOSION,
        count=1, weapon=None, flow=Flow.INCOMING, reliability="B", credibility=2,
        payload=payload, payload_sha256=hashlib.sha256(payload.encode()).hexdigest(),
        attributes={"event_index": 0},
    )  # fmt: skip


def bench_append(tmp: Path) -> dict[str, Any]:
    store = Store.open(f"sqlite:///{tmp / 'append.db'}")
    obs = [_obs(i) for i in range(APPEND_ENTRIES)]
    with store.engine.begin() as conn:
        t0 = time.perf_counter()
        entries = rows_and_entries(obs, 1, db_time_encoder(conn), {}, T0).entries
        t1 = time.perf_counter()
        store.ledger.append(conn, entries)
        t2 = time.perf_counter()
    store.close()
    return {"entries": APPEND_ENTRIES, "encode_with_row_digests_per_s": APPEND_ENTRIES / (t1 - t0),
            "append_per_s": APPEND_ENTRIES / (t2 - t1),
            "mean_entry_bytes": sum(len(e.encode()) for e in entries[:1000]) / 1000}  # fmt: skip


def bench_import_and_verify(tmp: Path) -> dict[str, Any]:
    store = Store.open(f"sqlite:///{tmp / 'import.db'}")
    obs = [_obs(i) for i in range(IMPORT_OBSERVATIONS)]
    t0 = time.perf_counter()
    store.add_observations(obs)
    t1 = time.perf_counter()
    with store.engine.connect() as conn:
        report = verify_store(conn, rows=True)
    t2 = time.perf_counter()
    store.close()
    return {"observations": IMPORT_OBSERVATIONS, "import_per_s": IMPORT_OBSERVATIONS / (t1 - t0),
            "verify_rows_s": t2 - t1, "verify_ok": report.ok}  # fmt: skip


def bench_cosign(tmp: Path) -> dict[str, Any]:
    key_path = tmp / "mission.pem"
    write_private_key(generate_key(), key_path)
    key = read_private_key(key_path)
    store = Store.open(f"sqlite:///{tmp / 'cosign.db'}")
    with store.engine.begin() as conn:
        store.ledger.add_key(conn, key, Role.MISSION, "mission")
    log = Verifier.parse(cosign.mission_vkey(key_path, ORIGIN)["vkey"])
    servers, specs = [], []
    for name in ("ua.example/w", "ru.example/w", "neutral.example/w"):
        signer = Signer(name, generate_key(), COSIGNATURE)
        witness = Witness(signer, {ORIGIN: [log]}, tmp / name[:2])
        server = make_server(witness)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        specs.append(f"http://127.0.0.1:{server.server_address[1]}={witness.signer.verifier.vkey()}")
    stop = threading.Event()
    ingested = [0]

    def ingest() -> None:  # 500 observations/s in batches of 50
        i = 10_000_000
        while not stop.is_set():
            t = time.perf_counter()
            store.add_observations([_obs(i + k) for k in range(50)])
            i += 50
            ingested[0] += 50
            time.sleep(max(0.0, 0.1 - (time.perf_counter() - t)))

    feeder = threading.Thread(target=ingest, daemon=True)
    feeder.start()
    latencies, t_start = [], time.perf_counter()
    for _ in range(ROUNDS):
        t = time.perf_counter()
        with store.engine.begin() as conn:
            store.ledger.sign_tree_head(conn, key)
        result = cosign.cosign(store, key_path, ORIGIN, specs, quorum=3)
        assert result["quorum_reached"], result["refused"]
        latencies.append(time.perf_counter() - t)
        time.sleep(max(0.0, 1.0 - (time.perf_counter() - t)))
    elapsed = time.perf_counter() - t_start
    stop.set()
    feeder.join()
    for s in servers:
        s.shutdown()
    store.close()
    latencies.sort()
    return {"rounds": ROUNDS, "witnesses": 3, "quorum": 3,
            "ingest_observations_per_s": ingested[0] / elapsed,
            "sign_and_cosign_s": {"p50": statistics.median(latencies),
                                  "p95": latencies[int(0.95 * (len(latencies) - 1))],
                                  "max": latencies[-1]}}  # fmt: skip


def run() -> dict[str, Any]:
    """All measurements (about a minute on 2 cores)."""
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        return {"append": bench_append(tmp), "import_verify": bench_import_and_verify(tmp),
                "cosign": bench_cosign(tmp)}  # fmt: skip


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    day = datetime.now(UTC).date().isoformat()
    parser.add_argument("--out", type=Path,
                        default=Path(f"benchmarks/results/ledger_cosign_{day}.json"))
    args = parser.parse_args()
    results = {"started_at": datetime.now(UTC).isoformat(),
               "load_average": list(os.getloadavg()), **run()}  # fmt: skip
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))
