"""Idempotency keys in the store: one reservation per key whatever the number of API
processes, completed in the batch's transaction, fenced by its holder, and taken over once
its lease or the keys' time to live has run out (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from trucewatch.store import Store
from trucewatch.store import schema as t
from trucewatch.store.batches import NEW_BATCH, BatchChannel, BatchOrigin, batch_row
from trucewatch.store.idempotency import KeyOutcome, complete, release, reserve

T0 = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
LEASE, TTL = 30.0, 3600.0


@pytest.fixture
def store(db_url: str) -> Store:
    s = Store.open(db_url)
    yield s
    s.close()


def _reserve(store: Store, key: str = "k", digest: str = "d1", at: datetime = T0):  # type: ignore[no-untyped-def]
    return reserve(store.engine, "mon", key, digest, at, lease_s=LEASE, ttl_s=TTL)


def _batch(store: Store, key: str | None = None, digest: str | None = None) -> int:
    origin = BatchOrigin(channel=BatchChannel.API, submitter="mon", idempotency_key=key,
                         request_sha256=digest)  # fmt: skip
    with store.engine.begin() as conn:
        return int(conn.execute(NEW_BATCH, batch_row([], origin, T0)).inserted_primary_key[0])


def _complete(store: Store, holder: str, batch: int, key: str = "k", at: datetime = T0) -> bool:
    with store.engine.begin() as conn:
        return complete(conn, "mon", key, holder, batch, f'{{"batch_id": {batch}}}', at)


def test_one_reservation_then_the_stored_answer(store: Store) -> None:
    first = _reserve(store)
    assert first.outcome is KeyOutcome.RESERVED and first.holder
    assert _reserve(store).outcome is KeyOutcome.IN_PROGRESS
    assert _reserve(store, digest="other").outcome is KeyOutcome.MISMATCH
    batch = _batch(store)
    assert _complete(store, first.holder, batch)
    done = _reserve(store, at=T0 + timedelta(seconds=LEASE * 10))  # completed: no lease
    assert (done.outcome, done.batch_id, done.response) == (
        KeyOutcome.DONE, batch, f'{{"batch_id": {batch}}}')
    assert _reserve(store, digest="other").outcome is KeyOutcome.MISMATCH
    assert not _complete(store, first.holder, batch)  # completed once only


def test_a_dead_holder_is_taken_over_and_fenced_out(store: Store) -> None:
    dead = _reserve(store)
    later = T0 + timedelta(seconds=LEASE + 1)
    taker = _reserve(store, at=later)
    assert taker.outcome is KeyOutcome.RESERVED and taker.holder != dead.holder
    batch = _batch(store)
    assert dead.holder is not None and taker.holder is not None
    assert not _complete(store, dead.holder, batch)  # the first holder's late commit refused
    assert _complete(store, taker.holder, batch)
    assert _reserve(store, at=later).outcome is KeyOutcome.DONE


def test_released_and_forgotten_keys_can_be_used_again(store: Store) -> None:
    first = _reserve(store)
    assert first.holder is not None
    release(store.engine, "mon", "k", first.holder)
    again = _reserve(store, digest="d2")
    assert again.outcome is KeyOutcome.RESERVED and again.holder is not None
    assert _complete(store, again.holder, _batch(store))
    past_ttl = T0 + timedelta(seconds=TTL + 1)
    assert _reserve(store, digest="d3", at=past_ttl).outcome is KeyOutcome.RESERVED
    with store.engine.connect() as conn:
        assert conn.execute(t.idempotency_keys.select()).all()[0].request_sha256 == "d3"


def test_keys_of_batches_stored_before_the_table_are_honoured(store: Store) -> None:
    batch = _batch(store, key="old", digest="d1")
    found = _reserve(store, key="old")
    assert (found.outcome, found.batch_id, found.response) == (KeyOutcome.DONE, batch, None)
    assert _reserve(store, key="old", digest="d2").outcome is KeyOutcome.MISMATCH
