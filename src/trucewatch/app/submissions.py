"""The store operations behind the API's submissions (its write path): the batches it
stored recently (to remember their idempotency keys), writing a group of validated
submissions in the caller's transaction (the writer thread's group commit), and the SQLite
checkpoint thread that goes with that writer.

The write API's types are the store's: :class:`PendingImport` (one submission to write),
:class:`StoredCounts` (what it stored), :class:`BatchInfo` (a stored batch) and
:class:`BatchOrigin` (the channel, submitter, idempotency key and request digest of a
batch).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from sqlalchemy import Connection

from trucewatch.app.session import Store
from trucewatch.store.batches import BatchChannel, BatchOrigin
from trucewatch.store.engine import WalCheckpointer
from trucewatch.store.observations import PendingImport, StoredCounts
from trucewatch.store.queries import BatchInfo, api_batches

__all__ = [
    "BatchChannel", "BatchInfo", "BatchOrigin", "PendingImport", "StoredCounts",
    "api_batches_since", "start_wal_checkpoints", "write_submissions",
]  # fmt: skip


def api_batches_since(store: Store, since: datetime) -> list[BatchInfo]:
    """Batches submitted through the API that started at or after ``since`` (aware UTC),
    oldest first."""
    with store.engine.connect() as conn:
        return api_batches(conn, since=since)


def write_submissions(
    store: Store, conn: Connection, imports: Sequence[PendingImport]
) -> list[tuple[int, StoredCounts]]:
    """Store validated submissions in the caller's transaction ``conn`` (each with its own
    batch row and ledger entries); returns each one's batch id and counts, in order."""
    return store.import_group(conn, imports)


def start_wal_checkpoints(store: Store) -> Callable[[], None]:
    """Start checkpointing the SQLite write-ahead log from a thread of its own (nothing
    on PostgreSQL); returns the function that stops it."""
    return WalCheckpointer(store.engine).close
