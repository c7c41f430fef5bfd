"""Ed25519 keys, signed submissions and signed tree heads."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trucewatch.ledger.errors import SignatureError
from trucewatch.ledger.merkle import MerkleTree
from trucewatch.ledger.signing import (
    generate_key,
    key_id,
    load_private_key,
    private_key_pem,
    public_key_bytes,
    read_private_key,
    sign_submission,
    sign_tree_head,
    submission_message,
    verify_submission,
    verify_submission_digest,
    verify_tree_head,
    write_private_key,
)
from trucewatch.ledger.verify import SignedTreeHead, tree_head_message

KEY = generate_key()
OTHER = generate_key()
PAYLOAD = b'{"date":"2025-08-13","events":[{"count":5,"kind":"mortar"}]}'


def test_key_id_is_sha256_of_raw_public_key() -> None:
    raw = public_key_bytes(KEY)
    assert len(raw) == 32
    assert key_id(raw) == hashlib.sha256(raw).hexdigest()
    assert public_key_bytes(KEY.public_key()) == raw == public_key_bytes(raw)


def test_public_key_bytes_refuses_wrong_length() -> None:
    with pytest.raises(SignatureError):
        public_key_bytes(b"short")


def test_pem_round_trip_with_and_without_password(tmp_path: Path) -> None:
    assert public_key_bytes(load_private_key(private_key_pem(KEY))) == public_key_bytes(KEY)
    path = tmp_path / "mission.pem"
    write_private_key(KEY, path, password=b"correct horse")
    assert path.stat().st_mode & 0o777 == 0o600
    assert public_key_bytes(read_private_key(path, b"correct horse")) == public_key_bytes(KEY)
    with pytest.raises(SignatureError):
        read_private_key(path, b"wrong")
    with pytest.raises(FileExistsError):
        write_private_key(KEY, path)


def test_submission_signature_verifies_and_detects_changes() -> None:
    sig = sign_submission(KEY, PAYLOAD)
    raw = public_key_bytes(KEY)
    assert len(sig) == 128
    assert verify_submission(raw, PAYLOAD, sig)
    assert verify_submission_digest(raw, hashlib.sha256(PAYLOAD).hexdigest(), sig)
    assert not verify_submission(public_key_bytes(OTHER), PAYLOAD, sig)  # wrong key
    assert not verify_submission(raw, PAYLOAD + b" ", sig)  # altered payload
    assert not verify_submission(raw, PAYLOAD, sig[:-2] + ("00" if sig[-2:] != "00" else "01"))


def test_submission_and_tree_head_signatures_are_not_interchangeable() -> None:
    root = MerkleTree().root()
    head = sign_tree_head(KEY, 0, root, 0)
    # the tree-head signature is not a submission signature of any digest prefix of it
    digest = head.message()[-32:]
    assert not verify_submission_digest(public_key_bytes(KEY), digest.hex(), head.signature.hex())
    assert submission_message(digest) != head.message()


def test_signed_tree_head_round_trip_and_tampering() -> None:
    tree = MerkleTree()
    tree.extend([b"a", b"b", b"c"])
    when = datetime(2025, 8, 12, 19, 30, tzinfo=UTC)
    head = sign_tree_head(KEY, 3, tree.root(), when)
    assert head.timestamp_ms == 1_755_027_000_000
    assert head.time == when
    assert verify_tree_head(head) and verify_tree_head(head, head.key_id)
    assert not verify_tree_head(head, key_id(public_key_bytes(OTHER)))
    assert SignedTreeHead.from_json(head.to_json()) == head
    for changed in (
        replace(head, tree_size=4),
        replace(head, timestamp_ms=head.timestamp_ms + 1),
        replace(head, root_hash=tree.root(2)),
        replace(head, public_key=public_key_bytes(OTHER)),  # wrong key
    ):
        assert not verify_tree_head(changed)


def test_tree_head_message_layout() -> None:
    message = tree_head_message(3, 1_755_027_000_000, bytes(range(32)))
    assert message[:18] == b"trucewatch-sth-v1\x00"
    assert int.from_bytes(message[18:26], "big") == 3
    assert int.from_bytes(message[26:34], "big") == 1_755_027_000_000
    assert message[34:] == bytes(range(32)) and len(message) == 66


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200), st.binary(min_size=0, max_size=80))
def test_fuzz_random_signatures_never_verify(payload: bytes, signature: bytes) -> None:
    assert not verify_submission(public_key_bytes(KEY), payload, signature.hex())
    assert not verify_submission_digest(public_key_bytes(KEY), payload.hex(), signature.hex())


@settings(max_examples=200, deadline=None)
@given(st.binary(min_size=1, max_size=200), st.integers(0, 10_000), st.integers(0, 7))
def test_fuzz_bit_flips_break_signatures(payload: bytes, position: int, bit: int) -> None:
    sig = bytearray(bytes.fromhex(sign_submission(KEY, payload)))
    raw = public_key_bytes(KEY)
    altered = bytearray(payload)
    altered[position % len(payload)] ^= 1 << bit
    assert not verify_submission(raw, bytes(altered), sig.hex())
    sig[position % 64] ^= 1 << bit
    assert not verify_submission(raw, payload, sig.hex())


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=200))
def test_fuzz_garbage_hex_is_refused(text: str) -> None:
    assert not verify_submission_digest(public_key_bytes(KEY), text, text)
