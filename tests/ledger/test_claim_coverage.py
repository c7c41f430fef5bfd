"""Claims, their verdicts and retractions are logged row by row: a verdict adjudicated
again unchanged is not logged again, a changed one is, and the store verifies throughout."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from trucewatch.app import claims as app_claims
from trucewatch.ledger.entry import EntryType
from trucewatch.store import Store
from trucewatch.store import schema as t
from trucewatch.store.ledger_verify import verify_store

ITEM = ('{"type": "item", "claim_id": "UA-1", "claimant": "UA", "accused": "RU", '
        '"time_start_utc": "2025-04-20T10:00:00Z", "time_end_utc": "2025-04-20T11:00:00Z", '
        '"lon": 37.7, "lat": 48.0, "weapon": "artillery", "count": 12}\n')  # fmt: skip


def _entries(store: Store, kind: EntryType) -> list[int]:
    c = t.ledger_entries.c
    with store.engine.connect() as conn:
        return list(conn.execute(select(c.seq).where(c.entry_type == kind.value)).scalars())


def _verify(store: Store) -> list[str]:
    with store.engine.connect() as conn:
        return [p.message for p in verify_store(conn, rows=True).problems]


def test_verdicts_are_logged_when_they_change(tmp_path: Path) -> None:
    store = Store.open(f"sqlite:///{tmp_path / 'store.db'}")
    path = tmp_path / "claims.jsonl"
    path.write_text(ITEM)
    app_claims.import_claims(store, [path])
    uid = store.claims.list()[0].uid
    verdict = {"claim_uid": uid, "label": "unverified", "reason": "no coverage",
               "coverage": 0.0, "details": {"incidents": []}}  # fmt: skip
    store.claims.set_verdicts([verdict])
    assert len(_entries(store, EntryType.CLAIM_VERDICT)) == 1
    store.claims.set_verdicts([verdict])
    assert len(_entries(store, EntryType.CLAIM_VERDICT)) == 1  # unchanged: not logged again
    store.claims.set_verdicts([verdict | {"label": "corroborated", "coverage": 0.5}])
    assert len(_entries(store, EntryType.CLAIM_VERDICT)) == 2
    assert _verify(store) == []
    with store.engine.begin() as conn:
        conn.execute(t.claim_verdicts.update().values(label="refuted"))
    assert any("claim_verdicts" in m and "field label" in m for m in _verify(store))
    store.close()
