"""What one app instance holds: settings, the open store, tokens, idempotency keys, daily
quotas, the optional ledger, and the publication rule. Built by
:func:`trucewatch.api.create_app`."""

from __future__ import annotations

import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

from fastapi import Request

from trucewatch.api.auth import TokenTable
from trucewatch.api.cosigned import CosignedWatch
from trucewatch.api.idempotency import IdempotencyKeys
from trucewatch.api.live import LiveServices
from trucewatch.api.quotas import DailyQuotas
from trucewatch.api.settings import Settings
from trucewatch.api.writer import SubmissionWriter
from trucewatch.app.cosign import CosignConfig, HeadPublisher
from trucewatch.app.session import Store, open_store
from trucewatch.app.submissions import start_wal_checkpoints
from trucewatch.app.tokens import principal_for
from trucewatch.app.views.ledger import LedgerView


@dataclass
class AppState:
    settings: Settings
    store: Store
    tokens: TokenTable
    idempotency: IdempotencyKeys
    ledger: LedgerView | None
    report_dir: Path
    writer: SubmissionWriter
    stop_checkpoints: Callable[[], None]
    publisher: HeadPublisher | None = None
    cosigned: CosignedWatch = field(default_factory=lambda: CosignedWatch(None))
    live: LiveServices | None = None
    quotas: DailyQuotas = field(default_factory=lambda: DailyQuotas({}))
    report_lock: threading.Lock = field(default_factory=threading.Lock)
    cache: dict[Any, Any] = field(default_factory=dict)
    _tmp: tempfile.TemporaryDirectory[str] | None = None

    @classmethod
    def open(cls, settings: Settings) -> AppState:
        store = open_store(settings.db, media_dir=settings.media_dir)
        tokens = TokenTable.from_settings(settings, issued=partial(principal_for, store))
        idem = IdempotencyKeys(store, settings.idempotency_ttl_hours * 3600.0,
                               settings.idempotency_lease_s)
        ledger = LedgerView.probe(store) if settings.ledger else None
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
        publisher = None
        if settings.cosign_config is not None and ledger is not None:
            publisher = HeadPublisher(store, CosignConfig.load(settings.cosign_config)).start()
        state = cls(settings, store, tokens, idem, ledger, report_dir, writer,
                    start_wal_checkpoints(store), publisher, CosignedWatch(store),
                    quotas=DailyQuotas.from_settings(settings), _tmp=tmp)  # fmt: skip
        # the bus, the stream's feed and (setting ``live``) live fusion and alerts
        state.live = LiveServices.start(store, settings, state.published_before)
        writer.on_committed = state.live.submissions_committed
        return state

    def close(self) -> None:
        if self.publisher is not None:
            self.publisher.stop()
        self.cosigned.close()
        self.writer.close()
        if self.live is not None:
            self.live.close()
        self.stop_checkpoints()
        self.store.close()
        if self._tmp is not None:
            self._tmp.cleanup()

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
