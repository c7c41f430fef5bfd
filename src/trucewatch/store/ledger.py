"""Persistence of the Merkle log: entries, registered keys and signed tree heads.

Every method takes an open SQLAlchemy :class:`~sqlalchemy.Connection` and never commits:
the caller owns the transaction, so log entries are written in the *same* transaction as
the rows they describe (observations, incidents, reports) and a crash leaves neither.
Call them inside ``engine.begin()``.

* ``ledger_entries``: one row per leaf; ``seq`` is the 0-based leaf index, ``entry`` the
  canonical entry bytes (:mod:`trucewatch.ledger.entry`), ``leaf_hash`` their RFC 9162
  leaf hash, ``entry_type``/``ref`` copied from the entry for look-ups.
* ``ledger_keys``: the keys registered with the mission. It is a projection of the log:
  keys are added and revoked only by appending ``key_added`` / ``key_revoked`` entries
  (read and checked by :class:`~trucewatch.store.ledger_keys.KeyRegistry`).
* ``ledger_tree_heads``: signed tree heads, in the order they were signed.

Sequence numbers are assigned as ``max(seq) + 1`` inside the caller's transaction; the
primary key makes a concurrent duplicate fail rather than fork the log, and on PostgreSQL a
transaction-level advisory lock serializes appenders so they wait instead of failing. On
SQLite the database write lock does the same.

Proofs are computed from an in-memory :class:`~trucewatch.ledger.merkle.MerkleTree` of the
stored leaf hashes, loaded once and extended as the log grows.
:func:`~trucewatch.store.ledger_verify.verify_store` does not trust that cache or the stored
leaf hashes: it recomputes every leaf from the entry bytes and every signed root.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import repeat
from threading import Lock
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import Connection, insert, select, text

from trucewatch.ledger.entry import LogEntry, decode_entry, key_added_entry, key_revoked_entry
from trucewatch.ledger.errors import EntryError, LedgerError, SignatureError
from trucewatch.ledger.merkle import MerkleTree, leaf_hash
from trucewatch.ledger.signing import (
    Ed25519PrivateKey,
    Role,
    key_id,
    public_key_bytes,
    sign_tree_head,
)
from trucewatch.ledger.verify import ConsistencyProof, InclusionProof, SignedTreeHead
from trucewatch.store import schema as t
from trucewatch.store.coverage import TREE_HEADS, log_rows
from trucewatch.store.ledger_keys import (
    KEY_TYPES,
    KeyRegistry,
    PendingKeys,
    RegisteredKey,
    check_signed_entry,
)
from trucewatch.store.util import (
    blob,
    bulk_insert,
    chunks,
    columns_of,
    copy_lines,
    copy_text,
    db_time_encoder,
)
from trucewatch.units import as_utc

APPEND_CHUNK = 20_000
"""Rows per INSERT round trip."""

SCAN_CHUNK = 20_000
"""Rows fetched per round trip when reading the whole log."""

_PG_LOCK_KEY = 0x7472756365  # "truce": the advisory lock serializing appends on PostgreSQL

_TREE_HEAD_COLUMNS = {
    name: name for name in ("tree_size", "root_hash", "timestamp_ms", "key_id", "signature")
}
""":class:`SignedTreeHead` attribute -> ``ledger_tree_heads`` column."""


# --------------------------------------------------------------------------- records


@dataclass(frozen=True, kw_only=True)
class StoredEntry:
    """One stored log entry: its leaf ``index``, canonical bytes and leaf hash."""

    index: int
    entry: bytes
    leaf_hash: bytes
    entry_type: str
    ref: str
    appended_at: datetime

    def decode(self) -> LogEntry:
        """The entry's fields (strictly decoded)."""
        return decode_entry(self.entry)


# --------------------------------------------------------------------------- the ledger


class Ledger(KeyRegistry):
    """The log in the store. One instance per process is enough; it caches the tree of
    leaf hashes for proofs (checked against the store on every use, reloaded when the store
    differs, e.g. after a rolled-back append)."""

    def __init__(self) -> None:
        self._tree = MerkleTree()
        self._tree_url: str | None = None
        self._lock = Lock()

    # ------------------------------------------------------------------ appending

    def append(
        self,
        conn: Connection,
        entries: Sequence[bytes | LogEntry],
        *,
        verify_signatures: bool = True,
    ) -> range:
        """Append entries (canonical bytes or :class:`LogEntry`) in order; return their
        leaf indices. Each row's ``appended_at`` is its entry's time.

        Every entry is checked before anything is written, so a refused batch writes
        nothing: each is decoded strictly (:class:`EntryError` names the batch position);
        ``key_added``/``key_revoked`` entries must register a new key with a known role /
        revoke an active one (:class:`LedgerError`); a signed entry needs an active
        registered signer and, unless ``verify_signatures`` is False (the caller has just
        checked it with :meth:`check_submission`), a valid signature
        (:class:`SignatureError`).
        """
        decoded = [_as_entry(e, i) for i, e in enumerate(entries)]
        if not decoded:
            size = self.size(conn)
            return range(size, size)
        self.lock_log(conn)
        start = self.size(conn)
        keys = PendingKeys(self, conn)
        for seq, (entry, _) in enumerate(decoded, start):
            if entry.type in KEY_TYPES:
                keys.apply(entry, seq)
            if entry.signer is not None:
                check_signed_entry(entry, seq, keys.get(entry.signer), verify_signatures)
        keys.write()
        stamp = db_time_encoder(conn)  # appended_at is the entry's time (verify_store checks)
        rows = [
            (seq, blob, leaf_hash(blob), entry.type.value, entry.ref, stamp(entry.time))
            for seq, (entry, blob) in enumerate(decoded, start)
        ]
        sql = _insert_entries_sql(conn)
        for chunk in chunks(rows, APPEND_CHUNK):
            conn.exec_driver_sql(sql, list(chunk))
        return range(start, start + len(rows))

    def append_built(
        self,
        conn: Connection,
        entries: Sequence[bytes],
        leaf_hashes: Sequence[bytes],
        refs: Sequence[str],
        time: datetime,
    ) -> range:
        """Append unsigned ``observation`` entries built in bulk with their leaf hashes
        (:mod:`trucewatch.store.columnar`, whose bytes are those of
        :func:`~trucewatch.ledger.entry.observation_entry`: tested), logged at ``time``;
        returns their leaf indices. Such entries register no key and carry no signature,
        so there is nothing of :meth:`append`'s checks to run; :func:`verify_store`
        re-derives every one of them from its bytes all the same."""
        self.lock_log(conn)
        start = self.size(conn)
        stamp = db_time_encoder(conn)(time)
        seqs = range(start, start + len(entries))
        if conn.dialect.name == "postgresql":
            ref_text = [copy_text(r) for r in refs] if any("\\" in r for r in refs) else refs
            lines = [f"{seq}\t\\\\x{e.hex()}\t\\\\x{h.hex()}\tobservation\t{ref}\t{stamp}\n"
                     for seq, e, h, ref in zip(seqs, entries, leaf_hashes, ref_text,
                                               strict=True)]  # fmt: skip
            copy_lines(conn, "ledger_entries", _ENTRY_COLUMNS, lines)
        else:
            rows = zip(seqs, entries, leaf_hashes, repeat("observation"), refs, repeat(stamp))
            bulk_insert(conn, "ledger_entries", _ENTRY_COLUMNS, rows)
        return seqs

    def lock_log(self, conn: Connection) -> None:
        """Serialize appenders until the caller's transaction ends: a PostgreSQL advisory
        lock; on SQLite a write that changes nothing but takes the database write lock
        before the size is read (otherwise two appenders could read the same size).
        Importers take it before inserting observations, so concurrent imports of the
        same records wait for each other instead of deadlocking on each other's rows."""
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK_KEY})
        elif conn.dialect.name == "sqlite":
            conn.exec_driver_sql("UPDATE ledger_entries SET seq = seq WHERE seq < 0")

    # ------------------------------------------------------------------ reading

    def size(self, conn: Connection) -> int:
        """Number of leaves: the next index to be appended."""
        last = conn.exec_driver_sql("SELECT max(seq) FROM ledger_entries").scalar()
        return 0 if last is None else int(last) + 1

    def entry(self, conn: Connection, index: int) -> StoredEntry:
        """The stored entry at leaf ``index``."""
        found = self.entries(conn, index, index + 1)
        if not found:
            raise LedgerError(f"log entry {index} does not exist")
        return found[0]

    def entries(self, conn: Connection, start: int, stop: int) -> list[StoredEntry]:
        """Stored entries with indices in ``[start, stop)``, in order."""
        c = t.ledger_entries.c
        query = select(t.ledger_entries).where(c.seq >= start, c.seq < stop).order_by(c.seq)
        return [_stored_entry(r) for r in conn.execute(query)]

    def leaf_hashes(self, conn: Connection, start: int, stop: int) -> list[bytes]:
        """Stored leaf hashes of leaves ``[start, stop)``, in order."""
        c = t.ledger_entries.c
        query = select(c.leaf_hash).where(c.seq >= start, c.seq < stop).order_by(c.seq)
        return [blob(h) for h in conn.execute(query).scalars()]

    def find(self, conn: Connection, ref: str, entry_type: str | None = None) -> list[int]:
        """Indices of the entries about ``ref`` (optionally of one type), oldest first."""
        c = t.ledger_entries.c
        query = select(c.seq).where(c.ref == ref).order_by(c.seq)
        if entry_type is not None:
            query = query.where(c.entry_type == str(entry_type))
        return [int(s) for s in conn.execute(query).scalars()]

    # ------------------------------------------------------------------ proofs

    def root(self, conn: Connection, tree_size: int | None = None) -> bytes:
        """Root hash of the first ``tree_size`` leaves (default: the whole log)."""
        n = self._size_within(conn, tree_size)
        return self._tree_for(conn, n).root(n)

    def inclusion_proof(
        self, conn: Connection, index: int, tree_size: int | None = None
    ) -> InclusionProof:
        """Proof that entry ``index`` is in the log of ``tree_size`` entries (default:
        the latest signed tree head's size; raises if the entry is not covered by it)."""
        if tree_size is None:
            head = self.latest_tree_head(conn)
            if head is None:
                raise LedgerError("no signed tree head yet: sign one first")
            tree_size = head.tree_size
        n = self._size_within(conn, tree_size)
        if not 0 <= index < n:
            raise LedgerError(
                f"entry {index} is not in the log of {n} entries (a newer entry needs a newer "
                "signed tree head)"
            )
        tree = self._tree_for(conn, n)
        return InclusionProof(
            index=index,
            tree_size=n,
            leaf_hash=tree.leaf_hash(index),
            path=tuple(tree.inclusion_proof(index, n)),
            entry=self.entry(conn, index).entry,
        )

    def consistency_proof(
        self, conn: Connection, old_size: int, new_size: int | None = None
    ) -> ConsistencyProof:
        """Proof that the log of ``old_size`` entries is a prefix of the log of
        ``new_size`` entries (default: the whole log)."""
        n = self._size_within(conn, new_size)
        if not 0 <= old_size <= n:
            raise LedgerError(f"old size {old_size} is not within 0..{n}")
        path = self._tree_for(conn, n).consistency_proof(old_size, n)
        return ConsistencyProof(old_size=old_size, new_size=n, path=tuple(path))

    def _size_within(self, conn: Connection, tree_size: int | None) -> int:
        size = self.size(conn)
        n = size if tree_size is None else tree_size
        if not 0 <= n <= size:
            raise LedgerError(f"tree size {n} is not within 0..{size} (the log's size)")
        return n

    def _tree_for(self, conn: Connection, size: int) -> MerkleTree:
        """The cached tree, checked against the store and extended to ``size`` leaves."""
        url = str(conn.engine.url)
        with self._lock:
            tree = self._tree
            check = min(len(tree), size)
            stale = self._tree_url != url or (
                check > 0
                and self.leaf_hashes(conn, check - 1, check) != [tree.leaf_hash(check - 1)]
            )
            if stale:
                tree = self._tree = MerkleTree()
                self._tree_url = url
            if len(tree) < size:
                self._load_leaves(conn, tree, size)
            return tree

    def _load_leaves(self, conn: Connection, tree: MerkleTree, size: int) -> None:
        c = t.ledger_entries.c
        expected = len(tree)
        query = (
            select(c.seq, c.leaf_hash)
            .where(c.seq >= expected, c.seq < size)
            .order_by(c.seq)
            .execution_options(yield_per=SCAN_CHUNK)
        )
        for batch in conn.execute(query).partitions():
            for seq, _ in batch:
                if seq != expected:
                    raise LedgerError(f"log entry {expected} is missing from the store")
                expected += 1
            tree.extend_leaf_hashes(b"".join(blob(h) for _, h in batch))
        if expected != size:
            raise LedgerError(f"log entry {expected} is missing from the store")

    # ------------------------------------------------------------------ tree heads

    def sign_tree_head(
        self, conn: Connection, key: Ed25519PrivateKey, *, now: datetime | None = None
    ) -> SignedTreeHead:
        """Sign and store a tree head for the whole log with the mission ``key``.

        The key must be an active registered ``mission`` key. Refuses (:class:`LedgerError`)
        when the log no longer extends the latest signed tree head. The root is computed
        from the stored leaf hashes; :func:`~trucewatch.store.ledger_verify.verify_store`
        checks them against the entries.
        """
        kid = key_id(public_key_bytes(key))
        registered = self.get_key(conn, kid)
        if registered is None or registered.role is not Role.MISSION:
            raise SignatureError(f"key {kid} is not a registered mission key")
        if not registered.active:
            raise SignatureError(f"mission key {kid} was revoked at {registered.revoked_at}")
        self.lock_log(conn)
        size = self.size(conn)
        self._check_extends_latest(conn, size)
        head = sign_tree_head(key, size, self.root(conn, size), now)
        head_id = conn.execute(
            insert(t.ledger_tree_heads).values(**columns_of(head, _TREE_HEAD_COLUMNS))
        ).inserted_primary_key[0]  # type: ignore[index]
        log_rows(conn, self, TREE_HEADS, [head_id], now or datetime.now(UTC))
        return head

    def _check_extends_latest(self, conn: Connection, size: int) -> None:
        latest = self.latest_tree_head(conn)
        if latest is None:
            return
        if latest.tree_size > size:
            raise LedgerError(
                f"the log has {size} entries, fewer than the {latest.tree_size} of the latest "
                "signed tree head: entries were removed"
            )
        if self.root(conn, latest.tree_size) != latest.root_hash:
            raise LedgerError(
                f"the first {latest.tree_size} entries no longer match the latest signed tree "
                "head: the log was altered (run verify_store)"
            )

    def latest_tree_head(self, conn: Connection) -> SignedTreeHead | None:
        """The most recently signed tree head, or None."""
        heads = self._tree_heads(conn, latest=True)
        return heads[0] if heads else None

    def tree_heads(self, conn: Connection) -> list[SignedTreeHead]:
        """All signed tree heads in the order they were signed."""
        return self._tree_heads(conn, latest=False)

    def _tree_heads(self, conn: Connection, *, latest: bool) -> list[SignedTreeHead]:
        h, k = t.ledger_tree_heads.c, t.ledger_keys.c
        query = select(h.tree_size, h.root_hash, h.timestamp_ms, h.signature, k.public_key).join(
            t.ledger_keys, k.key_id == h.key_id
        )
        query = query.order_by(h.id.desc()).limit(1) if latest else query.order_by(h.id)
        return [tree_head_from_row(r) for r in conn.execute(query)]

    # ------------------------------------------------------------------ keys

    def add_key(
        self,
        conn: Connection,
        public_key: bytes | Ed25519PrivateKey | Ed25519PublicKey,
        role: Role | str,
        owner: str,
        *,
        now: datetime | None = None,
        party: str | None = None,
    ) -> RegisteredKey:
        """Register a key (raw 32-byte public key, public key or private key) by logging a
        ``key_added`` entry; returns the registration. A ``liaison`` key names the
        ``party`` it acts for."""
        raw = public_key_bytes(public_key)
        if (Role(role) is Role.LIAISON) != bool(party):
            raise LedgerError("a liaison key names the party it acts for; other keys do not")
        entry = key_added_entry(raw, Role(role).value, owner, now or datetime.now(UTC), party)
        self.append(conn, [entry])
        registered = self.get_key(conn, entry.ref)
        assert registered is not None
        return registered

    def revoke_key(
        self, conn: Connection, key_id_hex: str, *, reason: str = "", now: datetime | None = None
    ) -> RegisteredKey:
        """Revoke a key by logging a ``key_revoked`` entry; returns the updated record."""
        self.append(
            conn, [key_revoked_entry(key_id_hex, now or datetime.now(UTC), reason)]
        )
        revoked = self.get_key(conn, key_id_hex)
        assert revoked is not None
        return revoked



_ENTRY_COLUMNS = ("seq", "entry", "leaf_hash", "entry_type", "ref", "appended_at")


def _insert_entries_sql(conn: Connection) -> str:
    """Driver-level INSERT of entry rows (tuples in :data:`_ENTRY_COLUMNS` order): the
    DBAPI's ``executemany`` without SQLAlchemy's per-row parameter processing."""
    mark = "?" if conn.dialect.name == "sqlite" else "%s"
    columns = ", ".join(_ENTRY_COLUMNS)
    marks = ", ".join(mark for _ in _ENTRY_COLUMNS)
    return f"INSERT INTO ledger_entries ({columns}) VALUES ({marks})"


def _as_entry(item: bytes | LogEntry, position: int) -> tuple[LogEntry, bytes]:
    if isinstance(item, LogEntry):
        return item, item.encode()
    try:
        return decode_entry(item), bytes(item)
    except EntryError as exc:
        raise EntryError(f"entry {position} of the batch: {exc}") from exc


def _stored_entry(r: Any) -> StoredEntry:
    return StoredEntry(
        index=int(r.seq),
        entry=blob(r.entry),
        leaf_hash=blob(r.leaf_hash),
        entry_type=r.entry_type,
        ref=r.ref,
        appended_at=as_utc(r.appended_at),
    )


def tree_head_from_row(r: Any) -> SignedTreeHead:
    """A signed tree head from a ``ledger_tree_heads`` row joined with its key's
    ``public_key`` (empty when the key is missing from the keys table)."""
    return SignedTreeHead(
        tree_size=int(r.tree_size),
        root_hash=blob(r.root_hash),
        timestamp_ms=int(r.timestamp_ms),
        public_key=b"" if r.public_key is None else blob(r.public_key),
        signature=blob(r.signature),
    )
