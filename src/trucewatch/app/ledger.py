"""Use cases of the verifiable record: verify the store against the log, an inclusion
proof, the mission's signing key and signed tree heads. The submitters' keys are in
:mod:`trucewatch.app.keys`.

Private keys are PEM files (``--key``, mode 0600); they never enter the store, only their
public keys (registered through logged ``key_added`` entries). Who may call what is checked
against :mod:`trucewatch.app.roles`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from trucewatch.app.roles import OPERATOR, Permission, Principal, require
from trucewatch.errors import InputError, RecordError
from trucewatch.ledger.errors import LedgerError
from trucewatch.ledger.signing import (
    Role,
    generate_key,
    read_private_key,
    write_private_key,
)
from trucewatch.store import Store
from trucewatch.store.ledger_verify import verify_store


def verify(store: Store, *, principal: Principal = OPERATOR) -> dict[str, Any]:
    """Check the log (leaf hashes, signed tree heads, signatures) and every stored row of
    every covered table against the latest entry about it: altered, unlogged or removed
    rows are named with their table, row and field; and every media file against its
    name (a file missing or altered is named)."""
    require(principal, Permission.READ_LEDGER)
    with store.engine.connect() as conn:
        report = verify_store(conn, rows=True, media_files=True, media_root=store.media_root)
    return report.as_dict()


def proof(store: Store, ref: str, *, principal: Principal = OPERATOR) -> dict[str, Any]:
    """Inclusion proof of the latest log entry about ``ref`` (an observation uid, ...)
    against the latest signed tree head."""
    require(principal, Permission.READ_LEDGER)
    with store.engine.connect() as conn:
        indices = store.ledger.find(conn, ref)
        if not indices:
            raise InputError(RecordError("ledger", None, "ID", f"no log entry about {ref!r}"))
        head = store.ledger.latest_tree_head(conn)
        if head is None or indices[-1] >= head.tree_size:
            raise LedgerError(
                f"entry {indices[-1]} is not yet covered by a signed tree head: run "
                "`trucewatch ledger sign --key FILE` first"
            )
        inclusion = store.ledger.inclusion_proof(conn, indices[-1])
        entry = store.ledger.entry(conn, indices[-1])
    return {
        "ref": ref,
        "index": indices[-1],
        "entry": entry.decode().encode().decode("utf-8"),
        "proof": inclusion.to_json(),
        "tree_head": head.to_json(),
    }


def init_key(store: Store, key_path: Path, owner: str, *,
             principal: Principal = OPERATOR) -> dict[str, Any]:  # fmt: skip
    """Create the mission's signing key at ``key_path`` (mode 0600) and register its
    public key in the log (role ``mission``)."""
    require(principal, Permission.MANAGE_MISSION)
    if key_path.exists():
        raise InputError(RecordError(str(key_path), None, "--key", "file exists; not overwritten"))
    key = generate_key()
    with store.engine.begin() as conn:
        registered = store.ledger.add_key(conn, key, Role.MISSION, owner)
    write_private_key(key, key_path)
    return {"key_id": registered.key_id, "role": "mission", "owner": owner, "key": str(key_path)}


def sign(store: Store, key_path: Path, *, principal: Principal = OPERATOR) -> dict[str, Any]:
    """Sign a tree head for the whole log with the mission key in ``key_path``."""
    require(principal, Permission.MANAGE_MISSION)
    key = read_key_file(key_path)
    with store.engine.begin() as conn:
        head = store.ledger.sign_tree_head(conn, key)
    return head.to_json()


def read_key_file(key_path: Path) -> Ed25519PrivateKey:
    """A private key from a PEM file; an unreadable or malformed file is an
    :class:`InputError` naming it."""
    try:
        return read_private_key(key_path)
    except (OSError, ValueError) as exc:
        raise InputError(RecordError(str(key_path), None, "--key", str(exc))) from exc
