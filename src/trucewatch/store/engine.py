"""Opening the store: engine creation, SQLite pragmas and Alembic migrations.

The embedded default is a SQLite file in the working directory (``trucewatch.db``) in WAL
mode; ``postgresql+psycopg://user@host:port/db`` selects a PostgreSQL server. The schema is
created and migrated on first use.
"""

from __future__ import annotations

import os
import threading
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError, ProgrammingError

from trucewatch.errors import StoreError

if TYPE_CHECKING:
    from alembic.config import Config

DEFAULT_DB_URL = "sqlite:///trucewatch.db"
DB_ENV_VAR = "TRUCEWATCH_DB"
SQLITE_CACHE_KIB = 256 * 1024
"""SQLite page cache per connection (KiB): large imports keep the uid index in memory."""


def default_db_url() -> str:
    """The store URL from ``$TRUCEWATCH_DB`` or the SQLite file ``trucewatch.db``."""
    return os.environ.get(DB_ENV_VAR) or DEFAULT_DB_URL


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
    cursor.close()


def create_store_engine(url: str) -> Engine:
    """Create an engine for ``url``; SQLite files get WAL mode and foreign keys."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise StoreError(f"--db {url!r}: not a database URL ({exc})") from exc
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:":
            parent = Path(database).expanduser().resolve().parent
            if not parent.is_dir():
                raise StoreError(f"--db {url!r}: folder {parent} does not exist")
        engine = create_engine(parsed)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    try:
        return create_engine(parsed, pool_pre_ping=True)
    except Exception as exc:  # missing driver, bad option
        raise StoreError(f"--db {url!r}: {exc}") from exc


def require_existing(engine: Engine) -> None:
    """Raise :class:`StoreError` unless ``engine`` names an existing trucewatch store: a
    SQLite file that exists, or a database with the schema's version table (read
    commands refuse to create an empty store from a mistyped ``--db``)."""
    url = engine.url
    where = url.render_as_string(hide_password=True)
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        path = Path(str(url.database)).expanduser()
        if not path.is_file():
            raise StoreError(f"--db {where!r}: no store at {path} (`trucewatch init` or an "
                             "import creates one)")  # fmt: skip
    if current_revision(engine) is None:
        raise StoreError(f"--db {where!r}: not a trucewatch store (no schema; `trucewatch "
                         "init` creates one)")  # fmt: skip


def current_revision(engine: Engine) -> str | None:
    """The schema revision of the store (None: no schema yet), read without Alembic."""
    try:
        with engine.connect() as connection:
            return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except (OperationalError, ProgrammingError) as exc:
        if _no_version_table(exc):
            return None
        raise StoreError(f"cannot open the store at {engine.url!r}: {exc.orig}") from exc


def _no_version_table(exc: Exception) -> bool:
    message = str(getattr(exc, "orig", exc)).lower()
    return "alembic_version" in message and ("no such table" in message
                                             or "does not exist" in message)  # fmt: skip


def _alembic_config() -> Config:
    from alembic.config import Config

    config = Config()
    script_location = resources.files("trucewatch.store") / "migrations"
    config.set_main_option("script_location", str(script_location))
    return config


def head_revision() -> str | None:
    """The newest migration revision shipped with this version (from Alembic)."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_alembic_config()).get_current_head()


def shipped_head() -> str:
    """The newest revision by the migration files' names (``NNNN_what.py`` revises
    ``NNNN``): the same as :func:`head_revision` (tested) without importing Alembic."""
    folder = resources.files("trucewatch.store") / "migrations" / "versions"
    names = [p.name for p in folder.iterdir() if p.name[:4].isdigit() and p.name.endswith(".py")]
    return max(names)[:4]


def migrate(engine: Engine, revision: str = "head") -> None:
    """Create or upgrade the schema to ``revision`` (default: the newest; idempotent).
    A store already at the newest revision is left without loading Alembic."""
    if revision == "head" and current_revision(engine) == shipped_head():
        return
    from alembic import command
    from alembic.runtime.migration import MigrationContext

    config = _alembic_config()
    wanted = head_revision() if revision == "head" else revision
    try:
        with engine.begin() as connection:
            current = MigrationContext.configure(connection).get_current_revision()
            if current == wanted:
                return
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
    except OperationalError as exc:
        raise StoreError(f"cannot open the store at {engine.url!r}: {exc.orig}") from exc


class WalCheckpointer:
    """Copies a SQLite store's write-ahead log into the database file from a thread of its
    own, so that no committing writer has to.

    SQLite checkpoints automatically inside the commit that takes the log past 1,000 pages,
    and that commit then waits for the copy and its fsync (tens to hundreds of ms): a
    latency spike for whoever committed. A server that writes all day (the API) turns the
    automatic checkpoint off on its connections and runs ``PRAGMA wal_checkpoint(PASSIVE)``
    every ``interval_s`` seconds here instead; PASSIVE never blocks readers or writers (it
    copies what it can and tries again next time). Does nothing for PostgreSQL.
    """

    def __init__(self, engine: Engine, interval_s: float = 1.0) -> None:
        self.engine = engine
        self.interval_s = interval_s
        self.checkpoints = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        if engine.dialect.name != "sqlite" or engine.url.database in (None, "", ":memory:"):
            return
        event.listen(engine, "connect", _no_autocheckpoint)
        engine.dispose()  # pooled connections were opened with the automatic checkpoint
        self._thread = threading.Thread(target=self._run, name="wal-checkpoint", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.interval_s):
            try:
                with self.engine.connect() as conn:
                    conn.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")
                self.checkpoints += 1
            except Exception:  # a busy or closing store: try again next time
                continue

    def close(self) -> None:
        """Stop the thread (the next connection's close checkpoints what is left)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(10)


def _no_autocheckpoint(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA wal_autocheckpoint=0")
    cursor.close()
