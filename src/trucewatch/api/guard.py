"""Bounded work per request: the body size limit of every route and per-token rate limits
(``docs/security.md``). Both answer before a route runs, with the API's error body.

:class:`BodyLimit` is a pure ASGI middleware: a ``Content-Length`` over the limit is
refused at once (413), and a body streamed without one is cut off when it passes the limit,
so no route reads more than ``Settings.max_body_bytes``.

:class:`RateLimiter` is a token bucket per caller (the token's digest, or the client
address for anonymous requests): ``rate`` requests per second on average, bursts of
``burst``, a body costing one request more per 16 KiB; a caller over its budget gets 429
with ``Retry-After`` (seconds), and other callers are not slowed (the check is a
dictionary lookup on the event loop).
"""

from __future__ import annotations

import hashlib
import json
import math
import threading
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


async def _refuse(send: Send, status: int, code: str, message: str,
                  headers: dict[str, str] | None = None) -> None:  # fmt: skip
    body = json.dumps({"error": {"status": status, "code": code, "message": message}}).encode()
    raw = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    raw += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


class _BodyTooLarge(Exception):
    pass


class BodyLimit:
    """Refuse request bodies over ``limit`` bytes on every route (413)."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        message = f"request body larger than {self.limit} bytes"
        for name, value in scope.get("headers", []):
            if name == b"content-length" and (not value.isdigit() or int(value) > self.limit):
                await _refuse(send, 413, "too_large", message)
                return
        seen = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal seen
            msg = await receive()
            if msg["type"] == "http.request":
                seen += len(msg.get("body", b""))
                if seen > self.limit:
                    raise _BodyTooLarge
            return msg

        async def tracking_send(msg: Message) -> None:
            nonlocal started
            started = started or msg["type"] == "http.response.start"
            await send(msg)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _BodyTooLarge:
            if not started:
                await _refuse(send, 413, "too_large", message)


class RateLimiter:
    """Token buckets per caller: ``rate`` requests per second, bursts of ``burst``."""

    def __init__(self, rate: float, burst: float, max_callers: int = 100_000) -> None:
        self.rate = rate
        self.burst = burst
        self.max_callers = max_callers
        self._buckets: dict[str, tuple[float, float]] = {}  # caller -> (tokens, at)
        self._lock = threading.Lock()

    def wait_for(self, caller: str, cost: float = 1.0, now: float | None = None) -> float:
        """Take ``cost`` requests' worth (at most the burst) from the caller's bucket: 0 if
        allowed, else the seconds until it would be."""
        now = time.monotonic() if now is None else now
        cost = min(cost, self.burst)
        with self._lock:
            tokens, at = self._buckets.get(caller, (self.burst, now))
            tokens = min(self.burst, tokens + (now - at) * self.rate)
            if tokens >= cost:
                if len(self._buckets) >= self.max_callers and caller not in self._buckets:
                    self._buckets.clear()  # bounded memory under a flood of new callers
                self._buckets[caller] = (tokens - cost, now)
                return 0.0
            self._buckets[caller] = (tokens, now)
            return (cost - tokens) / self.rate


BYTES_PER_REQUEST = 16 * 1024
"""A body costs one request more per this many bytes (a large body is much work)."""


def request_cost(scope: Scope) -> float:
    """What a request costs of its caller's rate: one, plus one per
    :data:`BYTES_PER_REQUEST` of its declared body."""
    for name, value in scope.get("headers", []):
        if name == b"content-length" and value.isdigit():
            return 1.0 + int(value) / BYTES_PER_REQUEST
    return 1.0


def caller_of(scope: Scope) -> str:
    """Who is asking, for the rate limit: the SHA-256 of the bearer token, else the
    client's address."""
    for name, value in scope.get("headers", []):
        if name == b"authorization":
            return "t:" + hashlib.sha256(value).hexdigest()
    client = scope.get("client") or ("?", 0)
    return f"a:{client[0]}"


class RateLimit:
    """ASGI middleware applying a :class:`RateLimiter` to every ``/api`` request."""

    def __init__(self, app: ASGIApp, limiter: RateLimiter, prefix: str = "/api") -> None:
        self.app = app
        self.limiter = limiter
        self.prefix = prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and str(scope.get("path", "")).startswith(self.prefix):
            wait = self.limiter.wait_for(caller_of(scope), request_cost(scope))
            if wait > 0:
                retry = str(max(1, math.ceil(wait)))
                await _refuse(send, 429, "rate_limited",
                              f"too many requests: retry in {retry} s",
                              {"Retry-After": retry})  # fmt: skip
                return
        await self.app(scope, receive, send)
