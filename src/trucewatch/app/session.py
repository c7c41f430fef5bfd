"""Opening the mission's store for a face (the command line, the API, the demo): the
faces hold a store only to hand it to the use cases."""

from __future__ import annotations

from trucewatch.store import Store, default_db_url

__all__ = ["Store", "default_db_url", "open_store"]


def open_store(url: str | None = None) -> Store:
    """Open (creating or migrating) the store at ``url`` (default: ``$TRUCEWATCH_DB`` or
    ``sqlite:///trucewatch.db`` in the working directory)."""
    return Store.open(url or default_db_url())
