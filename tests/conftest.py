"""Shared fixtures: store URLs for both backends and the path of the shared real data."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("TRUCEWATCH_SHARED_DATA") or REPO.parent / "shared" / "data")
"""The real data: ``$TRUCEWATCH_SHARED_DATA`` when set, else ../shared/data beside the repo."""


def _per_worker(url: str) -> str:
    """Under pytest-xdist (``make test`` runs two workers) each worker has its own
    database, ``<name>_<worker>`` (created on first use), so that one worker's reset never
    wipes the store of a test running in the other."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return url
    base, _, name = url.rpartition("/")
    return f"{base}/{name}_{worker}"


PG_URL = _per_worker(
    os.environ.get("TRUCEWATCH_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
)


def _shared_data_path(*parts: str) -> Path:
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"real data not available at {path} (needs ../shared beside the repo)")
    return path


@pytest.fixture
def shared_data() -> Callable[..., Path]:
    """``shared_data("firms", "viirs_nrt")``: a path under ../shared/data; skips the test,
    saying why, when the real data are not beside the repository."""
    return _shared_data_path


def _reset_postgres(url: str) -> None:
    """Empty the test database (drop the schema ``public`` and every table in it). PostGIS,
    where the server has it, stays installed in a schema of its own (``postgis``), so that
    each new store's migration finds it instead of creating it again (0.6 s a store)."""
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
        if conn.execute(text("SELECT 1 FROM pg_available_extensions WHERE name = 'postgis'")
                        ).first() is not None:  # fmt: skip
            conn.execute(text("CREATE SCHEMA IF NOT EXISTS postgis"))
            conn.execute(text("CREATE EXTENSION IF NOT EXISTS postgis SCHEMA postgis"))
    engine.dispose()


@functools.cache
def _create_database(url: str) -> None:
    """Create ``url``'s database when it does not exist (from the server's ``postgres``
    database), once per worker process; errors are left to the connection that follows."""
    base, _, name = url.rpartition("/")
    try:
        engine = create_engine(f"{base}/postgres", isolation_level="AUTOCOMMIT",
                               connect_args={"connect_timeout": 3})  # fmt: skip
        with engine.connect() as conn:
            exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"),
                                  {"n": name}).first()  # fmt: skip
            if exists is None:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
        engine.dispose()
    except Exception:
        pass


def _postgres_available(url: str) -> bool:
    if os.environ.get("PYTEST_XDIST_WORKER"):
        _create_database(url)
    try:
        engine = create_engine(url, connect_args={"connect_timeout": 3})
        with engine.connect():
            pass
        engine.dispose()
        return True
    except Exception:
        return False


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty store URL on each backend (SQLite file, PostgreSQL ``test``)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.db'}"
        return
    if not _postgres_available(PG_URL):
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL not reachable at {PG_URL} in CI")
        pytest.skip(f"PostgreSQL not reachable at {PG_URL}")
    _reset_postgres(PG_URL)
    yield PG_URL
    _reset_postgres(PG_URL)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A fresh SQLite store URL."""
    return f"sqlite:///{tmp_path / 'store.db'}"
