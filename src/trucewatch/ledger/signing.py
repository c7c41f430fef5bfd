"""Ed25519 keys, signed submissions and signed tree heads (``cryptography``).

Key ids are the lowercase hex SHA-256 of the raw 32-byte public key.

**Submissions.** A monitor, sensor or party liaison signs what it submits (the raw record
bytes, e.g. one JSON line) with its registered key. The signed message is::

    "trucewatch-submission-v1" 0x00   25 bytes, ASCII then one zero byte
    SHA-256(payload)                  32 bytes

Signing the hash (with the domain prefix) rather than the payload lets anyone check a
signature from the log entry alone, which records the payload hash, the signer's key id and
the signature. The prefix keeps a submission signature from ever being valid as a tree-head
signature and vice versa.

**Tree heads.** The mission key signs the log size, root hash and time; the signed bytes
are given by :func:`trucewatch.ledger.verify.tree_head_message`.
"""

from __future__ import annotations

import hashlib
import os
import time as _time
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from trucewatch.ledger.errors import SignatureError
from trucewatch.ledger.verify import (
    SignedTreeHead,
    check_tree_head,
    key_id,
    tree_head_message,
    verify_tree_head,
)

__all__ = [
    "SUBMISSION_CONTEXT",
    "SUBMITTER_ROLES",
    "Ed25519PrivateKey",
    "Role",
    "SignedTreeHead",
    "check_tree_head",
    "generate_key",
    "key_id",
    "load_private_key",
    "private_key_pem",
    "public_key_bytes",
    "read_private_key",
    "sign_submission",
    "sign_tree_head",
    "submission_message",
    "verify_submission",
    "verify_submission_digest",
    "verify_tree_head",
    "write_private_key",
]

SUBMISSION_CONTEXT = b"trucewatch-submission-v1\x00"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class Role(StrEnum):
    """What a registered key may do."""

    MISSION = "mission"  # signs tree heads
    MONITOR = "monitor"  # submits patrol observations
    SENSOR = "sensor"  # an automatic sensor submitting detections
    LIAISON = "liaison"  # a party's liaison officer submitting complaints


SUBMITTER_ROLES: frozenset[Role] = frozenset({Role.MONITOR, Role.SENSOR, Role.LIAISON})
"""Roles whose keys may sign submissions."""

COMPLAINT_SOURCE_PREFIX = "complaint:"
"""Source id of a party's complaints: ``complaint:<party>``."""


def binding_problem(role: str, party: str | None, source: str | None) -> str | None:
    """Why a key of ``role`` (acting for ``party``) may not sign an observation of source id
    ``source`` (the entry's ``meta.source``), or None when it may: a party's complaint
    (``complaint:P``) only by a liaison key of party P, and a liaison key nothing else."""
    if source is None:
        return None if role != Role.LIAISON else "a liaison-signed entry must name its source"
    if source.startswith(COMPLAINT_SOURCE_PREFIX):
        complainant = source.removeprefix(COMPLAINT_SOURCE_PREFIX)
        if role != Role.LIAISON:
            return f"a {role} key may not sign party {complainant}'s complaint"
        if party != complainant:
            return f"the key acts for party {party}, not for {complainant} whose complaint it is"
        return None
    if role == Role.LIAISON:
        return f"a liaison key (party {party}) may sign its party's complaints only, not {source}"
    return None


# --------------------------------------------------------------------------- keys


def generate_key() -> Ed25519PrivateKey:
    """A new Ed25519 private key."""
    return Ed25519PrivateKey.generate()


def public_key_bytes(key: Ed25519PrivateKey | Ed25519PublicKey | bytes) -> bytes:
    """The raw 32-byte public key of a private key, public key or raw bytes (checked)."""
    if isinstance(key, Ed25519PrivateKey):
        key = key.public_key()
    if isinstance(key, Ed25519PublicKey):
        return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    if not isinstance(key, bytes) or len(key) != 32:
        raise SignatureError("an Ed25519 public key is 32 raw bytes")
    try:
        Ed25519PublicKey.from_public_bytes(key)
    except ValueError as exc:
        raise SignatureError(f"not an Ed25519 public key: {exc}") from exc
    return key


def private_key_pem(key: Ed25519PrivateKey, password: bytes | None = None) -> bytes:
    """PKCS#8 PEM of a private key, encrypted with ``password`` when given."""
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(password)
        if password
        else serialization.NoEncryption()
    )
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
    )


def load_private_key(pem: bytes, password: bytes | None = None) -> Ed25519PrivateKey:
    """Private key from PKCS#8 PEM; raises :class:`SignatureError` if it is not Ed25519."""
    try:
        key = serialization.load_pem_private_key(pem, password=password)
    except (ValueError, TypeError) as exc:
        raise SignatureError(f"cannot read the private key: {exc}") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise SignatureError("the private key is not an Ed25519 key")
    return key


def write_private_key(key: Ed25519PrivateKey, path: Path, password: bytes | None = None) -> None:
    """Write the key as PEM to a new file readable by its owner only (mode 0600)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(private_key_pem(key, password))


def read_private_key(path: Path, password: bytes | None = None) -> Ed25519PrivateKey:
    """Read a PEM private key file written by :func:`write_private_key`."""
    return load_private_key(Path(path).read_bytes(), password)


# --------------------------------------------------------------------------- submissions


def submission_message(payload_sha256: bytes) -> bytes:
    """The bytes signed for a submission whose payload has SHA-256 ``payload_sha256``."""
    if len(payload_sha256) != 32:
        raise SignatureError("a payload digest is 32 bytes")
    return SUBMISSION_CONTEXT + payload_sha256


def sign_submission(key: Ed25519PrivateKey, payload: bytes) -> str:
    """Signature (128 lowercase hex) of a submission's payload bytes."""
    return key.sign(submission_message(hashlib.sha256(payload).digest())).hex()


def verify_submission_digest(public_key: bytes, payload_sha256: str, signature: str) -> bool:
    """True when ``signature`` (hex) is the key's signature of the payload whose SHA-256 is
    ``payload_sha256`` (hex), as recorded in a log entry."""
    try:
        digest = bytes.fromhex(payload_sha256)
        sig = bytes.fromhex(signature)
        Ed25519PublicKey.from_public_bytes(public_key).verify(sig, submission_message(digest))
    except (InvalidSignature, ValueError, TypeError, SignatureError):
        return False
    return True


def verify_submission(public_key: bytes, payload: bytes, signature: str) -> bool:
    """True when ``signature`` (hex) is the key's signature of ``payload``."""
    return verify_submission_digest(public_key, hashlib.sha256(payload).hexdigest(), signature)


# --------------------------------------------------------------------------- tree heads


def sign_tree_head(
    key: Ed25519PrivateKey,
    tree_size: int,
    root_hash: bytes,
    timestamp: datetime | int | None = None,
) -> SignedTreeHead:
    """Sign a tree head; ``timestamp`` is an aware datetime or ms since the epoch (now)."""
    if timestamp is None:
        timestamp_ms = _time.time_ns() // 1_000_000
    elif isinstance(timestamp, datetime):
        if timestamp.tzinfo is None:
            raise SignatureError("tree head timestamp must be timezone-aware")
        timestamp_ms = (timestamp - _EPOCH) // timedelta(milliseconds=1)
    else:
        timestamp_ms = int(timestamp)
    message = tree_head_message(tree_size, timestamp_ms, root_hash)
    return SignedTreeHead(
        tree_size=tree_size,
        root_hash=root_hash,
        timestamp_ms=timestamp_ms,
        public_key=public_key_bytes(key),
        signature=key.sign(message),
    )
