"""The import-batch log (``import_batches``): one row per import of files or API
submission, with its counts and its origin, i.e. how it arrived and from whom.

Writers open a row when a batch starts (:data:`NEW_BATCH`) and complete it when the batch
ends (:data:`FINISH_BATCH`); a group of API submissions inserts its finished rows at once.
``files`` holds only the names of the imported files; the origin has columns of its own
(:class:`BatchOrigin`, and the signing key id the store finds in the batch's signatures).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import bindparam, insert, update

from trucewatch.store import schema as t


class BatchChannel(StrEnum):
    """How a batch arrived: an import of files (command line) or an API submission."""

    FILE = "file"
    API = "api"


@dataclass(frozen=True, kw_only=True)
class BatchOrigin:
    """How and from whom an import batch arrived, as its writer knows it.

    ``submitter`` is the name of the API token holder who sent it, ``idempotency_key`` the
    client's ``Idempotency-Key`` and ``request_sha256`` the SHA-256 (hex) of the request
    content, which together let a retried submission be recognised (all None for a file
    import)."""

    channel: BatchChannel = BatchChannel.FILE
    submitter: str | None = None
    idempotency_key: str | None = None
    request_sha256: str | None = None


FILE_IMPORT = BatchOrigin()
"""The origin of an import of files."""


NEW_BATCH = insert(t.import_batches)
"""Opens a batch row (or inserts finished rows of a group: ``executemany``)."""

FINISH_BATCH = (
    update(t.import_batches)
    .where(t.import_batches.c.id == bindparam("b_id"))
    .values(
        finished_at=bindparam("b_finished"),
        read=bindparam("b_read"),
        stored=bindparam("b_stored"),
        duplicates=bindparam("b_duplicates"),
        rejected=bindparam("b_rejected"),
        key_id=bindparam("b_key_id"),
    )
)
"""Completes a batch row: end time, counts and the signing key id."""


def batch_row(
    files: Sequence[str],
    origin: BatchOrigin,
    started_at: datetime,
    key_id: str | None = None,
    **counts: int,
) -> dict[str, Any]:
    """Values of a new ``import_batches`` row (``counts``: read, stored, duplicates,
    rejected; zero when left out)."""
    return {
        "started_at": started_at, "finished_at": started_at, "files": list(files),
        "read": 0, "stored": 0, "duplicates": 0, "rejected": 0, **counts,
        "channel": origin.channel.value, "submitter": origin.submitter,
        "idempotency_key": origin.idempotency_key, "request_sha256": origin.request_sha256,
        "key_id": key_id,
    }  # fmt: skip


def signing_key_id(signatures: Mapping[str, tuple[str, str]]) -> str | None:
    """The key id that signed a batch (``signatures``: payload SHA-256 -> (signer key id,
    signature)): the one signer of all its signatures; None when the batch is unsigned or
    signed with several keys."""
    signers = {signer for signer, _ in signatures.values()}
    return signers.pop() if len(signers) == 1 else None
