"""The store opens without Alembic when its schema is current: the head read from the
migration files' names is Alembic's head."""

from __future__ import annotations

from pathlib import Path

import pytest

from trucewatch.errors import StoreError
from trucewatch.store import Store
from trucewatch.store.engine import (
    create_store_engine,
    current_revision,
    head_revision,
    require_existing,
    shipped_head,
)


def test_shipped_head_is_alembics_head():
    assert shipped_head() == head_revision()


def test_current_revision_and_existing_stores(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 's.db'}"
    with pytest.raises(StoreError, match="no store at"):
        Store.open(url, create=False)
    assert not (tmp_path / "s.db").exists()
    Store.open(url).close()
    engine = create_store_engine(url)
    assert current_revision(engine) == shipped_head()
    require_existing(engine)
    Store.open(url, create=False).close()
    empty = create_store_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    with empty.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE other (x INTEGER)")
    assert current_revision(empty) is None
    with pytest.raises(StoreError, match="not a trucewatch store"):
        require_existing(empty)


def test_a_database_without_the_schema_is_refused_on_both_backends(db_url: str):
    with pytest.raises(StoreError, match=r"no store at|not a trucewatch store"):
        Store.open(db_url, create=False)
    Store.open(db_url).close()  # creating is still the default
    store = Store.open(db_url, create=False)
    try:
        assert store.lines() == []
    finally:
        store.close()
