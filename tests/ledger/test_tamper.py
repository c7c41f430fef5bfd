"""The tamper suite: every single-column edit, row insertion and row deletion in every
table of the store is detected by ``ledger verify`` and named (table, row, field), on
SQLite and PostgreSQL. Each edit runs in a transaction that is rolled back afterwards, so
one small store serves every case."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import (
    JSON,
    Connection,
    Date,
    DateTime,
    Float,
    Integer,
    LargeBinary,
    String,
    Table,
    UniqueConstraint,
    delete,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from tests.media.samples import exif_of, image_bytes

from trucewatch.app import agreements
from trucewatch.app.demo import AGREEMENT_FILE, demo_file
from trucewatch.app.media import add_media
from trucewatch.claims.read import canonical_record, parse_claim
from trucewatch.ledger.signing import Role, generate_key, key_id, public_key_bytes, sign_submission
from trucewatch.store import Store
from trucewatch.store import schema as t
from trucewatch.store.claims import PendingClaim
from trucewatch.store.cosigned import add_cosigned_head
from trucewatch.store.ledger_verify import verify_store
from trucewatch.store.media import blob_path
from trucewatch.store.retractions import retract
from trucewatch.types import (
    Attribution,
    ContactLine,
    EventKind,
    Flow,
    Incident,
    IncidentStatus,
    Observation,
    PointLocation,
    Sector,
    SourceKind,
)

T0 = datetime(2025, 8, 12, 6, 30, 15, 250000, tzinfo=UTC)
MISSION = generate_key()
LIAISON = generate_key()
NOT_COVERED = {
    "api_tokens": "access control, not a finding: the server operator's credentials (only "
                  "their SHA-256) are no part of the record the parties verify",
    "idempotency_keys": "the API's request bookkeeping, not a finding: which answer a "
                        "retried request gets; the batch it points to is covered",
    "submission_quotas": "the API's count of records each token submitted per day, for "
                         "its daily quota; the submissions it counts are covered",
    "incident_changes": "the order in which live fusion changed incidents, for the stream "
                        "and the alerts; each incident it stored is logged (its decision "
                        "entry) like any other",
    "live_cursor": "where live fusion resumes after a restart (one batch id), not a finding",
    "alert_subscriptions": "alert routing, not a finding: who wants which alerts and the "
                           "webhook's secret (docs/operations.md)",
    "alert_deliveries": "the webhook delivery queue (attempts, errors), not a finding; the "
                        "incidents the alerts carry are logged",
}
"""Tables the tamper suite leaves out, each with the reason (docs/ledger.md, section 8)."""
TABLES = [tab for tab in t.metadata.sorted_tables if tab.name not in NOT_COVERED]


def _obs(i: int) -> Observation:
    payload = f'{{"n": {i}, "what": "explosion"}}'
    return Observation(
        uid=f"{i:064x}", source_kind=SourceKind.PATROL, source_format="patrol",
        source_id="team-1", time_start=T0 + timedelta(minutes=i),
        time_end=T0 + timedelta(minutes=i + 30),
        location=PointLocation.isotropic(37.5 + i * 0.01, 48.0, 0.5),
        kind=EventKind.EXPLOSION, count=3, weapon="artillery", flow=Flow.INCOMING,
        reliability="B", credibility=2, payload=payload,
        payload_sha256=hashlib.sha256(payload.encode()).hexdigest(),
        attributes={"synthetic": True, "event_index": 0},
    )  # fmt: skip


def _incident(uid: str, obs: tuple[Observation, ...], status: IncidentStatus) -> Incident:
    return Incident(
        uid=uid, time_start=T0, time_end=T0 + timedelta(hours=1),
        location=PointLocation(lon=37.5, lat=48.0, cov_km2=((1.0, 0.2), (0.2, 2.0))),
        kind=EventKind.EXPLOSION, count=6, confidence=0.8123, status=status,
        attribution=Attribution(party="RU", probabilities={"RU": 0.7, "UA": 0.3}, method="flow"),
        observation_uids=tuple(o.uid for o in obs), source_kinds=(SourceKind.PATROL,),
        sector="Pokrovsk", held_by="UA", line_distance_km=-3.2,
        assessment={"agreements": [{"agreement": "demo", "clause": "1.1", "verdict": "violation",
                                    "party": "RU"}]},
    )  # fmt: skip


def _build(url: str, media_dir: Path) -> Store:
    store = Store.open(url, media_dir=media_dir)
    with store.engine.begin() as conn:
        store.ledger.add_key(conn, MISSION, Role.MISSION, "mission")
        store.ledger.add_key(conn, public_key_bytes(LIAISON), Role.LIAISON, "UA office",
                             party="UA")  # fmt: skip
    line = ContactLine(id=None, name="test", valid_from=date(2025, 3, 13), length_km=10.0,
                       geometry_wkt="LINESTRING (37 48, 37.1 48.1)", controlled_by="RU",
                       other_party="UA", control_wkt="POLYGON ((37 48, 37.1 48, 37.1 48.1, 37 48))",
                       country_wkt=None, source="test")  # fmt: skip
    sectors = [Sector(line_id=0, index=i, name=f"S{i}", start_km=5 * i, end_km=5 * i + 5,
                      geometry_wkt="LINESTRING (37 48, 37.1 48.1)") for i in range(2)]  # fmt: skip
    store.add_line(line, sectors)
    agreements.add_agreement(store, demo_file(AGREEMENT_FILE))
    obs = [_obs(i) for i in range(6)]
    store.add_observations(obs[:3], files=["a.jsonl"])
    store.add_observations(obs[3:], files=["b.jsonl"])
    store.replace_incidents([
        _incident("a" * 64, tuple(obs[:3]), IncidentStatus.POSSIBLE),
        _incident("b" * 64, tuple(obs[3:]), IncidentStatus.PROBABLE),
    ])
    from trucewatch.app.bulletins import issue_automatic
    from trucewatch.app.review import ReviewRequest, review_incident
    from trucewatch.app.roles import OPERATOR

    review_incident(store, "a" * 64, ReviewRequest("relabel", "crater", attribution="UA"),
                    principal=OPERATOR)  # fmt: skip
    review_incident(store, "a" * 64, ReviewRequest("publish", "briefing"), principal=OPERATOR)
    issue_automatic(store, T0.date(), 1.0, principal=OPERATOR)
    with store.engine.begin() as conn:
        store.ledger.sign_tree_head(conn, MISSION)
    store.add_observations([_obs(i) for i in range(6, 8)], files=["late.jsonl"])  # unsigned tail
    _add_claims_and_retraction(store, obs[5].uid)
    _add_media(store, obs[0].uid)
    return store


def _add_media(store: Store, uid: str) -> None:
    """A photograph with EXIF time and place attached to an observation (logged when
    received and when analysed)."""
    exif = exif_of(original="2025:08:12 09:30:15", offset="+03:00",
                   lat=("N", (48.0, 30.0, 0.0)), lon=("E", (37.0, 45.0, 0.0)))  # fmt: skip
    done = add_media(store, uid, image_bytes("JPEG", exif))
    assert done["exif"]["lat"] == 48.5 and len(done["ledger_entries"]) == 2


def _add_claims_and_retraction(store: Store, uid: str) -> None:
    """Two claims (one signed by the UA liaison's key), a verdict on each, a retraction,
    a published cosigned head."""
    item = {"type": "item", "claim_id": "UA-1", "claimant": "UA", "accused": "RU",
            "time_start_utc": "2025-08-12T06:00:00Z", "time_end_utc": "2025-08-12T07:00:00Z",
            "lon": 37.5, "lat": 48.0, "weapon": "artillery", "count": 12,
            "stated_utc": "2025-08-12T09:00:00Z"}  # fmt: skip
    agg = {"type": "aggregate", "claim_id": "RU-9", "claimant": "RU", "accused": "UA",
           "period_start_utc": "2025-08-11T15:00:00Z", "period_end_utc": "2025-08-12T21:00:00Z",
           "count": 4900, "sector": "S0"}  # fmt: skip
    pending = []
    for record, signer in ((item, LIAISON), (agg, None)):
        line = canonical_record(record)
        signature = None if signer is None else sign_submission(signer, line.encode())
        pending.append(PendingClaim(parse_claim(record), line,
                                    None if signer is None else key_id(public_key_bytes(signer)),
                                    signature))  # fmt: skip
    store.claims.add(pending, files=["claims.jsonl"])
    uids = [p.uid for p in pending]
    store.claims.set_verdicts([
        {"claim_uid": uids[0], "label": "corroborated", "reason": "incident a",
         "coverage": 0.75, "details": {"incidents": ["a" * 64], "distance_km": 1.5}},
        {"claim_uid": uids[1], "label": "overstated", "reason": "estimate 120",
         "coverage": None, "details": {"estimate": 120}},
    ])  # fmt: skip
    retract(store.engine, store.ledger, uid, "analyst", "a duplicate report")
    with store.engine.begin() as conn:  # a head the witnesses cosigned, as published
        head = store.ledger.latest_tree_head(conn)
        assert head is not None
        add_cosigned_head(conn, store.ledger, "test.example/log", head.tree_size,
                          head.root_hash, "test.example/log\n…\n", ["ua.example/w",
                          "ru.example/w"], T0)  # fmt: skip


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql",
                                                               marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
          ) -> Iterator[Store]:  # fmt: skip
    from tests.conftest import PG_URL, _postgres_available, _reset_postgres

    media_dir = tmp_path_factory.mktemp("media")
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('tamper') / 'store.db'}"
    else:
        if not _postgres_available(PG_URL):
            pytest.skip(f"PostgreSQL not reachable at {PG_URL}")
        _reset_postgres(PG_URL)
        url = PG_URL
    built = _build(url, media_dir)
    yield built
    built.close()


def _changed(col: Any, v: Any, conn: Connection) -> Any:
    """A different value of the column's type."""
    type_ = col.type
    if isinstance(type_, Float):
        return 1.0 if v is None else v + 0.5
    if isinstance(type_, Integer):
        return 1 if v is None else v + 1000
    if isinstance(type_, DateTime):
        return T0 if v is None else v + timedelta(seconds=1)
    if isinstance(type_, Date):
        return v + timedelta(days=1)
    if isinstance(type_, JSON):
        if isinstance(v, dict):
            return {**v, "tampered": 1}
        return [*(v or []), "tampered"] if isinstance(v, list) else {"tampered": 1}
    if isinstance(type_, LargeBinary):
        return bytes([v[0] ^ 1]) + bytes(v[1:])
    if isinstance(type_, String):
        if col.name == "observation_uid":  # an evidence link moved to another observation
            linked = select(t.incident_observations.c.observation_uid)
            free = select(t.observations.c.uid).where(t.observations.c.uid.not_in(linked))
            return conn.execute(free.limit(1)).scalar()
        if v is None:
            return "x"
        if type_.length == 1:
            return "A" if v != "A" else "B"
        return v[:-1] + ("z" if v[-1] != "z" else "y")
    raise AssertionError(f"no edit for {col}")


def _first(conn: Connection, table: Table) -> dict[str, Any]:
    pk = list(table.primary_key.columns)
    row = conn.execute(select(table).order_by(*pk).limit(1)).first()
    assert row is not None, f"the test store has no {table.name} row"
    return dict(row._mapping)


def _where(table: Table, row: dict[str, Any]) -> Any:
    from sqlalchemy import and_

    return and_(*[c == row[c.name] for c in table.primary_key.columns])


def _findings(store: Store, edit: Any) -> list[Any] | None:
    """Problems ``verify`` reports after ``edit(conn)`` (rolled back), made as someone with
    the database's own rights would: with the foreign-key checks switched off. None when
    the database still refuses the edit (a primary or unique key)."""
    with store.engine.connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        if sqlite:  # outside a transaction, or SQLite ignores it
            conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
            conn.commit()
        try:
            return _edited_findings(conn, edit)
        finally:
            if sqlite:
                conn.exec_driver_sql("PRAGMA foreign_keys=ON")
                conn.commit()


def _edited_findings(conn: Connection, edit: Any) -> list[Any] | None:
    trans = conn.begin()
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
    try:
        edit(conn)
    except IntegrityError:
        trans.rollback()
        return None
    try:
        return verify_store(conn, rows=True).problems
    finally:
        trans.rollback()


def test_the_untouched_store_verifies(store: Store) -> None:
    with store.engine.connect() as conn:
        report = verify_store(conn, rows=True)
    assert report.ok, report.problems


def _cases() -> list[Any]:
    return [pytest.param(tab.name, col.name, id=f"{tab.name}.{col.name}")
            for tab in TABLES for col in tab.columns]  # fmt: skip


@pytest.mark.parametrize(("table_name", "column"), _cases())
def test_every_single_column_edit_is_detected_and_named(store: Store, table_name: str,
                                                        column: str) -> None:  # fmt: skip
    table = t.metadata.tables[table_name]
    col = table.c[column]

    def edit(conn: Connection) -> None:
        row = _first(conn, table)
        conn.execute(update(table).where(_where(table, row)).values({column: _changed(
            col, row[column], conn)}))  # fmt: skip

    problems = _findings(store, edit)
    assert problems is not None, f"{table_name}.{column}: the database refused the edit"
    assert problems, f"{table_name}.{column}: an edit went unseen"
    if table is t.incident_observations:  # the links are checked as the incident's evidence
        assert {(p.table, p.field) for p in problems} >= {("incidents", "observations")}
        return
    named = [p for p in problems if p.table == table_name]
    assert named, f"{table_name}.{column}: not named: {[p.message for p in problems]}"
    if not col.primary_key:
        assert any(p.field == column for p in named), [p.message for p in named]


@pytest.mark.parametrize("table_name", [tab.name for tab in TABLES])
def test_every_row_deletion_is_detected(store: Store, table_name: str) -> None:
    table = t.metadata.tables[table_name]

    def edit(conn: Connection) -> None:
        conn.execute(delete(table).where(_where(table, _first(conn, table))))

    problems = _findings(store, edit)
    assert problems is not None, f"{table_name}: the database refused the deletion"
    assert problems, f"{table_name}: a deleted row went unseen"
    tables = {p.table for p in problems}
    assert table_name in tables or (table_name == "incident_observations"
                                    and "incidents" in tables), tables  # fmt: skip


@pytest.mark.parametrize("table_name", [tab.name for tab in TABLES])
def test_every_row_insertion_is_detected(store: Store, table_name: str) -> None:
    table = t.metadata.tables[table_name]

    def edit(conn: Connection) -> None:
        row = _first(conn, table)
        unique = [c for u in table.constraints if isinstance(u, UniqueConstraint)
                  for c in u.columns if not c.foreign_keys]  # fmt: skip
        for col in [*table.primary_key.columns, *unique]:
            row[col.name] = _changed(col, row[col.name], conn)
        if table is t.incident_observations:
            row["incident_uid"] = "b" * 64
        conn.execute(insert(table).values(row))

    problems = _findings(store, edit)
    assert problems, f"{table_name}: an inserted row went unseen"
    assert any(p.table in (table_name, "incidents") for p in problems), [p.message
                                                                        for p in problems]


def test_truncating_the_unsigned_tail_is_detected(store: Store) -> None:
    """Entries after the latest signed tree head (its own entry, later observations and
    their batch) removed: the rows they logged are named, on every backend."""

    def edit(conn: Connection) -> None:
        head = store.ledger.latest_tree_head(conn)
        assert head is not None and store.ledger.size(conn) > head.tree_size + 2
        conn.execute(delete(t.ledger_entries).where(t.ledger_entries.c.seq >= head.tree_size))

    problems = _findings(store, edit)
    assert problems is not None
    named = {(p.table, p.kind) for p in problems}
    assert ("ledger_tree_heads", "row_inserted") in named  # the head's own entry is gone
    assert ("observations", "row_inserted") in named
    assert ("import_batches", "row_inserted") in named


def test_an_edited_entry_is_named_not_raised(store: Store) -> None:
    """The probe's edit (``replace(entry, ':1', ':2')``, which on SQLite also turns the
    BLOB into TEXT) is reported against the entry's index."""

    def edit(conn: Connection) -> None:
        c = t.ledger_entries.c
        entry = bytes(conn.execute(select(c.entry).where(c.seq == 5)).scalar_one())
        changed = entry.replace(b":1", b":2")
        assert changed != entry
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("UPDATE ledger_entries SET entry = ? WHERE seq = 5",
                                 (changed.decode(),))  # fmt: skip
        else:
            conn.execute(update(t.ledger_entries).where(c.seq == 5).values(entry=changed))

    problems = _findings(store, edit)
    assert problems is not None
    assert {(p.index, p.kind) for p in problems} >= {(5, "leaf_hash"), (5, "not_canonical")}


def test_an_altered_or_missing_media_file_is_named(store: Store) -> None:
    """The bytes of a media file changed, then the file removed: ``verify`` names the
    file (its row's SHA-256) each time; restored, the store verifies again."""
    root = store.media_root
    assert root is not None
    with store.engine.connect() as conn:
        sha = conn.execute(select(t.media.c.sha256)).scalar_one()
    path = blob_path(root, sha)
    original = path.read_bytes()

    def findings() -> list[Any]:
        with store.engine.connect() as conn:
            report = verify_store(conn, rows=True, media_files=True, media_root=root)
        return [(p.kind, p.table, p.row, p.field) for p in report.problems]

    try:
        path.write_bytes(original[:-1] + bytes([original[-1] ^ 1]))
        assert findings() == [("media_file", "media", sha, "file")]
        path.unlink()
        assert findings() == [("media_file", "media", sha, "file")]
    finally:
        path.write_bytes(original)
    assert findings() == []
