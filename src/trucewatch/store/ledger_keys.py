"""Keys registered with the mission, in the store: the ``ledger_keys`` table, a projection
of the log (keys are added and revoked only by appending ``key_added`` / ``key_revoked``
entries, see :meth:`trucewatch.store.ledger.Ledger.append`).

:class:`KeyRegistry` reads the registrations and checks signed submissions against them;
:class:`PendingKeys` checks the key entries of a batch being appended, entry by entry, and
writes their effect once the whole batch is accepted. Times are UTC.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from trucewatch.ledger.entry import EntryType, LogEntry, sha256_hex
from trucewatch.ledger.errors import LedgerError, SignatureError
from trucewatch.ledger.signing import (
    SUBMITTER_ROLES,
    Role,
    binding_problem,
    verify_submission_digest,
)
from trucewatch.store import schema as t
from trucewatch.store.util import blob
from trucewatch.units import as_utc

KEY_TYPES = frozenset({EntryType.KEY_ADDED, EntryType.KEY_REVOKED})
"""The entry types that change the registrations."""

_ROLES = frozenset(r.value for r in Role)


@dataclass(frozen=True, kw_only=True)
class RegisteredKey:
    """A key registered with the mission (a row of ``ledger_keys``)."""

    key_id: str
    """SHA-256 of the public key, 64 lowercase hex."""
    public_key: bytes
    """The raw 32-byte Ed25519 public key."""
    role: Role
    """What its signatures may do: ``mission`` signs tree heads; ``monitor``, ``sensor``
    and ``liaison`` sign submissions (:data:`~trucewatch.ledger.signing.SUBMITTER_ROLES`)."""
    owner: str
    """Who holds the key."""
    party: str | None = None
    """The party a ``liaison`` key acts for (its signatures are valid on that party's
    complaints only); None for other keys."""
    added_at: datetime
    """When the ``key_added`` entry was logged (UTC)."""
    added_seq: int
    """Log index of the ``key_added`` entry."""
    revoked_at: datetime | None = None
    """When the ``key_revoked`` entry was logged (UTC): signatures by the key are refused
    from then on. None while the key is active."""
    revoked_seq: int | None = None
    """Log index of the ``key_revoked`` entry; None while the key is active."""

    @property
    def active(self) -> bool:
        """True until the key is revoked."""
        return self.revoked_seq is None


class KeyRegistry:
    """Reading the registered keys and checking signed submissions against them (the key
    half of :class:`~trucewatch.store.ledger.Ledger`)."""

    def get_key(self, conn: Connection, key_id_hex: str) -> RegisteredKey | None:
        """The registration of a key (active or revoked), or None."""
        row = conn.execute(
            select(t.ledger_keys).where(t.ledger_keys.c.key_id == key_id_hex)
        ).first()
        return None if row is None else _registered_key(row)

    def active_key(self, conn: Connection, key_id_hex: str) -> RegisteredKey | None:
        """The registration of a key if it is registered and not revoked, else None."""
        key = self.get_key(conn, key_id_hex)
        return key if key is not None and key.active else None

    def keys(
        self, conn: Connection, *, role: Role | str | None = None, active_only: bool = False
    ) -> list[RegisteredKey]:
        """Registered keys in the order they were added."""
        c = t.ledger_keys.c
        query = select(t.ledger_keys).order_by(c.added_seq)
        if role is not None:
            query = query.where(c.role == Role(role).value)
        if active_only:
            query = query.where(c.revoked_seq.is_(None))
        return [_registered_key(r) for r in conn.execute(query)]

    def check_submission(
        self,
        conn: Connection,
        payload: bytes,
        signer: str | None,
        signature: str | None,
        *,
        roles: Collection[Role] = SUBMITTER_ROLES,
    ) -> RegisteredKey:
        """Accept a signed submission or raise :class:`SignatureError` saying why: no
        signature, unknown key, revoked key, a role that may not submit, or a signature that
        does not verify (payload altered or another key)."""
        return self.check_submission_digest(conn, sha256_hex(payload), signer, signature,
                                            roles=roles)  # fmt: skip

    def check_submission_digest(
        self,
        conn: Connection,
        digest: str,
        signer: str | None,
        signature: str | None,
        *,
        roles: Collection[Role] = SUBMITTER_ROLES,
    ) -> RegisteredKey:
        """:meth:`check_submission` for a payload known by its SHA-256 (hex)."""
        if not signer or not signature:
            raise SignatureError("submission is not signed: give the key id and signature")
        key = self.get_key(conn, signer)
        if key is None:
            raise SignatureError(f"key {signer} is not registered with the mission")
        if not key.active:
            raise SignatureError(f"key {signer} ({key.owner}) was revoked at {key.revoked_at}")
        if key.role not in roles:
            raise SignatureError(f"key {signer} has role {key.role.value}, which may not submit")
        if not verify_submission_digest(key.public_key, digest, signature):
            raise SignatureError(
                f"signature does not verify with key {signer}: payload altered or signed "
                "with another key"
            )
        return key


class PendingKeys:
    """Key registrations as a batch being appended changes them: checked entry by entry,
    written only once the whole batch is accepted."""

    def __init__(self, registry: KeyRegistry, conn: Connection) -> None:
        self.registry, self.conn = registry, conn
        self.keys: dict[str, RegisteredKey | None] = {}
        self.added: list[RegisteredKey] = []
        self.revoked: list[RegisteredKey] = []

    def get(self, kid: str) -> RegisteredKey | None:
        if kid not in self.keys:
            self.keys[kid] = self.registry.get_key(self.conn, kid)
        return self.keys[kid]

    def apply(self, entry: LogEntry, seq: int) -> None:
        """Check a key entry against the registrations so far and record its effect."""
        current = self.get(entry.ref)
        if entry.type is EntryType.KEY_ADDED:
            if entry.role not in _ROLES:
                raise LedgerError(f"key {entry.ref}: role must be one of {sorted(_ROLES)}")
            if current is not None:
                raise LedgerError(f"key {entry.ref} is already registered")
            key = RegisteredKey(
                key_id=entry.ref,
                public_key=bytes.fromhex(entry.pubkey or ""),
                role=Role(entry.role),
                owner=entry.owner or "",
                party=entry.meta.get("party"),
                added_at=entry.time,
                added_seq=seq,
            )
            self.added.append(key)
        else:
            if current is None:
                raise LedgerError(f"cannot revoke key {entry.ref}: it is not registered")
            if not current.active:
                raise LedgerError(f"key {entry.ref} was already revoked at {current.revoked_at}")
            key = replace(current, revoked_at=entry.time, revoked_seq=seq)
            self.revoked.append(key)
        self.keys[entry.ref] = key

    def write(self) -> None:
        """Store the recorded registrations and revocations."""
        for key in self.added:
            self.conn.execute(
                insert(t.ledger_keys).values(
                    key_id=key.key_id,
                    public_key=key.public_key,
                    role=key.role.value,
                    owner=key.owner,
                    party=key.party,
                    added_at=key.added_at,
                    added_seq=key.added_seq,
                )
            )
        c = t.ledger_keys.c
        for key in self.revoked:
            self.conn.execute(
                update(t.ledger_keys)
                .where(c.key_id == key.key_id)
                .values(revoked_at=key.revoked_at, revoked_seq=key.revoked_seq)
            )


def check_signed_entry(entry: LogEntry, seq: int, key: RegisteredKey | None, verify: bool) -> None:
    """Refuse a signed entry (at log index ``seq``) whose signer is not an active registered
    key or, when ``verify``, whose signature does not verify (:class:`SignatureError`)."""
    where = f"entry {seq} ({entry.type.value} {entry.ref})"
    if key is None:
        raise SignatureError(f"{where}: signer key {entry.signer} is not registered")
    if not key.active:
        raise SignatureError(f"{where}: signer key {entry.signer} was revoked at {key.revoked_at}")
    if verify and not verify_submission_digest(key.public_key, entry.sha256, entry.sig or ""):
        raise SignatureError(f"{where}: signature does not verify with key {entry.signer}")
    unbound = binding_problem(key.role.value, key.party, entry.meta.get("source"))
    if unbound is not None:
        raise SignatureError(f"{where}: signer key {entry.signer} ({key.owner}): {unbound}")


def _registered_key(r: Any) -> RegisteredKey:
    return RegisteredKey(
        key_id=r.key_id,
        public_key=blob(r.public_key),
        role=Role(r.role),
        owner=r.owner,
        party=r.party,
        added_at=as_utc(r.added_at),
        added_seq=int(r.added_seq),
        revoked_at=None if r.revoked_at is None else as_utc(r.revoked_at),
        revoked_seq=None if r.revoked_seq is None else int(r.revoked_seq),
    )
