"""Idempotency keys of observation submissions.

A client sends ``Idempotency-Key: <key>`` with each batch. The first request with a key
is processed; a repeat with the same key and the same body gets the first answer again
(``replayed: true``) and stores nothing; a repeat with another body is refused (422); a
repeat while the first is still being processed is refused (409, retry later).

Keys are scoped to the token holder and remembered for ``ttl`` hours. They are persisted in
the batch log (an API batch's ``submitter``, ``idempotency_key`` and ``request_sha256``
columns of ``import_batches``), and reloaded from it when the server starts, so a restart
does not forget them. The in-memory table is authoritative while the server runs, so run
one server process per store (or add a unique-key table, the natural next step).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from trucewatch.api.errors import Conflict, Invalid
from trucewatch.app.submissions import BatchInfo

IN_FLIGHT = object()


@dataclass
class _Entry:
    digest: str
    result: Any  # IN_FLIGHT, a finished result, or a BatchInfo reloaded from the store
    at: float


class IdempotencyCache:
    """(holder, key) -> digest and result, bounded by age."""

    def __init__(self, ttl_s: float) -> None:
        self.ttl_s = ttl_s
        self._entries: OrderedDict[tuple[str, str], _Entry] = OrderedDict()
        self._lock = threading.Lock()

    def preload(self, batches: list[BatchInfo]) -> int:
        """Remember the keys of API batches found in the store; returns how many."""
        n = 0
        for b in batches:
            who, key, digest = b.submitter, b.idempotency_key, b.request_sha256
            if who and key and digest:
                at = b.started_at.timestamp()
                self._entries[(who, key)] = _Entry(digest, b, at)
                n += 1
        return n

    def begin(self, who: str, key: str, digest: str) -> Any | None:
        """Reserve ``key``; returns None (go ahead) or the earlier result to replay."""
        now = time.time()
        with self._lock:
            self._expire(now)
            entry = self._entries.get((who, key))
            if entry is None:
                self._entries[(who, key)] = _Entry(digest, IN_FLIGHT, now)
                return None
            if entry.digest != digest:
                raise Invalid(
                    f"Idempotency-Key {key!r} was already used for a different request body",
                    field="Idempotency-Key",
                )
            if entry.result is IN_FLIGHT:
                raise Conflict(f"a request with Idempotency-Key {key!r} is still in progress")
            return entry.result

    def finish(self, who: str, key: str, result: Any) -> None:
        with self._lock:
            entry = self._entries.get((who, key))
            if entry is not None:
                entry.result = result

    def abort(self, who: str, key: str) -> None:
        """Forget a reservation whose request failed (the client may retry the key)."""
        with self._lock:
            entry = self._entries.get((who, key))
            if entry is not None and entry.result is IN_FLIGHT:
                del self._entries[(who, key)]

    def _expire(self, now: float) -> None:
        while self._entries:
            first = next(iter(self._entries.values()))
            if now - first.at <= self.ttl_s or first.result is IN_FLIGHT:
                break
            self._entries.popitem(last=False)

    def __len__(self) -> int:
        return len(self._entries)
