"""Reading and writing the store (with :mod:`trucewatch.store.observations` for bulk
imports): the only modules that issue SQL.

All writes of one logical batch happen in one transaction: an import either stores every
accepted observation of every file or nothing.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import fields
from datetime import UTC, date, datetime, timedelta
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    Connection,
    Engine,
    Row,
    Select,
    Table,
    bindparam,
    delete,
    func,
    insert,
    select,
    update,
)

from trucewatch.ledger.entry import EntryType, LogEntry, content_entry, engine_entry
from trucewatch.ledger.rows import withdrawn_entries
from trucewatch.store import schema as t
from trucewatch.store.batches import (
    FILE_IMPORT,
    FINISH_BATCH,
    NEW_BATCH,
    BatchOrigin,
    batch_row,
    signing_key_id,
)
from trucewatch.store.coverage import (
    AGREEMENTS,
    BATCHES,
    INCIDENTS,
    LINES,
    SECTORS,
    entries_for,
    latest_logged,
    log_rows,
    read_rows,
    withdraw,
)
from trucewatch.store.engine import (
    create_store_engine,
    default_db_url,
    migrate,
    require_existing,
)
from trucewatch.store.incident_rows import incident_from_row, incident_row, observation_links
from trucewatch.store.media import media_root
from trucewatch.store.observations import (
    BATCH_ID,
    INSERT_CHUNK,
    PAYLOAD_SHA256,
    ImportBatch,
    PendingImport,
    StoredCounts,
    encode_group,
    insert_owned,
    new_per_import,
    observation_from_row,
    observation_insert_sql,
    store_payloads,
)
from trucewatch.store.queries import time_range
from trucewatch.store.util import (
    Progress,
    chunks,
    columns_of,
    db_time_encoder,
    fields_of,
    no_progress,
)
from trucewatch.types import (
    Agreement,
    ContactLine,
    Incident,
    Observation,
    Sector,
)
from trucewatch.units import as_utc

if TYPE_CHECKING:  # the log and the claims load cryptography: imported when first used
    from trucewatch.store.claims import ClaimTable
    from trucewatch.store.ledger import Ledger

STORE_CHUNK = 5_000
"""Incidents stored, and logged, between two reports to the ``progress`` of
:meth:`Store.replace_incidents` (the reads and inserts go by chunks of this size)."""

_LINE_COLUMNS = {f.name: f.name for f in fields(ContactLine)}
""":class:`ContactLine` field -> ``contact_lines`` column."""

_SECTOR_COLUMNS = {f.name: "idx" if f.name == "index" else f.name for f in fields(Sector)}
""":class:`Sector` field -> ``sectors`` column."""


class Store:
    """The trucewatch store on one database (SQLite file or PostgreSQL)."""

    def __init__(self, engine: Engine, media_dir: Path | None = None) -> None:
        self.engine = engine
        self.media_dir = media_dir
        """The configured media folder (None: :func:`~trucewatch.store.media.media_root`'s
        default)."""

    @cached_property
    def ledger(self) -> Ledger:
        """The store's log (made on first use, so that commands that only read tables
        start without loading the cryptography)."""
        from trucewatch.store.ledger import Ledger

        return Ledger()

    @cached_property
    def claims(self) -> ClaimTable:
        """The parties' claims and their verdicts, logged in :attr:`ledger`."""
        from trucewatch.store.claims import ClaimTable

        return ClaimTable(self.engine, self.ledger)

    @property
    def media_root(self) -> Path | None:
        """Where media files are stored (:func:`trucewatch.store.media.media_root`)."""
        return media_root(self.engine, self.media_dir)

    @classmethod
    def open(cls, url: str | None = None, *, create: bool = True,
             media_dir: Path | None = None) -> Store:  # fmt: skip
        """Open the store at ``url`` (default: ``$TRUCEWATCH_DB`` or ``trucewatch.db``),
        creating or migrating the schema; with ``create=False`` a store that does not exist
        yet is a :class:`~trucewatch.errors.StoreError` (an older one is still migrated).
        ``media_dir``: the media folder (default: ``$TRUCEWATCH_MEDIA_DIR``, or beside a
        SQLite file)."""
        engine = create_store_engine(url or default_db_url())
        if not create:
            try:
                require_existing(engine)
            except Exception:
                engine.dispose()
                raise
        migrate(engine)
        return cls(engine, media_dir)

    def close(self) -> None:
        self.engine.dispose()

    # ------------------------------------------------------------------ contact lines

    def add_line(self, line: ContactLine, sectors: Sequence[Sector]) -> tuple[int, str]:
        """Store a contact line and its sectors, versioned by ``valid_from``.

        Returns ``(line_id, status)`` with status ``created``, ``unchanged`` (the same
        geometry was already stored for that date) or ``replaced``.
        """
        digest = hashlib.sha256(
            "\n".join([line.geometry_wkt, line.control_wkt or "", line.name]).encode()
        ).hexdigest()
        with self.engine.begin() as conn:
            existing = conn.execute(
                select(t.contact_lines.c.id, t.contact_lines.c.geometry_sha256).where(
                    t.contact_lines.c.valid_from == line.valid_from
                )
            ).first()
            if existing is not None and existing.geometry_sha256 == digest:
                return int(existing.id), "unchanged"
            status = "created"
            now = datetime.now(UTC)
            if existing is not None:
                old_sectors = _ids(conn, t.sectors, t.sectors.c.line_id == existing.id)
                conn.execute(delete(t.sectors).where(t.sectors.c.line_id == existing.id))
                conn.execute(delete(t.contact_lines).where(t.contact_lines.c.id == existing.id))
                withdraw(conn, self.ledger, SECTORS, old_sectors, now)
                withdraw(conn, self.ledger, LINES, [existing.id], now)
                status = "replaced"
            line_values = columns_of(line, _LINE_COLUMNS)
            del line_values["id"]
            line_id = conn.execute(
                insert(t.contact_lines).values(
                    **line_values, geometry_sha256=digest, imported_at=now
                )
            ).inserted_primary_key[0]  # type: ignore[index]
            if sectors:
                conn.execute(
                    insert(t.sectors),
                    [{**columns_of(s, _SECTOR_COLUMNS), "line_id": line_id} for s in sectors],
                )
            log_rows(conn, self.ledger, LINES, [line_id], now)
            new_sectors = _ids(conn, t.sectors, t.sectors.c.line_id == line_id)
            log_rows(conn, self.ledger, SECTORS, new_sectors, now)
        return int(line_id), status

    def lines(self) -> list[ContactLine]:
        """All stored contact lines, oldest ``valid_from`` first."""
        c = t.contact_lines.c
        with self.engine.connect() as conn:
            rows = conn.execute(select(t.contact_lines).order_by(c.valid_from)).all()
        return [ContactLine(**fields_of(r, _LINE_COLUMNS)) for r in rows]

    def line_valid_on(self, day: date) -> ContactLine | None:
        """The line valid on ``day``: the latest with ``valid_from <= day``."""
        candidates = [ln for ln in self.lines() if ln.valid_from <= day]
        return candidates[-1] if candidates else None

    def sectors(self, line_id: int) -> list[Sector]:
        """Sectors of a line in order along it."""
        c = t.sectors.c
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(t.sectors).where(c.line_id == line_id).order_by(c.idx)
            ).all()
        return [Sector(**fields_of(r, _SECTOR_COLUMNS)) for r in rows]

    # ------------------------------------------------------------------ observations

    def add_observations(
        self,
        observations: Sequence[Observation],
        *,
        files: Sequence[str] = (),
        read: int | None = None,
        rejected: int = 0,
    ) -> StoredCounts:
        """Store a batch of observations in one transaction and log the import batch.

        Observations whose uid is already stored (or repeated within the batch) are
        counted as duplicates and not stored again.
        """
        with self.import_batch(files) as batch:
            batch.add(observations)
            batch.finish(read=len(observations) if read is None else read, rejected=rejected)
        return batch.counts

    @contextmanager
    def import_batch(
        self, files: Sequence[str] = (), origin: BatchOrigin = FILE_IMPORT
    ) -> Iterator[ImportBatch]:
        """One import as one transaction: everything added is stored, or nothing (any
        exception rolls back, including a bad record raised while streaming a file). The
        batch log records ``files``, ``origin`` and the key that signed the batch's
        signatures, if one key signed them all."""
        with self.engine.begin() as conn:
            row = batch_row(files, origin, datetime.now(UTC))
            batch_id = conn.execute(NEW_BATCH, row).inserted_primary_key[0]  # type: ignore[index]
            insert_sql = observation_insert_sql(self.engine.dialect.name)
            batch = ImportBatch(conn, int(batch_id), insert_sql, self.ledger)
            yield batch
            conn.execute(
                FINISH_BATCH,
                {"b_id": batch_id, "b_finished": datetime.now(UTC), "b_read": batch.read,
                 "b_stored": batch.counts.stored, "b_duplicates": batch.counts.duplicates,
                 "b_rejected": batch.rejected, "b_key_id": signing_key_id(batch.signatures)},
            )  # fmt: skip
            log_rows(conn, self.ledger, BATCHES, [batch_id], datetime.now(UTC))

    def import_group(
        self, conn: Connection, imports: Sequence[PendingImport]
    ) -> list[tuple[int, StoredCounts]]:
        """Several imports in the caller's transaction ``conn`` with a handful of
        statements for the whole group (the API's group commit): which uids are new (one
        query), the batch rows with their final counts (one statement), the new
        observations (one ``executemany``) and their ledger entries (one append). An
        observation already stored, or added by an import before it in the group, is a
        duplicate. Returns each import's batch id and counts, in order."""
        if not imports:
            return []
        now = datetime.now(UTC)
        self.ledger.lock_log(conn)
        new = new_per_import(conn, imports)
        counts = [
            StoredCounts(stored=len(n), duplicates=len(p.observations) - len(n))
            for p, n in zip(imports, new, strict=True)
        ]
        batch_rows = [
            batch_row(p.files, p.origin, now, signing_key_id(p.signatures), read=p.read,
                      stored=c.stored, duplicates=c.duplicates)
            for p, c in zip(imports, counts, strict=True)
        ]  # fmt: skip
        returning = NEW_BATCH.returning(t.import_batches.c.id, sort_by_parameter_order=True)
        ids = [int(i) for i in conn.execute(returning, batch_rows).scalars()]
        encoded = encode_group(imports, new, ids, db_time_encoder(conn), now)
        rows, entries = encoded.rows, encoded.entries
        if rows:
            store_payloads(conn, [r[PAYLOAD_SHA256] for r in rows], encoded.payloads)
            owned = insert_owned(conn, observation_insert_sql(self.engine.dialect.name), rows)
            self.ledger.append(conn, [entries[k] for k in owned], verify_signatures=False)
            if len(owned) < len(rows):  # a concurrent writer stored some first
                counts = _recount(conn, imports, ids, [rows[k][BATCH_ID] for k in owned])
        log_rows(conn, self.ledger, BATCHES, ids, now)
        return list(zip(ids, counts, strict=True))

    def count_observations(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(t.observations)).scalar_one())

    def observations(
        self, since: datetime | None = None, until: datetime | None = None
    ) -> list[Observation]:
        """Observations whose time window starts in [since, until), oldest first."""
        query = _starting_in(t.observations, since, until, t.observation_rows())
        with self.engine.connect() as conn:
            return [observation_from_row(r) for r in conn.execute(query)]

    def first_observation_time(self, since: datetime | None = None) -> datetime | None:
        """Start time of the earliest observation (at or after ``since``), if any."""
        c = t.observations.c
        query = select(func.min(c.time_start))
        if since is not None:
            query = query.where(c.time_start >= since)
        with self.engine.connect() as conn:
            first = conn.execute(query).scalar()
        return None if first is None else as_utc(first)

    def observation_counts_by_source(self, since: datetime, until: datetime) -> dict[str, int]:
        """Number of observations per source kind whose time starts in [since, until)."""
        c = t.observations.c
        query = (
            select(c.source_kind, func.count())
            .where(c.time_start >= since, c.time_start < until)
            .group_by(c.source_kind)
        )
        with self.engine.connect() as conn:
            return {str(k): int(n) for k, n in conn.execute(query)}

    # ------------------------------------------------------------------ incidents

    def replace_incidents(
        self,
        incidents: Sequence[Incident],
        since: datetime | None = None,
        until: datetime | None = None,
        engine: Mapping[str, str] | None = None,
        progress: Progress = no_progress,
    ) -> None:
        """Replace the incidents starting in [since, until) by ``incidents`` (one transaction).

        ``engine`` describes the fusion run (version, calibration, ...: short strings); it
        is logged first, as an ``engine`` entry, then each changed decision. ``progress``
        is told the incidents stored, then those logged, every :data:`STORE_CHUNK`."""
        c = t.incidents.c
        fused_at = datetime.now(UTC)
        with self.engine.begin() as conn:
            doomed = select(c.uid)
            if since is not None:
                doomed = doomed.where(c.time_start >= since)
            if until is not None:
                doomed = doomed.where(c.time_start < until)
            old_uids = set(conn.execute(doomed).scalars())
            conn.execute(
                delete(t.incident_observations).where(
                    t.incident_observations.c.incident_uid.in_(doomed)
                )
            )
            conn.execute(delete(t.incidents).where(c.uid.in_(doomed)))
            n, what = len(incidents), f"storing {len(incidents):,} incidents"
            progress(what, 0, n)
            for done, part in enumerate(chunks(incidents, STORE_CHUNK), 1):
                conn.execute(insert(t.incidents), [incident_row(i, fused_at) for i in part])
                links = [{"incident_uid": i.uid, "observation_uid": o}
                         for i in part for o in i.observation_uids]  # fmt: skip
                for chunk in chunks(links, INSERT_CHUNK):
                    conn.execute(insert(t.incident_observations), list(chunk))
                progress(what, min(done * STORE_CHUNK, n), n)
            new_uids = [i.uid for i in incidents]
            changed = self._changed_decisions(conn, new_uids, fused_at, progress)
            gone = withdrawn_entries(INCIDENTS.entry_type, sorted(old_uids - set(new_uids)),
                                     fused_at)  # fmt: skip
            if changed or gone:  # a re-fusion that changes nothing adds nothing to the log
                run = [engine_entry(engine, fused_at)] if engine is not None else []
                self.ledger.append(conn, [*run, *changed, *gone])

    def _changed_decisions(self, conn: Connection, uids: Sequence[str], fused_at: datetime,
                           progress: Progress = no_progress) -> list[LogEntry]:  # fmt: skip
        """The entries of the decisions (whole row and evidence links) that differ from
        the last one logged; an unchanged incident keeps the ``fused_at`` of that entry.
        ``progress`` is told the incidents compared, every :data:`STORE_CHUNK`."""
        changed: list[LogEntry] = []
        kept: list[dict[str, Any]] = []
        n, what = len(uids), f"logging {len(uids):,} incidents"
        progress(what, 0, n)
        for done, part in enumerate(chunks(uids, STORE_CHUNK), 1):
            entries = entries_for(INCIDENTS, read_rows(conn, INCIDENTS, part), fused_at)
            logged = latest_logged(conn, INCIDENTS, part)
            for entry in entries:
                before = logged.get(entry.ref)
                if before is not None and before[0] == entry.sha256:
                    kept.append({"k_uid": entry.ref, "k_fused": before[1]})
                else:
                    changed.append(entry)
            progress(what, min(done * STORE_CHUNK, n), n)
        if kept:
            c = t.incidents.c
            conn.execute(update(t.incidents).where(c.uid == bindparam("k_uid"))
                         .values(fused_at=bindparam("k_fused")), kept)  # fmt: skip
        return changed

    def incidents(
        self, since: datetime | None = None, until: datetime | None = None
    ) -> list[Incident]:
        """Incidents starting in [since, until), with their observation uids."""
        with self.engine.connect() as conn:
            rows = conn.execute(_starting_in(t.incidents, since, until)).all()
            links = observation_links(conn, [r.uid for r in rows])
        return [incident_from_row(r, links.get(r.uid, ())) for r in rows]

    def incident_counts_per_day(
        self, since: date, until: date, *, far_thermal_km: float | None = None
    ) -> dict[date, int]:
        """Incidents per UTC day for days in [since, until); with ``far_thermal_km``, not
        counting satellite fire detections (``thermal_anomaly``) farther than that from
        the line (km), as the daily report's headline does not."""
        c = t.incidents.c
        start = datetime(since.year, since.month, since.day, tzinfo=UTC)
        end = datetime(until.year, until.month, until.day, tzinfo=UTC)
        query = select(c.time_start).where(c.time_start >= start, c.time_start < end)
        if far_thermal_km is not None:
            far = (c.kind == "thermal_anomaly") & (func.abs(c.line_distance_km) > far_thermal_km)
            query = query.where(~far | c.line_distance_km.is_(None))
        with self.engine.connect() as conn:
            times = conn.execute(query).scalars()
            counts: dict[date, int] = {}
            for ts in times:
                day = as_utc(ts).date()
                counts[day] = counts.get(day, 0) + 1
        return counts

    def incident_time_span(self) -> tuple[datetime, datetime] | None:
        """Start times (UTC) of the earliest and the latest incident, if any."""
        with self.engine.connect() as conn:
            return time_range(conn)

    def report_inputs_state(self, start: datetime) -> list[Any]:
        """What the daily report of the day starting at ``start`` (UTC) depends on: counts
        and latest changes of its incidents (15 days of history), observations, agreements,
        lines and the day's claims and verdicts; equal lists mean an unchanged report."""
        c, o = t.incidents.c, t.observations.c
        with self.engine.connect() as conn:
            parts = [
                conn.execute(select(func.count(), func.max(c.fused_at)).where(
                    c.time_start >= start - timedelta(days=15),
                    c.time_start < start + timedelta(days=1))).one(),
                conn.execute(select(func.count()).where(
                    o.time_start >= start, o.time_start < start + timedelta(days=1))).scalar(),
                conn.execute(select(func.count(), func.max(t.agreements.c.id))).one(),
                conn.execute(select(func.count(), func.max(t.contact_lines.c.id))).one(),
                conn.execute(select(func.count(), func.max(t.claim_verdicts.c.adjudicated_at))
                             .select_from(t.claims).join(t.claim_verdicts, isouter=True).where(
                    t.claims.c.time_start >= start,
                    t.claims.c.time_start < start + timedelta(days=1))).one(),
            ]  # fmt: skip
        return [list(p) if isinstance(p, Row) else p for p in parts]

    def log_publication(self, ref: str, content: bytes) -> int:
        """Log a published document (e.g. a daily report's JSON) in the ledger; returns its
        leaf index."""
        entry = content_entry(EntryType.REPORT, ref, content, datetime.now(UTC))
        with self.engine.begin() as conn:
            return self.ledger.append(conn, [entry])[0]

    # ------------------------------------------------------------------ agreements

    def add_agreement(self, agreement: Agreement, definition: dict[str, Any]) -> tuple[int, bool]:
        """Store an agreement; returns ``(id, created)`` (False when already stored)."""
        digest = hashlib.sha256(
            json.dumps(definition, sort_keys=True, default=str).encode()
        ).hexdigest()
        c = t.agreements.c
        with self.engine.begin() as conn:
            existing = conn.execute(select(c.id).where(c.definition_sha256 == digest)).first()
            if existing is not None:
                return int(existing.id), False
            new_id = conn.execute(
                insert(t.agreements).values(
                    name=agreement.name,
                    start=agreement.start.astimezone(UTC),
                    end=agreement.end.astimezone(UTC),
                    scope=agreement.scope,
                    definition=definition,
                    definition_sha256=digest,
                    added_at=datetime.now(UTC),
                )
            ).inserted_primary_key[0]  # type: ignore[index]
            log_rows(conn, self.ledger, AGREEMENTS, [new_id], datetime.now(UTC))
        return int(new_id), True

    def agreement_definitions(self) -> list[tuple[int, dict[str, Any]]]:
        """All stored agreements as ``(id, definition)`` in the order added."""
        c = t.agreements.c
        with self.engine.connect() as conn:
            return [(int(r.id), r.definition) for r in conn.execute(select(c.id, c.definition))]


# ---------------------------------------------------------------------- helpers


def _recount(conn: Connection, imports: Sequence[PendingImport], ids: Sequence[int],
             owned_batches: Sequence[int]) -> list[StoredCounts]:  # fmt: skip
    """Each import's counts from the rows it really stored, written to its batch row."""
    counts = []
    for p, batch_id in zip(imports, ids, strict=True):
        stored = sum(1 for b in owned_batches if b == batch_id)
        c = StoredCounts(stored=stored, duplicates=len(p.observations) - stored)
        conn.execute(update(t.import_batches).where(t.import_batches.c.id == batch_id)
                     .values(stored=c.stored, duplicates=c.duplicates))  # fmt: skip
        counts.append(c)
    return counts


def _starting_in(table: Table, since: datetime | None, until: datetime | None,
                 rows: Select[Any] | None = None) -> Select[Any]:  # fmt: skip
    """The rows of ``table`` (selected by ``rows``, default all its columns) whose
    ``time_start`` is in [since, until), ordered by ``(time_start, uid)``."""
    c = table.c
    query = (select(table) if rows is None else rows).order_by(c.time_start, c.uid)
    if since is not None:
        query = query.where(c.time_start >= since)
    if until is not None:
        query = query.where(c.time_start < until)
    return query




def _ids(conn: Connection, table: Table, where: Any) -> list[int]:
    """Ids of the rows of ``table`` matching ``where``, ascending."""
    return [int(i) for i in conn.execute(select(table.c.id).where(where).order_by(table.c.id))
            .scalars()]  # fmt: skip
