"""Ledger use cases for the command line (and later the API): verify the store against
the log, print an inclusion proof, register the mission key, sign a tree head, and manage
the submitters' keys (create one on a monitor's device, register it with the mission,
revoke it, sign a file's records with it).

Private keys are PEM files (``--key``, mode 0600); they never enter the store, only their
public keys (registered through logged ``key_added`` entries). Who may call what is checked
against :mod:`trucewatch.app.roles`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Connection, select

from trucewatch.app.roles import OPERATOR, Permission, Principal, require
from trucewatch.errors import InputError, RecordError
from trucewatch.ledger.errors import LedgerError
from trucewatch.ledger.signing import (
    Role,
    generate_key,
    load_private_key,
    public_key_bytes,
    read_private_key,
    sign_submission,
    write_private_key,
)
from trucewatch.ledger.verify import key_id
from trucewatch.store import Store
from trucewatch.store.ledger_verify import verify_store
from trucewatch.store.schema import observations


def _observation_references(conn: Connection) -> Iterator[tuple[str, str, str]]:
    """(type, uid, SHA-256 recomputed from the stored payload) of every observation."""
    c = observations.c
    query = select(c.uid, c.payload).execution_options(yield_per=50_000)
    for uid, payload in conn.execute(query):
        yield "observation", uid, hashlib.sha256(payload.encode("utf-8")).hexdigest()


def verify(store: Store, *, principal: Principal = OPERATOR) -> dict[str, Any]:
    """Check the log (leaf hashes, signed tree heads, signatures) and every stored
    observation against its logged hash: altered, unlogged or removed rows are named."""
    require(principal, Permission.READ_LEDGER)
    with store.engine.connect() as conn:
        report = verify_store(conn, references=_observation_references(conn))
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
    key = _read_key(key_path)
    with store.engine.begin() as conn:
        head = store.ledger.sign_tree_head(conn, key)
    return head.to_json()


# ---------------------------------------------------------------------- submitters' keys


def _read_key(key_path: Path) -> Ed25519PrivateKey:
    try:
        return read_private_key(key_path)
    except (OSError, ValueError) as exc:
        raise InputError(RecordError(str(key_path), None, "--key", str(exc))) from exc


def new_key(key_path: Path) -> dict[str, Any]:
    """Create a submitter's private key at ``key_path`` (mode 0600; on the monitor's or
    sensor's own device) and return the public key to register with the mission."""
    if key_path.exists():
        raise InputError(RecordError(str(key_path), None, "--out", "file exists; not overwritten"))
    key = generate_key()
    write_private_key(key, key_path)
    raw = public_key_bytes(key)
    return {"key": str(key_path), "public_key": raw.hex(), "key_id": key_id(raw)}


def _public_key(value: str) -> bytes:
    """A raw Ed25519 public key from 64 hex digits or a PEM file (public or private)."""
    text = value.strip()
    if len(text) == 64 and all(c in "0123456789abcdefABCDEF" for c in text):
        return bytes.fromhex(text)
    path = Path(value)
    try:
        pem = path.read_bytes()
    except OSError as exc:
        raise InputError(RecordError(value, None, "PUBLIC_KEY",
                                     "neither 64 hex digits nor a readable key file")) from exc
    try:
        return public_key_bytes(serialization.load_pem_public_key(pem))  # type: ignore[arg-type]
    except (ValueError, TypeError):
        try:
            return public_key_bytes(load_private_key(pem))
        except (ValueError, TypeError) as exc:
            raise InputError(RecordError(value, None, "PUBLIC_KEY",
                                         "not an Ed25519 key in PEM form")) from exc


def add_key(store: Store, public_key: str, role: str, owner: str, *,
            principal: Principal = OPERATOR) -> dict[str, Any]:  # fmt: skip
    """Register a submitter's public key (hex or PEM file) with a key role (monitor, sensor,
    liaison); logged as a ``key_added`` entry."""
    require(principal, Permission.MANAGE_MISSION)
    try:
        key_role = Role(role)
    except ValueError:
        known = ", ".join(r.value for r in Role)
        raise InputError(RecordError("key", None, "--role", f"unknown key role {role!r} "
                                     f"(one of {known})")) from None  # fmt: skip
    raw = _public_key(public_key)
    with store.engine.begin() as conn:
        existing = store.ledger.get_key(conn, key_id(raw))
        if existing is not None:
            return {**_key_dict(existing), "created": False}
        registered = store.ledger.add_key(conn, raw, key_role, owner)
    return {**_key_dict(registered), "created": True}


def revoke_key(store: Store, key: str, reason: str = "", *,
               principal: Principal = OPERATOR) -> dict[str, Any]:  # fmt: skip
    """Revoke a registered key (by key id); its later signatures are refused."""
    require(principal, Permission.MANAGE_MISSION)
    with store.engine.begin() as conn:
        found = store.ledger.get_key(conn, key.lower())
        if found is None:
            raise InputError(RecordError("key", None, "KEY_ID", f"no registered key {key!r}"))
        if not found.active:
            return {**_key_dict(found), "changed": False}
        revoked = store.ledger.revoke_key(conn, key.lower(), reason=reason)
    return {**_key_dict(revoked), "changed": True}


def list_keys(store: Store, *, principal: Principal = OPERATOR) -> dict[str, Any]:
    """Every registered key, active or revoked, in the order added."""
    require(principal, Permission.READ_LEDGER)
    with store.engine.connect() as conn:
        keys = store.ledger.keys(conn)
    return {"keys": [_key_dict(k) for k in keys]}


def _key_dict(k: Any) -> dict[str, Any]:
    return {"key_id": k.key_id, "role": k.role.value, "owner": k.owner, "active": k.active,
            "revoked_at": None if k.revoked_at is None else str(k.revoked_at)}  # fmt: skip


def sign_file(path: Path, key_path: Path, out: Path, fmt: str | None = None) -> dict[str, Any]:
    """Sign every record of a submission file with a submitter key: one line per distinct
    record payload, ``{"payload_sha256", "signer", "signature"}``, for
    ``trucewatch import FILE --signatures OUT``. A bad record fails with its line."""
    from trucewatch import sources

    key = _read_key(key_path)
    signer = key_id(public_key_bytes(key))
    lines: dict[str, str] = {}
    for o in sources.stream_file(path, fmt):
        if o.payload_sha256 not in lines:
            lines[o.payload_sha256] = json.dumps({
                "payload_sha256": o.payload_sha256, "signer": signer,
                "signature": sign_submission(key, o.payload.encode("utf-8")),
            })  # fmt: skip
    out.write_text("".join(line + "\n" for line in lines.values()), encoding="utf-8")
    return {"file": str(path), "records": len(lines), "signer": signer, "out": str(out)}
