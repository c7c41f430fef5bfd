"""Verifying the log stored in the store: :func:`verify_store` recomputes every leaf from
the stored entry bytes and every signed root, without trusting the stored leaf hashes or
the proof cache of :class:`~trucewatch.store.ledger.Ledger`, and checks the keys table
against the keys the log registered."""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterable, Iterator
from datetime import datetime
from pathlib import Path

from sqlalchemy import Connection, select

from trucewatch.ledger.audit import HeadToCheck, LedgerReport, LogAudit, Reference
from trucewatch.ledger.entry import EntryError, EntryType, check_entry
from trucewatch.ledger.rowcheck import check_rows
from trucewatch.store import schema as t
from trucewatch.store.coverage import COVERED, stored_rows
from trucewatch.store.ledger import SCAN_CHUNK, tree_head_from_row
from trucewatch.store.media import check_files
from trucewatch.store.util import blob
from trucewatch.units import as_utc


def verify_store(
    conn: Connection,
    *,
    references: Iterable[Reference] | None = None,
    complete_types: Collection[str] = (EntryType.OBSERVATION.value,),
    check_signatures: bool = True,
    rows: bool = False,
    media_files: bool = False,
    media_root: Path | None = None,
) -> LedgerReport:
    """Check the whole stored log against itself and its signed tree heads.

    Runs :class:`~trucewatch.ledger.audit.LogAudit` over the stored entries: every leaf
    hash recomputed from the entry bytes (an altered entry is named by index), missing
    indices, strict decoding, key registrations replayed, every signed entry's signature
    (``check_signatures``), the root at the size of every signed tree head with its
    signature and key; then compares the keys table with the keys the log registered.

    ``references``, when given, are the ``(entry_type, ref, sha256)`` of the stored rows
    (e.g. every observation with the SHA-256 recomputed from its payload): each must match
    the latest log entry about it (else the row was altered, or never logged), and for the
    ``complete_types`` a logged ref missing from ``references`` means the row was removed.

    ``rows``: check every row of every covered table (:mod:`trucewatch.store.coverage`)
    against the latest entry about it, naming the table, row and field of each difference;
    and ``record_payloads`` (each record's text, stored once; an observation's row digest
    covers it): every text must still hash to its key and be some observation's, and every
    observation's text must be stored (:func:`check_payloads`).

    ``media_files``: also check that the file of every media row is in ``media_root`` and
    that its bytes still hash to its name (:func:`trucewatch.store.media.check_files`).
    """
    unreadable: list[tuple[str, str]] = []
    try:
        heads = stored_heads(conn)
    except _UNREADABLE as exc:
        heads, unreadable = [], [("ledger_tree_heads", str(exc))]
    audit = LogAudit(
        {h.head.tree_size for h in heads},
        check_signatures=check_signatures,
        track_refs=references is not None or rows,
    )
    for table, error in unreadable:
        audit.problem(None, "tree_head", f"{table}: a row cannot be read ({error})", table=table)
    _visit_entries(conn, audit)
    audit.check_heads(heads)
    try:
        _check_keys_table(conn, audit)
    except _UNREADABLE as exc:
        audit.problem(None, "key", f"ledger_keys: a row cannot be read ({exc})",
                      table="ledger_keys")  # fmt: skip
    if references is not None:
        audit.check_references(references, complete_types)
    if rows:
        covered = {s.entry_type.value: s.table.name for s in COVERED}
        check_rows(audit, stored_rows(conn), lambda seq: _entry_cols(conn, seq), covered, covered)
        check_payloads(conn, audit)
    if media_files:
        for sha, message in check_files(conn, media_root):
            where = {"table": "media", "field": "file", **({"row": sha} if sha else {})}
            audit.problem(None, "media_file", message, **where)
    return audit.report(heads)


_UNREADABLE = (ValueError, TypeError, OverflowError, AttributeError)
"""What reading a column holding a value of the wrong type raises (SQLite stores any)."""


def _visit_entries(conn: Connection, audit: LogAudit) -> None:
    """Feed every stored entry to the audit, read without the column types' processing so
    that a value of the wrong type is reported, not raised."""
    sql = ("SELECT seq, entry, leaf_hash, entry_type, ref, appended_at FROM ledger_entries "
           "ORDER BY seq")  # fmt: skip
    result = conn.execution_options(yield_per=SCAN_CHUNK).exec_driver_sql(sql)
    for seq, data, stored_leaf, entry_type, ref, appended in result:
        try:
            index = int(seq)
        except _UNREADABLE:
            audit.problem(None, "missing_entry", f"ledger_entries: seq {seq!r} is not an index",
                          table="ledger_entries", row=str(seq), field="seq")  # fmt: skip
            continue
        stamp = _time_or_none(appended)
        if stamp is None:
            audit.problem(index, "columns", f"entry {index}: appended_at {appended!r} is not "
                          "a time", table="ledger_entries", row=str(index),
                          field="appended_at")  # fmt: skip
        audit.visit(index, blob(data or b""), blob(stored_leaf or b""),
                    (str(entry_type), str(ref)), stamp)  # fmt: skip


def _time_or_none(value: object) -> datetime | None:
    """A stored time (a datetime, or SQLite's text) as aware UTC; None if unreadable."""
    try:
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        return as_utc(value) if isinstance(value, datetime) else None
    except _UNREADABLE:
        return None


def _entry_cols(conn: Connection, seq: int) -> str | None:
    """``meta.cols`` of stored entry ``seq`` (None if unreadable)."""
    c = t.ledger_entries.c
    data = conn.execute(select(c.entry).where(c.seq == seq)).scalar()
    try:
        obj, _ = check_entry(blob(data or b""))
    except EntryError:
        return None
    cols = (obj.get("meta") or {}).get("cols")
    return cols if isinstance(cols, str) else None


def stored_heads(conn: Connection) -> list[HeadToCheck]:
    """Stored tree heads, oldest first, with the public key the keys table gives (``row``:
    the ``ledger_tree_heads`` id)."""
    h, k = t.ledger_tree_heads.c, t.ledger_keys.c
    query = (
        select(h.id, h.key_id, h.tree_size, h.root_hash, h.timestamp_ms, h.signature, k.public_key)
        .outerjoin(t.ledger_keys, k.key_id == h.key_id)
        .order_by(h.id)
    )
    return [
        HeadToCheck(f"tree head #{r.id}", r.key_id, tree_head_from_row(r), str(r.id))
        for r in conn.execute(query)
    ]


def _check_keys_table(conn: Connection, audit: LogAudit) -> None:
    """The keys table must be exactly the keys the log registered and revoked, column by
    column."""
    table = {r.key_id: r for r in conn.execute(select(t.ledger_keys))}
    for kid, logged in audit.keys.items():
        row = table.pop(kid, None)
        where = {"table": "ledger_keys", "row": kid}
        if row is None:
            audit.problem(logged.added_seq, "key", f"key {kid}: registered in the log "
                          f"(entry {logged.added_seq}) but missing from the keys table",
                          **where)  # fmt: skip
            continue
        stored = {
            "public_key": blob(row.public_key), "role": row.role, "owner": row.owner,
            "party": row.party, "added_at": as_utc(row.added_at), "added_seq": row.added_seq,
            "revoked_at": None if row.revoked_at is None else as_utc(row.revoked_at),
            "revoked_seq": row.revoked_seq,
        }  # fmt: skip
        for name, value in stored.items():
            if value != getattr(logged, name):
                audit.problem(logged.added_seq, "key", f"key {kid}: column {name} of the keys "
                              "table differs from the log", **where, field=name)  # fmt: skip
    for kid in table:
        audit.problem(None, "key", f"key {kid}: in the keys table but never registered in the "
                      "log", table="ledger_keys", row=kid)  # fmt: skip


def observation_references(conn: Connection) -> Iterator[Reference]:
    """(type, uid, SHA-256 recomputed from the stored payload) of every stored
    observation, for :func:`verify_store`'s ``references`` (an observation whose record's
    text is missing gets the hash of no text: ``missing``)."""
    o, p = t.observations.c, t.record_payloads.c
    query = (select(o.uid, p.payload)
             .select_from(t.observations.outerjoin(t.record_payloads,
                                                   p.sha256 == o.payload_sha256))
             .execution_options(yield_per=50_000))  # fmt: skip
    for uid, payload in conn.execute(query):
        yield "observation", uid, _sha256_or_missing(payload)


def _sha256_or_missing(text: object) -> str:
    """SHA-256 hex of a stored text's UTF-8 bytes (``missing`` for no text, ``not text``
    for a value of another type, which SQLite lets a column hold)."""
    if text is None:
        return "missing"
    if not isinstance(text, str):
        return "not text"
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


PAYLOADS = t.record_payloads.name


def check_payloads(conn: Connection, audit: LogAudit) -> None:
    """The records' texts, stored once each in ``record_payloads`` by SHA-256: a text that
    no longer hashes to its key was altered; a key no observation refers to was inserted;
    a key an observation refers to but absent was deleted. Each finding names the table,
    the row (the key) and, for an altered text, the field."""
    o, p = t.observations.c, t.record_payloads.c
    where = {"table": PAYLOADS, "field": "payload"}
    texts = select(p.sha256, p.payload).execution_options(yield_per=20_000)
    for sha, text in conn.execute(texts):
        if _sha256_or_missing(text) != sha:
            audit.problem(None, "row_altered", f"{PAYLOADS} row {sha}: its text no longer has "
                          "that SHA-256 (the record's text was altered)", row=str(sha),
                          **where)  # fmt: skip
    joined = t.record_payloads.outerjoin(t.observations, o.payload_sha256 == p.sha256)
    for (sha,) in conn.execute(select(p.sha256).select_from(joined).where(o.uid.is_(None))):
        audit.problem(None, "row_inserted", f"{PAYLOADS} row {sha}: no observation refers to "
                      "it (inserted after the fact)", table=PAYLOADS, row=str(sha))  # fmt: skip
    refs = t.observations.outerjoin(t.record_payloads, p.sha256 == o.payload_sha256)
    missing = select(o.payload_sha256).distinct().select_from(refs).where(p.sha256.is_(None))
    for (sha,) in conn.execute(missing.order_by(o.payload_sha256)):
        audit.problem(None, "row_removed", f"{PAYLOADS} row {sha}: the text of observations' "
                      "record is no longer stored (deleted)", table=PAYLOADS,
                      row=str(sha))  # fmt: skip
