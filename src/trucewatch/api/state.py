"""What one app instance holds: settings, the open store, tokens, idempotency keys, the
optional ledger, and the publication rule. Built by :func:`trucewatch.api.create_app`."""

from __future__ import annotations

import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi import Request
from sqlalchemy import Connection

from trucewatch.api.auth import TokenTable
from trucewatch.api.idempotency import IdempotencyCache
from trucewatch.api.ledger_view import LedgerView
from trucewatch.api.settings import Settings
from trucewatch.api.writer import SubmissionWriter
from trucewatch.store import Store
from trucewatch.store import queries as q
from trucewatch.store.engine import WalCheckpointer


@dataclass
class AppState:
    settings: Settings
    store: Store
    tokens: TokenTable
    idempotency: IdempotencyCache
    ledger: LedgerView | None
    report_dir: Path
    writer: SubmissionWriter
    checkpointer: WalCheckpointer
    report_lock: threading.Lock = field(default_factory=threading.Lock)
    cache: dict[Any, Any] = field(default_factory=dict)
    _tmp: tempfile.TemporaryDirectory[str] | None = None

    @classmethod
    def open(cls, settings: Settings) -> AppState:
        store = Store.open(settings.db)
        tokens = TokenTable.from_settings(settings)
        idem = IdempotencyCache(settings.idempotency_ttl_hours * 3600.0)
        since = datetime.now(UTC) - timedelta(hours=settings.idempotency_ttl_hours)
        with store.engine.connect() as conn:
            idem.preload(q.api_batches(conn, since=since))
        ledger = LedgerView.probe(store.engine) if settings.ledger else None
        tmp = None
        if settings.report_cache_dir is not None:
            report_dir = settings.report_cache_dir
            report_dir.mkdir(parents=True, exist_ok=True)
        else:
            tmp = tempfile.TemporaryDirectory(prefix="trucewatch-reports-")
            report_dir = Path(tmp.name)
        # every submission is written by one thread, in groups (no request waits on a
        # database lock; one transaction for the submissions that arrive together)
        writer = SubmissionWriter(store.engine)
        checkpointer = WalCheckpointer(store.engine)
        return cls(settings, store, tokens, idem, ledger, report_dir, writer, checkpointer,
                   _tmp=tmp)  # fmt: skip

    def close(self) -> None:
        self.writer.close()
        self.checkpointer.close()
        self.store.close()
        if self._tmp is not None:
            self._tmp.cleanup()

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A read-only connection."""
        with self.store.engine.connect() as conn:
            yield conn

    # ------------------------------------------------------------------ publication

    def published_before(self, now: datetime | None = None) -> datetime:
        """Findings whose time starts before this instant are published: a UTC day is
        published ``publish_lag_hours`` after it ends."""
        now = now or datetime.now(UTC)
        shifted = now - timedelta(hours=self.settings.publish_lag_hours)
        return datetime(shifted.year, shifted.month, shifted.day, tzinfo=UTC)

    def day_published(self, day: date) -> bool:
        return day < self.published_before().date()


async def app_state(request: Request) -> AppState:
    """Dependency: the app's state (``async``: it never blocks, so it runs on the event
    loop rather than in a worker thread)."""
    state: AppState = request.app.state.trucewatch
    return state
