"""Writes answered once their entries are in a cosigned log head, when the client asks
(``Prefer: wait-for-cosigned-head``, optionally with ``wait=SECONDS`` (RFC 7240), or
``?wait=cosigned``): docs/api.md, "Waiting for a cosigned head".

One :class:`CosignedWatch` per app polls the size of the latest published (quorum-cosigned)
head every :data:`POLL_S` seconds while some request waits, and wakes the waiting requests
when it grows; each waits on the event loop, holding no thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from typing import Any

from starlette.concurrency import run_in_threadpool

from trucewatch.app import cosign
from trucewatch.app.session import Store

PREFERENCE = "wait-for-cosigned-head"
"""The ``Prefer`` token asking to wait (answered with ``Preference-Applied``)."""
QUERY_VALUE = "cosigned"
"""``?wait=cosigned`` asks the same."""
DEFAULT_WAIT_S = 10.0
"""How long a write waits without ``wait=N`` (seconds)."""
POLL_S = 0.05
"""How often the watch reads the published size while requests wait (seconds)."""

_WAIT = re.compile(r"^wait\s*=\s*\"?([0-9]+(?:\.[0-9]+)?)\"?$")


def requested_wait(prefer: str | None, wait: str | None, longest_s: float) -> float | None:
    """Seconds to wait for a cosigned head (at most ``longest_s``), or None when the client
    did not ask. ``prefer``: the ``Prefer`` header; ``wait``: the ``wait`` query value."""
    tokens = [t.strip().lower() for t in (prefer or "").replace(";", ",").split(",")]
    asked = PREFERENCE in tokens or (wait or "").strip().lower() == QUERY_VALUE
    if not asked:
        return None
    seconds = DEFAULT_WAIT_S
    for token in tokens:
        if m := _WAIT.match(token):
            seconds = float(m.group(1))
    return max(0.0, min(seconds, longest_s))


class CosignedWatch:
    """The published head's size, polled while someone waits; ``store`` None: no store."""

    def __init__(self, store: Store | None) -> None:
        self.store = store
        self.size = -1
        self.waiting = 0
        self._changed: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None

    async def head_covering(self, index: int, timeout_s: float) -> dict[str, Any] | None:
        """The published head once it covers entry ``index`` (its size exceeds it), or None
        after ``timeout_s`` seconds."""
        assert self.store is not None
        store = self.store
        found = await run_in_threadpool(cosign.cosigned_head_covering, store, index)
        if found is not None or timeout_s <= 0:
            return found
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        self.waiting += 1
        try:
            self._start()
            while self.size <= index:
                assert self._changed is not None
                remaining = deadline - loop.time()
                if remaining <= 0:
                    return None
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._changed.wait(), remaining)
        finally:
            self.waiting -= 1
        return await run_in_threadpool(cosign.cosigned_head_covering, store, index)

    def _start(self) -> None:
        if self._changed is None:
            self._changed = asyncio.Event()
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._poll())

    async def _poll(self) -> None:
        """Read the published size while requests wait; wake them when it grows."""
        assert self.store is not None and self._changed is not None
        while self.waiting > 0:
            size = await run_in_threadpool(cosign.published_size, self.store)
            if size != self.size:
                self.size = size
                self._changed.set()
                self._changed = asyncio.Event()
            await asyncio.sleep(POLL_S)

    def close(self) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()
