"""The live half of the server: the bus, live fusion, alert matching, webhook delivery,
and the change feed the stream route waits on. Built by :class:`~trucewatch.api.state.AppState`
from the settings (``live``, ``bus``, ``live_*``, ``webhook_*``; docs/operations.md).

The bus and the feed always run (a process that does not fuse still streams what another
process serving the same PostgreSQL store fused); live fusion, alert matching and webhook
delivery run when ``live`` is on, in the one process that leads
(:class:`trucewatch.store.bus.Leadership`).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from trucewatch.api.settings import Settings
from trucewatch.app.alerts import AlertService, WebhookDispatcher, WebhookSettings, last_change_id
from trucewatch.app.bus import INCIDENTS, OBSERVATIONS, Bus, open_bus
from trucewatch.app.live import LiveFusion, LiveSettings
from trucewatch.app.session import Store
from trucewatch.app.webhook_hosts import WebhookHosts

FEED_POLL_S = 0.5
"""How often the feed reads the latest change id from a store without a bus between
processes (SQLite), in seconds."""


class ChangeFeed:
    """The latest ``incident_changes`` id, kept from the bus; stream clients await the
    next one with :meth:`wait_beyond` (on the event loop, woken from the bus's thread)."""

    def __init__(self, store: Store, bus: Bus, poll_s: float | None = None) -> None:
        self._store = store
        self.latest = last_change_id(store)
        self._lock = threading.Lock()
        self._waiters: set[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = set()
        self._stop = threading.Event()
        bus.subscribe(self._heard)
        if poll_s is not None:  # no bus between processes (SQLite): read the store
            threading.Thread(target=self._poll_loop, args=(poll_s,), name="change-feed",
                             daemon=True).start()  # fmt: skip

    def _poll_loop(self, poll_s: float) -> None:
        while not self._stop.wait(poll_s):
            try:
                before = self.latest
                if self.poll() > before:
                    self._wake_all()
            except Exception:  # the store is busy or gone: try again
                continue

    def close(self) -> None:
        self._stop.set()

    def _heard(self, channel: str, payload: str) -> None:
        if channel != INCIDENTS:
            return
        try:
            self.latest = max(self.latest, int(payload))
        except ValueError:
            return
        self._wake_all()

    def _wake_all(self) -> None:
        with self._lock:
            waiters = list(self._waiters)
        for loop, event in waiters:
            loop.call_soon_threadsafe(event.set)

    def poll(self) -> int:
        """Read the latest id from the store (a notification lost with its connection)."""
        self.latest = max(self.latest, last_change_id(self._store))
        return self.latest

    async def wait_beyond(self, last: int, timeout_s: float) -> bool:
        """True once a change after ``last`` exists; False after ``timeout_s`` seconds."""
        if self.latest > last:
            return True
        entry = (asyncio.get_running_loop(), asyncio.Event())
        with self._lock:
            self._waiters.add(entry)
        try:
            await asyncio.wait_for(entry[1].wait(), timeout_s)
        except TimeoutError:
            pass
        finally:
            with self._lock:
                self._waiters.discard(entry)
        return self.latest > last


@dataclass
class LiveServices:
    """What runs beside the request handlers (see the module docstring)."""

    bus: Bus
    feed: ChangeFeed
    fusion: LiveFusion | None = None
    alerts: AlertService | None = None
    webhooks: WebhookDispatcher | None = None

    @classmethod
    def start(cls, store: Store, settings: Settings,
              published_before: Callable[[], datetime]) -> LiveServices:  # fmt: skip
        bus = open_bus(store, settings.bus)
        # on SQLite another process (`trucewatch live`) may fuse: watch the store too
        poll = FEED_POLL_S if bus.kind == "memory" else None
        services = cls(bus, ChangeFeed(store, bus, poll))
        if not settings.live:
            return services
        services.fusion = LiveFusion(store, bus, LiveSettings(
            poll_s=settings.live_poll_s, quiet_s=settings.live_quiet_s,
            refresh_s=settings.live_refresh_s, seed_days=settings.live_seed_days))  # fmt: skip
        fusion = services.fusion

        def leads() -> bool:
            return fusion.stats.leader

        services.webhooks = WebhookDispatcher(store, WebhookSettings(
            base_s=settings.webhook_base_s, cap_s=settings.webhook_cap_s,
            give_up_s=settings.webhook_give_up_s, timeout_s=settings.webhook_timeout_s,
            hosts=WebhookHosts(settings.webhook_allowed_hosts),
        ), is_leader=leads)  # fmt: skip
        services.alerts = AlertService(store, bus, published_before,
                                       on_queued=services.webhooks.wake,
                                       is_leader=leads)  # fmt: skip
        return services

    def submissions_committed(self) -> None:
        """The writer's after-commit hook: wake live fusion (here and in every process)."""
        self.bus.publish(OBSERVATIONS, "")

    def close(self) -> None:
        for part in (self.fusion, self.alerts, self.webhooks):
            if part is not None:
                part.close()
        self.feed.close()
        self.bus.close()
