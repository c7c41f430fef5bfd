"""The whole record in one file, for a party's own audit: ``trucewatch ledger export``.

**Format** (JSON Lines, UTF-8, one object per line; documented in docs/ledger.md):

1. a header ``{"format": "trucewatch-log-export", "v": 1, "entries": N, "tree_heads": H,
   "rows": R, "engine": {...}}`` (the exporting engine's identity,
   :func:`trucewatch.app.engine.engine_identity`);
2. every log entry in index order: ``{"kind": "entry", "seq": i, "entry": "<its exact
   text>"}`` (the entry bytes are that text in UTF-8);
3. every signed tree head: ``{"kind": "tree_head", "id": n, ...sth.json fields}``;
4. every stored row of every covered table, normalized as its digest is computed
   (:mod:`trucewatch.ledger.rows`): ``{"kind": "row", "table": T, "type": entry type,
   "ref": ref, "values": {...}, "stamp": time or null, "stamp_column": name or null}``.

:func:`read_export` loads it back; :func:`audit_export` re-checks it as ``ledger verify``
checks the store (every leaf, signed root, signature, key, row), without a database.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trucewatch.app.engine import engine_identity
from trucewatch.app.roles import OPERATOR, Permission, Principal, require
from trucewatch.errors import InputError, RecordError
from trucewatch.ledger.audit import HeadToCheck, LedgerReport, LogAudit
from trucewatch.ledger.entry import EntryError, check_entry
from trucewatch.ledger.rowcheck import check_rows
from trucewatch.ledger.verify import FormatError, SignedTreeHead
from trucewatch.store import Store
from trucewatch.store.coverage import COVERED, StoredRow, stored_rows

FORMAT = "trucewatch-log-export"
VERSION = 1


@dataclass
class LogExport:
    """A loaded export: entry bytes in order, tree heads ``(id, head)`` in signing order,
    the stored rows, and the exporting engine's identity."""

    entries: list[bytes] = field(default_factory=list)
    heads: list[tuple[str, SignedTreeHead]] = field(default_factory=list)
    rows: list[StoredRow] = field(default_factory=list)
    engine: dict[str, str] = field(default_factory=dict)


def export_log(store: Store, out: Path, *, principal: Principal = OPERATOR) -> dict[str, Any]:
    """Write the whole record (entries, tree heads, covered rows) to ``out``."""
    require(principal, Permission.READ_LEDGER)
    with store.engine.connect() as conn:
        entries = store.ledger.entries(conn, 0, store.ledger.size(conn))
        heads = _head_lines(conn)
        rows = list(stored_rows(conn))
    header = {"format": FORMAT, "v": VERSION, "entries": len(entries), "tree_heads": len(heads),
              "rows": len(rows), "engine": engine_identity()}  # fmt: skip
    with out.open("w", encoding="utf-8") as fh:
        for obj in _lines(header, entries, heads, rows):
            fh.write(json.dumps(obj, ensure_ascii=False, separators=(",", ":")) + "\n")
    return {"out": str(out), **{k: header[k] for k in ("entries", "tree_heads", "rows")}}


def _head_lines(conn: Any) -> list[dict[str, Any]]:
    from trucewatch.store.ledger_verify import stored_heads

    return [{"kind": "tree_head", "id": h.row, **h.head.to_json()} for h in stored_heads(conn)]


def _lines(header: dict[str, Any], entries: list[Any], heads: list[dict[str, Any]],
           rows: list[StoredRow]) -> Iterator[dict[str, Any]]:  # fmt: skip
    yield header
    for e in entries:
        yield {"kind": "entry", "seq": e.index, "entry": e.entry.decode("utf-8", "replace")}
    yield from heads
    for r in rows:
        yield {"kind": "row", "table": r.table, "type": r.entry_type, "ref": r.ref,
               "values": r.values, "stamp": r.stamp, "stamp_column": r.stamp_column}  # fmt: skip


def read_export(path: Path) -> LogExport:
    """Load an export; a malformed line is an :class:`InputError` naming it."""
    out = LogExport()
    try:
        with path.open(encoding="utf-8") as fh:
            for number, line in enumerate(fh, 1):
                _read_line(out, path, number, line)
    except OSError as exc:
        raise InputError(RecordError(str(path), None, None, f"cannot read: {exc}")) from exc
    return out


def _read_line(out: LogExport, path: Path, number: int, line: str) -> None:
    try:
        obj = json.loads(line)
        if number == 1:
            if obj.get("format") != FORMAT or obj.get("v") != VERSION:
                raise ValueError(f"not a {FORMAT} v{VERSION} file")
            out.engine = dict(obj.get("engine") or {})
        elif obj["kind"] == "entry":
            if obj["seq"] != len(out.entries):
                raise ValueError(f"entry {len(out.entries)} expected, found {obj['seq']}")
            out.entries.append(obj["entry"].encode("utf-8"))
        elif obj["kind"] == "tree_head":
            out.heads.append((str(obj["id"]), SignedTreeHead.from_json(obj)))
        elif obj["kind"] == "row":
            out.rows.append(StoredRow(obj["type"], obj["table"], obj["ref"], obj["values"],
                                      obj.get("stamp"), obj.get("stamp_column")))  # fmt: skip
        else:
            raise ValueError(f"unknown kind {obj['kind']!r}")
    except (ValueError, KeyError, TypeError, AttributeError, RecursionError, FormatError) as exc:
        raise InputError(RecordError(str(path), number, None, f"{exc}")) from exc


def audit_export(export: LogExport) -> LedgerReport:
    """Re-check an export as ``ledger verify`` checks the store: leaves, signed roots and
    their signatures, keys and signatures replayed from the log, every row against the
    latest entry about it (named by table, row and field)."""
    items = [HeadToCheck(f"tree head #{i}", h.key_id, h, i) for i, h in export.heads]
    audit = LogAudit({h.tree_size for _, h in export.heads}, track_refs=True)
    for seq, blob in enumerate(export.entries):
        audit.visit(seq, blob)
    audit.check_heads(items)
    covered = {s.entry_type.value: s.table.name for s in COVERED}
    check_rows(audit, export.rows, lambda seq: _cols(export.entries[seq]), covered, covered)
    return audit.report(items)


def _cols(blob: bytes) -> str | None:
    try:
        obj, _ = check_entry(blob)
    except EntryError:
        return None
    cols = (obj.get("meta") or {}).get("cols")
    return cols if isinstance(cols, str) else None
