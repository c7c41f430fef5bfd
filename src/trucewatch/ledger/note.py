"""C2SP signed notes, checkpoints and cosignatures (Ed25519), as the witnesses speak them.

* **Signed note** (c2sp.org/signed-note): a UTF-8 text ending in a newline, a blank line,
  then signature lines ``— <key name> base64(4-byte key ID || signature)``. An Ed25519
  key's ID is ``SHA-256(name || 0x0A || 0x01 || public key)[:4]``; a verifier key (vkey) is
  ``<name>+<hex key ID>+base64(0x01 || public key)``.
* **Checkpoint** (c2sp.org/tlog-checkpoint): the note text ``<origin>\\n<tree size>\\n
  <base64 root hash>\\n``, signed by the log (here: the mission key, with the origin as key
  name).
* **Cosignature** (c2sp.org/tlog-cosignature, Ed25519, type 0x04): a witness signs
  ``"cosignature/v1\\ntime <t>\\n" || checkpoint text`` and the signature line carries
  ``key ID || u64 timestamp (big-endian) || 64-byte signature``; the key ID is
  ``SHA-256(name || 0x0A || 0x04 || public key)[:4]``.

Standard library and ``cryptography`` only.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import time as _time
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

ED25519 = 0x01
COSIGNATURE = 0x04
DASH = "\u2014"
MAX_SIGNATURES = 64
EMPTY_ROOT = hashlib.sha256(b"").digest()


class NoteError(ValueError):
    """A note, checkpoint, key or signature that is malformed or does not verify."""


def _raw(public: Ed25519PublicKey) -> bytes:
    return public.public_bytes(Encoding.Raw, PublicFormat.Raw)


def key_hash(name: str, kind: int, public_key: bytes) -> bytes:
    """The 4-byte key ID: ``SHA-256(name || "\\n" || kind || public key)[:4]``."""
    return hashlib.sha256(name.encode() + b"\n" + bytes([kind]) + public_key).digest()[:4]


def _check_name(name: str) -> str:
    if not name or any(c.isspace() or c == "+" for c in name):
        raise NoteError(f"key name {name!r} is empty or has a space or '+'")
    return name


@dataclass(frozen=True)
class Verifier:
    """A note verifier key: name, signature kind (0x01 note, 0x04 cosignature), raw key."""

    name: str
    kind: int
    public_key: bytes

    @property
    def key_id(self) -> bytes:
        return key_hash(self.name, self.kind, self.public_key)

    def vkey(self) -> str:
        """``<name>+<hex key ID>+base64(kind || key)``."""
        raw = base64.b64encode(bytes([self.kind]) + self.public_key).decode()
        return f"{self.name}+{self.key_id.hex()}+{raw}"

    @classmethod
    def parse(cls, vkey: str) -> Verifier:
        """A verifier from its vkey text; refuses a key ID that does not match."""
        try:
            name, hex_id, b64 = vkey.strip().split("+", 2)
            material = base64.b64decode(b64, validate=True)
        except (ValueError, binascii.Error) as exc:
            raise NoteError(f"not a verifier key: {vkey!r}") from exc
        if len(material) != 33 or material[0] not in (ED25519, COSIGNATURE):
            raise NoteError(f"verifier key {name}: not an Ed25519 note or cosignature key")
        verifier = cls(_check_name(name), material[0], material[1:])
        if verifier.key_id.hex() != hex_id:
            raise NoteError(f"verifier key {name}: key ID {hex_id} does not match the key")
        return verifier

    def verify(self, text: bytes, signature: bytes) -> int | None:
        """Check a signature (without its key ID) over note ``text``; returns the
        cosignature's timestamp (None for a plain note signature)."""
        stamp: int | None = None
        message = text
        if self.kind == COSIGNATURE:
            if len(signature) != 72:
                raise NoteError(f"cosignature by {self.name} is not 8 + 64 bytes")
            stamp, signature = int.from_bytes(signature[:8], "big"), signature[8:]
            message = cosigned_message(text, stamp)
        try:
            Ed25519PublicKey.from_public_bytes(self.public_key).verify(signature, message)
        except (InvalidSignature, ValueError) as exc:
            raise NoteError(f"signature by {self.name} does not verify") from exc
        return stamp


@dataclass(frozen=True)
class Signer:
    """A note signer: a private key with a name and kind (0x01 log, 0x04 witness)."""

    name: str
    key: Ed25519PrivateKey
    kind: int = ED25519

    @property
    def verifier(self) -> Verifier:
        return Verifier(_check_name(self.name), self.kind, _raw(self.key.public_key()))

    def sign_line(self, text: bytes, timestamp: int | None = None) -> str:
        """The signature line over note ``text`` (a cosignature timestamped ``timestamp``
        seconds, default now)."""
        if self.kind == COSIGNATURE:
            stamp = int(_time.time()) if timestamp is None else timestamp
            body = stamp.to_bytes(8, "big") + self.key.sign(cosigned_message(text, stamp))
        else:
            body = self.key.sign(text)
        sig = base64.b64encode(self.verifier.key_id + body).decode()
        return f"{DASH} {self.name} {sig}\n"


def cosigned_message(text: bytes, timestamp: int) -> bytes:
    """What an Ed25519 cosignature signs: ``cosignature/v1``, ``time <t>``, the note text."""
    if not 0 <= timestamp < 2**63:
        raise NoteError("cosignature timestamp out of range")
    return b"cosignature/v1\ntime " + str(timestamp).encode() + b"\n" + text


# --------------------------------------------------------------------------- notes


@dataclass(frozen=True)
class Note:
    """A signed note: its text (with the final newline) and its signature lines."""

    text: bytes
    signatures: tuple[tuple[str, bytes], ...]
    """``(key name, base64-decoded signature)`` in order."""

    def render(self) -> bytes:
        lines = "".join(f"{DASH} {n} {base64.b64encode(s).decode()}\n" for n, s in self.signatures)
        return self.text + b"\n" + lines.encode()

    def verified_by(self, verifiers: list[Verifier]) -> dict[str, int | None]:
        """Names of the known keys whose signatures verify (with cosignature timestamps);
        unknown signatures are ignored, a known one that fails raises :class:`NoteError`."""
        known = {(v.name, v.key_id): v for v in verifiers}
        out: dict[str, int | None] = {}
        for name, sig in self.signatures:
            v = known.get((name, sig[:4]))
            if v is not None:
                out[name] = v.verify(self.text, sig[4:])
        return out

    def with_lines(self, lines: str) -> Note:
        """This note with more signature lines (``— name sig`` each), duplicates dropped."""
        extra = parse_signature_lines(lines)
        merged = list(self.signatures) + [s for s in extra if s not in self.signatures]
        return Note(self.text, tuple(merged))


def parse_signature_lines(lines: str) -> list[tuple[str, bytes]]:
    """``(name, signature bytes)`` of note signature lines; :class:`NoteError` if malformed."""
    out = []
    for line in lines.splitlines():
        if not line.startswith(DASH + " "):
            raise NoteError(f"not a signature line: {line[:60]!r}")
        try:
            _, name, b64 = line.split(" ")
            sig = base64.b64decode(b64, validate=True)
        except (ValueError, binascii.Error) as exc:
            raise NoteError(f"malformed signature line: {line[:60]!r}") from exc
        if len(sig) < 5:
            raise NoteError(f"signature by {name} is too short")
        out.append((_check_name(name), sig))
    if len(out) > MAX_SIGNATURES:
        raise NoteError(f"more than {MAX_SIGNATURES} signatures")
    return out


def parse_note(data: bytes) -> Note:
    """A signed note from its bytes (UTF-8, no control characters but newline)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise NoteError("a note is UTF-8 text") from exc
    if any(c < " " and c != "\n" for c in text):
        raise NoteError("a note has no control characters other than newline")
    cut = text.rfind("\n\n")
    if cut < 0 or not text.endswith("\n"):
        raise NoteError("a note is text, a blank line and signature lines")
    signatures = parse_signature_lines(text[cut + 2 :])
    if not signatures:
        raise NoteError("a note has at least one signature")
    return Note(text[: cut + 1].encode(), tuple(signatures))


# --------------------------------------------------------------------------- checkpoints


@dataclass(frozen=True)
class Checkpoint:
    """The body of a checkpoint: origin, tree size, root hash (32 bytes)."""

    origin: str
    size: int
    root: bytes

    def text(self) -> bytes:
        return f"{self.origin}\n{self.size}\n{base64.b64encode(self.root).decode()}\n".encode()

    @classmethod
    def parse(cls, text: bytes) -> Checkpoint:
        lines = text.decode("utf-8").split("\n")
        if len(lines) < 4 or lines[-1] != "" or any(not ln for ln in lines[:-1]):
            raise NoteError("a checkpoint is at least three non-empty lines")
        origin, size_text, root_text = lines[:3]
        if not size_text.isdigit() or (size_text != "0" and size_text.startswith("0")):
            raise NoteError(f"checkpoint size {size_text!r} is not a decimal number")
        try:
            root = base64.b64decode(root_text, validate=True)
        except binascii.Error as exc:
            raise NoteError("checkpoint root hash is not base64") from exc
        if len(root) != 32:
            raise NoteError("checkpoint root hash is not 32 bytes")
        return cls(origin, int(size_text), root)


def sign_checkpoint(checkpoint: Checkpoint, log: Signer) -> Note:
    """The checkpoint as a note signed by the log."""
    text = checkpoint.text()
    return Note(text, tuple(parse_signature_lines(log.sign_line(text))))
