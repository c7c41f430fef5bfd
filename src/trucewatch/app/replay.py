"""Re-deriving every logged decision: ``trucewatch ledger replay``.

The log records, in order, every input of a fusion run (observations, contact lines and
their sectors, agreements, retractions, each as its stored row's digest), the run itself
(an ``engine`` entry: engine version, numpy version, digests of the calibration and the thermal
baseline, the period) and then every decision the run changed (an incident's whole row and
evidence links) or withdrew. A replay walks the log in a scratch SQLite store: it adds each
input when the log says it arrived (the rows come from an export,
:mod:`trucewatch.app.log_export`, whose rows ``ledger verify`` or :func:`audit_export` has
checked against the log), re-runs each logged fusion run with this package's engine, and
after each run compares every incident it computed with the latest logged decision about
it: the same incidents, each with the same digest, else the differing fields are named.

Decisions logged without an ``engine`` entry before them (stores older than this scheme)
cannot be replayed and are counted as such. A replay says when this package's engine
differs from the logged one (then differences are expected).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, Date, DateTime, LargeBinary, delete, insert, select

from trucewatch.app.engine import ENGINE_FIELDS, engine_identity
from trucewatch.app.incidents import fuse
from trucewatch.app.log_export import LogExport, audit_export, read_export

__all__ = ["read_export", "replay", "replay_export"]
from trucewatch.app.roles import OPERATOR, Permission, Principal, require
from trucewatch.ledger.entry import EntryError, EntryType, check_entry
from trucewatch.ledger.rows import changed_columns, row_digest
from trucewatch.store import Store
from trucewatch.store.coverage import (
    AGREEMENTS,
    INCIDENTS,
    LINES,
    LINKS,
    OBSERVATIONS,
    RETRACTIONS,
    SECTORS,
    Covered,
    StoredRow,
    stored_rows,
)
from trucewatch.store.ledger_verify import stored_heads
from trucewatch.store.observations import store_payloads

_INPUTS = {s.entry_type.value: s for s in (OBSERVATIONS, LINES, SECTORS, AGREEMENTS, RETRACTIONS)}
"""What a fusion run reads, added to the scratch store when the log says it arrived (a
retraction takes its observation out of the later runs)."""


@dataclass
class _Logged:
    seq: int
    digest: str
    cols: str | None


@dataclass
class Replay:
    """The state of a replay: the scratch store, the rows to add, the logged decisions."""

    scratch: Store
    rows: dict[tuple[str, str], StoredRow]
    logged: dict[str, _Logged] = field(default_factory=dict)
    unverified: set[str] = field(default_factory=set)
    run_seq: int | None = None
    runs: int = 0
    compared: int = 0
    mismatches: list[dict[str, Any]] = field(default_factory=list)
    missing_inputs: list[str] = field(default_factory=list)
    engines: set[tuple[tuple[str, str], ...]] = field(default_factory=set)

    def walk(self, entries: list[bytes]) -> None:
        for seq, blob in enumerate(entries):
            try:
                obj, _ = check_entry(blob)
            except EntryError:
                continue  # the audit names it
            kind, meta = obj["type"], obj.get("meta") or {}
            if kind in _INPUTS:
                self._input(_INPUTS[kind], obj["ref"], meta.get("status") == "withdrawn")
            elif kind == EntryType.ENGINE:
                self._compare()
                self._run(seq, meta)
            elif kind == EntryType.INCIDENT_STATUS:
                self._decision(seq, obj, meta)
        self._compare()

    def _input(self, spec: Covered, ref: str, withdrawn: bool) -> None:
        key_col = spec.table.c[spec.key]
        with self.scratch.engine.begin() as conn:
            if withdrawn:
                conn.execute(delete(spec.table).where(key_col == _key(spec, ref)))
                return
            row = self.rows.get((spec.entry_type.value, ref))
            if row is None:  # replaced or withdrawn later: its content is no longer stored
                self.missing_inputs.append(f"{spec.table.name} {ref}")
                return
            values = _db_values(spec, row.values)
            if conn.execute(select(key_col).where(key_col == values[spec.key])).first() is None:
                text = row.values.get("payload")
                if spec is OBSERVATIONS and isinstance(text, str):  # stored apart, once
                    store_payloads(conn, [values["payload_sha256"]], [text])
                conn.execute(insert(spec.table).values(**values))

    def _run(self, seq: int, meta: dict[str, str]) -> None:
        self.runs += 1
        self.run_seq = seq
        self.engines.add(tuple((k, meta.get(k, "")) for k in ENGINE_FIELDS))
        since, until = (_time(meta.get("since")), _time(meta.get("until")))
        fuse(self.scratch, since, until)

    def _decision(self, seq: int, obj: dict[str, Any], meta: dict[str, str]) -> None:
        uid = obj["ref"]
        if self.run_seq is None:
            self.unverified.add(uid)  # decided by a run the log does not describe
        else:
            self.unverified.discard(uid)
        if meta.get("status") == "withdrawn":
            self.logged.pop(uid, None)
        else:
            self.logged[uid] = _Logged(seq, obj["sha256"], meta.get("cols"))

    def _compare(self) -> None:
        """Every incident the replay holds against the latest logged decision about it."""
        if self.run_seq is None:
            return
        computed = _incident_values(self.scratch)
        for uid in sorted(set(computed) | set(self.logged)):
            if uid in self.unverified:
                continue
            self.compared += 1
            mine, logged = computed.get(uid), self.logged.get(uid)
            if mine is None:
                self._mismatch(uid, logged, "logged but not recomputed")
            elif logged is None:
                self._mismatch(uid, None, "recomputed but never logged")
            elif row_digest(mine) != logged.digest:
                fields = changed_columns(mine, logged.cols)
                self._mismatch(uid, logged, f"fields {', '.join(fields)} differ")
        self.run_seq = None

    def _mismatch(self, uid: str, logged: _Logged | None, why: str) -> None:
        self.mismatches.append({"incident": uid, "entry": None if logged is None else logged.seq,
                                "after_run_at": self.run_seq, "problem": why})  # fmt: skip

    def result(self) -> dict[str, Any]:
        here = engine_identity()
        differs = sorted({f"{k}: logged {v}, here {here.get(k)}" for run in self.engines
                          for k, v in run if v != here.get(k)})  # fmt: skip
        return {
            "ok": not self.mismatches and not self.missing_inputs,
            "runs": self.runs,
            "decisions_compared": self.compared,
            "decisions_reproduced": self.compared - len(self.mismatches),
            "unreplayable_decisions": len(self.unverified),
            "mismatches": self.mismatches[:200],
            "missing_inputs": self.missing_inputs[:200],
            "engine_differences": differs,
        }


def _incident_values(store: Store) -> dict[str, dict[str, Any]]:
    """Every incident of a store, normalized with its evidence links (digest form)."""
    out: dict[str, dict[str, Any]] = {}
    with store.engine.connect() as conn:
        for row in stored_rows(conn):
            if row.entry_type == INCIDENTS.entry_type.value:
                out[row.ref] = row.values
    return out


def _key(spec: Covered, ref: str) -> Any:
    return int(ref) if spec.key == "id" else ref


def _time(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


def _db_values(spec: Covered, values: dict[str, Any]) -> dict[str, Any]:
    """Normalized row values back to what the table takes (observations without their
    batch, which the replay does not need, and without their record's text, which
    ``record_payloads`` holds)."""
    out: dict[str, Any] = {}
    for col in spec.table.columns:
        v = values.get(col.name)
        if v is not None and isinstance(col.type, DateTime):
            v = datetime.fromisoformat(v)
        elif v is not None and isinstance(col.type, Date):
            v = date.fromisoformat(v)
        elif v is not None and isinstance(col.type, LargeBinary):
            v = bytes.fromhex(v)
        elif isinstance(col.type, JSON) and v is None:
            v = {}
        out[col.name] = v
    if spec is OBSERVATIONS:
        out["batch_id"] = None
    out.pop(LINKS, None)
    return out


def replay_export(export: LogExport, *, audit: bool = True) -> dict[str, Any]:
    """Replay every logged fusion run of an export (checked first with
    :func:`audit_export` when ``audit``) in a scratch store; see the module docstring."""
    problems: list[dict[str, Any]] = []
    if audit:
        problems = [p.as_dict() for p in audit_export(export).problems]
    with tempfile.TemporaryDirectory(prefix="trucewatch-replay-") as tmp:
        scratch = Store.open(f"sqlite:///{Path(tmp) / 'replay.db'}")
        try:
            state = Replay(scratch, {(r.entry_type, r.ref): r for r in export.rows})
            state.walk(export.entries)
        finally:
            scratch.close()
    result = state.result()
    result["audit_problems"] = problems[:200]
    result["ok"] = result["ok"] and not problems
    return result


def replay(store: Store, export: Path | None = None, *,
           principal: Principal = OPERATOR) -> dict[str, Any]:  # fmt: skip
    """Replay the record from ``export`` (a file of ``ledger export``; no database needed)
    or, without it, from the store (whose rows ``ledger verify`` checks)."""
    require(principal, Permission.READ_LEDGER)
    if export is not None:
        return replay_export(read_export(export))
    with store.engine.connect() as conn:
        entries = [e.entry for e in store.ledger.entries(conn, 0, store.ledger.size(conn))]
        heads = [(h.row or "", h.head) for h in stored_heads(conn)]
        rows = list(stored_rows(conn))
    return replay_export(LogExport(entries, heads, rows), audit=False)
