"""Is the server's store up: which database it is."""

from __future__ import annotations

from trucewatch.app.session import Store


def database_name(store: Store) -> str:
    """The store's database dialect (``sqlite`` or ``postgresql``)."""
    return store.engine.dialect.name
