"""Opening the mission's store for a face (the command line, the API, the demo): the
faces hold a store only to hand it to the use cases."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from trucewatch.app.roles import OPERATOR, Principal
from trucewatch.store import Store, default_db_url

__all__ = ["Store", "default_db_url", "describe", "open_store"]


def open_store(url: str | None = None, *, create: bool = True,
               media_dir: Path | None = None) -> Store:  # fmt: skip
    """Open (creating or migrating) the store at ``url`` (default: ``$TRUCEWATCH_DB`` or
    ``sqlite:///trucewatch.db`` in the working directory); ``create=False``: refuse a
    store that does not exist (:meth:`Store.open`), as the read commands do;
    ``media_dir``: its media folder (default: ``$TRUCEWATCH_MEDIA_DIR``, or beside a
    SQLite file)."""
    return Store.open(url or default_db_url(), create=create, media_dir=media_dir)


def describe(store: Store, *, principal: Principal = OPERATOR) -> dict[str, Any]:
    """The store's address and how many observations it holds (``trucewatch init``)."""
    return {"db": str(store.engine.url), "observations": store.count_observations()}
