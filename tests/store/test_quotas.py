"""The daily quota counter (``submission_quotas``): a charge that would pass the quota
counts nothing, a rolled-back transaction takes its charge with it, and processes charging
one token at once never count past the quota. On SQLite and PostgreSQL."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

import trucewatch
from trucewatch.errors import QuotaExceeded
from trucewatch.store import Store
from trucewatch.store.quotas import DailyQuota, charge, used

AT = datetime(2025, 8, 14, 12, 0, tzinfo=UTC)
TOKEN = "a" * 64


def test_charges_up_to_the_quota_and_not_past_it(db_url: str) -> None:
    store = Store.open(db_url)
    try:
        q = DailyQuota(TOKEN, 10, AT)
        with store.engine.begin() as conn:
            assert charge(conn, q, 6) == 6
            assert charge(conn, q, 4) == 10
        with store.engine.begin() as conn, pytest.raises(QuotaExceeded) as refused:
            charge(conn, q, 1)
        assert (refused.value.quota, refused.value.used, refused.value.requested) == (10, 10, 1)
        assert refused.value.retry_after_s == 12 * 3600
        with store.engine.begin() as conn, pytest.raises(QuotaExceeded):
            charge(conn, DailyQuota("b" * 64, 10, AT), 11)  # a first charge too large
        with store.engine.connect() as conn:
            assert used(conn, TOKEN, date(2025, 8, 14)) == 10
            assert used(conn, "b" * 64, date(2025, 8, 14)) == 0
        with store.engine.begin() as conn:  # the next UTC day starts at zero
            assert charge(conn, DailyQuota(TOKEN, 10, datetime(2025, 8, 15, tzinfo=UTC)), 10) == 10
    finally:
        store.close()


def test_a_rolled_back_submission_takes_its_charge_with_it(db_url: str) -> None:
    store = Store.open(db_url)
    try:
        q = DailyQuota(TOKEN, 5, AT)
        with pytest.raises(RuntimeError), store.engine.begin() as conn:
            charge(conn, q, 5)
            raise RuntimeError("the submission failed after its charge")
        with store.engine.begin() as conn:
            assert charge(conn, q, 5) == 5
    finally:
        store.close()


WORKER = """
import sys
from datetime import datetime
from trucewatch.errors import QuotaExceeded
from trucewatch.store import Store
from trucewatch.store.quotas import DailyQuota, charge

url, token, quota, tries, at = sys.argv[1:]
store = Store.open(url)
counted = 0
for _ in range(int(tries)):  # one charge of one record per transaction
    try:
        with store.engine.begin() as conn:
            charge(conn, DailyQuota(token, int(quota), datetime.fromisoformat(at)), 1)
        counted += 1
    except QuotaExceeded:
        pass
store.close()
print(counted)
"""


def test_processes_charging_at_once_never_pass_the_quota(db_url: str) -> None:
    Store.open(db_url).close()  # migrated before the processes start
    quota, processes, tries = 60, 3, 40
    src = str(Path(trucewatch.__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": src + os.pathsep + os.environ.get("PYTHONPATH", "")}
    args = [db_url, TOKEN, str(quota), str(tries), AT.isoformat()]
    procs = [subprocess.Popen([sys.executable, "-c", WORKER, *args], env=env, text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
             for _ in range(processes)]  # fmt: skip
    counted = []
    for p in procs:
        out, err = p.communicate(timeout=300)
        assert p.returncode == 0, err[-2000:]
        counted.append(int(out))
    assert sum(counted) == quota
    store = Store.open(db_url)
    try:
        with store.engine.connect() as conn:
            assert used(conn, TOKEN, AT.date()) == quota
    finally:
        store.close()
