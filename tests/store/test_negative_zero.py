"""A FIRMS detection at latitude or longitude -0.0: SQLite keeps a zero REAL without its
sign, so the readers take -0.0 as 0.0 and the row digest the log records is of what the
store keeps (`ledger verify` named such rows as altered on SQLite)."""

from __future__ import annotations

from pathlib import Path

import pytest

from trucewatch.app import intake
from trucewatch.app import ledger as app_ledger
from trucewatch.ledger import bulk
from trucewatch.store import Store

MINIMAL = "latitude,longitude,acq_date\n"


def _verified(url: str, path: Path) -> dict:
    store = Store.open(url)
    try:
        done = intake.import_files(store, [path])
        assert done["stored"] >= 1
        return app_ledger.verify(store)
    finally:
        store.close()


def test_a_detection_at_minus_zero_verifies(db_url: str, tmp_path: Path) -> None:
    path = tmp_path / "zero.csv"
    path.write_text(MINIMAL + "-0.0,-0.0,2025-08-12\n48.1,37.5,2025-08-12\n")
    report = _verified(db_url, path)
    assert report["ok"], report


@pytest.mark.skipif(not bulk.AVAILABLE, reason="the columnar path needs numba")
def test_the_columnar_path_takes_minus_zero_too(sqlite_url: str, tmp_path: Path) -> None:
    path = tmp_path / "large.csv"
    rows = [f"{47 + k * 1e-5:.5f},{36 + k * 1e-5:.5f},2025-08-12" for k in range(50_001)]
    path.write_text(MINIMAL + "-0.0,-0.0,2025-08-12\n" + "\n".join(rows) + "\n")
    report = _verified(sqlite_url, path)
    assert report["ok"], report
