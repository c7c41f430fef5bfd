"""The message bus that tells the parts of the server what changed: submissions stored
(:data:`OBSERVATIONS`, payload the last import batch id) and incidents changed by live
fusion (:data:`INCIDENTS`, payload the last change id). Subscribers read the rows from the
store; the bus only wakes them.

Two kinds (setting ``bus``): ``memory``, in-process (the embedded SQLite default, one
server process), and ``postgres``, PostgreSQL's LISTEN/NOTIFY (:mod:`trucewatch.store.bus`),
for several processes serving one store; ``auto`` picks by the store.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Protocol

from trucewatch.app.session import Store
from trucewatch.store import bus as pg

log = logging.getLogger(__name__)

OBSERVATIONS = pg.OBSERVATIONS_CHANNEL
INCIDENTS = pg.INCIDENTS_CHANNEL
BUS_KINDS = ("auto", "memory", "postgres")

Callback = Callable[[str, str], None]
"""``callback(channel, payload)``: must return quickly (it runs on the bus's thread)."""


class Bus(Protocol):
    kind: str

    def publish(self, channel: str, payload: str) -> None: ...

    def subscribe(self, callback: Callback) -> None: ...

    def close(self) -> None: ...


class _Fanout:
    def __init__(self) -> None:
        self._callbacks: list[Callback] = []
        self._lock = threading.Lock()

    def subscribe(self, callback: Callback) -> None:
        with self._lock:
            self._callbacks.append(callback)

    def _dispatch(self, channel: str, payload: str) -> None:
        with self._lock:
            callbacks = list(self._callbacks)
        for cb in callbacks:
            try:
                cb(channel, payload)
            except Exception:  # one bad subscriber must not silence the others
                log.exception("bus subscriber failed on %s", channel)


class MemoryBus(_Fanout):
    """Delivery within this process, at once, on the publisher's thread."""

    kind = "memory"

    def publish(self, channel: str, payload: str) -> None:
        self._dispatch(channel, payload)

    def close(self) -> None:
        return None


class PostgresBus(_Fanout):
    """LISTEN/NOTIFY: every process serving the store hears every notification (its own
    included)."""

    kind = "postgres"

    def __init__(self, store: Store) -> None:
        super().__init__()
        self._engine = store.engine
        self._listener = pg.Listener(store.engine, (OBSERVATIONS, INCIDENTS), self._dispatch)
        self._listener.connected.wait(10.0)

    def publish(self, channel: str, payload: str) -> None:
        try:
            pg.publish(self._engine, channel, payload)
        except Exception as exc:  # listeners also poll: a lost notification only delays
            log.warning("bus: could not notify %s: %s", channel, exc)

    def close(self) -> None:
        self._listener.close()


def open_bus(store: Store, kind: str = "auto") -> Bus:
    """The bus for ``store``: ``auto`` is ``postgres`` on PostgreSQL, else ``memory``."""
    if kind not in BUS_KINDS:
        raise ValueError(f"bus {kind!r}: one of {', '.join(BUS_KINDS)}")
    if kind == "auto":
        kind = "postgres" if pg.is_postgres(store.engine) else "memory"
    if kind == "postgres":
        if not pg.is_postgres(store.engine):
            raise ValueError("bus 'postgres' needs a PostgreSQL store")
        return PostgresBus(store)
    return MemoryBus()
