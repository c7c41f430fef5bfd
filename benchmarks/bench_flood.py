"""An honest client under a hostile flood (issue 20): ``RATE`` observations per second from
an honest token (batches of 5 records) while a hostile token floods the same server with
``FLOOD`` single-record requests per second; the honest client's latency percentiles
(from each request's due time: no coordinated omission) and the flood's statuses (429s
from the per-token rate limit).

Reuses the server and client of :mod:`benchmarks.bench_api` (loopback only, one uvicorn
worker in its own process, bounded in time).

    python -m benchmarks.bench_flood [DURATION_S]   # prints the JSON; default 60 s
"""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from benchmarks.bench_api import TOKEN, _open_loop, _server_env, _submission_requests, serve

RATE = 500
FLOOD = 2000
HOSTILE_TOKEN = "bench-hostile-token"
TARGET_P99_MS = 100.0


def _hostile(requests: list[bytes]) -> list[bytes]:
    return [r.replace(TOKEN.encode(), HOSTILE_TOKEN.encode(), 1) for r in requests]


async def _both(port: int, honest: list[bytes], flood: list[bytes],
                duration_s: float) -> tuple[dict[str, Any], dict[str, Any]]:  # fmt: skip
    a, b = await asyncio.gather(_open_loop(port, honest, RATE / 5, duration_s),
                                _open_loop(port, flood, FLOOD, duration_s))  # fmt: skip
    return a, b


def run(duration_s: float = 60.0) -> dict[str, Any]:
    from trucewatch.store import Store

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "flood.db"
        Store.open(f"sqlite:///{db}").close()
        env = _server_env(db)
        tokens = json.loads(env["TRUCEWATCH_TOKENS"])
        tokens.append({"name": "bench-hostile", "role": "monitor", "token": HOSTILE_TOKEN})
        env["TRUCEWATCH_TOKENS"] = json.dumps(tokens)
        honest = _submission_requests(int(RATE / 5 * duration_s), "honest", 5, 0)
        flood = _hostile(_submission_requests(int(FLOOD * duration_s), "flood", 1, 10**7))
        with serve("trucewatch.api:create_app", env) as port:
            alone = asyncio.run(_open_loop(port, honest[: RATE // 5 * 10], RATE / 5, 10.0))
            under, hostile = asyncio.run(_both(port, honest, flood, duration_s))
    return {
        "honest_observations_per_s": RATE, "flood_requests_per_s": FLOOD,
        "duration_s": duration_s, "honest_alone_10s": alone,
        "honest_under_flood": under, "hostile": hostile,
        "target_p99_ms": TARGET_P99_MS,
        "meets_target": under["p99_ms"] is not None and under["p99_ms"] < TARGET_P99_MS,
    }  # fmt: skip


if __name__ == "__main__":
    print(json.dumps(run(float(sys.argv[1]) if len(sys.argv) > 1 else 60.0), indent=2))
