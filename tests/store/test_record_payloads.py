"""A record's text is stored once (``record_payloads``, migration 0017), however many
events it holds; every observation still reads it back, re-imports store nothing, the log
verifies and names an altered text, and the migration moves the texts both ways, on SQLite
and PostgreSQL."""

from __future__ import annotations

import hashlib
import json
import threading
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from sqlalchemy import func, select

from trucewatch.app.intake import import_files
from trucewatch.ledger.rows import row_digest
from trucewatch.store import Store
from trucewatch.store import queries as q
from trucewatch.store import schema as t
from trucewatch.store.coverage import OBSERVATIONS, latest_logged, normalize
from trucewatch.store.engine import _alembic_config, create_store_engine
from trucewatch.store.ledger_verify import observation_references, verify_store
from trucewatch.store.observations import store_payloads

EVENTS = 200


def patrol_line(events: int = EVENTS, place: str = "post 7") -> str:
    """One patrol record (a JSON line) with ``events`` events."""
    record = {
        "date": "2025-08-14", "observer_place": place, "observer_lon": 37.30,
        "observer_lat": 48.35, "time_start": "08:10", "time_end": "09:00",
        "timezone": "Europe/Kyiv", "source_id": "team-7",
        "events": [{"count": 1 + i % 5, "kind": "mortar", "directions": ["west"],
                    "distance_km_min": 2, "distance_km_max": 4} for i in range(events)],
    }  # fmt: skip
    return json.dumps(record, separators=(",", ":"))


def _import(store: Store, tmp_path: Path, *lines: str) -> dict[str, Any]:
    path = tmp_path / "patrols.jsonl"
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return import_files(store, [path])


def _payload_rows(store: Store) -> list[tuple[str, str]]:
    with store.engine.connect() as conn:
        p = t.record_payloads.c
        return [tuple(r) for r in conn.execute(select(p.sha256, p.payload).order_by(p.sha256))]


def test_a_record_of_200_events_stores_its_text_once(db_url: str, tmp_path: Path) -> None:
    line, other = patrol_line(), patrol_line(3, place="post 8")
    store = Store.open(db_url)
    try:
        first = _import(store, tmp_path, line, other)
        assert (first["read"], first["stored"]) == (2, EVENTS + 3)
        texts = _payload_rows(store)
        assert sorted(texts) == sorted((hashlib.sha256(s.encode()).hexdigest(), s)
                                       for s in (line, other))  # fmt: skip
        with store.engine.connect() as conn:
            stored_chars = conn.execute(select(func.sum(func.length(t.record_payloads.c.payload)))
                                        ).scalar_one()  # fmt: skip
        assert stored_chars == len(line) + len(other)  # before 0017: 200 x len(line) + ...

        back = store.observations()
        assert len(back) == EVENTS + 3
        assert sum(o.payload == line for o in back) == EVENTS
        assert all(o.payload in (line, other) for o in back)
        with store.engine.connect() as conn:
            chain = q.get_observations(conn, [o.uid for o in back])
            page = q.find_observations(conn, q.ObservationFilter(), limit=1000)
        assert [s.observation for s in chain] == back
        assert [s.observation.payload for s in page.items] == [o.payload for o in back]

        again = _import(store, tmp_path, line, other)  # the same records: nothing new
        assert (again["stored"], again["duplicates"]) == (0, EVENTS + 3)
        assert _payload_rows(store) == texts
        with store.engine.connect() as conn:
            assert verify_store(conn, rows=True).ok
            refs = list(observation_references(conn))
            assert verify_store(conn, references=refs).ok
    finally:
        store.close()


def test_an_altered_record_text_is_named_with_its_observations(db_url: str,
                                                               tmp_path: Path) -> None:  # fmt: skip
    line = patrol_line(20)
    sha = hashlib.sha256(line.encode()).hexdigest()
    store = Store.open(db_url)
    try:
        _import(store, tmp_path, line)
        with store.engine.begin() as conn:
            conn.execute(sa.update(t.record_payloads).where(t.record_payloads.c.sha256 == sha)
                         .values(payload=line.replace("post 7", "post 9")))  # fmt: skip
        with store.engine.connect() as conn:
            problems = verify_store(conn, rows=True).problems
            refs = verify_store(conn, references=list(observation_references(conn))).problems
    finally:
        store.close()
    named = {(p.kind, p.table, p.row, p.field) for p in problems}
    assert ("row_altered", "record_payloads", sha, "payload") in named
    altered_rows = {p.row for p in problems if p.table == "observations"}
    assert len(altered_rows) == 20  # each observation of the record, by uid, field payload
    assert {p.field for p in problems if p.table == "observations"} == {"payload"}
    assert len([p for p in refs if p.kind == "reference"]) == 20


def test_two_writers_of_one_record_store_its_text_once(db_url: str) -> None:
    """The second writer's insert meets the first's (uncommitted, then committed) row and
    skips it, instead of failing on the key."""
    store = Store.open(db_url)
    line = patrol_line(2)
    sha = hashlib.sha256(line.encode()).hexdigest()
    failures: list[BaseException] = []

    def second() -> None:
        try:
            with store.engine.begin() as conn:
                store_payloads(conn, [sha], [line])
        except BaseException as exc:
            failures.append(exc)

    try:
        with store.engine.begin() as conn:
            store_payloads(conn, [sha, sha], [line, line])  # a repeat in one call, too
            writer = threading.Thread(target=second)
            writer.start()  # waits for this transaction's row (key lock / write lock)
        writer.join()
        with store.engine.begin() as conn:
            store_payloads(conn, [sha], [line])  # after both: nothing to add
        assert not failures, failures
        assert _payload_rows(store) == [(sha, line)]
    finally:
        store.close()


def _downgrade(store: Store, revision: str) -> None:
    config = _alembic_config()
    with store.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, revision)


def test_migration_0017_moves_the_texts_down_and_up(db_url: str, tmp_path: Path) -> None:
    """Down to 0016 each observation holds its record's text again, and the digest the
    log recorded for it is the digest of that 0016 row (so a store made before 0017 logged
    the same and still verifies); up again, one text per record and the log verifies."""
    line, other = patrol_line(30), patrol_line(2, place="post 8")
    store = Store.open(db_url)
    _import(store, tmp_path, line, other)
    before = {o.uid: o for o in store.observations()}
    _downgrade(store, "0016")
    store.close()

    engine = create_store_engine(db_url)
    with engine.connect() as conn:
        assert not sa.inspect(conn).has_table("record_payloads")
        old = sa.Table("observations", sa.MetaData(), autoload_with=conn)
        rows = [dict(r._mapping) for r in conn.execute(select(old))]
        logged = latest_logged(conn, OBSERVATIONS, list(before))
    engine.dispose()
    assert {r["uid"]: r["payload"] for r in rows} == {u: o.payload for u, o in before.items()}
    assert all(row_digest(normalize(OBSERVATIONS, r)) == logged[r["uid"]][0] for r in rows)

    store = Store.open(db_url)  # migrated to the newest again
    try:
        with store.engine.connect() as conn:
            columns = {c["name"] for c in sa.inspect(conn).get_columns("observations")}
            assert "payload" not in columns
            assert verify_store(conn, rows=True).ok
        assert sorted(p for _, p in _payload_rows(store)) == sorted([line, other])
        assert {o.uid: o for o in store.observations()} == before
    finally:
        store.close()
