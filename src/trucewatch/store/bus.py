"""PostgreSQL's LISTEN/NOTIFY as a message bus between the processes serving one store.

:func:`publish` sends a notification (delivered to every listener when the sending
transaction commits; here it commits at once); :class:`Listener` is a thread holding one
psycopg 3 connection that LISTENs on the given channels and hands each notification to a
callback, reconnecting after a lost connection. Payloads are short text (PostgreSQL's limit
is 8,000 bytes): the processes send ids and read the rows from the store.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence

from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

log = logging.getLogger(__name__)

OBSERVATIONS_CHANNEL = "trucewatch_observations"
"""Sent after submissions are committed (payload: the last import batch id)."""
INCIDENTS_CHANNEL = "trucewatch_incidents"
"""Sent after live fusion stored changes (payload: the last ``incident_changes`` id)."""


def is_postgres(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"


def publish(engine: Engine, channel: str, payload: str) -> None:
    """NOTIFY ``channel`` with ``payload`` (PostgreSQL only)."""
    with engine.begin() as conn:
        conn.execute(text("SELECT pg_notify(:c, :p)"), {"c": channel, "p": payload})


def conninfo(engine: Engine) -> str:
    """The libpq connection string of a SQLAlchemy ``postgresql+psycopg`` engine."""
    url = make_url(engine.url).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


class Listener:
    """LISTEN on ``channels`` in a thread; ``callback(channel, payload)`` for each
    notification (called from that thread)."""

    def __init__(self, engine: Engine, channels: Sequence[str],
                 callback: Callable[[str, str], None]) -> None:  # fmt: skip
        self._dsn = conninfo(engine)
        self._channels = tuple(channels)
        self._callback = callback
        self._stop = threading.Event()
        self.connected = threading.Event()
        self._thread = threading.Thread(target=self._run, name="pg-listener", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        import psycopg

        while not self._stop.is_set():
            try:
                with psycopg.connect(self._dsn, autocommit=True) as conn:
                    for channel in self._channels:
                        conn.execute(f'LISTEN "{channel}"')
                    self.connected.set()
                    while not self._stop.is_set():
                        for note in conn.notifies(timeout=0.5):
                            self._callback(note.channel, note.payload)
            except Exception as exc:  # a lost connection: say so, wait, listen again
                self.connected.clear()
                log.warning("bus listener: %s; reconnecting", exc)
                self._stop.wait(1.0)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5.0)


LIVE_LOCK_KEY = 0x7472_7563_6577_01
"""The PostgreSQL advisory lock whose holder is the one process that runs live fusion and
sends webhooks for a store (the others serve the stream from its notifications)."""


class Leadership:
    """Whether this process leads (holds :data:`LIVE_LOCK_KEY` on a connection of its
    own, kept open while it leads). On SQLite, a single-process store, it always leads."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._conn: object | None = None

    def try_lead(self) -> bool:
        """True when this process leads (acquiring the lock if it is free)."""
        if not is_postgres(self._engine):
            return True
        import psycopg

        conn = self._conn
        if conn is not None:
            try:
                conn.execute("SELECT 1")  # type: ignore[attr-defined]
                return True
            except Exception:  # the connection (and the lock with it) is gone
                self._conn = None
        try:
            conn = psycopg.connect(conninfo(self._engine), autocommit=True)
            got = conn.execute("SELECT pg_try_advisory_lock(%s)", (LIVE_LOCK_KEY,)).fetchone()
        except Exception as exc:
            log.warning("live leadership: %s", exc)
            return False
        if got and got[0]:
            self._conn = conn
            return True
        conn.close()
        return False

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()  # type: ignore[attr-defined]
            self._conn = None
