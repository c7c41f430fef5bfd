"""The read view of the Merkle log (issue 8), used only when it exists and works.

:meth:`LedgerView.probe` returns None when ``trucewatch.store.ledger`` cannot be imported
or the store has no ledger tables; the faces then say the log is unavailable. This module
is the seam between the faces and the ledger: it calls
:class:`trucewatch.store.ledger.Ledger` and turns its objects into the published JSON forms
(``SignedTreeHead.to_json``, ``InclusionProof.to_json``, ``ConsistencyProof.to_json``), which
``python -m trucewatch.ledger.verify`` checks. The views below each read in one connection;
they answer callers with :data:`~trucewatch.app.roles.Permission.READ_LEDGER`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, inspect

from trucewatch.app.roles import Permission, Principal, require
from trucewatch.app.session import Store
from trucewatch.app.views.errors import BadQuery, NotVisible
from trucewatch.store import queries as q

log = logging.getLogger("trucewatch.api")


class LedgerView:
    """Tree heads, proofs and signature checks. (The store itself logs every observation
    it stores, in the import's transaction.)"""

    def __init__(self, ledger: Any, module: Any) -> None:
        self._ledger = ledger
        self._m = module

    @classmethod
    def probe(cls, store: Store) -> LedgerView | None:
        """A view on the store's log, or None when the ledger is not available."""
        try:
            from trucewatch.ledger import entry as entry_module
            from trucewatch.store import ledger as store_ledger

            if not inspect(store.engine).has_table("ledger_entries"):
                return None
            view = cls(store_ledger.Ledger(), entry_module)
            with store.engine.connect() as conn:
                view.size(conn)
            return view
        except Exception as exc:  # an unfinished or broken ledger must not stop the API
            log.warning("ledger not available: %s", exc)
            return None

    def size(self, conn: Connection) -> int:
        return int(self._ledger.size(conn))

    def latest_head(self, conn: Connection) -> dict[str, Any] | None:
        head = self._ledger.latest_tree_head(conn)
        return None if head is None else dict(head.to_json())

    def heads(self, conn: Connection) -> list[dict[str, Any]]:
        return [dict(h.to_json()) for h in self._ledger.tree_heads(conn)]

    def find(self, conn: Connection, ref: str, entry_type: str | None = None) -> list[int]:
        return list(self._ledger.find(conn, ref, entry_type))

    def inclusion_proof(
        self, conn: Connection, index: int, tree_size: int | None = None
    ) -> dict[str, Any]:
        return dict(self._ledger.inclusion_proof(conn, index, tree_size).to_json())

    def consistency_proof(
        self, conn: Connection, old_size: int, new_size: int | None = None
    ) -> dict[str, Any]:
        return dict(self._ledger.consistency_proof(conn, old_size, new_size).to_json())

    def covered_size(self, conn: Connection) -> int | None:
        """Size of the latest signed tree head (proofs are against it), or None."""
        head = self._ledger.latest_tree_head(conn)
        return None if head is None else int(head.tree_size)

    def check_signature(
        self, conn: Connection, payload: bytes, signer: str | None, signature: str | None
    ) -> Any:
        """The registered key that signed ``payload``; raises the ledger's SignatureError."""
        return self._ledger.check_submission(conn, payload, signer, signature)


@dataclass(frozen=True)
class LedgerStatus:
    """The log's size (entries) and its latest signed tree head (JSON form), if any."""

    size: int
    tree_head: dict[str, Any] | None


@dataclass(frozen=True)
class Proofs:
    """Inclusion proofs (JSON forms) of the entries about a reference, against the tree
    head they were asked for (the latest one, as JSON, or None)."""

    proofs: list[dict[str, Any]]
    tree_head: dict[str, Any] | None


def ledger_status(store: Store, ledger: LedgerView, *, principal: Principal) -> LedgerStatus:
    require(principal, Permission.READ_LEDGER)
    with store.engine.connect() as conn:
        return LedgerStatus(ledger.size(conn), ledger.latest_head(conn))


def tree_heads(store: Store, ledger: LedgerView, *, principal: Principal) -> list[dict[str, Any]]:
    """Every signed tree head (JSON forms), oldest first."""
    require(principal, Permission.READ_LEDGER)
    with store.engine.connect() as conn:
        return ledger.heads(conn)


def proofs_about(
    store: Store,
    ledger: LedgerView,
    ref: str,
    entry_type: str | None = None,
    tree_size: int | None = None,
    *,
    principal: Principal,
    published_before: datetime | None = None,
) -> Proofs:
    """Inclusion proofs of the log entries about ``ref`` (an observation uid, ...) in the
    first ``tree_size`` entries (default: the size of the latest signed tree head). A
    caller who sees published findings only gets proofs about what it may see
    (:func:`trucewatch.store.queries.ref_visible` against ``published_before``, default
    now); anything else answers as if there were no entry."""
    require(principal, Permission.READ_LEDGER)
    with store.engine.connect() as conn:
        head = ledger.latest_head(conn)
        size = tree_size if tree_size is not None else (None if head is None else
                                                        int(head["tree_size"]))  # fmt: skip
        if size is None:
            raise NotVisible("no signed tree head yet: proofs need one")
        if size > ledger.size(conn):
            raise BadQuery(f"tree_size {size} is larger than the log", field="tree_size")
        visible = principal.can(Permission.READ_ALL_INCIDENTS) or q.ref_visible(
            conn, ref, published_before or datetime.now(UTC), principal.name)
        indices = [i for i in ledger.find(conn, ref, entry_type) if i < size] if visible else []
        if not indices:  # the same answer for what is not there and what is not visible
            raise NotVisible(f"no log entry about {ref!r} in the first {size} entries")
        return Proofs([ledger.inclusion_proof(conn, i, size) for i in indices], head)


def consistency_proof(
    store: Store, ledger: LedgerView, old_size: int, new_size: int | None = None, *,
    principal: Principal,
) -> dict[str, Any]:
    """The consistency proof (JSON form) between two tree sizes (``new_size`` default: the
    latest signed tree head's, else the whole log)."""
    require(principal, Permission.READ_LEDGER)
    with store.engine.connect() as conn:
        n = ledger.size(conn)
        if new_size is None:
            new_size = ledger.covered_size(conn) or n
        if not old_size <= new_size <= n:
            raise BadQuery(f"need 0 <= old_size <= new_size <= {n}", field="old_size")
        return ledger.consistency_proof(conn, old_size, new_size)
