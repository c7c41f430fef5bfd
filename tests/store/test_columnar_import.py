"""The columnar import of FIRMS archive files (sources/firms_columns, store/columnar): the
same rows and log entries as the row path, byte for byte; a verified log; idempotent
re-imports either way; and every file it cannot vouch for left to the row reader, whose
errors name the file, line and column (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from trucewatch.app.intake import import_files
from trucewatch.errors import InputError
from trucewatch.ledger import bulk
from trucewatch.sources import firms, firms_columns
from trucewatch.sources.firms_columns import read_columns
from trucewatch.store import Store
from trucewatch.store.columnar import encode_columns
from trucewatch.store.ledger_verify import verify_store
from trucewatch.store.observations import PAYLOAD_SHA256, rows_and_entries
from trucewatch.store.util import db_time_encoder

pytestmark = pytest.mark.skipif(not bulk.AVAILABLE,
                                reason="libcrypto not found: the columnar path is off")  # fmt: skip

RECEIVED = datetime(2026, 12, 2, 13, 0, 1, 250, tzinfo=UTC)
LATS = ["47.8781", "-33.5", "0.0001", "1e-05", "45", "89.99999999", "-0.5", "+12.25", "50.10"]
LONS = ["35.158", "179.9999", "-180", "0", "33.4482", "2.5E1", "-1.125", "30.000001", "7"]


def _firms(path: Path, rows: int, *, header: str = "LATITUDE,LONGITUDE,ACQ_DATE",
           extra: str = "") -> Path:  # fmt: skip
    """``rows`` distinct rows in varied spellings of numbers, over a few days."""
    lines = [f"{LATS[i % 9]},{LONS[(i // 9) % 9]},2025-0{1 + i % 7}-{10 + (i // 81) % 19}"
             for i in range(rows)]  # fmt: skip
    path.write_text(header + "\n" + "\n".join(lines) + "\n" + extra, encoding="ascii")
    return path


class _Sqlite:
    class dialect:
        name = "sqlite"


def test_rows_and_entries_are_the_row_paths_byte_for_byte(tmp_path: Path) -> None:
    path = _firms(tmp_path / "f.csv", 700)
    cols = read_columns(path, min_rows=0)
    assert cols is not None and cols.read == 700
    enc = encode_columns(cols, 7, RECEIVED)
    obs = list(firms.read(path))
    encoded = rows_and_entries(obs, 7, db_time_encoder(_Sqlite()), {}, RECEIVED)  # type: ignore[arg-type]
    rows, entries = encoded.rows, encoded.entries
    assert enc.uids == [r[0] for r in rows]
    assert enc.payloads == encoded.payloads == [o.payload for o in obs]
    assert enc.payload_sha256 == [r[PAYLOAD_SHA256] for r in rows]
    assert enc.locations == [r[9] for r in rows]
    assert enc.entries == [e.encode() for e in entries]
    assert cols.lat.tolist() == [r[8] for r in rows] and cols.lon.tolist() == [r[7] for r in rows]


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("quotes", 'latitude,longitude,acq_date\n"47.1",35.2,2025-08-01\n'),
        ("out of range", "latitude,longitude,acq_date\n95.0,35.2,2025-08-01\n"),
        ("not a date", "latitude,longitude,acq_date\n47.1,35.2,2025-02-30\n"),
        ("blank line", "latitude,longitude,acq_date\n47.1,35.2,2025-08-01\n\n47.2,35.2,2025-08-02\n"),  # noqa: E501
        ("crlf", "latitude,longitude,acq_date\r\n47.1,35.2,2025-08-01\r\n"),
        ("fields", "latitude,longitude,acq_date\n47.1,35.2,2025-08-01,1\n"),
        ("more columns", "latitude,longitude,acq_date,frp\n47.1,35.2,2025-08-01,3.5\n"),
        ("letters", "latitude,longitude,acq_date\n47.1,3x5,2025-08-01\n"),
        ("missing", "latitude,longitude,acq_date\n47.1,,2025-08-01\n"),
    ],
)
def test_files_it_cannot_vouch_for_go_to_the_row_reader(tmp_path: Path, name: str,
                                                        text: str) -> None:  # fmt: skip
    path = tmp_path / "f.csv"
    path.write_bytes(text.encode())
    assert read_columns(path, min_rows=0) is None, name


def _dump(url: str) -> tuple[list[tuple[object, ...]], list[bytes]]:
    store = Store.open(url)
    try:
        with store.engine.connect() as conn:
            obs = [tuple(r) for r in conn.exec_driver_sql(
                "SELECT uid, source_id, time_start, time_end, lon, lat, location, p.payload, "
                "payload_sha256, attributes FROM observations JOIN record_payloads p "
                "ON p.sha256 = payload_sha256 ORDER BY uid")]  # fmt: skip
            meta = [bytes(r[0]) for r in conn.exec_driver_sql(
                "SELECT entry FROM ledger_entries WHERE entry_type = 'observation' "
                "ORDER BY seq")]  # fmt: skip
            assert verify_store(conn, rows=True).ok
        return obs, meta
    finally:
        store.close()


def _without_time(entries: list[bytes]) -> list[bytes]:
    return [e[: e.index(b'"time":')] for e in entries]


def test_import_stores_and_logs_as_the_row_path(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _firms(tmp_path / "f.csv", 500, extra="47.8781,35.158,2025-01-10\n")  # a repeat
    row_url = f"sqlite:///{tmp_path / 'rows.db'}"
    Store.open(row_url).close()
    first_rows = import_files(Store.open(row_url), [path])  # small file: the row path
    monkeypatch.setattr(firms_columns, "MIN_ROWS", 0)
    store = Store.open(db_url)
    try:
        first = import_files(store, [path])
        again = import_files(store, [path])
    finally:
        store.close()
    counts = ("read", "stored", "duplicates", "rejected")
    assert [first[k] for k in counts] == [first_rows[k] for k in counts] == [501, 500, 1, 0]
    assert [again[k] for k in counts] == [501, 0, 501, 0]
    obs_rows, log_rows = _dump(row_url)
    obs_cols, log_cols = _dump(db_url)
    assert [r[:2] + r[4:6] + r[7:9] for r in obs_cols] == [r[:2] + r[4:6] + r[7:9]
                                                           for r in obs_rows]  # fmt: skip
    assert _without_time(log_cols) == _without_time(log_rows)


def test_row_path_and_columnar_path_see_each_others_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _firms(tmp_path / "f.csv", 300)
    url = f"sqlite:///{tmp_path / 's.db'}"
    store = Store.open(url)
    try:
        assert import_files(store, [path])["stored"] == 300
        monkeypatch.setattr(firms_columns, "MIN_ROWS", 0)
        bigger = _firms(tmp_path / "g.csv", 400)
        result = import_files(store, [bigger])
        assert (result["stored"], result["duplicates"]) == (100, 300)
    finally:
        store.close()


def test_a_bad_row_is_named_by_the_row_reader(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    monkeypatch.setattr(firms_columns, "MIN_ROWS", 0)
    path = _firms(tmp_path / "f.csv", 200, extra="47.1,181.5,2025-08-01\n")
    store = Store.open(f"sqlite:///{tmp_path / 's.db'}")
    try:
        with pytest.raises(InputError) as caught:
            import_files(store, [path])
        assert (caught.value.error.line, caught.value.error.field) == (202, "LONGITUDE")
        assert store.count_observations() == 0
    finally:
        store.close()


def test_digests_match_hashlib_and_zlib() -> None:
    import hashlib
    import zlib

    import numpy as np

    texts = [b"", b"a", bytes(range(256)) * 3, b"x" * 55, b"y" * 64]
    buf = np.frombuffer(b"".join(texts), np.uint8)
    ends = np.cumsum([len(t) for t in texts])
    starts = np.concatenate(([0], ends[:-1]))
    digests = bulk.sha256_rows(buf, starts, ends)
    assert [bytes(d) for d in digests] == [hashlib.sha256(t).digest() for t in texts]
    for t, a, b in zip(texts, starts, ends, strict=True):
        assert bulk.crc32_update(bulk.CRC_TABLE, 0, buf, int(a), int(b)) == zlib.crc32(t)
