"""The API's view of the Merkle log (issue 8), used only when it exists and works.

:meth:`LedgerView.probe` returns None when ``trucewatch.store.ledger`` cannot be imported
or the store has no ledger tables; every route that needs the log then answers 503 with a
reason. This module is the seam between the API and the ledger: it calls
:class:`trucewatch.store.ledger.Ledger` and turns its objects into the published JSON forms
(``SignedTreeHead.to_json``, ``InclusionProof.to_json``, ``ConsistencyProof.to_json``), which
``python -m trucewatch.ledger.verify`` checks.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import Connection, Engine, inspect

log = logging.getLogger("trucewatch.api")


class LedgerView:
    """Tree heads, proofs and signature checks. (The store itself logs every observation
    it stores, in the import's transaction.)"""

    def __init__(self, ledger: Any, module: Any) -> None:
        self._ledger = ledger
        self._m = module

    @classmethod
    def probe(cls, engine: Engine) -> LedgerView | None:
        """A view on the store's log, or None when the ledger is not available."""
        try:
            from trucewatch.ledger import entry as entry_module
            from trucewatch.store import ledger as store_ledger

            if not inspect(engine).has_table("ledger_entries"):
                return None
            view = cls(store_ledger.Ledger(), entry_module)
            with engine.connect() as conn:
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
