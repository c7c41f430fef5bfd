"""Observations in the store: bulk import in one transaction and row encoding.

Observations are inserted through the DBAPI's ``executemany`` with pre-encoded values
(JSON text, UTC times): SQLAlchemy's per-row parameter processing would cost more than the
database itself on a million FIRMS rows. Inserts skip uids already stored
(checked per chunk, and ``INSERT OR IGNORE`` / ``ON CONFLICT DO NOTHING`` as a guard), so
re-imports count as duplicates. Every new observation is appended to the ledger (its uid
and payload SHA-256) in the same transaction: stored and logged, or neither.

A record's raw text is stored once, in ``record_payloads`` under its SHA-256, however many
events (observation rows) it holds: :func:`store_payloads` adds the texts of the new rows
before them (``ON CONFLICT DO NOTHING``: a concurrent writer of the same record adds it
once). The ledger still hashes each observation's row with its payload, so what is logged
is unchanged; readers take the text back through :func:`trucewatch.store.schema.observation_rows`.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import queue
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import repeat
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection

from trucewatch.codec import location_anchor, location_from_dict, location_to_dict
from trucewatch.errors import StoreError
from trucewatch.gc import gc_paused
from trucewatch.kinds import SOURCE_KINDS
from trucewatch.ledger.entry import LogEntry, observation_entry
from trucewatch.store.batches import FILE_IMPORT, BatchOrigin
from trucewatch.store.coverage import observation_row_meta
from trucewatch.store.util import bulk_insert, chunks, copy_lines, copy_text, db_time_encoder
from trucewatch.types import EventKind, Flow, Observation, PointLocation, SourceKind
from trucewatch.units import as_utc

if TYPE_CHECKING:  # numba-compiled, pyarrow: imported when a columnar file is stored
    from trucewatch.sources.firms_columns import FirmsColumns
    from trucewatch.store.columnar import EncodedColumns
    from trucewatch.store.ledger import Ledger

INSERT_CHUNK = 20_000
"""Rows per INSERT round trip (bounded memory, still few round trips)."""


@dataclass(frozen=True)
class StoredCounts:
    """Outcome of storing a batch: rows newly stored and rows already present."""

    stored: int
    duplicates: int


_DONE = object()


class ImportBatch:
    """Adds observations to the store inside an open transaction (see
    :meth:`Store.import_batch`).

    Encoding rows (Python) and inserting them (SQLite/PostgreSQL, which release the GIL)
    overlap: a producer thread reads and encodes chunks of :data:`INSERT_CHUNK` rows while
    this thread inserts the previous chunk.
    """

    def __init__(
        self, conn: Connection, batch_id: int, insert_sql: str, ledger: Ledger
    ) -> None:
        self.conn = conn
        self.batch_id = batch_id
        self.insert_sql = insert_sql
        self.ledger = ledger
        self.received_at = datetime.now(UTC)
        self._seen: set[str] = set()
        self.to_db_time = db_time_encoder(conn)
        self.counts = StoredCounts(stored=0, duplicates=0)
        self.read = 0
        self.rejected = 0
        self.signatures: dict[str, tuple[str, str]] = {}
        """payload SHA-256 -> (signer key id, signature), checked before they are set."""

    def add(self, observations: Iterable[Observation]) -> StoredCounts:
        """Encode and insert observations; returns the counts of this call.

        A small batch already in memory (an API submission) is encoded in this thread;
        a stream (a file) is encoded by a producer thread while this one inserts.
        """
        if isinstance(observations, Sequence) and len(observations) <= INSERT_CHUNK:
            encoded = self._encode(list(observations))
            return self._tally(len(encoded.rows),
                               self._store_new(encoded) if encoded.rows else 0)  # fmt: skip
        chunks: queue.Queue[Any] = queue.Queue(maxsize=4)
        producer = threading.Thread(
            target=self._produce, args=(iter(observations), chunks), daemon=True
        )
        stored = offered = 0
        producer.start()
        try:
            while (item := chunks.get()) is not _DONE:
                if isinstance(item, BaseException):
                    raise item
                offered += len(item.rows)
                stored += self._store_new(item)
        finally:
            self._drain(chunks, producer)
        return self._tally(offered, stored)

    def add_columns(self, cols: FirmsColumns) -> StoredCounts:
        """Store a FIRMS file read as columns (:mod:`trucewatch.sources.firms_columns`):
        rows and entries built in compiled loops (:func:`encode_columns`), the rows not
        stored yet inserted with ``COPY`` (PostgreSQL) or one ``executemany`` (SQLite) and
        logged, all in this transaction; returns the counts of this call. The log's lock
        is taken before the stored uids are read, so no other writer can store one of
        them before this transaction ends."""
        from trucewatch.store.columnar import encode_columns

        encoded = encode_columns(cols, self.batch_id, self.received_at)
        self.ledger.lock_log(self.conn)
        new = self._new_of(encoded.uids)
        if new:
            self._insert_columns(cols, encoded, new)
        return self._tally(cols.read, len(new))

    def _new_of(self, uids: list[str]) -> list[int]:
        """Indices of the uids neither stored nor seen before in this batch (the first of
        repeated ones), in order; marks them seen."""
        stored, seen = stored_uids(self.conn, uids), self._seen
        new = []
        for k, uid in enumerate(uids):
            if uid not in stored and uid not in seen:
                seen.add(uid)
                new.append(k)
        return new

    def _insert_columns(self, cols: FirmsColumns, enc: EncodedColumns, new: list[int]) -> None:
        every = len(new) == cols.read

        def pick(values: list[Any]) -> list[Any]:
            return values if every else [values[k] for k in new]

        to_db = self.to_db_time
        windows = [cols.window(k) for k in range(len(cols.days))]
        starts = [to_db(w[0]) for w in windows]
        ends = [to_db(w[1]) for w in windows]
        days = pick(cols.day.tolist())
        uids = pick(enc.uids)
        c = _constant_columns(cols, self.batch_id)
        lons, lats = pick(cols.lon.tolist()), pick(cols.lat.tolist())
        starts_of, ends_of = [starts[d] for d in days], [ends[d] for d in days]
        locations, hashes = pick(enc.locations), pick(enc.payload_sha256)
        store_payloads(self.conn, hashes, pick(enc.payloads), ordered=False)
        if self.conn.dialect.name == "postgresql":  # COPY's text format (no tab or backslash
            # in these values: the columnar reader accepts digits, signs, dots and commas)
            head = f"\t{c['source_kind']}\t{c['source_format']}\t{copy_text(c['source_id'])}\t"
            mid = f"\t{c['kind']}\t1\t\\N\t\\N\t{c['reliability']}\t{c['credibility']}\t"
            tail = f"\t{{}}\t{self.batch_id}\n"
            lines = [f"{u}{head}{ts}\t{te}\tpoint\t{lon!r}\t{lat!r}\t{loc}{mid}{h}{tail}"
                     for u, ts, te, lon, lat, loc, h in zip(
                         uids, starts_of, ends_of, lons, lats, locations, hashes,
                         strict=True)]  # fmt: skip
            copy_lines(self.conn, "observations", OBSERVATION_COLUMNS, lines)
        else:
            rows = zip(
                uids, repeat(c["source_kind"]), repeat(c["source_format"]),
                repeat(c["source_id"]), starts_of, ends_of, repeat("point"), lons, lats,
                locations, repeat(c["kind"]), repeat(1), repeat(None), repeat(None),
                repeat(c["reliability"]), repeat(c["credibility"]), hashes,
                repeat("{}"), repeat(self.batch_id),
            )  # fmt: skip
            bulk_insert(self.conn, "observations", OBSERVATION_COLUMNS, rows)
        self.ledger.append_built(self.conn, pick(enc.entries), pick(enc.leaf_hashes), uids,
                                 self.received_at)  # fmt: skip

    def _tally(self, offered: int, stored: int) -> StoredCounts:
        added = StoredCounts(stored=stored, duplicates=offered - stored)
        self.counts = StoredCounts(
            stored=self.counts.stored + added.stored,
            duplicates=self.counts.duplicates + added.duplicates,
        )
        return added

    def _encode(self, chunk: list[Observation]) -> Encoded:
        """Row values, ledger entries and payloads of a chunk (:func:`rows_and_entries`)."""
        return rows_and_entries(chunk, self.batch_id, self.to_db_time, self.signatures,
                                self.received_at)  # fmt: skip

    def _store_new(self, encoded: Encoded) -> int:
        """Insert the rows not stored yet (and their records' texts) and log each new
        observation in the ledger, in this transaction. Returns how many were new."""
        rows, entries = encoded.rows, encoded.entries
        uids = [r[0] for r in rows]
        self.ledger.lock_log(self.conn)
        stored = stored_uids(self.conn, uids)
        new = []
        for k, uid in enumerate(uids):
            if uid not in stored and uid not in self._seen:
                self._seen.add(uid)
                new.append(k)
        if not new:
            return 0
        store_payloads(self.conn, [rows[k][PAYLOAD_SHA256] for k in new],
                       [encoded.payloads[k] for k in new])  # fmt: skip
        owned = insert_owned(self.conn, self.insert_sql, [rows[k] for k in new])
        self.ledger.append(self.conn, [entries[new[k]] for k in owned], verify_signatures=False)
        return len(owned)

    def finish(self, *, read: int, rejected: int) -> None:
        """Record how many input records were read and rejected (for the batch log)."""
        self.read += read
        self.rejected += rejected

    def _produce(self, observations: Iterator[Observation], chunks: queue.Queue[Any]) -> None:
        try:
            with gc_paused():
                while chunk := list(itertools.islice(observations, INSERT_CHUNK)):
                    chunks.put(self._encode(chunk))
            chunks.put(_DONE)
        except BaseException as exc:  # handed to the inserting thread, which raises it
            chunks.put(exc)

    @staticmethod
    def _drain(chunks: queue.Queue[Any], producer: threading.Thread) -> None:
        """Let a producer blocked on a full queue finish after an error, then join it."""
        while producer.is_alive():
            try:
                chunks.get(timeout=0.1)
            except queue.Empty:
                continue
        producer.join()


def _constant_columns(cols: FirmsColumns, batch_id: int) -> dict[str, Any]:
    """The values every row of a FIRMS archive file shares (as the reader sets them)."""
    kind = SOURCE_KINDS[SourceKind.SATELLITE_THERMAL]
    return {"source_kind": kind.kind.value, "source_format": "firms", "source_id": cols.source_id,
            "kind": EventKind.THERMAL_ANOMALY.value, "reliability": kind.grading.reliability,
            "credibility": kind.grading.credibility, "batch_id": batch_id}  # fmt: skip


PAYLOAD_SHA256, BATCH_ID = 16, 18
"""Indices of ``payload_sha256`` and ``batch_id`` in a row of :data:`OBSERVATION_COLUMNS`."""

PAYLOAD_CHUNK = 5_000
"""Record texts per INSERT round trip (each up to ``MAX_RECORD_CHARS``)."""


def store_payloads(conn: Connection, hashes: Sequence[str], payloads: Sequence[str], *,
                   ordered: bool = True) -> None:  # fmt: skip
    """Store each record text once (``hashes[k]``: the SHA-256 hex of ``payloads[k]``, as
    :func:`_observation_values` computes it) in the caller's transaction; a text already
    stored, by this or a concurrent writer, or repeated in the call, is skipped by the
    database (``ON CONFLICT DO NOTHING`` on both backends), so two writers of one record
    store it once. ``ordered``: distinct and in hash order, so that two writers wait for
    each other instead of deadlocking (the columnar import, holding the log's lock for the
    whole file and storing distinct rows, passes its columns as they are)."""
    if ordered:
        pairs = sorted(dict(zip(hashes, payloads, strict=True)).items())
        hashes, payloads = [h for h, _ in pairs], [p for _, p in pairs]
    if conn.dialect.name == "postgresql":  # two arrays a statement: few round trips
        sql = ("INSERT INTO record_payloads (sha256, payload) SELECT * FROM "
               "unnest(%s::text[], %s::text[]) ON CONFLICT (sha256) DO NOTHING")  # fmt: skip
        step = 10 * PAYLOAD_CHUNK
        for a in range(0, len(hashes), step):
            conn.exec_driver_sql(sql, (list(hashes[a : a + step]), list(payloads[a : a + step])))
        return
    sql = ("INSERT INTO record_payloads (sha256, payload) VALUES (?, ?) "
           "ON CONFLICT (sha256) DO NOTHING")  # fmt: skip
    for a in range(0, len(hashes), PAYLOAD_CHUNK):
        b = a + PAYLOAD_CHUNK
        conn.exec_driver_sql(sql, list(zip(hashes[a:b], payloads[a:b], strict=True)))


def insert_owned(conn: Connection, insert_sql: str, rows: Sequence[tuple[Any, ...]]) -> list[int]:
    """Insert rows that skip stored uids (``insert_sql``) and return the indices of the
    rows this transaction stored. The database decides, not this process: the uid is the
    primary key, and a row stored by a concurrent writer (another import, an API
    submission) keeps that writer's batch id, so only rows carrying their own batch id are
    this transaction's to log. Rows go in in uid order, so two writers of the same records
    wait for each other instead of deadlocking."""
    order = sorted(range(len(rows)), key=lambda k: rows[k][0])
    for chunk in chunks([rows[k] for k in order], INSERT_CHUNK):
        conn.exec_driver_sql(insert_sql, list(chunk))
    owner = stored_batches(conn, [r[0] for r in rows])
    return [k for k, r in enumerate(rows) if owner.get(r[0]) == r[BATCH_ID]]


def stored_batches(conn: Connection, uids: Sequence[str]) -> dict[str, int]:
    """uid -> batch id of those of ``uids`` that are stored."""
    mark = "?" if conn.dialect.name == "sqlite" else "%s"
    found: dict[str, int] = {}
    for chunk in chunks(uids, INSERT_CHUNK):
        sql = (f"SELECT uid, batch_id FROM observations "
               f"WHERE uid IN ({', '.join([mark] * len(chunk))})")  # fmt: skip
        found.update((row[0], row[1]) for row in conn.exec_driver_sql(sql, tuple(chunk)))
    return found


def stored_uids(conn: Connection, uids: Sequence[str]) -> set[str]:
    """Which of ``uids`` are stored already (driver-level ``IN`` queries of at most
    :data:`INSERT_CHUNK` values)."""
    found: set[str] = set()
    if conn.dialect.name == "postgresql":  # one array parameter: no query text to build
        for chunk in chunks(uids, 10 * INSERT_CHUNK):
            query = "SELECT uid FROM observations WHERE uid = ANY(%s)"
            found.update(row[0] for row in conn.exec_driver_sql(query, (list(chunk),)))
        return found
    mark = "?"
    for chunk in chunks(uids, INSERT_CHUNK):
        sql = f"SELECT uid FROM observations WHERE uid IN ({', '.join([mark] * len(chunk))})"
        found.update(row[0] for row in conn.exec_driver_sql(sql, tuple(chunk)))
    return found


@dataclass
class PendingImport:
    """One import of a group written in one shared transaction
    (:meth:`trucewatch.store.Store.import_group`): the file names for its batch log,
    observations, the number of input records read, checked signatures (payload SHA-256 ->
    (signer key id, signature)) for the ledger entries, and how and from whom it arrived."""

    files: Sequence[str]
    observations: Sequence[Observation]
    read: int
    signatures: dict[str, tuple[str, str]] = field(default_factory=dict)
    origin: BatchOrigin = FILE_IMPORT


def new_per_import(conn: Connection, imports: Sequence[PendingImport]) -> list[list[Observation]]:
    """The observations each import adds: not stored yet and not added by an import
    before it in the group (one query for the whole group)."""
    seen = stored_uids(conn, [o.uid for p in imports for o in p.observations])
    out = []
    for p in imports:
        new = []
        for o in p.observations:
            if o.uid not in seen:
                seen.add(o.uid)
                new.append(o)
        out.append(new)
    return out


@dataclass(frozen=True)
class Encoded:
    """Observations ready to store: row values (:data:`OBSERVATION_COLUMNS` order), their
    ledger entries and their records' texts, in the same order."""

    rows: list[tuple[Any, ...]]
    entries: list[LogEntry]
    payloads: list[str]


def encode_group(
    imports: Sequence[PendingImport],
    new: Sequence[Sequence[Observation]],
    batch_ids: Sequence[int],
    to_db_time: Callable[[datetime], Any],
    received_at: datetime,
) -> Encoded:
    """Row values, ledger entries and payloads of the new observations of a group, in
    order."""
    out = Encoded([], [], [])
    for p, obs, batch_id in zip(imports, new, batch_ids, strict=True):
        e = rows_and_entries(obs, batch_id, to_db_time, p.signatures, received_at)
        out.rows.extend(e.rows)
        out.entries.extend(e.entries)
        out.payloads.extend(e.payloads)
    return out


def rows_and_entries(
    observations: Sequence[Observation],
    batch_id: int,
    to_db_time: Callable[[datetime], Any],
    signatures: dict[str, tuple[str, str]],
    received_at: datetime,
) -> Encoded:
    """Row values of observations, their ledger entries and payloads; an observation whose
    payload was signed (``signatures``: payload SHA-256 -> (signer key id, signature),
    checked by the caller) carries the signer's key id and signature into its entry, so
    anyone can verify who submitted it. The row digest in each entry covers the payload,
    as it did when each row carried it (:func:`observation_row_meta`)."""
    rows = [_observation_values(o, batch_id, to_db_time) for o in observations]
    entries = []
    for o, r in zip(observations, rows, strict=True):
        sha = r[PAYLOAD_SHA256]
        signer, sig = signatures.get(sha, (None, None))
        meta = observation_row_meta(r, OBSERVATION_COLUMNS, (o.time_start, o.time_end),
                                    o.payload)  # fmt: skip
        if signer is not None:
            meta["source"] = o.source_id  # binds the signer to whose record it is
        entries.append(observation_entry(r[0], sha, received_at, signer=signer, sig=sig,
                                         meta=meta))  # fmt: skip
    return Encoded(rows, entries, [o.payload for o in observations])


def observation_insert_sql(dialect_name: str) -> str:
    """Driver-level INSERT that skips rows whose uid is already stored.

    Observations are inserted through the DBAPI's ``executemany`` with pre-encoded
    values (JSON text, UTC times): SQLAlchemy's per-row parameter processing would
    cost more than the database itself on a million FIRMS rows.
    """
    columns = ", ".join(f'"{c}"' for c in OBSERVATION_COLUMNS)
    name = dialect_name
    if name == "sqlite":
        marks = ", ".join("?" for _ in OBSERVATION_COLUMNS)
        return f"INSERT OR IGNORE INTO observations ({columns}) VALUES ({marks})"
    if name == "postgresql":
        marks = ", ".join("%s" for _ in OBSERVATION_COLUMNS)
        return (
            f"INSERT INTO observations ({columns}) VALUES ({marks}) "
            "ON CONFLICT (uid) DO NOTHING"
        )
    raise StoreError(f"unsupported database {name!r}")

# ------------------------------------------------------------------ contact lines


OBSERVATION_COLUMNS = (
    "uid", "source_kind", "source_format", "source_id", "time_start", "time_end",
    "location_type", "lon", "lat", "location", "kind", "count", "weapon", "flow",
    "reliability", "credibility", "payload_sha256", "attributes", "batch_id",
)  # fmt: skip
"""Column order of :func:`_observation_values` (the payload is stored apart:
:func:`store_payloads`)."""
assert OBSERVATION_COLUMNS[BATCH_ID] == "batch_id"
assert OBSERVATION_COLUMNS[PAYLOAD_SHA256] == "payload_sha256"


def _location_json(loc: Any) -> str:
    """JSON text of a location; a fast path for points (the bulk of satellite data)."""
    if isinstance(loc, PointLocation):
        (a, b), (c, d) = loc.cov_km2
        if not math.isfinite(loc.lon + loc.lat + a + b + c + d):  # NaN/inf are not JSON
            return json.dumps(location_to_dict(loc))
        return (
            f'{{"type": "point", "lon": {loc.lon!r}, "lat": {loc.lat!r}, '
            f'"cov_km2": [[{a!r}, {b!r}], [{c!r}, {d!r}]]}}'
        )
    return json.dumps(location_to_dict(loc))


def _observation_values(
    o: Observation, batch_id: int, to_db_time: Callable[[datetime], Any]
) -> tuple[Any, ...]:
    lon, lat = location_anchor(o.location)
    if lon is not None and lat is not None:  # -0.0 as 0.0: SQLite drops the sign of a REAL
        lon, lat = lon + 0.0, lat + 0.0  # zero, and the row digest must be of what it keeps
    return (
        o.uid,
        o.source_kind.value,
        o.source_format,
        o.source_id,
        to_db_time(o.time_start),
        to_db_time(o.time_end),
        _LOCATION_TYPE[type(o.location).__name__],
        lon,
        lat,
        _location_json(o.location),
        o.kind.value,
        o.count,
        o.weapon,
        None if o.flow is None else o.flow.value,
        o.reliability,
        o.credibility,
        hashlib.sha256(o.payload.encode("utf-8")).hexdigest(),  # the hash the ledger records
        json.dumps(o.attributes) if o.attributes else "{}",
        batch_id,
    )


_LOCATION_TYPE = {
    "PointLocation": "point",
    "BearingRangeLocation": "bearing_range",
    "PlaceLocation": "place",
}


def observation_from_row(r: Any) -> Observation:
    """The observation of a row of :func:`~trucewatch.store.schema.observation_rows`;
    ``ValueError`` when its record's text is missing from ``record_payloads``."""
    if r.payload is None:
        raise ValueError(f"the text of its record ({r.payload_sha256}) is missing from "
                         "record_payloads")  # fmt: skip
    return Observation(
        uid=r.uid,
        source_kind=SourceKind(r.source_kind),
        source_format=r.source_format,
        source_id=r.source_id,
        time_start=as_utc(r.time_start),
        time_end=as_utc(r.time_end),
        location=location_from_dict(r.location),
        kind=EventKind(r.kind),
        count=r.count,
        weapon=r.weapon,
        flow=None if r.flow is None else Flow(r.flow),
        reliability=r.reliability,
        credibility=r.credibility,
        payload=r.payload,
        payload_sha256=r.payload_sha256,
        attributes=r.attributes or {},
    )
