"""The scopes: what an agreement covers -> how its clauses read an event's kind and place.

Adding a scope is one module with a :class:`~.base.Scope` subclass and one line here; its
key becomes a word the loader accepts in ``scope`` (:data:`SCOPES`).
"""

from __future__ import annotations

from trucewatch.agreements.clauses.base import by_key
from trucewatch.agreements.scopes.air import AirScope
from trucewatch.agreements.scopes.base import Scope
from trucewatch.agreements.scopes.general import GeneralScope
from trucewatch.agreements.scopes.protected_sites import ProtectedSitesScope
from trucewatch.agreements.scopes.sea import SeaScope

__all__ = ["SCOPES", "SCOPE_TYPES", "scope_of"]

SCOPE_TYPES: dict[str, Scope] = by_key(
    GeneralScope(),
    ProtectedSitesScope(),
    SeaScope(),
    AirScope(),
)
"""Scopes by key, in the order of the file format."""

SCOPES: tuple[str, ...] = tuple(SCOPE_TYPES)
"""What an agreement covers: ``general`` all fire; ``protected_sites`` only strikes on the
listed sites; ``sea`` only incidents at sea; ``air`` only air and drone strikes."""


def scope_of(key: str) -> Scope:
    """The scope called ``key``; an unknown key (an agreement built by hand) reads as
    ``general``."""
    return SCOPE_TYPES.get(key, SCOPE_TYPES["general"])
