"""An honest client under a hostile flood (issue 20): ``RATE`` observations per second from
an honest token (batches of 5 records) while a hostile token floods the same server with
``FLOOD`` single-record requests per second; the honest client's latency percentiles
(from each request's due time: no coordinated omission) and the flood's statuses (429s
from the per-token rate limit).

Reuses the server and client of :mod:`benchmarks.bench_api` (loopback only, one uvicorn
worker in its own process, bounded in time). With ``--nginx`` both clients go through
nginx configured from the shipped ``deploy/nginx/trucewatch.conf`` (per-token limit
:data:`NGINX_RATE` with burst :data:`NGINX_BURST`, one worker), which refuses the excess
before it reaches Python; nginx must be installed (``apt-get install nginx-light``).

    python -m benchmarks.bench_flood [DURATION_S] [--nginx]   # prints the JSON; 60 s
"""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any

from benchmarks.bench_api import (
    HOST,
    TOKEN,
    _free_port,
    _open_loop,
    _server_env,
    _submission_requests,
    serve,
    wait_for_port,
)

RATE = 500
FLOOD = 2000
HOSTILE_TOKEN = "bench-hostile-token"
TARGET_P99_MS = 100.0
NGINX_CONF = Path(__file__).resolve().parents[1] / "deploy" / "nginx" / "trucewatch.conf"
NGINX_RATE = "110r/s"
"""Requests a second per token through nginx: the honest client's 100 (500 observations
in batches of 5) with room to spare."""
NGINX_BURST = 110


@contextmanager
def nginx_front(upstream_port: int) -> Iterator[int]:
    """nginx on a free loopback port in front of ``upstream_port``, configured from the
    shipped template; stopped on exit."""
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    port = _free_port()
    with tempfile.TemporaryDirectory(prefix="bench-nginx-") as prefix:
        conf = Path(prefix) / "nginx.conf"
        conf.write_text(NGINX_CONF.read_text(encoding="utf-8")
                        .replace("@PREFIX@", prefix).replace("@LISTEN@", f"{HOST}:{port}")
                        .replace("@UPSTREAM@", f"{HOST}:{upstream_port}")
                        .replace("@RATE@", NGINX_RATE).replace("@BURST@", str(NGINX_BURST)),
                        encoding="utf-8")  # fmt: skip
        proc = subprocess.Popen([binary, "-p", prefix, "-c", str(conf), "-g", "daemon off;"])
        try:
            wait_for_port(port, [proc], "nginx", 30.0)
            yield port
        finally:
            proc.terminate()
            proc.wait(timeout=15)


def _hostile(requests: list[bytes]) -> list[bytes]:
    return [r.replace(TOKEN.encode(), HOSTILE_TOKEN.encode(), 1) for r in requests]


async def _both(port: int, honest: list[bytes], flood: list[bytes],
                duration_s: float) -> tuple[dict[str, Any], dict[str, Any]]:  # fmt: skip
    a, b = await asyncio.gather(_open_loop(port, honest, RATE / 5, duration_s),
                                _open_loop(port, flood, FLOOD, duration_s))  # fmt: skip
    return a, b


def run(duration_s: float = 60.0, nginx: bool = False) -> dict[str, Any]:
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
        with serve("trucewatch.api:create_app", env) as api_port, \
                (nginx_front(api_port) if nginx else nullcontext(api_port)) as port:
            alone = asyncio.run(_open_loop(port, honest[: RATE // 5 * 10], RATE / 5, 10.0))
            under, hostile = asyncio.run(_both(port, honest, flood, duration_s))
    return {
        "front": (f"nginx per-token {NGINX_RATE} burst {NGINX_BURST}" if nginx
                  else "none (uvicorn directly)"),
        "honest_observations_per_s": RATE, "flood_requests_per_s": FLOOD,
        "duration_s": duration_s, "honest_alone_10s": alone,
        "honest_under_flood": under, "hostile": hostile,
        "target_p99_ms": TARGET_P99_MS,
        "meets_target": under["p99_ms"] is not None and under["p99_ms"] < TARGET_P99_MS,
    }  # fmt: skip


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if a != "--nginx"]
    print(json.dumps(run(float(args[0]) if args else 60.0, nginx="--nginx" in sys.argv),
                     indent=2))
