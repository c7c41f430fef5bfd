"""Alerts: subscriptions by role, matched against what live fusion changes, sent as
webhooks (and read from the live stream by the dashboard).

**Subscriptions.** Anyone who may read incidents subscribes (analysts to everything; a
party's liaison and the public to published findings only: an alert never shows what the
subscriber's role could not read from ``GET /api/incidents``, since the matching *is* that
query, :func:`trucewatch.app.views.incidents.incident_rows`, run as the subscriber). The
filters: sectors, agreement clauses, attributed parties, the least status (default
``probable``) and the least confidence (0-1).

**Matching.** :class:`AlertService` (in the process that runs live fusion) reads each
batch of changes (``incident_changes``) and queues, for every webhook subscription, the
incidents among them that match: one alert per (subscription, incident), whose
idempotency id is ``sha256(subscription id, incident uid)``; an alert is ``updated`` when
the incident replaces one the subscription was already alerted to (the event grew),
else ``new``. Liaison and public subscriptions also get the incidents of a day when that
day's findings are published. After a restart the service re-reads the last
:data:`REPLAY_S` seconds of changes (queuing is idempotent), so a crash loses no alert.

**Delivery** (:class:`WebhookDispatcher`). Pending alerts are rows of
``alert_deliveries``: a restart resumes them. Each attempt POSTs the JSON body with the
headers ``Trucewatch-Alert-Id`` (the idempotency id: the same on every attempt),
``Trucewatch-Timestamp`` (Unix seconds, UTC) and ``Trucewatch-Signature: v1=<hex>``,
the HMAC-SHA256 of ``<timestamp>.<body>`` under the subscription's secret
(:func:`signature`). A 2xx answer delivers it; a network error, a timeout, 408, 425, 429
or 5xx is retried after ``base_s * 2**(attempts-1)`` seconds (at most ``cap_s``, with
±20% jitter) until ``give_up_s`` after the alert was queued; any other answer, or giving
up, makes it a **dead letter** (``GET /api/alerts/dead``), which an analyst can send again.
Delivery is at least once: a receiver drops repeats by the alert id.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import random
import secrets
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlparse

from trucewatch.app.bus import INCIDENTS, Bus
from trucewatch.app.roles import Permission, PermissionDenied, Principal, Role, require
from trucewatch.app.session import Store
from trucewatch.app.views import incidents as views
from trucewatch.app.views.errors import BadQuery, NotVisible
from trucewatch.app.views.features import feature_from_row
from trucewatch.app.webhook_hosts import WebhookHostRefused, WebhookHosts
from trucewatch.store import live as live_store
from trucewatch.store.live import Change, Delivery, SubscriptionRow
from trucewatch.types import IncidentStatus
from trucewatch.units import iso_utc

__all__ = [
    "AlertFilter", "AlertService", "Change", "Delivery", "Subscription", "WebhookDispatcher",
    "WebhookSettings", "alert_deliveries", "changes_after", "create_subscription",
    "delete_subscription", "last_change_id", "list_subscriptions", "matching_rows",
    "observation_uids", "redeliver", "signature", "verify",
]  # fmt: skip

log = logging.getLogger(__name__)

STATUS_ORDER: tuple[str, ...] = tuple(
    s.value for s in (IncidentStatus.UNVERIFIED, IncidentStatus.POSSIBLE,
                      IncidentStatus.PROBABLE, IncidentStatus.CONFIRMED))  # fmt: skip
"""Statuses from least to most certain (``refuted`` matches no least status)."""
DEFAULT_MIN_STATUS = IncidentStatus.PROBABLE.value
REPLAY_S = 900.0
"""Seconds of changes re-read at start (alerts queued twice are stored once)."""
MAX_LIST = 64
"""Most values in one filter list."""


# ------------------------------------------------------------------ filters


@dataclass(frozen=True)
class AlertFilter:
    """What a subscriber wants to hear about: incidents in one of ``sectors``, breaking one
    of ``clauses``, attributed to one of ``parties`` (empty: any), at least ``min_status``
    and at least ``min_confidence`` (0-1)."""

    sectors: tuple[str, ...] = ()
    clauses: tuple[str, ...] = ()
    parties: tuple[str, ...] = ()
    min_status: str = DEFAULT_MIN_STATUS
    min_confidence: float = 0.0

    def __post_init__(self) -> None:
        if self.min_status not in STATUS_ORDER:
            raise _invalid("min_status", f"{self.min_status!r} is not one of "
                                         f"{', '.join(STATUS_ORDER)}")  # fmt: skip
        if not 0.0 <= self.min_confidence <= 1.0:
            raise _invalid("min_confidence", "must be between 0 and 1")
        for name in ("sectors", "clauses", "parties"):
            values = getattr(self, name)
            if len(values) > MAX_LIST or any(not v or len(v) > 200 for v in values):
                raise _invalid(name, f"at most {MAX_LIST} values of 1-200 characters")

    @classmethod
    def of(cls, d: dict[str, Any]) -> AlertFilter:
        return cls(sectors=tuple(d.get("sectors") or ()), clauses=tuple(d.get("clauses") or ()),
                   parties=tuple(d.get("parties") or ()),
                   min_status=d.get("min_status") or DEFAULT_MIN_STATUS,
                   min_confidence=float(d.get("min_confidence") or 0.0))  # fmt: skip

    def as_dict(self) -> dict[str, Any]:
        return {"sectors": list(self.sectors), "clauses": list(self.clauses),
                "parties": list(self.parties), "min_status": self.min_status,
                "min_confidence": self.min_confidence}  # fmt: skip

    def statuses(self) -> tuple[str, ...]:
        return STATUS_ORDER[STATUS_ORDER.index(self.min_status):]

    def incident_filters(self, **extra: Any) -> list[views.IncidentFilter]:
        """The incident queries this filter means (one per clause: the store's filter
        takes one clause at a time)."""
        base = dict(sectors=self.sectors, parties=self.parties, statuses=self.statuses(),
                    min_confidence=self.min_confidence or None, **extra)  # fmt: skip
        if not self.clauses:
            return [views.IncidentFilter(**base)]
        return [views.IncidentFilter(clause=c, **base) for c in self.clauses]


def _invalid(name: str, message: str) -> BadQuery:
    return BadQuery(f"{name}: {message}", field=name)


def matching_rows(store: Store, principal: Principal, flt: AlertFilter, uids: Sequence[str],
                  published_before: datetime) -> list[Any]:  # fmt: skip
    """The ``incidents`` rows among ``uids`` that match ``flt`` and that ``principal`` may
    read (the incident list's own query and visibility rule), in ``uids`` order."""
    if not uids:
        return []
    found: dict[str, Any] = {}
    for part in range(0, len(uids), views.MAX_PAGE):
        chunk = tuple(uids[part:part + views.MAX_PAGE])
        for q in flt.incident_filters(uids=chunk):
            page = views.incident_rows(store, q, limit=views.MAX_PAGE, cursor=None,
                                       with_total=False, published_before=published_before,
                                       principal=principal)  # fmt: skip
            found.update({r.uid: (r, page.observation_counts.get(r.uid, 0))
                          for r in page.rows})  # fmt: skip
    return [found[u] for u in dict.fromkeys(uids) if u in found]


def changes_after(store: Store, after: int, limit: int = 10_000) -> list[Change]:
    """What live fusion changed after change ``after``, oldest first (the stream's
    source; what each caller may see of it is decided by :func:`matching_rows`)."""
    return live_store.changes_after(store.engine, after, limit)


def last_change_id(store: Store) -> int:
    return live_store.last_change_id(store.engine)


def observation_uids(store: Store, principal: Principal,
                     incident_uids: Sequence[str]) -> dict[str, list[str]]:  # fmt: skip
    """The observations of each incident, for those who may read every observation
    (analysts); empty for anyone else."""
    if not principal.can(Permission.READ_ALL_OBSERVATIONS) or not incident_uids:
        return {}
    return {k: list(v) for k, v in live_store.observation_links_of(store.engine,
                                                                    incident_uids).items()}


# ------------------------------------------------------------------ subscriptions


@dataclass(frozen=True)
class Subscription:
    """A subscription as its owner sees it (the secret only once, when created)."""

    id: int
    name: str
    owner: str
    role: str
    party: str | None
    filters: AlertFilter
    webhook_url: str | None
    created_at: datetime
    secret: str | None = None


def _public(row: SubscriptionRow, secret: str | None = None) -> Subscription:
    return Subscription(row.id, row.name, row.owner, row.role, row.party,
                        AlertFilter.of(row.filters), row.webhook_url, row.created_at,
                        secret)  # fmt: skip


def subscriber(row: SubscriptionRow) -> Principal:
    """Who a subscription's alerts are matched as (its owner's role and party)."""
    return Principal(row.owner, Role(row.role), row.party)


def _require_reader(principal: Principal) -> None:
    require(principal, Permission.READ_ALL_INCIDENTS, Permission.READ_PUBLISHED_FINDINGS)
    if not principal.authenticated:
        raise PermissionDenied("subscriptions need a token (requests without one may read "
                               "the stream, not subscribe)")  # fmt: skip


def check_webhook_url(url: str, hosts: WebhookHosts | None = None) -> str:
    """``url`` when alerts may be posted there: http(s), at most 2,000 characters, and a
    host the ``hosts`` policy allows (public addresses by default: docs/security.md)."""
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc or len(url) > 2000:
        raise _invalid("webhook_url", "an http:// or https:// URL of at most 2,000 characters")
    try:
        (hosts or WebhookHosts()).check(url)
    except WebhookHostRefused as exc:
        raise _invalid("webhook_url", str(exc)) from None
    return url


def create_subscription(store: Store, principal: Principal, name: str, flt: AlertFilter,
                        webhook_url: str | None = None, hosts: WebhookHosts | None = None,
                        ) -> Subscription:  # fmt: skip
    """Subscribe ``principal`` (who may read incidents); with a webhook (its host checked
    against ``hosts``), the answer holds the secret its alerts are signed with (shown this
    once)."""
    _require_reader(principal)
    if not name or len(name) > 64:
        raise _invalid("name", "1-64 characters")
    secret = None
    if webhook_url is not None:
        check_webhook_url(webhook_url, hosts)
        secret = secrets.token_hex(32)
    row = live_store.add_subscription(store.engine, name=name, owner=principal.name,
                                      role=principal.role.value, party=principal.party,
                                      filters=flt.as_dict(), webhook_url=webhook_url,
                                      secret=secret)  # fmt: skip
    return _public(row, secret)


def _may_see_all(principal: Principal) -> bool:
    return principal.can(Permission.MANAGE_MISSION)


def list_subscriptions(store: Store, principal: Principal) -> list[Subscription]:
    """An analyst's view: every subscription; anyone else's: their own."""
    _require_reader(principal)
    owner = None if _may_see_all(principal) else principal.name
    return [_public(r) for r in live_store.subscriptions(store.engine, owner)]


def delete_subscription(store: Store, principal: Principal, sub_id: int) -> None:
    """End a subscription (its own owner, or an analyst); its pending alerts are dropped."""
    _require_reader(principal)
    owner = None if _may_see_all(principal) else principal.name
    if not live_store.delete_subscription(store.engine, sub_id, owner):
        raise NotVisible(f"no subscription {sub_id}")


def alert_deliveries(store: Store, principal: Principal, state: str | None = "dead",
                     limit: int = 1000) -> list[Delivery]:  # fmt: skip
    """Webhook alerts in ``state`` (``dead``: the dead letters), newest first: an analyst
    sees every subscription's, anyone else those of their own subscriptions."""
    _require_reader(principal)
    if _may_see_all(principal):
        return live_store.deliveries(store.engine, state=state, limit=limit)
    mine = [s.id for s in live_store.subscriptions(store.engine, principal.name)]
    out: list[Delivery] = []
    for sub_id in mine:
        out.extend(live_store.deliveries(store.engine, state=state, subscription_id=sub_id,
                                         limit=limit))  # fmt: skip
    return sorted(out, key=lambda d: -d.id)[:limit]


def redeliver(store: Store, principal: Principal, delivery_id: int) -> None:
    """Send a dead letter again (an analyst)."""
    require(principal, Permission.MANAGE_MISSION)
    if not live_store.requeue(store.engine, delivery_id):
        raise NotVisible(f"no dead letter {delivery_id}")


# ------------------------------------------------------------------ matching


def alert_id(sub_id: int, incident_uid: str) -> str:
    """The idempotency id of the alert of one incident to one subscription."""
    return hashlib.sha256(f"{sub_id}\n{incident_uid}".encode()).hexdigest()


def alert_body(row: SubscriptionRow, event: str, feature: dict[str, Any],
               supersedes: Sequence[str], now: datetime) -> str:  # fmt: skip
    """The JSON a webhook receives."""
    uid = feature["properties"]["uid"]
    return json.dumps({
        "alert_id": alert_id(row.id, uid), "event": event, "created_at": iso_utc(now),
        "subscription": {"id": row.id, "name": row.name},
        "incident": feature, "supersedes": list(supersedes),
    }, separators=(",", ":"), allow_nan=False)  # fmt: skip


class AlertService:
    """Queues webhook alerts for what live fusion changes (see the module docstring)."""

    def __init__(self, store: Store, bus: Bus, published_before: Callable[[], datetime],
                 on_queued: Callable[[], None] | None = None,
                 is_leader: Callable[[], bool] = lambda: True) -> None:  # fmt: skip
        self.store = store
        self.published_before = published_before
        self.on_queued = on_queued
        self.is_leader = is_leader
        self.queued = 0
        self._cursor = _replay_start(store)
        self._published = published_before()
        self._wake = threading.Event()
        self._stop = threading.Event()
        bus.subscribe(self._heard)
        self._thread = threading.Thread(target=self._run, name="alert-matcher", daemon=True)
        self._thread.start()

    def _heard(self, channel: str, _payload: str) -> None:
        if channel == INCIDENTS:
            self._wake.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(2.0)
            self._wake.clear()
            if self._stop.is_set() or not self.is_leader():
                continue
            try:
                self.cycle()
            except Exception:
                log.exception("alert matching failed; retrying")
                self._stop.wait(1.0)

    def close(self) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(10.0)

    def cycle(self) -> int:
        """Queue the alerts of the changes since the last cycle, and of newly published
        days; returns how many were queued."""
        subs = [s for s in live_store.subscriptions(self.store.engine) if s.webhook_url]
        changes = live_store.changes_after(self.store.engine, self._cursor)
        pb = self.published_before()
        rows: list[dict[str, Any]] = []
        if changes and subs:
            rows.extend(self._for_changes(subs, changes, pb))
        if pb > self._published and subs:
            rows.extend(self._for_published(subs, self._published, pb))
        self._published = max(self._published, pb)
        if changes:
            self._cursor = changes[-1].id
        queued = live_store.enqueue_deliveries(self.store.engine, rows)
        self.queued += queued
        if queued and self.on_queued is not None:
            self.on_queued()
        return queued

    def _for_changes(self, subs: Sequence[SubscriptionRow], changes: Sequence[Any],
                     pb: datetime) -> list[dict[str, Any]]:  # fmt: skip
        supersedes = {c.incident_uid: c.supersedes for c in changes if c.change == "upsert"}
        uids = list(supersedes)
        out = []
        now = datetime.now(UTC)
        for sub in subs:
            matched = matching_rows(self.store, subscriber(sub), AlertFilter.of(sub.filters),
                                    uids, pb)  # fmt: skip
            earlier = live_store.alerted_incidents(
                self.store.engine, sub.id, [u for r, _ in matched for u in supersedes[r.uid]])
            for r, n in matched:
                before = [u for u in supersedes[r.uid] if u in earlier]
                event = "updated" if before else "new"
                out.append(_delivery_row(sub, event, feature_from_row(r, n), before, now))
        return out

    def _for_published(self, subs: Sequence[SubscriptionRow], since: datetime,
                       until: datetime) -> list[dict[str, Any]]:  # fmt: skip
        """Alerts of the incidents that became visible to non-analysts (days published)."""
        out: list[dict[str, Any]] = []
        now = datetime.now(UTC)
        for sub in subs:
            who = subscriber(sub)
            if who.can(Permission.READ_ALL_INCIDENTS):
                continue
            for q in AlertFilter.of(sub.filters).incident_filters(since=since, until=until):
                cursor = None
                while True:
                    page = views.incident_rows(self.store, q, limit=views.MAX_PAGE,
                                               cursor=cursor, with_total=False,
                                               published_before=until, principal=who)  # fmt: skip
                    out.extend(_delivery_row(sub, "new", feature_from_row(
                        r, page.observation_counts.get(r.uid, 0)), [], now) for r in page.rows)
                    if page.next_cursor is None:
                        break
                    cursor = views.Cursor.decode(page.next_cursor)
        return out


def _delivery_row(sub: SubscriptionRow, event: str, feature: dict[str, Any],
                  supersedes: Sequence[str], now: datetime) -> dict[str, Any]:  # fmt: skip
    uid = feature["properties"]["uid"]
    return {"alert_id": alert_id(sub.id, uid), "subscription_id": sub.id,
            "incident_uid": uid, "event": event,
            "body": alert_body(sub, event, feature, supersedes, now)}  # fmt: skip


def _replay_start(store: Store) -> int:
    """The change id to start matching after: that of :data:`REPLAY_S` seconds ago."""
    return live_store.last_change_before(store.engine,
                                         datetime.now(UTC) - timedelta(seconds=REPLAY_S))


# ------------------------------------------------------------------ delivery


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """``v1=<hex>``: HMAC-SHA256 of ``<timestamp>.<body>`` under ``secret``."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return f"v1={mac.hexdigest()}"


def verify(secret: str, timestamp: str, body: bytes, header: str, *,
           tolerance_s: float = 300.0, now: float | None = None) -> bool:  # fmt: skip
    """What a receiver checks: the signature matches and the timestamp is recent."""
    try:
        age = abs((time.time() if now is None else now) - float(timestamp))
    except ValueError:
        return False
    return age <= tolerance_s and hmac.compare_digest(signature(secret, timestamp, body), header)


RETRY_STATUSES = frozenset({408, 425, 429})


@dataclass(frozen=True)
class WebhookSettings:
    """Retries (seconds): the first after ``base_s``, doubling up to ``cap_s``, giving up
    ``give_up_s`` after the alert was queued; ``timeout_s`` per attempt; ``workers``
    attempts at once."""

    base_s: float = 1.0
    cap_s: float = 60.0
    give_up_s: float = 6 * 3600.0
    timeout_s: float = 5.0
    workers: int = 8
    hosts: WebhookHosts = field(default_factory=WebhookHosts)


@dataclass
class _Outcome:
    ok: bool
    retry: bool
    error: str | None = None


@dataclass
class DispatchStats:
    attempts: int = 0
    delivered: int = 0
    dead: int = 0
    errors: list[str] = field(default_factory=list)


class WebhookDispatcher:
    """Sends the pending webhook alerts (see the module docstring)."""

    def __init__(self, store: Store, settings: WebhookSettings | None = None,
                 is_leader: Callable[[], bool] = lambda: True) -> None:  # fmt: skip
        import httpx

        self.store = store
        self.settings = settings or WebhookSettings()
        self.is_leader = is_leader
        self.stats = DispatchStats()
        self._client = httpx.Client(timeout=self.settings.timeout_s, follow_redirects=False)
        self._pool = ThreadPoolExecutor(self.settings.workers, thread_name_prefix="webhook")
        self._secrets: dict[int, SubscriptionRow] = {}
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="webhooks", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def close(self) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(10.0)
        self._pool.shutdown(wait=True, cancel_futures=True)
        self._client.close()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                wait = self.cycle() if self.is_leader() else 2.0
            except Exception:
                log.exception("webhook delivery failed; retrying")
                wait = 1.0
            self._wake.wait(wait)
            self._wake.clear()

    def cycle(self) -> float:
        """Attempt every due alert; returns the seconds until the next is due (at most 1)."""
        now = datetime.now(UTC)
        due = live_store.due_deliveries(self.store.engine, now, limit=256)
        if due:
            subs = {s.id: s for s in live_store.subscriptions(self.store.engine)}
            outcomes = list(self._pool.map(lambda d: self._attempt(d, subs.get(d.subscription_id)),
                                           due))  # fmt: skip
            live_store.record_attempts(self.store.engine, outcomes)
            return 0.0
        nxt = live_store.next_due(self.store.engine)
        if nxt is None:
            return 1.0
        return min(1.0, max(0.0, (nxt - datetime.now(UTC)).total_seconds()))

    def _attempt(self, d: Delivery, sub: SubscriptionRow | None) -> live_store.Attempt:
        """One attempt (on a worker thread); its outcome is recorded with the others'."""
        now = datetime.now(UTC)
        if sub is None or not sub.webhook_url or not sub.secret:
            return live_store.Attempt(d.id, False, "subscription deleted", None, now)
        try:  # again at each attempt: the name may resolve elsewhere by now
            self.settings.hosts.check(sub.webhook_url)
        except WebhookHostRefused as exc:
            self.stats.dead += 1
            return live_store.Attempt(d.id, False, f"refused: {exc}"[:500], None, now)
        outcome = self._post(sub.webhook_url, sub.secret, d)
        self.stats.attempts += 1
        nxt = None
        if not outcome.ok and outcome.retry:
            delay = min(self.settings.cap_s, self.settings.base_s * 2 ** d.attempts)
            at = now + timedelta(seconds=delay * random.uniform(0.8, 1.2))
            if (at - d.created_at).total_seconds() <= self.settings.give_up_s:
                nxt = at
        if outcome.ok:
            self.stats.delivered += 1
        elif nxt is None:
            self.stats.dead += 1
            log.warning("webhook alert %s to subscription %s is a dead letter: %s",
                        d.alert_id, d.subscription_id, outcome.error)  # fmt: skip
        return live_store.Attempt(d.id, outcome.ok, outcome.error, nxt, now)

    def _post(self, url: str, secret: str, d: Delivery) -> _Outcome:
        body = d.body.encode()
        ts = str(int(time.time()))
        headers = {"Content-Type": "application/json", "Trucewatch-Alert-Id": d.alert_id,
                   "Trucewatch-Event": d.event, "Trucewatch-Timestamp": ts,
                   "Trucewatch-Signature": signature(secret, ts, body),
                   "User-Agent": "trucewatch-alerts"}  # fmt: skip
        try:
            resp = self._client.post(url, content=body, headers=headers)
        except Exception as exc:  # refused, reset, timed out, bad address: retry
            return _Outcome(False, True, f"{type(exc).__name__}: {exc}"[:500])
        if 200 <= resp.status_code < 300:
            return _Outcome(True, False)
        retry = resp.status_code in RETRY_STATUSES or resp.status_code >= 500
        return _Outcome(False, retry, f"HTTP {resp.status_code}: {resp.text[:200]}")
