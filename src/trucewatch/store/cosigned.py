"""Cosigned log heads in the store (table ``ledger_cosigned_heads``): each checkpoint the
witnesses' quorum cosigned, stored with its cosignature lines and logged (a
``cosigned_head`` entry with the row's digest) in the same transaction; and what the
publishing loop and the waiting writers ask of the log.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select

from trucewatch.ledger.entry import EntryType
from trucewatch.store import schema as t
from trucewatch.store.coverage import COSIGNED_HEADS, log_rows
from trucewatch.store.util import blob
from trucewatch.units import as_utc

BOOKKEEPING = (EntryType.TREE_HEAD.value, EntryType.COSIGNED_HEAD.value)
"""Entries the publishing itself appends: a log whose only new entries are these needs no
new head."""


@dataclass(frozen=True)
class CosignedHead:
    """A published checkpoint: the log's first ``tree_size`` entries have root
    ``root_hash``; ``checkpoint`` is the signed note (mission signature and cosignatures),
    ``cosigned_by`` the names of the witnesses whose cosignatures it carries."""

    id: int
    origin: str
    tree_size: int
    root_hash: bytes
    checkpoint: str
    cosigned_by: tuple[str, ...]
    published_at: datetime

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready (root hash as lowercase hex, time as ISO 8601 UTC)."""
        return {"origin": self.origin, "tree_size": self.tree_size,
                "root_hash": self.root_hash.hex(), "cosigned_by": list(self.cosigned_by),
                "published_at": self.published_at.isoformat().replace("+00:00", "Z"),
                "checkpoint": self.checkpoint}  # fmt: skip


def add_cosigned_head(conn: Connection, ledger: Any, origin: str, tree_size: int,
                      root_hash: bytes, checkpoint: str, cosigned_by: Sequence[str],
                      now: datetime) -> CosignedHead:  # fmt: skip
    """Store and log a checkpoint the quorum cosigned (in the caller's transaction)."""
    values = {"origin": origin, "tree_size": tree_size, "root_hash": root_hash,
              "checkpoint": checkpoint, "cosigned_by": sorted(cosigned_by),
              "published_at": now}  # fmt: skip
    row_id = int(conn.execute(insert(t.ledger_cosigned_heads).values(**values))
                 .inserted_primary_key[0])  # type: ignore[index]  # fmt: skip
    log_rows(conn, ledger, COSIGNED_HEADS, [row_id], now)
    return CosignedHead(row_id, origin, tree_size, root_hash, checkpoint,
                        tuple(sorted(cosigned_by)), now)  # fmt: skip


def latest_cosigned_head(conn: Connection) -> CosignedHead | None:
    """The published checkpoint of the largest tree (the latest of equals), or None."""
    h = t.ledger_cosigned_heads.c
    row = conn.execute(select(t.ledger_cosigned_heads)
                       .order_by(h.tree_size.desc(), h.id.desc()).limit(1)).first()  # fmt: skip
    if row is None:
        return None
    return CosignedHead(int(row.id), row.origin, int(row.tree_size), blob(row.root_hash),
                        row.checkpoint, tuple(row.cosigned_by or ()),
                        as_utc(row.published_at))  # fmt: skip


def cosigned_size(conn: Connection) -> int:
    """Entries covered by the latest published checkpoint (0 when none)."""
    return int(conn.execute(select(func.max(t.ledger_cosigned_heads.c.tree_size))).scalar() or 0)


def needs_new_head(conn: Connection, signed_size: int) -> bool:
    """True when the log holds entries after ``signed_size`` other than the publishing's
    own bookkeeping (tree heads, cosigned heads)."""
    c = t.ledger_entries.c
    query = (select(c.seq).where(c.seq >= signed_size, c.entry_type.not_in(BOOKKEEPING))
             .limit(1))  # fmt: skip
    return conn.execute(query).first() is not None


def last_entry_about(conn: Connection, entry_type: str, ref: str) -> int | None:
    """Index of the latest entry of ``entry_type`` about ``ref`` (e.g. a batch), or None."""
    c = t.ledger_entries.c
    query = select(func.max(c.seq)).where(c.entry_type == entry_type, c.ref == ref)
    found = conn.execute(query).scalar()
    return None if found is None else int(found)
