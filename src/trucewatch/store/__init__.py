"""The store: SQLAlchemy Core schema, Alembic migrations and the repository."""

from trucewatch.store.engine import DEFAULT_DB_URL, default_db_url
from trucewatch.store.repository import Store, StoredCounts

__all__ = ["DEFAULT_DB_URL", "Store", "StoredCounts", "default_db_url"]
