"""The origin of import batches in columns: written by every writer, read back, and moved
out of the old ``files`` tags when a store made before revision 0004 is opened."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from trucewatch.store import Store
from trucewatch.store import queries as q
from trucewatch.store.batches import BatchChannel, BatchOrigin
from trucewatch.store.engine import create_store_engine, migrate
from trucewatch.store.observations import PendingImport
from trucewatch.types import EventKind, Observation, PointLocation, SourceKind

T0 = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)


def _obs(i: int) -> Observation:
    return Observation(uid=f"{i:064x}", source_kind=SourceKind.PATROL, source_format="patrol",
                       source_id="team-1", time_start=T0, time_end=T0,
                       location=PointLocation.isotropic(37.5, 48.0, 0.5),
                       kind=EventKind.EXPLOSION, payload=f'{{"n": {i}}}')  # fmt: skip

_OLD_BATCHES = sa.table(
    "import_batches",
    sa.column("id", sa.Integer()),
    sa.column("started_at", sa.DateTime(timezone=True)),
    sa.column("finished_at", sa.DateTime(timezone=True)),
    sa.column("files", sa.JSON()),
    sa.column("read", sa.Integer()),
    sa.column("stored", sa.Integer()),
    sa.column("duplicates", sa.Integer()),
    sa.column("rejected", sa.Integer()),
)
"""``import_batches`` as revision 0003 made it."""


def _old_row(batch_id: int, files: list[str], minutes: int = 0) -> dict[str, object]:
    at = T0 + timedelta(minutes=minutes)
    return {"id": batch_id, "started_at": at, "finished_at": at, "files": files,
            "read": 2, "stored": 1, "duplicates": 1, "rejected": 0}  # fmt: skip


def test_a_store_at_0003_upgrades_its_tagged_batches(db_url: str) -> None:
    engine = create_store_engine(db_url)
    migrate(engine, "0003")
    with engine.begin() as conn:
        conn.execute(sa.insert(_OLD_BATCHES), [
            _old_row(1, ["data/patrols.jsonl", "data/firms.csv"]),
            _old_row(2, ["api", "by:alice", "key:k-1", "sha256:" + "ab" * 32], minutes=1),
            _old_row(3, ["api", "by:bob", "key:retry:2"], minutes=2),
            _old_row(4, ["by:not-a-tag.txt"], minutes=3),
        ])  # fmt: skip
    engine.dispose()

    store = Store.open(db_url)
    with store.engine.connect() as conn:
        batches = {b.id: b for b in q.get_batches(conn, [1, 2, 3, 4])}
        by_alice = q.api_batches(conn, submitter="alice")
        recent = q.api_batches(conn, since=T0 + timedelta(minutes=2))
    store.close()

    assert batches[1].files == ("data/patrols.jsonl", "data/firms.csv")
    assert batches[1].channel is BatchChannel.FILE and batches[1].submitter is None
    alice = batches[2]
    assert (alice.channel, alice.files, alice.submitter, alice.idempotency_key,
            alice.request_sha256, alice.key_id) == (
        BatchChannel.API, (), "alice", "k-1", "ab" * 32, None)  # fmt: skip
    assert (alice.read, alice.stored, alice.duplicates) == (2, 1, 1)
    bob = batches[3]
    assert (bob.submitter, bob.idempotency_key, bob.request_sha256) == ("bob", "retry:2", None)
    assert batches[4].files == ("by:not-a-tag.txt",)  # a file import: its names are files
    assert batches[4].channel is BatchChannel.FILE and batches[4].submitter is None
    assert [b.id for b in by_alice] == [2]
    assert [b.id for b in recent] == [3]


def test_writers_fill_the_origin_columns(db_url: str) -> None:
    store = Store.open(db_url)
    signed = {"aa" * 32: ("k" * 64, "sig-1"), "bb" * 32: ("k" * 64, "sig-2")}
    with store.import_batch(["one.jsonl"]) as batch:
        batch.signatures = signed
        batch.add([_obs(1)])
        batch.finish(read=1, rejected=0)
    api = BatchOrigin(channel=BatchChannel.API, submitter="alice", idempotency_key="k-9",
                      request_sha256="cd" * 32)  # fmt: skip
    two_keys = {"aa" * 32: ("k" * 64, "s"), "cc" * 32: ("m" * 64, "s")}
    with store.engine.begin() as conn:
        ids = [i for i, _ in store.import_group(conn, [
            PendingImport([], [_obs(2)], read=1, origin=api),
            PendingImport([], [_obs(3)], read=1, signatures=two_keys, origin=api),
        ])]  # fmt: skip
    with store.engine.connect() as conn:
        file_batch, *api_group = q.get_batches(conn, [batch.batch_id, *ids])
        listed = q.api_batches(conn, submitter="alice")
    store.close()

    assert file_batch.files == ("one.jsonl",)
    assert (file_batch.channel, file_batch.key_id) == (BatchChannel.FILE, "k" * 64)
    assert [(b.channel, b.files, b.submitter, b.idempotency_key, b.request_sha256)
            for b in api_group] == [(BatchChannel.API, (), "alice", "k-9", "cd" * 32)] * 2
    assert [b.key_id for b in api_group] == [None, None]  # unsigned; signed by two keys
    assert [b.id for b in listed] == ids
