"""Use cases of the submitters' keys: create one on a monitor's or sensor's own device,
register it with the mission, revoke it, list them, and sign a file's records with one.

Private keys are PEM files (mode 0600) that never enter the store; registering or revoking a
key is a logged ``key_added``/``key_revoked`` entry.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization

from trucewatch.app.ledger import read_key_file
from trucewatch.app.roles import OPERATOR, Permission, Principal, require
from trucewatch.errors import InputError, RecordError
from trucewatch.ledger.signing import (
    Role,
    generate_key,
    load_private_key,
    public_key_bytes,
    sign_submission,
    write_private_key,
)
from trucewatch.ledger.verify import key_id
from trucewatch.store import Store


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


def add_key(store: Store, public_key: str, role: str, owner: str, *, party: str | None = None,
            principal: Principal = OPERATOR) -> dict[str, Any]:  # fmt: skip
    """Register a submitter's public key (hex or PEM file) with a key role (monitor, sensor,
    liaison; a liaison key names the ``party`` whose complaints it may sign); logged as a
    ``key_added`` entry."""
    require(principal, Permission.MANAGE_MISSION)
    try:
        key_role = Role(role)
    except ValueError:
        known = ", ".join(r.value for r in Role)
        raise InputError(RecordError("key", None, "--role", f"unknown key role {role!r} "
                                     f"(one of {known})")) from None  # fmt: skip
    if (key_role is Role.LIAISON) != bool(party):
        raise InputError(RecordError("key", None, "--party", "a liaison key needs --party "
                                     "(the party it acts for); other keys take none"))  # fmt: skip
    raw = _public_key(public_key)
    with store.engine.begin() as conn:
        existing = store.ledger.get_key(conn, key_id(raw))
        if existing is not None:
            return {**_key_dict(existing), "created": False}
        registered = store.ledger.add_key(conn, raw, key_role, owner, party=party)
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
    return {"key_id": k.key_id, "role": k.role.value, "owner": k.owner, "party": k.party,
            "active": k.active,
            "revoked_at": None if k.revoked_at is None else str(k.revoked_at)}  # fmt: skip


def sign_file(path: Path, key_path: Path, out: Path, fmt: str | None = None) -> dict[str, Any]:
    """Sign every record of a submission file with a submitter key: one line per distinct
    record payload, ``{"payload_sha256", "signer", "signature"}``, for
    ``trucewatch import FILE --signatures OUT``. A bad record fails with its line."""
    from trucewatch import sources

    key = read_key_file(key_path)
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
