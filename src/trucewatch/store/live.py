"""The store side of live fusion and alerts: incidents changed a few at a time (with the
ledger entries of the changed decisions and a row in ``incident_changes`` per change),
reading those changes in order, the import batches that arrived since a given one and
their observations, alert subscriptions, and webhook deliveries (pending, delivered, dead).

Times are aware UTC datetimes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection, Engine, delete, func, insert, or_, select, update

from trucewatch.ledger.entry import engine_entry
from trucewatch.ledger.rows import withdrawn_entries
from trucewatch.store import schema as t
from trucewatch.store.coverage import INCIDENTS
from trucewatch.store.incident_rows import incident_row, observation_links
from trucewatch.store.repository import Store
from trucewatch.store.retractions import decode_observations
from trucewatch.store.util import chunks
from trucewatch.types import Incident, Observation
from trucewatch.units import as_utc

CHUNK = 5_000
"""Rows per statement when many incidents change at once (a refresh)."""


# ------------------------------------------------------------------ incidents


@dataclass(frozen=True)
class Change:
    """One change live fusion made: ``upsert`` (the incident was created or replaced) or
    ``retire`` (it no longer exists); ``supersedes``: the incidents an upserted one
    replaces (it took over their observations)."""

    id: int
    incident_uid: str
    change: str
    at: datetime
    supersedes: tuple[str, ...]


def apply_incident_changes(
    store: Store, incidents: Sequence[Incident], retired: Sequence[str],
    supersedes: Mapping[str, Sequence[str]], engine: Mapping[str, str] | None = None,
    cursor: int | None = None,
) -> int:
    """Store ``incidents`` (new or replacing the stored ones of the same uid) and delete
    the ``retired`` ones, in one transaction with the ledger entries of the decisions that
    changed (as :meth:`Store.replace_incidents` logs them) and one ``incident_changes`` row
    per change, and ``cursor`` (the last batch taken) as the live cursor. Returns the id of
    the last change (0 when nothing changed)."""
    if not incidents and not retired:
        if cursor is not None:
            set_cursor(store.engine, cursor)
        return 0
    now = datetime.now(UTC)
    new_uids = [i.uid for i in incidents]
    gone_uids = sorted(set(retired) - set(new_uids))
    touched = [*new_uids, *gone_uids]
    with store.engine.begin() as conn:
        store.ledger.lock_log(conn)
        present = _present(conn, gone_uids)
        for part in chunks(touched, CHUNK):
            conn.execute(delete(t.incident_observations)
                         .where(t.incident_observations.c.incident_uid.in_(part)))
            conn.execute(delete(t.incidents).where(t.incidents.c.uid.in_(part)))
        for rows_part in chunks([incident_row(i, now) for i in incidents], CHUNK):
            conn.execute(insert(t.incidents), list(rows_part))
        links = [{"incident_uid": i.uid, "observation_uid": o}
                 for i in incidents for o in i.observation_uids]  # fmt: skip
        for links_part in chunks(links, CHUNK):
            conn.execute(insert(t.incident_observations), list(links_part))
        changed = store._changed_decisions(conn, new_uids, now)
        gone = withdrawn_entries(INCIDENTS.entry_type, present, now)
        if changed or gone:
            run = [engine_entry(engine, now)] if engine is not None else []
            store.ledger.append(conn, [*run, *changed, *gone])
        rows: list[dict[str, Any]] = [
            {"incident_uid": u, "change": "upsert", "at": now,
             "supersedes": sorted(supersedes.get(u, ()))} for u in new_uids
        ] + [{"incident_uid": u, "change": "retire", "at": now, "supersedes": None}
             for u in gone_uids]  # fmt: skip
        for changes_part in chunks(rows, CHUNK):
            conn.execute(insert(t.incident_changes), list(changes_part))
        last = int(conn.execute(select(func.max(t.incident_changes.c.id))).scalar_one())
        if cursor is not None:
            _set_cursor(conn, BATCH_CURSOR, cursor, now)
    return last


BATCH_CURSOR = "batch"
"""The last import batch live fusion took."""
REFRESH_CURSOR = "refreshed"
"""The last incident change made before live fusion's last refresh began."""


def _set_cursor(conn: Connection, name: str, value: int, now: datetime) -> None:
    c = t.live_cursor.c
    done = conn.execute(update(t.live_cursor).where(c.name == name)
                        .values(value=value, updated_at=now)).rowcount  # fmt: skip
    if not done:
        conn.execute(insert(t.live_cursor).values(name=name, value=value, updated_at=now))


def set_cursor(engine: Engine, value: int, name: str = BATCH_CURSOR) -> None:
    """Record where live fusion is (:data:`BATCH_CURSOR` or :data:`REFRESH_CURSOR`)."""
    with engine.begin() as conn:
        _set_cursor(conn, name, value, datetime.now(UTC))


def cursor(engine: Engine, name: str = BATCH_CURSOR) -> int | None:
    """Where live fusion is (None: it never got there on this store)."""
    c = t.live_cursor.c
    with engine.connect() as conn:
        value = conn.execute(select(c.value).where(c.name == name)).scalar()
    return None if value is None else int(value)


def days_changed_after(engine: Engine, change_id: int) -> set[date]:
    """UTC days (of start time) of the stored incidents changed after ``change_id``."""
    i, ch = t.incidents.c, t.incident_changes.c
    query = (select(i.time_start).distinct()
             .where(i.uid.in_(select(ch.incident_uid).where(ch.id > change_id))))  # fmt: skip
    with engine.connect() as conn:
        return {as_utc(ts).date() for ts in conn.execute(query).scalars()}


def _present(conn: Connection, uids: Sequence[str]) -> list[str]:
    c = t.incidents.c
    out: list[str] = []
    for part in chunks(list(uids), CHUNK):
        out.extend(conn.execute(select(c.uid).where(c.uid.in_(part))).scalars())
    return sorted(out)


def changes_after(engine: Engine, after: int, limit: int = 10_000) -> list[Change]:
    """The changes with an id above ``after``, oldest first (at most ``limit``)."""
    c = t.incident_changes.c
    with engine.connect() as conn:
        rows = conn.execute(select(t.incident_changes).where(c.id > after)
                            .order_by(c.id).limit(limit)).all()  # fmt: skip
    return [Change(r.id, r.incident_uid, r.change, as_utc(r.at), tuple(r.supersedes or ()))
            for r in rows]  # fmt: skip


def observation_links_of(engine: Engine, incident_uids: Sequence[str]
                         ) -> dict[str, tuple[str, ...]]:  # fmt: skip
    """Incident uid -> uids of its observations (sorted)."""
    with engine.connect() as conn:
        return observation_links(conn, incident_uids)


def last_change_id(engine: Engine) -> int:
    """The id of the latest change (0 when there is none)."""
    with engine.connect() as conn:
        return int(conn.execute(select(func.max(t.incident_changes.c.id))).scalar() or 0)


def last_change_before(engine: Engine, when: datetime) -> int:
    """The id of the last change made before ``when`` (0 when there is none)."""
    c = t.incident_changes.c
    with engine.connect() as conn:
        return int(conn.execute(select(func.max(c.id)).where(c.at < when)).scalar() or 0)


# ------------------------------------------------------------------ arrivals


def batches_after(engine: Engine, after: int) -> list[int]:
    """Ids of the import batches above ``after``, in order."""
    c = t.import_batches.c
    with engine.connect() as conn:
        return [int(i) for i in conn.execute(select(c.id).where(c.id > after).order_by(c.id))
                .scalars()]  # fmt: skip


def last_batch_id(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.max(t.import_batches.c.id))).scalar() or 0)


def retraction_count(engine: Engine) -> int:
    """How many observations are retracted (live fusion rebuilds when this changes)."""
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(
            t.observation_retractions)).scalar() or 0)  # fmt: skip


def observations_fused(engine: Engine, since: datetime, until: datetime, up_to_batch: int
                        ) -> tuple[list[Observation], list[tuple[str, str]]]:  # fmt: skip
    """The observations starting in [since, until) stored by batches up to ``up_to_batch``
    (or by none), without the retracted ones; and the rows that could not be decoded."""
    o, r = t.observations.c, t.observation_retractions.c
    query = (t.observation_rows()
             .where(o.time_start >= since, o.time_start < until)
             .where(or_(o.batch_id.is_(None), o.batch_id <= up_to_batch))
             .where(~o.uid.in_(select(r.uid))).order_by(o.time_start, o.uid))  # fmt: skip
    good: list[Observation] = []
    bad: list[tuple[str, str]] = []
    with engine.connect() as conn:
        decode_observations(conn.execute(query), good, bad)
    return good, bad


def observations_of_batches(engine: Engine, batch_ids: Sequence[int]
                            ) -> tuple[list[Observation], list[tuple[str, str]]]:  # fmt: skip
    """The observations first stored by these batches, without the retracted ones; and
    ``(uid, reason)`` of each row that could not be decoded."""
    o, r = t.observations.c, t.observation_retractions.c
    good: list[Observation] = []
    bad: list[tuple[str, str]] = []
    with engine.connect() as conn:
        for part in chunks(list(batch_ids), 500):
            query = (t.observation_rows().where(o.batch_id.in_(part))
                     .where(~o.uid.in_(select(r.uid))))  # fmt: skip
            decode_observations(conn.execute(query), good, bad)
    return good, bad


# ------------------------------------------------------------------ subscriptions


@dataclass(frozen=True)
class SubscriptionRow:
    """One alert subscription as stored (``filters``: sectors, clauses, parties,
    min_status, min_confidence)."""

    id: int
    name: str
    owner: str
    role: str
    party: str | None
    filters: dict[str, Any]
    webhook_url: str | None
    secret: str | None
    created_at: datetime


def _subscription(r: Any) -> SubscriptionRow:
    return SubscriptionRow(r.id, r.name, r.owner, r.role, r.party, dict(r.filters or {}),
                           r.webhook_url, r.secret, as_utc(r.created_at))  # fmt: skip


def add_subscription(engine: Engine, *, name: str, owner: str, role: str, party: str | None,
                     filters: Mapping[str, Any], webhook_url: str | None,
                     secret: str | None) -> SubscriptionRow:  # fmt: skip
    now = datetime.now(UTC)
    with engine.begin() as conn:
        key = conn.execute(insert(t.alert_subscriptions).values(
            name=name, owner=owner, role=role, party=party, filters=dict(filters),
            webhook_url=webhook_url, secret=secret, created_at=now,
        )).inserted_primary_key  # fmt: skip
        assert key is not None
        new_id = key[0]
    return SubscriptionRow(int(new_id), name, owner, role, party, dict(filters), webhook_url,
                           secret, now)  # fmt: skip


def subscriptions(engine: Engine, owner: str | None = None) -> list[SubscriptionRow]:
    """Active subscriptions (of ``owner`` only, when given), oldest first."""
    c = t.alert_subscriptions.c
    query = select(t.alert_subscriptions).where(c.deleted_at.is_(None)).order_by(c.id)
    if owner is not None:
        query = query.where(c.owner == owner)
    with engine.connect() as conn:
        return [_subscription(r) for r in conn.execute(query)]


def delete_subscription(engine: Engine, sub_id: int, owner: str | None) -> bool:
    """Mark a subscription deleted (its pending alerts are not sent); ``owner``: only if
    it is theirs. True when one was deleted."""
    c = t.alert_subscriptions.c
    query = update(t.alert_subscriptions).where(c.id == sub_id, c.deleted_at.is_(None))
    if owner is not None:
        query = query.where(c.owner == owner)
    with engine.begin() as conn:
        done = conn.execute(query.values(deleted_at=datetime.now(UTC))).rowcount or 0
        if done:
            d = t.alert_deliveries.c
            conn.execute(update(t.alert_deliveries)
                         .where(d.subscription_id == sub_id, d.state == "pending")
                         .values(state="cancelled"))  # fmt: skip
    return bool(done)


# ------------------------------------------------------------------ deliveries


@dataclass(frozen=True)
class Delivery:
    """One webhook alert: its idempotency id, subscription, incident, event (``new`` or
    ``updated``), the JSON body sent, attempts so far, state and the last error."""

    id: int
    alert_id: str
    subscription_id: int
    incident_uid: str
    event: str
    body: str
    created_at: datetime
    attempts: int
    next_attempt_at: datetime
    state: str
    last_error: str | None
    delivered_at: datetime | None


def _delivery(r: Any) -> Delivery:
    return Delivery(r.id, r.alert_id, r.subscription_id, r.incident_uid, r.event, r.body,
                    as_utc(r.created_at), r.attempts, as_utc(r.next_attempt_at), r.state,
                    r.last_error, None if r.delivered_at is None else as_utc(r.delivered_at))


def alerted_incidents(engine: Engine, sub_id: int, uids: Sequence[str]) -> set[str]:
    """Which of ``uids`` already have an alert for subscription ``sub_id``."""
    d = t.alert_deliveries.c
    out: set[str] = set()
    with engine.connect() as conn:
        for part in chunks(list(uids), 500):
            out.update(conn.execute(select(d.incident_uid).where(
                d.subscription_id == sub_id, d.incident_uid.in_(part))).scalars())
    return out


def enqueue_deliveries(engine: Engine, rows: Sequence[Mapping[str, Any]]) -> int:
    """Queue webhook alerts (keys: alert_id, subscription_id, incident_uid, event, body);
    an alert id already queued is left alone (at most one delivery per alert). Returns how
    many were queued."""
    if not rows:
        return 0
    now = datetime.now(UTC)
    d = t.alert_deliveries.c
    with engine.begin() as conn:
        known = set(conn.execute(select(d.alert_id).where(
            d.alert_id.in_([r["alert_id"] for r in rows]))).scalars())  # fmt: skip
        fresh = {r["alert_id"]: r for r in rows if r["alert_id"] not in known}
        if fresh:
            conn.execute(insert(t.alert_deliveries), [
                {**r, "created_at": now, "attempts": 0, "next_attempt_at": now,
                 "state": "pending", "last_error": None, "delivered_at": None}
                for r in fresh.values()])  # fmt: skip
    return len(fresh)


def due_deliveries(engine: Engine, now: datetime, limit: int = 100) -> list[Delivery]:
    """Pending alerts whose next attempt is due, oldest first."""
    d = t.alert_deliveries.c
    with engine.connect() as conn:
        rows = conn.execute(select(t.alert_deliveries)
                            .where(d.state == "pending", d.next_attempt_at <= now)
                            .order_by(d.next_attempt_at, d.id).limit(limit)).all()  # fmt: skip
    return [_delivery(r) for r in rows]


def next_due(engine: Engine) -> datetime | None:
    """When the earliest pending alert is due (None when none is pending)."""
    d = t.alert_deliveries.c
    with engine.connect() as conn:
        when = conn.execute(select(func.min(d.next_attempt_at))
                            .where(d.state == "pending")).scalar()  # fmt: skip
    return None if when is None else as_utc(when)


@dataclass(frozen=True)
class Attempt:
    """The outcome of one attempt: delivered (``ok``), to retry at ``next_attempt_at``, or
    dead (failed with no next attempt)."""

    delivery_id: int
    ok: bool
    error: str | None
    next_attempt_at: datetime | None
    at: datetime


def record_attempts(engine: Engine, attempts: Sequence[Attempt]) -> None:
    """Record the outcomes of attempts, in one transaction."""
    d = t.alert_deliveries.c
    with engine.begin() as conn:
        for a in attempts:
            if a.ok:
                values: dict[str, Any] = {"state": "delivered", "delivered_at": a.at,
                                          "last_error": None}  # fmt: skip
            elif a.next_attempt_at is None:
                values = {"state": "dead", "last_error": a.error}
            else:
                values = {"next_attempt_at": a.next_attempt_at, "last_error": a.error}
            conn.execute(update(t.alert_deliveries).where(d.id == a.delivery_id)
                         .values(attempts=d.attempts + 1, **values))  # fmt: skip


def deliveries(engine: Engine, *, state: str | None = None, subscription_id: int | None = None,
               limit: int = 1000) -> list[Delivery]:  # fmt: skip
    """Alerts in ``state`` (all when None), newest first."""
    d = t.alert_deliveries.c
    query = select(t.alert_deliveries).order_by(d.id.desc()).limit(limit)
    if state is not None:
        query = query.where(d.state == state)
    if subscription_id is not None:
        query = query.where(d.subscription_id == subscription_id)
    with engine.connect() as conn:
        return [_delivery(r) for r in conn.execute(query)]


def requeue(engine: Engine, delivery_id: int) -> bool:
    """Send a dead alert again (its attempts start over). True when one was requeued."""
    d = t.alert_deliveries.c
    with engine.begin() as conn:
        done = conn.execute(update(t.alert_deliveries)
                            .where(d.id == delivery_id, d.state == "dead")
                            .values(state="pending", attempts=0,
                                    next_attempt_at=datetime.now(UTC))).rowcount  # fmt: skip
    return bool(done)
