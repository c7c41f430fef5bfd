"""The submission writer: group commit, isolation of a refused or failing submission, and
the SQLite checkpoint thread."""

from __future__ import annotations

import hashlib
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Connection, text

from trucewatch.api.writer import Job, SubmissionWriter
from trucewatch.errors import QuotaExceeded
from trucewatch.store import Store
from trucewatch.store.engine import WalCheckpointer
from trucewatch.store.observations import PendingImport
from trucewatch.store.quotas import DailyQuota, charge, used
from trucewatch.types import EventKind, Flow, Observation, PointLocation, SourceKind

T0 = datetime(2025, 3, 20, 6, 0, tzinfo=UTC)


def _obs(i: int) -> Observation:
    payload = f'{{"n": {i}}}'
    return Observation(
        uid=f"{i:064x}",
        source_kind=SourceKind.PATROL,
        source_format="patrol",
        source_id="team-1",
        time_start=T0,
        time_end=T0 + timedelta(minutes=30),
        location=PointLocation.isotropic(37.5 + i * 0.01, 48.0, 0.5),
        kind=EventKind.EXPLOSION,
        count=1,
        flow=Flow.INCOMING,
        reliability="B",
        credibility=2,
        payload=payload,
        payload_sha256=hashlib.sha256(payload.encode()).hexdigest(),
    )


class StoreJob(Job):
    """Stores observation ``i`` as a batch of its own; can wait on a gate, be refused by its
    check, or fail after writing."""

    def __init__(self, store: Store, i: int, *, gate: threading.Event | None = None,
                 refuse: bool = False, fail: bool = False) -> None:  # fmt: skip
        self.store, self.i, self.gate, self.refuse, self.fail = store, i, gate, refuse, fail
        self.started = threading.Event()

    def check(self, conn: Connection) -> None:
        if self.refuse:
            raise ValueError(f"submission {self.i} refused")

    def write(self, conn: Connection) -> Any:
        self.started.set()
        if self.gate is not None:
            assert self.gate.wait(10)
        [(batch_id, _)] = self.store.import_group(
            conn, [PendingImport([f"job:{self.i}"], [_obs(self.i)], read=1)]
        )
        if self.fail:
            raise RuntimeError(f"submission {self.i} failed after writing")
        return batch_id


def _stored(store: Store) -> tuple[int, int, int]:
    """(observations, batch rows, ledger entries) in the store."""
    with store.engine.connect() as conn:
        return tuple(  # type: ignore[return-value]
            int(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())
            for table in ("observations", "import_batches", "ledger_entries")
        )


def _held_writer(store: Store) -> tuple[SubmissionWriter, threading.Event, Any]:
    """A writer busy with a first job until the returned gate is set: what is queued
    meanwhile is written as one group."""
    writer = SubmissionWriter(store.engine)
    gate = threading.Event()
    job = StoreJob(store, 0, gate=gate)
    first = writer.submit(job)
    assert job.started.wait(10)  # the writer is inside the first job's transaction
    return writer, gate, first


def test_submissions_waiting_together_share_one_transaction(db_url: str) -> None:
    store = Store.open(db_url)
    writer, gate, first = _held_writer(store)
    futures = [writer.submit(StoreJob(store, i)) for i in range(1, 21)]
    gate.set()
    ids = [first.result(10)] + [f.result(10) for f in futures]
    writer.close()
    assert len(set(ids)) == 21  # each submission has its own batch row
    assert (writer.groups_written, writer.jobs_written) == (2, 21)
    assert _stored(store) == (21, 21, 42)  # an entry per observation and per batch
    store.close()


def test_a_refused_submission_leaves_its_group_alone(db_url: str) -> None:
    store = Store.open(db_url)
    writer, gate, first = _held_writer(store)
    futures = [writer.submit(StoreJob(store, i, refuse=i == 3)) for i in range(1, 6)]
    gate.set()
    first.result(10)
    with pytest.raises(ValueError, match="submission 3 refused"):
        futures[2].result(10)
    assert all(f.result(10) for k, f in enumerate(futures) if k != 2)
    writer.close()
    assert writer.groups_written == 2
    assert _stored(store) == (5, 5, 10)  # an entry per observation and per batch
    store.close()


def test_a_failing_submission_is_retried_alone_and_stores_nothing(db_url: str) -> None:
    store = Store.open(db_url)
    writer, gate, first = _held_writer(store)
    futures = [writer.submit(StoreJob(store, i, fail=i == 2)) for i in range(1, 6)]
    gate.set()
    first.result(10)
    with pytest.raises(RuntimeError, match="submission 2 failed"):
        futures[1].result(10)
    assert all(f.result(10) for k, f in enumerate(futures) if k != 1)
    writer.close()
    # the group was rolled back, then its other four were written one by one
    assert writer.jobs_written == 5
    with store.engine.connect() as conn:
        uids = set(conn.execute(text("SELECT uid FROM observations")).scalars())
    assert f"{2:064x}" not in uids and len(uids) == 5
    assert _stored(store) == (5, 5, 10)  # an entry per observation and per batch
    store.close()


class QuotaJob(StoreJob):
    """A :class:`StoreJob` charged to a token's daily quota in its check (as a submission
    is), noting the order in which the checks ran."""

    def __init__(self, store: Store, i: int, quota: DailyQuota, checked: list[int]) -> None:
        super().__init__(store, i)
        self.quota, self.checked = quota, checked

    def check(self, conn: Connection) -> None:
        self.checked.append(self.i)
        charge(conn, self.quota, 1)

    def lock_order(self) -> str:
        return self.quota.token_sha256


def test_a_submission_over_its_quota_leaves_its_group_alone(db_url: str) -> None:
    """In one group: the jobs are checked in the order of their quota rows (so two
    processes' groups lock them in one order), the one over its token's quota is refused
    without failing the group, and the others are written in one transaction."""
    store = Store.open(db_url)
    a, b = DailyQuota("b" * 64, 2, T0), DailyQuota("a" * 64, 5, T0)
    checked: list[int] = []
    writer, gate, first = _held_writer(store)
    futures = [writer.submit(QuotaJob(store, i, q, checked))
               for i, q in ((1, a), (2, b), (3, a), (4, a), (5, b))]  # fmt: skip
    gate.set()
    first.result(10)
    with pytest.raises(QuotaExceeded):
        futures[3].result(10)
    assert all(f.result(10) for k, f in enumerate(futures) if k != 3)
    writer.close()
    assert checked == [2, 5, 1, 3, 4]  # token "a...", then token "b...", each in order
    assert writer.groups_written == 2  # the first job's, then the other five's
    assert _stored(store) == (5, 5, 10)
    with store.engine.connect() as conn:
        assert [used(conn, q.token_sha256, T0.date()) for q in (a, b)] == [2, 2]
    store.close()


def test_closing_writes_what_is_queued_then_refuses_more(sqlite_url: str) -> None:
    store = Store.open(sqlite_url)
    writer, gate, first = _held_writer(store)
    futures = [writer.submit(StoreJob(store, i)) for i in range(1, 4)]
    gate.set()
    writer.close()
    assert first.done() and all(f.done() and f.exception() is None for f in futures)
    with pytest.raises(RuntimeError, match="stopped"):
        writer.submit(StoreJob(store, 9))
    store.close()


def test_checkpoint_thread_replaces_automatic_checkpoints(sqlite_url: str) -> None:
    store = Store.open(sqlite_url)
    checkpointer = WalCheckpointer(store.engine, interval_s=0.05)
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 0
    store.add_observations([_obs(i) for i in range(50)])
    deadline = datetime.now(UTC) + timedelta(seconds=10)
    while checkpointer.checkpoints < 2 and datetime.now(UTC) < deadline:
        threading.Event().wait(0.05)
    checkpointer.close()
    assert checkpointer.checkpoints >= 2
    with store.engine.connect() as conn:
        busy, log, copied = conn.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)").one()
    assert busy == 0 and copied == log  # everything written is in the database file
    assert _stored(store)[0] == 50
    store.close()


def test_checkpoint_thread_is_not_started_for_postgresql(db_url: str) -> None:
    store = Store.open(db_url)
    checkpointer = WalCheckpointer(store.engine, interval_s=0.05)
    started = checkpointer._thread is not None
    checkpointer.close()
    assert started == db_url.startswith("sqlite")
    store.close()


def test_server_gc_restores_the_collector() -> None:
    import gc

    from trucewatch.gc import SERVER_GC_THRESHOLDS, server_gc

    before = gc.get_threshold()
    with server_gc():
        assert gc.get_threshold() == SERVER_GC_THRESHOLDS
        assert gc.get_freeze_count() > 0
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0
