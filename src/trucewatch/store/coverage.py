"""Every stored row covered by the log (see :mod:`trucewatch.ledger.rows`).

:data:`COVERED` lists the tables the log covers, the entry type of their rows and the
column(s) of the row's ``ref``. Writers call :func:`log_rows` (rows read back from the
database in their own transaction, so the digest is of exactly what is stored) and
:func:`withdraw` for rows deleted on purpose; observations, written in bulk, get their
digests from :func:`observation_row_meta`. :func:`stored_rows` yields every covered row,
normalized, for the verifier. The ``ledger_*`` tables are checked against the log by
:mod:`trucewatch.store.ledger_verify` itself (keys and tree heads; tree heads also as rows).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Connection,
    Date,
    DateTime,
    Float,
    Integer,
    LargeBinary,
    Select,
    Table,
    select,
)

from trucewatch.ledger.entry import EntryType, LogEntry, decode_entry, format_time
from trucewatch.ledger.rowcheck import LINK, UNREADABLE
from trucewatch.ledger.rows import (
    WITHDRAWN,
    digests,
    is_withdrawn,
    logged_digest,
    row_entry,
    withdrawn_entries,
)
from trucewatch.store import schema as t
from trucewatch.store.util import blob, chunks
from trucewatch.units import as_utc

LINKS = "observations"
"""Pseudo-column of an incident: the sorted uids of its evidence (``incident_observations``)."""


@dataclass(frozen=True)
class Covered:
    """A covered table: its rows are logged as ``entry_type`` entries whose ``ref`` is the
    ``key`` column; ``stamp`` is a column that must equal the time of the row's latest
    entry (left out of the digest: an unchanged re-fused incident keeps its entry)."""

    table: Table
    entry_type: EntryType
    key: str
    stamp: str | None = None

    def ref(self, row: Mapping[Any, Any]) -> str:
        return str(row[self.key])

    def query(self) -> Select[Any]:
        """Its rows as digested: every column (an observation with its record's
        ``payload``, stored once in ``record_payloads``: :func:`schema.observation_rows`)."""
        return t.observation_rows() if self.table is t.observations else select(self.table)


OBSERVATIONS = Covered(t.observations, EntryType.OBSERVATION, "uid")
INCIDENTS = Covered(t.incidents, EntryType.INCIDENT_STATUS, "uid", stamp="fused_at")
BATCHES = Covered(t.import_batches, EntryType.BATCH, "id")
LINES = Covered(t.contact_lines, EntryType.LINE, "id")
SECTORS = Covered(t.sectors, EntryType.SECTOR, "id")
AGREEMENTS = Covered(t.agreements, EntryType.AGREEMENT, "id")
TREE_HEADS = Covered(t.ledger_tree_heads, EntryType.TREE_HEAD, "id")
REVIEWED = Covered(t.reviewed_incidents, EntryType.REVIEWED_INCIDENT, "uid")
REVIEWS = Covered(t.incident_reviews, EntryType.REVIEW, "id")
BULLETINS = Covered(t.bulletins, EntryType.BULLETIN, "id")
RETRACTIONS = Covered(t.observation_retractions, EntryType.RETRACTION, "uid")
CLAIMS = Covered(t.claims, EntryType.CLAIM, "uid")
CLAIM_VERDICTS = Covered(t.claim_verdicts, EntryType.CLAIM_VERDICT, "claim_uid")
COSIGNED_HEADS = Covered(t.ledger_cosigned_heads, EntryType.COSIGNED_HEAD, "id")
MEDIA = Covered(t.media, EntryType.MEDIA, "sha256")

COVERED: tuple[Covered, ...] = (
    OBSERVATIONS, INCIDENTS, BATCHES, LINES, SECTORS, AGREEMENTS, TREE_HEADS,
    REVIEWED, REVIEWS, BULLETINS, RETRACTIONS, CLAIMS, CLAIM_VERDICTS, COSIGNED_HEADS, MEDIA,
)  # fmt: skip
"""The tables whose every row the log covers (with ``incident_observations`` through the
incidents' :data:`LINKS`)."""


# --------------------------------------------------------------------------- normalizing


def normalize(spec: Covered, row: Mapping[Any, Any], *, json_text: bool = False) -> dict[str, Any]:
    """The row as :mod:`trucewatch.ledger.rows` digests it, from database values (or, with
    ``json_text``, JSON columns given as their text)."""
    out: dict[str, Any] = {}
    for name, convert in _converters(spec):
        v = row[name]
        if v is None:
            out[name] = None
            continue
        try:
            out[name] = convert(v, json_text)
        except (ValueError, TypeError, AttributeError, OverflowError):
            out[name] = {"unreadable": repr(v)}
    return out


_CONVERTERS: dict[str, list[tuple[str, Any]]] = {}


def _converters(spec: Covered) -> list[tuple[str, Any]]:
    """``(column, convert(value, json_text))`` of the digested columns of ``spec``."""
    found = _CONVERTERS.get(spec.table.name)
    if found is None:
        found = _CONVERTERS[spec.table.name] = [
            (c.name, _converter(c.type)) for c in spec.query().selected_columns
            if c.name != spec.stamp
        ]
    return found


def _converter(type_: Any) -> Any:
    if isinstance(type_, DateTime):
        return lambda v, _: format_time(as_utc(v))
    if isinstance(type_, Date):
        return lambda v, _: v.isoformat() if isinstance(v, date) else str(v)
    if isinstance(type_, Float):
        return lambda v, _: float(v)
    if isinstance(type_, Integer):
        return lambda v, _: int(v)
    if isinstance(type_, JSON):
        return lambda v, json_text: json.loads(v) if json_text and isinstance(v, str) else v
    if isinstance(type_, LargeBinary):
        return lambda v, _: blob(v).hex()
    return lambda v, _: str(v)


def stamp_text(v: Any) -> str | None:
    """A stamp column's value as entry time text."""
    return None if v is None else format_time(as_utc(v))


# --------------------------------------------------------------------------- writing


def observation_row_meta(values: Sequence[Any], columns: Sequence[str],
                         times: tuple[datetime, datetime],
                         payload: str) -> dict[str, str]:  # fmt: skip
    """``meta`` of an observation's entry (``row`` digest and ``cols``) from the values it
    is inserted with (``columns`` order; JSON as text; ``times``: start and end, aware) and
    its record's text (``payload``, stored apart in ``record_payloads`` but digested with
    the row, as when the row carried it). The same normalization as :func:`normalize`,
    unrolled for the bulk import's speed."""
    row = dict(zip(columns, values, strict=True))
    row["payload"] = payload
    row["time_start"], row["time_end"] = format_time(times[0]), format_time(times[1])
    row["location"] = json.loads(row["location"])
    row["attributes"] = json.loads(row["attributes"])
    for name in ("lon", "lat"):
        if row[name] is not None:
            row[name] = float(row[name])
    digest, cols = digests(row)
    return {"row": digest, "cols": cols}


def row_metas(conn: Connection, spec: Covered, refs: Sequence[Any]) -> dict[str, dict[str, str]]:
    """``ref -> {"row": digest, "cols": column digests}`` of the stored rows ``refs`` of
    ``spec`` (read back in the caller's transaction), for an entry whose ``sha256`` is the
    hash of something else (a claim's record, a retraction's text): the row digest goes into
    ``meta.row`` as for an observation."""
    out: dict[str, dict[str, str]] = {}
    for r in read_rows(conn, spec, refs):
        digest, cols = digests(normalize(spec, r))
        out[spec.ref(r)] = {"row": digest, "cols": cols}
    return out


def read_rows(conn: Connection, spec: Covered, refs: Sequence[Any]) -> list[dict[str, Any]]:
    """Stored rows of ``spec`` whose key is in ``refs`` (with incidents' evidence links)."""
    col = spec.table.c[spec.key]
    out: list[dict[str, Any]] = []
    for chunk in chunks(list(refs), 5_000):
        out += [dict(r._mapping) for r in conn.execute(spec.query().where(col.in_(chunk)))]
    if spec is INCIDENTS:
        links = _links(conn, [r["uid"] for r in out])
        for r in out:
            r[LINKS] = links.get(r["uid"], [])
    return out


def entries_for(spec: Covered, rows: Sequence[Mapping[str, Any]], time: datetime) -> list[LogEntry]:
    """Entries logging ``rows`` (as :func:`read_rows` gives them) at ``time``."""
    out = []
    for r in rows:
        values = normalize(spec, r)
        if spec is INCIDENTS:
            values[LINKS] = sorted(r[LINKS])
        out.append(row_entry(spec.entry_type, spec.ref(r), values, time))
    return out


def log_rows(conn: Connection, ledger: Any, spec: Covered, refs: Sequence[Any],
             time: datetime) -> None:  # fmt: skip
    """Log the stored rows ``refs`` of ``spec`` (read back in the caller's transaction)."""
    entries = entries_for(spec, read_rows(conn, spec, refs), time)
    if entries:
        ledger.append(conn, entries)


def withdraw(conn: Connection, ledger: Any, spec: Covered, refs: Sequence[Any],
             time: datetime) -> None:  # fmt: skip
    """Log that rows ``refs`` of ``spec`` were deleted on purpose."""
    if refs:
        ledger.append(conn, withdrawn_entries(spec.entry_type, [str(r) for r in refs], time))


def _links(conn: Connection, incident_uids: Sequence[str]) -> dict[str, list[str]]:
    c = t.incident_observations.c
    out: dict[str, list[str]] = {}
    for chunk in chunks(list(incident_uids), 5_000):
        query = select(c.incident_uid, c.observation_uid).where(c.incident_uid.in_(chunk))
        for inc, obs in conn.execute(query):
            out.setdefault(inc, []).append(obs)
    return out


# --------------------------------------------------------------------------- verifying


@dataclass(frozen=True)
class StoredRow:
    """A covered row as stored: its table, ``ref``, normalized values and stamp text."""

    entry_type: str
    table: str
    ref: str
    values: dict[str, Any]
    stamp: str | None = None
    stamp_column: str | None = None


def stored_rows(conn: Connection) -> Iterator[StoredRow]:
    """Every covered row, normalized (incidents with their evidence links)."""
    links = _all_links(conn)
    for spec in COVERED:
        try:
            yield from _table_rows(conn, spec, links)
        except (ValueError, TypeError, OverflowError) as exc:  # the driver cannot read a value
            yield StoredRow(UNREADABLE, spec.table.name, "?", {"error": str(exc)})
    for inc, obs in sorted(links.items()):
        yield StoredRow(LINK, t.incident_observations.name, f"{inc}/{obs[0]}", {})


def _table_rows(conn: Connection, spec: Covered, links: dict[str, list[str]]
                ) -> Iterator[StoredRow]:  # fmt: skip
    query = spec.query().execution_options(yield_per=20_000)
    for r in conn.execute(query):
        row = r._mapping
        values = normalize(spec, row)
        if spec is INCIDENTS:
            values[LINKS] = sorted(links.pop(row["uid"], []))
        stamp = stamp_text(row[spec.stamp]) if spec.stamp else None
        yield StoredRow(spec.entry_type.value, spec.table.name, spec.ref(row), values, stamp,
                        spec.stamp)  # fmt: skip


def _all_links(conn: Connection) -> dict[str, list[str]]:
    c = t.incident_observations.c
    out: dict[str, list[str]] = {}
    for inc, obs in conn.execute(select(c.incident_uid, c.observation_uid)):
        out.setdefault(inc, []).append(obs)
    return out


def latest_logged(conn: Connection, spec: Covered,
                  refs: Sequence[str]) -> dict[str, tuple[str, datetime]]:  # fmt: skip
    """``ref -> (row digest, entry time)`` of the latest entry about each of ``refs``
    (withdrawn rows left out)."""
    c = t.ledger_entries.c
    out: dict[str, tuple[str, datetime]] = {}
    for chunk in chunks(list(refs), 5_000):
        query = (select(c.ref, c.entry).where(c.entry_type == spec.entry_type.value,
                                              c.ref.in_(chunk)).order_by(c.seq))  # fmt: skip
        for ref, data in conn.execute(query):
            entry = decode_entry(blob(data))
            obj = entry.to_dict()
            if is_withdrawn(obj):
                out.pop(ref, None)
            else:
                out[ref] = (logged_digest(obj), entry.time)
    return out


__all__ = ["COVERED", "LINKS", "WITHDRAWN", "Covered", "StoredRow"]
