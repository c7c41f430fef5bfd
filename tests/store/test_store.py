"""The store on both backends: migrations, idempotent inserts, round trips."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from trucewatch.store import Store
from trucewatch.store.schema import metadata
from trucewatch.store.spatial import include_object
from trucewatch.types import (
    Attribution,
    BearingRangeLocation,
    ContactLine,
    EventKind,
    Flow,
    Incident,
    IncidentStatus,
    Observation,
    PlaceLocation,
    PointLocation,
    Sector,
    SourceKind,
)

T0 = datetime(2025, 8, 12, 6, 30, tzinfo=UTC)


def _obs(i: int, location=None, t=T0) -> Observation:
    return Observation(
        uid=f"{i:064x}",
        source_kind=SourceKind.PATROL,
        source_format="patrol",
        source_id="team-1",
        time_start=t,
        time_end=t + timedelta(minutes=30),
        location=location or PointLocation.isotropic(37.5 + i * 0.01, 48.0, 0.5),
        kind=EventKind.EXPLOSION,
        count=3,
        flow=Flow.INCOMING,
        reliability="B",
        credibility=2,
        payload=f'{{"n": {i}}}',
        payload_sha256=hashlib.sha256(f'{{"n": {i}}}'.encode()).hexdigest(),
        attributes={"synthetic": True},
    )


@pytest.mark.filterwarnings("ignore:Did not recognize type '.*geometry':sqlalchemy.exc.SAWarning")
def test_migrations_match_schema(db_url: str) -> None:
    """The migrated database has the tables of schema.py (PostGIS's ``geom`` columns of
    migration 0014 and its own table left out: :func:`spatial.include_object`)."""
    store = Store.open(db_url)
    with store.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_object": include_object})
        diff = compare_metadata(context, metadata)
    store.close()
    assert diff == []


def test_open_is_idempotent(db_url: str) -> None:
    Store.open(db_url).close()
    store = Store.open(db_url)
    assert store.count_observations() == 0
    store.close()


def test_observations_round_trip_and_duplicates(db_url: str) -> None:
    store = Store.open(db_url)
    observer = PointLocation.isotropic(37.6, 48.1, 0.1)
    batch = [
        _obs(1),
        _obs(2, BearingRangeLocation(observer=observer, bearings_deg=(315.0,),
                                     distance_km_min=3, distance_km_max=6)),
        _obs(3, PlaceLocation(place="Horlivka", ref_km=39, ref_direction="north-east",
                              ref_of="Donetsk")),
    ]
    first = store.add_observations(batch, files=["a.jsonl"])
    assert (first.stored, first.duplicates) == (3, 0)
    again = store.add_observations([*batch, _obs(4)], files=["a.jsonl"])
    assert (again.stored, again.duplicates) == (1, 3)
    assert store.count_observations() == 4
    back = {o.uid: o for o in store.observations()}
    assert back[batch[1].uid] == batch[1]
    assert back[batch[2].uid].location == batch[2].location
    assert back[batch[0].uid].time_start == T0
    assert back[batch[0].uid].time_start.tzinfo is not None
    store.close()


def test_store_records_the_hash_of_the_payload_it_stores(db_url: str) -> None:
    store = Store.open(db_url)
    wrong = _obs(7)
    object.__setattr__(wrong, "payload_sha256", "0" * 64)  # a reader's bug
    store.add_observations([wrong])
    (back,) = store.observations()
    assert back.payload_sha256 == hashlib.sha256(wrong.payload.encode()).hexdigest()
    store.close()


def test_duplicate_within_one_batch_counts_once(db_url: str) -> None:
    store = Store.open(db_url)
    counts = store.add_observations([_obs(1), _obs(1)])
    assert (counts.stored, counts.duplicates) == (1, 1)
    store.close()


def test_time_window_filter(db_url: str) -> None:
    store = Store.open(db_url)
    store.add_observations([_obs(1, t=T0), _obs(2, t=T0 + timedelta(days=1))])
    day = store.observations(T0.replace(hour=0), T0.replace(hour=0) + timedelta(days=1))
    assert [o.uid for o in day] == [_obs(1).uid]
    store.close()


def test_lines_are_versioned_and_reimport_is_unchanged(db_url: str) -> None:
    store = Store.open(db_url)
    line = ContactLine(id=None, name="test", valid_from=date(2025, 3, 13), length_km=10.0,
                       geometry_wkt="LINESTRING (37 48, 37.1 48.1)")
    sector = Sector(line_id=0, index=0, name="A", start_km=0, end_km=10,
                    geometry_wkt="LINESTRING (37 48, 37.1 48.1)")
    line_id, status = store.add_line(line, [sector])
    assert status == "created"
    assert store.add_line(line, [sector]) == (line_id, "unchanged")
    later = ContactLine(id=None, name="later", valid_from=date(2025, 4, 1), length_km=12.0,
                        geometry_wkt="LINESTRING (37 48, 37.2 48.1)")
    store.add_line(later, [])
    assert store.line_valid_on(date(2025, 3, 31)).name == "test"
    assert store.line_valid_on(date(2025, 4, 1)).name == "later"
    assert store.line_valid_on(date(2025, 1, 1)) is None
    assert [s.name for s in store.sectors(line_id)] == ["A"]
    store.close()


def test_incidents_replace_and_round_trip(db_url: str) -> None:
    store = Store.open(db_url)
    store.add_observations([_obs(1), _obs(2)])
    inc = Incident(
        uid="f" * 64, time_start=T0, time_end=T0 + timedelta(hours=1),
        location=PointLocation(lon=37.5, lat=48.0, cov_km2=((1.0, 0.2), (0.2, 2.0))),
        kind=EventKind.EXPLOSION, count=6, confidence=0.8, status=IncidentStatus.PROBABLE,
        attribution=Attribution(party="RU", probabilities={"RU": 0.7}, method="flow"),
        observation_uids=(_obs(1).uid, _obs(2).uid), source_kinds=(SourceKind.PATROL,),
        sector="Pokrovsk", held_by="UA", line_distance_km=-3.2, assessment={},
    )
    store.replace_incidents([inc])
    store.replace_incidents([inc])
    assert store.incidents() == [inc]
    assert store.incident_counts_per_day(date(2025, 8, 12), date(2025, 8, 13)) == {
        date(2025, 8, 12): 1
    }
    store.replace_incidents([], T0 - timedelta(hours=1), T0 + timedelta(hours=1))
    assert store.incidents() == []
    store.close()


def test_import_group_shares_one_transaction_and_counts_each_import(db_url: str) -> None:
    from sqlalchemy import text

    from trucewatch.store.observations import PendingImport

    store = Store.open(db_url)
    store.add_observations([_obs(0)])  # already stored before the group
    imports = [
        PendingImport(["a"], [_obs(0), _obs(1)], read=2),  # 0 is a duplicate of the store
        PendingImport(["b"], [_obs(1), _obs(2)], read=2),
        PendingImport(["c"], [], read=0),
    ]
    with store.engine.begin() as conn:
        out = store.import_group(conn, imports)
    ids = [i for i, _ in out]
    assert len(set(ids)) == 3
    assert [(c.stored, c.duplicates) for _, c in out] == [(1, 1), (1, 1), (0, 0)]
    with store.engine.connect() as conn:
        rows = conn.execute(text("SELECT uid, batch_id FROM observations")).all()
        batches = {r.id: (r.stored, r.duplicates, r.read) for r in conn.execute(
            text("SELECT id, stored, duplicates, read FROM import_batches"))}  # fmt: skip
        log = conn.execute(text("SELECT seq, entry FROM ledger_entries ORDER BY seq")).all()
    assert {r.uid: r.batch_id for r in rows} == {
        _obs(0).uid: rows[0].batch_id, _obs(1).uid: ids[0], _obs(2).uid: ids[1],
    }  # fmt: skip
    assert [batches[i] for i in ids] == [(1, 1, 2), (1, 1, 2), (0, 0, 0)]
    observed = [bytes(r.entry) for r in log if b'"type":"observation"' in bytes(r.entry)]
    assert len(observed) == 3  # one entry per stored observation, in order
    assert _obs(2).uid.encode() in observed[-1]
    assert len(log) == 3 + 4  # and one per import batch
    store.close()


def test_import_group_rolls_back_with_its_transaction(db_url: str) -> None:
    from trucewatch.store.observations import PendingImport

    store = Store.open(db_url)
    try:
        with store.engine.begin() as conn:
            store.import_group(conn, [PendingImport(["a"], [_obs(5)], read=1)])
            raise RuntimeError("the caller fails after the group was written")
    except RuntimeError:
        pass
    assert store.count_observations() == 0
    store.close()
