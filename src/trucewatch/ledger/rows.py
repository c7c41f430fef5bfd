"""Digests of stored rows: how the log covers every stored fact, not only raw payloads.

Every row the mission stores (an observation, an incident with its evidence links, an
import batch, a contact line, a sector, an agreement, a signed tree head) is logged, in the
transaction that writes it, by an entry whose ``ref`` is the row's natural key and which
carries the row's digest. A later verifier recomputes the digest from the stored row: any
edited column, inserted row or deleted row shows.

A row is first **normalized** to a JSON object ``{column: value}`` (the store does this from
its column types): times as the entry time text (UTC ``...Z``), dates ``YYYY-MM-DD``,
floats as JSON numbers (Python's shortest round-trip ``repr``), JSON columns as their
parsed value, ``None`` as ``null``. Then:

* the **row digest** is ``SHA-256`` of the canonical JSON of that object (keys sorted, no
  whitespace, non-ASCII as UTF-8), 64 lowercase hex;
* the **column digests** name what changed: for each column in sorted order, the CRC-32
  (zlib's, 8 lowercase hex digits) of ``name || 0x00 || canonical JSON of the value``,
  concatenated. They are a cheap locator only; the row digest is what proves integrity.

An entry for a row has ``sha256`` = the row digest (an observation's ``sha256`` stays the
SHA-256 of its raw payload, which the submitter signed, and the row digest goes into
``meta.row``) and ``meta.cols`` = the column digests. A row deleted on purpose (an incident
a re-fusion dropped, a contact line replaced) is logged as withdrawn: ``meta.status`` =
``withdrawn`` and ``sha256`` = SHA-256 of ``withdrawn:`` + ref. Standard library only.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from trucewatch.ledger.entry import EntryType, LogEntry

WITHDRAWN = "withdrawn"
"""``meta.status`` of an entry saying its row was deleted on purpose."""

COLUMN_DIGEST_HEX = 8
"""Hex digits per column in ``meta.cols``."""

_ENCODER = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"))
_quote = json.encoder.encode_basestring  # a JSON string, non-ASCII kept as UTF-8
_sha256 = hashlib.sha256
_crc32 = zlib.crc32


def canonical(value: Any) -> str:
    """Canonical JSON text of a normalized value (sorted keys, no whitespace); scalars
    take a fast path giving the same text as the encoder."""
    kind = type(value)
    if kind is str:
        return str(_quote(value))
    if kind is int:
        return int.__repr__(value)
    if kind is float and value == value and value not in (float("inf"), float("-inf")):
        return float.__repr__(value)
    if value is None:
        return "null"
    return _ENCODER.encode(value)


def digests(values: Mapping[str, Any]) -> tuple[str, str]:
    """``(row digest, column digests)`` of a normalized row, each value encoded once (the
    row's canonical JSON is its columns' canonical texts joined in sorted order)."""
    names = sorted(values)
    texts = [canonical(values[n]) for n in names]
    row = "{" + ",".join(f"{_quote(n)}:{t}" for n, t in zip(names, texts, strict=True)) + "}"
    cols = "".join([format(_crc32(n.encode() + b"\x00" + t.encode()), "08x")
                    for n, t in zip(names, texts, strict=True)])  # fmt: skip
    return _sha256(row.encode("utf-8")).hexdigest(), cols


def row_digest(values: Mapping[str, Any]) -> str:
    """SHA-256 (hex) of the canonical JSON of a normalized row."""
    return digests(values)[0]


def column_digests(values: Mapping[str, Any]) -> str:
    """The concatenated short digests of each column, in sorted column order."""
    return digests(values)[1]


def changed_columns(values: Mapping[str, Any], logged_cols: str | None) -> list[str]:
    """Names of the columns of ``values`` whose digest differs from ``logged_cols``; every
    column when the logged digests are absent or of another length (columns added or
    removed)."""
    names = sorted(values)
    current = column_digests(values)
    if not logged_cols or len(logged_cols) != len(current):
        return names
    w = COLUMN_DIGEST_HEX
    return [n for i, n in enumerate(names) if current[i * w :][:w] != logged_cols[i * w :][:w]]


def row_entry(entry_type: EntryType | str, ref: str, values: Mapping[str, Any],
              time: datetime) -> LogEntry:  # fmt: skip
    """The entry logging a stored row (its normalized ``values``) at ``time``."""
    row, cols = digests(values)
    return LogEntry(type=EntryType(entry_type), ref=ref, sha256=row, time=time,
                    meta={"cols": cols})  # fmt: skip


def withdrawn_sha256(ref: str) -> str:
    """The ``sha256`` of a withdrawal entry for ``ref``."""
    return hashlib.sha256(f"{WITHDRAWN}:{ref}".encode()).hexdigest()


def withdrawn_entries(entry_type: EntryType | str, refs: Sequence[str],
                      time: datetime) -> list[LogEntry]:  # fmt: skip
    """Entries saying the rows ``refs`` were deleted on purpose at ``time``."""
    kind, meta = EntryType(entry_type), {"status": WITHDRAWN}
    return [
        LogEntry(type=kind, ref=r, sha256=withdrawn_sha256(r), time=time, meta=meta) for r in refs
    ]


def logged_digest(obj: Mapping[str, Any]) -> str:
    """The row digest an entry (its JSON object) records: ``meta.row`` when present (an
    observation), else ``sha256``."""
    meta = obj.get("meta") or {}
    return str(meta.get("row") or obj["sha256"])


def is_withdrawn(obj: Mapping[str, Any]) -> bool:
    """True when the entry (its JSON object) says its row was deleted on purpose."""
    return (obj.get("meta") or {}).get("status") == WITHDRAWN
