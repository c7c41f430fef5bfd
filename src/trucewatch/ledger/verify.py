"""Standalone verifier of the trucewatch log: what a party runs to check the record.

This one file is all a party needs besides Python 3.11+ and the ``cryptography`` package:
it imports nothing else from trucewatch, nor the store, SQLAlchemy or numpy, so it can be
copied alone and read in full. It checks

* a **signed tree head** (``sth.json``): the mission's Ed25519 signature over the log size,
  the Merkle root hash and the time;
* an **inclusion proof** (``proof.json`` with ``"kind": "inclusion"``) against a tree head:
  the entry is in the log the tree head describes, at the stated index;
* a **consistency proof** (``"kind": "consistency"``) between two tree heads: the later log
  contains the earlier one unchanged (nothing altered or removed, only appended).

Command line (exit status 0 = OK, 1 = verification failed, 2 = unreadable input)::

    python -m trucewatch.ledger.verify sth.json
    python -m trucewatch.ledger.verify proof.json sth.json [--content FILE]
    python -m trucewatch.ledger.verify proof.json old_sth.json new_sth.json
    (any of them with --key-id HEX to require the mission's published key)

Hashing is the Certificate Transparency tree of RFC 6962 / RFC 9162 section 2.1: leaf hash
``SHA-256(0x00 || entry)``, node hash ``SHA-256(0x01 || left || right)``, the empty tree
hashes to ``SHA-256("")``. The proof checks follow RFC 9162 sections 2.1.3.2 and 2.1.4.2
step by step. The signed bytes of a tree head are documented at :func:`tree_head_message`.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

HASH_SIZE = 32
"""Bytes in a SHA-256 digest: every leaf, node and root hash."""

LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"
EMPTY_ROOT = hashlib.sha256(b"").digest()
"""Root hash of the empty tree (RFC 9162: the hash of the empty string)."""

TREE_HEAD_CONTEXT = b"trucewatch-sth-v1\x00"
"""First bytes of every signed tree-head message (domain separation from other signatures)."""

FORMAT_VERSION = 1
"""Value of ``"v"`` in the JSON files this module reads and writes."""

_HEX_RE = re.compile(r"[0-9a-f]*")
_MAX_PATH = 64  # no tree below 2**64 leaves has a longer audit path


class VerificationError(Exception):
    """A proof or signature does not hold; the message says why in one line."""


class FormatError(ValueError):
    """A proof or tree-head file is not in the documented format."""


# --------------------------------------------------------------------------- hashing


def leaf_hash(entry: bytes) -> bytes:
    """RFC 9162 leaf hash: ``SHA-256(0x00 || entry)`` (32 bytes)."""
    return hashlib.sha256(LEAF_PREFIX + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """RFC 9162 interior node hash: ``SHA-256(0x01 || left || right)`` (32 bytes)."""
    return hashlib.sha256(NODE_PREFIX + left + right).digest()


def _check_hash(value: bytes, what: str) -> None:
    if len(value) != HASH_SIZE:
        raise VerificationError(f"{what} has {len(value)} bytes, expected {HASH_SIZE}")


def _left_sibling(fn: int, sn: int) -> bool:
    """Whether the next path element is a left sibling: ``LSB(fn)`` is set or ``fn == sn``
    (RFC 9162 section 2.1.3.2 step 4, section 2.1.4.2 step 6)."""
    return bool(fn & 1) or fn == sn


def _up(fn: int, sn: int, left: bool) -> tuple[int, int]:
    """``fn`` and ``sn`` one level up the tree, after a left sibling first right-shifted
    until ``LSB(fn)`` is set or ``fn`` is 0 (the same RFC steps)."""
    if left:
        while fn and not fn & 1:
            fn >>= 1
            sn >>= 1
    return fn >> 1, sn >> 1


# --------------------------------------------------------------------------- inclusion


def root_from_inclusion_proof(
    leaf: bytes, index: int, tree_size: int, path: Sequence[bytes]
) -> bytes:
    """The root hash implied by an audit path (RFC 9162 section 2.1.3.2, steps 1-4).

    ``leaf`` is the leaf hash, ``index`` its 0-based position, ``path`` the audit path
    (sibling hashes from the leaf upwards). Raises :class:`VerificationError` when the path
    cannot belong to that index and size.
    """
    if index < 0 or index >= tree_size:
        raise VerificationError(f"leaf index {index} is outside a tree of {tree_size} leaves")
    _check_hash(leaf, "leaf hash")
    fn, sn, r = index, tree_size - 1, leaf
    for position, p in enumerate(path):
        _check_hash(p, f"audit path element {position}")
        if sn == 0:
            raise VerificationError("audit path is longer than the tree is deep")
        left = _left_sibling(fn, sn)
        r = node_hash(p, r) if left else node_hash(r, p)
        fn, sn = _up(fn, sn, left)
    if sn != 0:
        raise VerificationError("audit path is shorter than the tree is deep")
    return r


def check_inclusion(
    leaf: bytes, index: int, tree_size: int, path: Sequence[bytes], root: bytes
) -> None:
    """Raise :class:`VerificationError` unless ``path`` proves leaf ``index`` in ``root``
    (RFC 9162 section 2.1.3.2, step 5 included)."""
    _check_hash(root, "root hash")
    if root_from_inclusion_proof(leaf, index, tree_size, path) != root:
        raise VerificationError(
            f"inclusion proof of leaf {index} does not lead to the root hash of the tree "
            f"of {tree_size} leaves"
        )


def verify_inclusion(
    leaf: bytes, index: int, tree_size: int, path: Sequence[bytes], root: bytes
) -> bool:
    """True when ``path`` proves that leaf hash ``leaf`` is leaf ``index`` of the tree of
    ``tree_size`` leaves whose root hash is ``root``."""
    try:
        check_inclusion(leaf, index, tree_size, path, root)
    except VerificationError:
        return False
    return True


# --------------------------------------------------------------------------- consistency


def check_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, path: Sequence[bytes]
) -> None:
    """Raise :class:`VerificationError` unless ``path`` proves that the tree of ``old_size``
    leaves with root ``old_root`` is a prefix of the tree of ``new_size`` leaves with root
    ``new_root`` (RFC 9162 section 2.1.4.2).

    Sizes 0 and equal sizes, which the RFC's algorithm leaves out, take an empty proof: an
    empty tree is a prefix of every tree, and equal sizes need equal roots.
    """
    _check_hash(old_root, "old root hash")
    _check_hash(new_root, "new root hash")
    if old_size < 0 or new_size < old_size:
        raise VerificationError(f"tree size went from {old_size} down to {new_size}")
    if old_size == 0 or old_size == new_size:
        if path:
            raise VerificationError("consistency proof should be empty for these sizes")
        if old_size == new_size and old_root != new_root:
            raise VerificationError(f"two different root hashes for the same size {old_size}")
        return
    _consistency_walk(old_size, new_size, old_root, new_root, list(path))


def _consistency_walk(
    first: int, second: int, first_hash: bytes, second_hash: bytes, path: list[bytes]
) -> None:
    """RFC 9162 section 2.1.4.2 steps 1-7 for ``0 < first < second``."""
    if not path:  # step 1
        raise VerificationError("consistency proof is empty")
    for position, c in enumerate(path):
        _check_hash(c, f"consistency path element {position}")
    if first & (first - 1) == 0:  # step 2: first is an exact power of 2
        path = [first_hash, *path]
    fn, sn = first - 1, second - 1  # step 3
    while fn & 1:  # step 4
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]  # step 5
    for c in path[1:]:  # step 6
        if sn == 0:
            raise VerificationError("consistency proof is longer than needed")
        left = _left_sibling(fn, sn)
        if left:
            fr = node_hash(c, fr)
        sr = node_hash(c, sr) if left else node_hash(sr, c)
        fn, sn = _up(fn, sn, left)
    if sn != 0:  # step 7
        raise VerificationError("consistency proof is shorter than needed")
    if fr != first_hash:
        raise VerificationError(
            f"consistency proof does not reproduce the old root hash (size {first}): "
            "the earlier log is not a prefix of the later one"
        )
    if sr != second_hash:
        raise VerificationError(
            f"consistency proof does not reproduce the new root hash (size {second})"
        )


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, path: Sequence[bytes]
) -> bool:
    """True when ``path`` proves the tree ``(old_size, old_root)`` is a prefix of the tree
    ``(new_size, new_root)``."""
    try:
        check_consistency(old_size, new_size, old_root, new_root, path)
    except VerificationError:
        return False
    return True


# --------------------------------------------------------------------------- tree heads


def tree_head_message(tree_size: int, timestamp_ms: int, root_hash: bytes) -> bytes:
    """The exact bytes the mission signs for a tree head (66 bytes)::

    "trucewatch-sth-v1" 0x00      18 bytes, ASCII then one zero byte
    tree_size                     8 bytes, unsigned big-endian
    timestamp_ms                  8 bytes, unsigned big-endian, ms since 1970-01-01 UTC
    root_hash                     32 bytes, the RFC 9162 root of the first tree_size leaves
    """
    if not 0 <= tree_size < 2**64 or not 0 <= timestamp_ms < 2**64:
        raise FormatError("tree size and timestamp must fit in 64 unsigned bits")
    if len(root_hash) != HASH_SIZE:
        raise FormatError(f"root hash has {len(root_hash)} bytes, expected {HASH_SIZE}")
    return (
        TREE_HEAD_CONTEXT
        + tree_size.to_bytes(8, "big")
        + timestamp_ms.to_bytes(8, "big")
        + root_hash
    )


def key_id(public_key: bytes) -> str:
    """Key id: lowercase hex SHA-256 of the raw 32-byte Ed25519 public key."""
    return hashlib.sha256(public_key).hexdigest()


@dataclass(frozen=True, kw_only=True)
class SignedTreeHead:
    """A tree head signed by the mission: the log had ``tree_size`` entries whose Merkle
    root is ``root_hash`` at ``timestamp_ms`` (ms since 1970-01-01 UTC).

    ``public_key`` is the raw 32-byte Ed25519 key that made ``signature`` (64 bytes) over
    :func:`tree_head_message`; its id, :attr:`key_id`, is what the mission publishes.
    """

    tree_size: int
    root_hash: bytes
    timestamp_ms: int
    public_key: bytes
    signature: bytes

    @property
    def key_id(self) -> str:
        """Hex SHA-256 of the signing public key."""
        return key_id(self.public_key)

    @property
    def time(self) -> datetime:
        """The timestamp as an aware UTC datetime."""
        return datetime.fromtimestamp(self.timestamp_ms / 1000, tz=UTC)

    def message(self) -> bytes:
        """The signed bytes (see :func:`tree_head_message`)."""
        return tree_head_message(self.tree_size, self.timestamp_ms, self.root_hash)

    def to_json(self) -> dict[str, Any]:
        """The published form (``sth.json``); hashes, keys and signature in lowercase hex."""
        return {
            "v": FORMAT_VERSION,
            "kind": "tree_head",
            "tree_size": self.tree_size,
            "root_hash": self.root_hash.hex(),
            "timestamp_ms": self.timestamp_ms,
            "key_id": self.key_id,
            "public_key": self.public_key.hex(),
            "signature": self.signature.hex(),
        }

    @classmethod
    def from_json(cls, data: Any) -> SignedTreeHead:
        """Parse the published form; raises :class:`FormatError` naming the bad field."""
        obj = _object(data, "tree_head")
        sth = cls(
            tree_size=_uint(obj, "tree_size"),
            root_hash=_hex(obj, "root_hash", HASH_SIZE),
            timestamp_ms=_uint(obj, "timestamp_ms"),
            public_key=_hex(obj, "public_key", 32),
            signature=_hex(obj, "signature", 64),
        )
        if obj.get("key_id") != sth.key_id:
            raise FormatError("field 'key_id' is not the SHA-256 of field 'public_key'")
        return sth


def check_tree_head(sth: SignedTreeHead, expected_key_id: str | None = None) -> None:
    """Raise :class:`VerificationError` unless the tree head's signature is valid (and made
    by the key ``expected_key_id`` when given)."""
    if expected_key_id is not None and sth.key_id != expected_key_id.lower():
        raise VerificationError(
            f"tree head is signed by key {sth.key_id}, not by the expected key {expected_key_id}"
        )
    try:
        Ed25519PublicKey.from_public_bytes(sth.public_key).verify(sth.signature, sth.message())
    except (InvalidSignature, ValueError) as exc:
        raise VerificationError(
            f"signature of the tree head (size {sth.tree_size}) is not valid for key {sth.key_id}"
        ) from exc


def verify_tree_head(sth: SignedTreeHead, expected_key_id: str | None = None) -> bool:
    """True when the tree head's signature is valid (by ``expected_key_id`` when given)."""
    try:
        check_tree_head(sth, expected_key_id)
    except VerificationError:
        return False
    return True


# --------------------------------------------------------------------------- proofs


@dataclass(frozen=True, kw_only=True)
class InclusionProof:
    """Proof that ``entry`` (its bytes; leaf hash ``leaf_hash``) is leaf ``index`` of the
    log of ``tree_size`` entries. ``path`` is the RFC 9162 audit path."""

    index: int
    tree_size: int
    leaf_hash: bytes
    path: tuple[bytes, ...]
    entry: bytes | None = None

    def to_json(self) -> dict[str, Any]:
        """The published form (``proof.json``); ``entry`` as its UTF-8 text."""
        out: dict[str, Any] = {
            "v": FORMAT_VERSION,
            "kind": "inclusion",
            "index": self.index,
            "tree_size": self.tree_size,
            "leaf_hash": self.leaf_hash.hex(),
            "path": [p.hex() for p in self.path],
        }
        if self.entry is not None:
            out["entry"] = self.entry.decode("utf-8")
        return out

    @classmethod
    def from_json(cls, data: Any) -> InclusionProof:
        """Parse the published form; a given ``entry`` must hash to ``leaf_hash``."""
        obj = _object(data, "inclusion")
        entry = obj.get("entry")
        if entry is not None and not isinstance(entry, str):
            raise FormatError("field 'entry' must be the entry's text")
        proof = cls(
            index=_uint(obj, "index"),
            tree_size=_uint(obj, "tree_size"),
            leaf_hash=_hex(obj, "leaf_hash", HASH_SIZE),
            path=_hex_list(obj, "path"),
            entry=None if entry is None else entry.encode("utf-8"),
        )
        if proof.entry is not None and leaf_hash(proof.entry) != proof.leaf_hash:
            raise FormatError("field 'leaf_hash' is not the leaf hash of field 'entry'")
        return proof

    def check(self, sth: SignedTreeHead) -> None:
        """Raise :class:`VerificationError` unless this proof holds against ``sth``."""
        if self.tree_size != sth.tree_size:
            raise VerificationError(
                f"proof is for a log of {self.tree_size} entries, the tree head is for "
                f"{sth.tree_size}"
            )
        check_inclusion(self.leaf_hash, self.index, self.tree_size, self.path, sth.root_hash)


@dataclass(frozen=True, kw_only=True)
class ConsistencyProof:
    """Proof that the log of ``old_size`` entries is a prefix of the log of ``new_size``."""

    old_size: int
    new_size: int
    path: tuple[bytes, ...]

    def to_json(self) -> dict[str, Any]:
        """The published form (``proof.json``)."""
        return {
            "v": FORMAT_VERSION,
            "kind": "consistency",
            "old_size": self.old_size,
            "new_size": self.new_size,
            "path": [p.hex() for p in self.path],
        }

    @classmethod
    def from_json(cls, data: Any) -> ConsistencyProof:
        """Parse the published form."""
        obj = _object(data, "consistency")
        return cls(
            old_size=_uint(obj, "old_size"),
            new_size=_uint(obj, "new_size"),
            path=_hex_list(obj, "path"),
        )

    def check(self, old: SignedTreeHead, new: SignedTreeHead) -> None:
        """Raise :class:`VerificationError` unless this proof links ``old`` to ``new``."""
        if (self.old_size, self.new_size) != (old.tree_size, new.tree_size):
            raise VerificationError(
                f"proof is between sizes {self.old_size} and {self.new_size}, the tree heads "
                f"are for {old.tree_size} and {new.tree_size}"
            )
        check_consistency(old.tree_size, new.tree_size, old.root_hash, new.root_hash, self.path)


# --------------------------------------------------------------------------- JSON fields


def _object(data: Any, kind: str) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise FormatError("expected a JSON object")
    if data.get("v") != FORMAT_VERSION:
        raise FormatError(f"field 'v' must be {FORMAT_VERSION}")
    if data.get("kind") != kind:
        raise FormatError(f"field 'kind' must be {kind!r}, not {data.get('kind')!r}")
    return data


def _uint(obj: dict[str, Any], name: str) -> int:
    value = obj.get(name)
    if type(value) is not int or not 0 <= value < 2**64:
        raise FormatError(f"field {name!r} must be an integer from 0 to 2**64 - 1")
    return value


def _hex_bytes(value: Any, name: str, size: int) -> bytes:
    if not isinstance(value, str) or len(value) != 2 * size or not _HEX_RE.fullmatch(value):
        raise FormatError(f"field {name!r} must be {size} bytes in lowercase hex")
    return bytes.fromhex(value)


def _hex(obj: dict[str, Any], name: str, size: int) -> bytes:
    return _hex_bytes(obj.get(name), name, size)


def _hex_list(obj: dict[str, Any], name: str) -> tuple[bytes, ...]:
    values = obj.get(name)
    if not isinstance(values, list) or len(values) > _MAX_PATH:
        raise FormatError(f"field {name!r} must be a list of at most {_MAX_PATH} hashes")
    return tuple(_hex_bytes(v, f"{name}[{i}]", HASH_SIZE) for i, v in enumerate(values))


# --------------------------------------------------------------------------- command line


_PARSERS: dict[str, Any] = {
    "tree_head": SignedTreeHead.from_json,
    "inclusion": InclusionProof.from_json,
    "consistency": ConsistencyProof.from_json,
}


def read_document(path: Path) -> SignedTreeHead | InclusionProof | ConsistencyProof:
    """Read ``sth.json`` or ``proof.json``; raises :class:`FormatError` naming the file."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise FormatError(f"{path}: cannot read JSON ({exc})") from exc
    except RecursionError as exc:
        raise FormatError(f"{path}: JSON nested too deeply to be a proof or tree head") from exc
    kind = data.get("kind") if isinstance(data, dict) else None
    parse = _PARSERS.get(kind) if isinstance(kind, str) else None
    if parse is None:
        raise FormatError(f"{path}: field 'kind' must be one of {sorted(_PARSERS)}")
    try:
        doc: SignedTreeHead | InclusionProof | ConsistencyProof = parse(data)
    except FormatError as exc:
        raise FormatError(f"{path}: {exc}") from exc
    return doc


def _describe_head(sth: SignedTreeHead) -> str:
    when = sth.time.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    return f"tree head of {sth.tree_size} entries signed at {when} by key {sth.key_id}"


def _describe_entry(proof: InclusionProof) -> str:
    if proof.entry is None:
        return f"entry {proof.index}"
    try:
        fields = json.loads(proof.entry)
        return f"entry {proof.index} ({fields['type']} {fields['ref']}, sha256 {fields['sha256']})"
    except (ValueError, KeyError, TypeError, RecursionError):
        return f"entry {proof.index}"


def content_forms(data: bytes) -> Iterator[tuple[str, bytes]]:
    """The byte strings whose SHA-256 the mission may have logged for a file a submitter
    sent, each with a description: the whole file; each line without its line ending (a
    leading UTF-8 byte-order mark removed), as a JSON Lines or CSV submission is logged;
    and for JSON, each record's **canonical JSON line** (keys sorted, separators ``,`` and
    ``:``, non-ASCII as UTF-8, numbers as Python's ``json`` writes them), as records sent
    in a JSON request body (``{"records": [...]}``) are logged."""
    yield "the whole file", data
    text = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    lines = text.split(b"\n")
    for number, line in enumerate(lines, 1):
        line = line.rstrip(b"\r")
        if line and (len(lines) > 1 or line != data):
            yield f"line {number}", line
    yield from _json_forms(text, lines)


def _canonical_line(record: Any) -> bytes:
    return json.dumps(record, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False).encode("utf-8")  # fmt: skip


def _json_forms(text: bytes, lines: list[bytes]) -> Iterator[tuple[str, bytes]]:
    """The logged forms of the records in a JSON request body or JSON Lines file."""
    body = _json_or_none(text)
    if isinstance(body, dict) and isinstance(body.get("records"), list):
        for i, record in enumerate(body["records"]):
            yield f"record {i} of the request's records (canonical JSON line)", _canonical_line(
                record)  # fmt: skip
        if isinstance(body.get("lines"), str):
            for n, line in enumerate(body["lines"].split("\n"), 1):
                if line.rstrip("\r"):
                    yield f"line {n} of the request's lines", line.rstrip("\r").encode("utf-8")
        return
    if isinstance(body, list):
        for i, record in enumerate(body):
            yield f"record {i} (canonical JSON line)", _canonical_line(record)
        return
    for number, line in enumerate(lines, 1):
        record = _json_or_none(line)
        if isinstance(record, dict):
            yield f"line {number} (canonical JSON line)", _canonical_line(record)


def _json_or_none(data: bytes) -> Any:
    try:
        return json.loads(data.decode("utf-8"))
    except (ValueError, RecursionError):
        return None


def _check_content(proof: InclusionProof, content: Path) -> str:
    """Check that the file ``content`` is (or holds) what the proven entry refers to."""
    if proof.entry is None:
        raise VerificationError("the proof carries no entry to compare the content with")
    try:
        logged = json.loads(proof.entry).get("sha256")
    except (ValueError, AttributeError, RecursionError):
        logged = None
    for where, form in content_forms(content.read_bytes()):
        if hashlib.sha256(form).hexdigest() == logged:
            return f"; {where} of {content} matches the logged SHA-256"
    digest = hashlib.sha256(content.read_bytes()).hexdigest()
    raise VerificationError(
        f"no part of {content} matches the logged SHA-256 {logged} (the whole file has "
        f"{digest}; each line and each JSON record were tried)"
    )


def run_check(files: Sequence[Path], key: str | None, content: Path | None) -> str:
    """Verify the given files (see the module docstring); return the OK message.

    Raises :class:`FormatError` for unreadable input and :class:`VerificationError` when a
    check fails.
    """
    docs = [read_document(f) for f in files]
    for doc in docs:
        if isinstance(doc, SignedTreeHead):
            check_tree_head(doc, key)
    match docs:
        case [SignedTreeHead() as sth]:
            return f"OK: {_describe_head(sth)}{_pin_note(key)}"
        case [InclusionProof() as proof, SignedTreeHead() as sth]:
            proof.check(sth)
            extra = _check_content(proof, content) if content is not None else ""
            return f"OK: {_describe_entry(proof)} is in the {_describe_head(sth)}{extra}" + (
                _pin_note(key)
            )
        case [ConsistencyProof() as proof_c, SignedTreeHead() as old, SignedTreeHead() as new]:
            proof_c.check(old, new)
            return (
                f"OK: the log of {old.tree_size} entries is unchanged at the start of the log "
                f"of {new.tree_size} entries (tree heads signed by key {new.key_id})"
                + _pin_note(key)
            )
    raise FormatError(
        "give sth.json, or proof.json (inclusion) sth.json, or proof.json (consistency) "
        "old_sth.json new_sth.json"
    )


def _pin_note(key: str | None) -> str:
    if key is not None:
        return ""
    return " (compare this key id with the one the mission published, or pass --key-id)"


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m trucewatch.ledger.verify",
        description="Check trucewatch tree heads and Merkle proofs (prints OK or the reason).",
    )
    parser.add_argument(
        "files",
        nargs="+",
        type=Path,
        help="sth.json | proof.json sth.json | proof.json old_sth.json new_sth.json",
    )
    parser.add_argument("--key-id", help="hex id of the mission key the tree heads must carry")
    parser.add_argument("--content", type=Path, help="file whose SHA-256 the entry must record")
    args = parser.parse_args(argv)
    try:
        print(run_check(args.files, args.key_id, args.content))
    except FormatError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except VerificationError as exc:
        print(f"FAILED: {exc}")
        return 1
    except OSError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
