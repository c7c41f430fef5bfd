"""Log entries: their canonical bytes, documented so that anyone can recompute them.

An entry is one UTF-8 JSON object in **canonical form**:

* keys sorted (all keys are ASCII, so byte order = code-point order), each at most once;
* no whitespace outside strings; ``,`` and ``:`` as separators;
* strings escaped as RFC 8785 (JCS) does: ``\\"``, ``\\\\``, ``\\b \\f \\n \\r \\t``, other
  characters below U+0020 as ``\\u00xx`` (lowercase hex), everything else as raw UTF-8;
* the only number is the version ``"v": 1``; there are no floats, booleans or nulls: an
  absent optional field is left out, never ``null``.

Fields (all strings except ``v``)::

    v        1                                   format version
    type     observation | incident_status | assessment | report | key_added | key_revoked |
             batch | line | sector | agreement | tree_head | engine (rows: ledger.rows)
             | retraction (an analyst retracted the observation `ref`; meta: by, reason)
             | reviewed_incident | review | bulletin (rows of the analyst's review and of
             the bulletins: ledger.rows)
             | claim (a party's claim `ref`) | claim_verdict (the verdict on claim `ref`)
             | cosigned_head (a checkpoint the witnesses' quorum cosigned; rows: ledger.rows)
             | media (evidence media `ref` = the SHA-256 of its bytes = `sha256`; meta:
             observation, stage received/analysed, row, cols)
    ref      the referenced id: observation uid, incident uid, report id, key id (1-256 chars)
    sha256   SHA-256 of the referenced content, 64 lowercase hex: for an observation its
             payload_sha256 (the hash of the raw record as received); for a key its key id
    time     when the mission logged it, UTC: YYYY-MM-DDTHH:MM:SSZ, or with exactly six
             fraction digits YYYY-MM-DDTHH:MM:SS.ffffffZ when the microseconds are not zero
    signer   (signed submissions) key id of the author, 64 lowercase hex
    sig      (signed submissions) Ed25519 signature, 128 lowercase hex (see signing.py)
    pubkey   (key_added only) the raw 32-byte Ed25519 public key, 64 lowercase hex
    role     (key_added only) mission | monitor | sensor | liaison (lowercase a-z and _)
    owner    (key_added only) who holds the key (1-200 chars)
    meta     (optional) object of short strings, e.g. {"status": "confirmed"}; keys a-z 0-9 _

For ``key_added`` the ``ref`` and ``sha256`` are both the key id, which must be the SHA-256
of ``pubkey``; for ``key_revoked`` both are the revoked key's id. Control characters
(U+0000-U+001F, U+007F-U+009F) are not allowed in any string. Example (one line)::

    {"ref":"3f...","sha256":"9a...","time":"2025-08-12T06:30:00Z","type":"observation","v":1}

:func:`decode_entry` is strict: it accepts exactly the bytes :meth:`LogEntry.encode` would
produce, so every entry has one and only one encoding and its leaf hash is well defined.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from trucewatch.ledger.errors import EntryError

ENTRY_VERSION = 1
MAX_ENTRY_BYTES = 16_384
"""Longest entry accepted (bytes)."""

_HEX64 = re.compile(r"[0-9a-f]{64}")
_HEX128 = re.compile(r"[0-9a-f]{128}")
_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{6})?Z")
_ROLE = re.compile(r"[a-z_]{1,32}")
_META_KEY = re.compile(r"[a-z0-9_]{1,32}")
_FORBIDDEN_CHARS = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_MAX_REF, _MAX_OWNER, _MAX_META_VALUE, _MAX_META_ITEMS = 256, 200, 1024, 32
_FIELDS = frozenset(
    {"v", "type", "ref", "sha256", "time", "signer", "sig", "pubkey", "role", "owner", "meta"}
)


class EntryType(StrEnum):
    """What a log entry records."""

    OBSERVATION = "observation"
    INCIDENT_STATUS = "incident_status"
    ASSESSMENT = "assessment"
    REPORT = "report"
    KEY_ADDED = "key_added"
    KEY_REVOKED = "key_revoked"
    BATCH = "batch"
    LINE = "line"
    SECTOR = "sector"
    AGREEMENT = "agreement"
    TREE_HEAD = "tree_head"
    ENGINE = "engine"
    CLAIM = "claim"
    CLAIM_VERDICT = "claim_verdict"
    RETRACTION = "retraction"
    REVIEWED_INCIDENT = "reviewed_incident"
    REVIEW = "review"
    BULLETIN = "bulletin"
    COSIGNED_HEAD = "cosigned_head"
    MEDIA = "media"


_TYPES = frozenset(t.value for t in EntryType)


# --------------------------------------------------------------------------- helpers


def sha256_hex(data: bytes) -> str:
    """Lowercase hex SHA-256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


def canonical_json(value: Any) -> bytes:
    """Canonical UTF-8 JSON of ``value`` (sorted keys, no whitespace, JCS string escaping).

    Only dicts with string keys, lists, strings, integers, booleans and ``None`` are
    allowed: floats are refused because their text is not the same in every language
    (give them as strings).
    """
    _check_json_value(value)
    return _dumps(value)


_ENCODER = json.JSONEncoder(
    ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False
)


def _dumps(value: Any) -> bytes:
    try:
        return _ENCODER.encode(value).encode("utf-8")
    except UnicodeEncodeError as exc:
        raise EntryError("text contains a lone surrogate, not valid Unicode") from exc


def _check_json_value(value: Any) -> None:
    if value is None or isinstance(value, str | bool | int):
        return
    if isinstance(value, float):
        raise EntryError("floats have no canonical form: give the number as a string")
    if isinstance(value, list | tuple):
        for item in value:
            _check_json_value(item)
        return
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                raise EntryError(f"object keys must be strings, not {key!r}")
            _check_json_value(item)
        return
    raise EntryError(f"{type(value).__name__} has no JSON form")


def format_time(t: datetime) -> str:
    """The entry's time text: UTC, ``Z``, six fraction digits only if microseconds != 0."""
    if t.tzinfo is None:
        raise EntryError("entry time must be timezone-aware (UTC)")
    if t.tzinfo is not UTC:
        t = t.astimezone(UTC)
    return t.replace(tzinfo=None).isoformat() + "Z"


def parse_time(text: Any) -> datetime:
    """Inverse of :func:`format_time`; refuses every other spelling of the same instant."""
    if not isinstance(text, str) or not _TIME.fullmatch(text):
        raise EntryError(f"field 'time' must be YYYY-MM-DDTHH:MM:SS[.ffffff]Z, not {text!r}")
    if text.endswith(".000000Z"):
        raise EntryError(f"field 'time' has a zero fraction, which is left out: {text!r}")
    try:
        return datetime.fromisoformat(text)  # "Z" gives tzinfo=UTC (Python 3.11+)
    except ValueError as exc:
        raise EntryError(f"field 'time' is not a valid date and time: {text!r}") from exc


def _text(value: Any, name: str, max_len: int, *, allow_empty: bool = False) -> str:
    if not isinstance(value, str):
        raise EntryError(f"field {name!r} must be a string")
    if not (allow_empty or value) or len(value) > max_len:
        raise EntryError(f"field {name!r} must have 1 to {max_len} characters")
    if _FORBIDDEN_CHARS.search(value):
        raise EntryError(f"field {name!r} contains a control character or lone surrogate")
    return value


def _pattern(value: Any, name: str, pattern: re.Pattern[str], what: str) -> str:
    if not isinstance(value, str) or not pattern.fullmatch(value):
        raise EntryError(f"field {name!r} must be {what}")
    return value


# --------------------------------------------------------------------------- the entry


def _check_object(obj: Any) -> datetime:
    """Validate the JSON object of an entry (as :meth:`LogEntry.to_dict` makes it) and
    return its time. Together with the byte comparison in :func:`decode_entry` this is the
    whole definition of a valid entry."""
    if not isinstance(obj, dict):
        raise EntryError("an entry is a JSON object")
    if not obj.keys() <= _FIELDS:
        raise EntryError(f"unknown fields {sorted(obj.keys() - _FIELDS)}")
    if type(obj.get("v")) is not int or obj["v"] != ENTRY_VERSION:
        raise EntryError(f"field 'v' must be {ENTRY_VERSION}")
    entry_type = obj.get("type")
    if not isinstance(entry_type, str) or entry_type not in _TYPES:
        raise EntryError(f"field 'type' must be one of {sorted(_TYPES)}, not {entry_type!r}")
    _text(obj.get("ref"), "ref", _MAX_REF)
    _pattern(obj.get("sha256"), "sha256", _HEX64, "64 lowercase hex digits")
    time = parse_time(obj.get("time"))
    _check_signature_fields(obj)
    _check_key_fields(obj, entry_type)
    if "meta" in obj:
        _check_meta(obj["meta"])
    return time


def _check_signature_fields(obj: dict[str, Any]) -> None:
    if ("signer" in obj) != ("sig" in obj):
        raise EntryError("fields 'signer' and 'sig' go together")
    if "signer" in obj:
        _pattern(obj["signer"], "signer", _HEX64, "a key id: 64 lowercase hex digits")
        _pattern(obj["sig"], "sig", _HEX128, "a signature: 128 lowercase hex digits")


def _check_key_fields(obj: dict[str, Any], entry_type: str) -> None:
    if entry_type != EntryType.KEY_ADDED:
        if obj.keys() & {"pubkey", "role", "owner"}:
            raise EntryError("fields 'pubkey', 'role', 'owner' belong to key_added only")
        if entry_type == EntryType.KEY_REVOKED and obj["ref"] != obj["sha256"]:
            raise EntryError("a key_revoked entry has the key id as both 'ref' and 'sha256'")
        return
    pubkey = _pattern(obj.get("pubkey"), "pubkey", _HEX64, "a raw Ed25519 key: 64 lowercase hex")
    _pattern(obj.get("role"), "role", _ROLE, "1-32 characters a-z or _")
    _text(obj.get("owner"), "owner", _MAX_OWNER)
    if not obj["ref"] == obj["sha256"] == sha256_hex(bytes.fromhex(pubkey)):
        raise EntryError(
            "a key_added entry has the key id, SHA-256 of 'pubkey', as both 'ref' and 'sha256'"
        )


def _check_meta(meta: Any) -> None:
    if not isinstance(meta, dict) or not 0 < len(meta) <= _MAX_META_ITEMS:
        raise EntryError(f"field 'meta' must be an object of 1 to {_MAX_META_ITEMS} items")
    for key, value in meta.items():
        _pattern(key, "meta key", _META_KEY, "1-32 characters a-z, 0-9 or _")
        _text(value, f"meta.{key}", _MAX_META_VALUE, allow_empty=True)


@dataclass(frozen=True, kw_only=True)
class LogEntry:
    """One entry of the log; the module docstring gives the canonical form of each field.

    Built entries are validated (:class:`EntryError` says which field is wrong);
    :meth:`encode` gives their canonical bytes. The optional fields are ``None`` when
    absent (left out of the JSON object, never ``null``).
    """

    type: EntryType
    """What the entry records (an observation, a decision, a publication, a key change)."""
    ref: str
    """The id it is about: observation uid, incident uid, report id or key id (1-256
    characters)."""
    sha256: str
    """SHA-256 of the referenced content (64 lowercase hex): an observation's
    ``payload_sha256``; for a key entry, the key id."""
    time: datetime
    """When the mission logged it (timezone-aware; kept in UTC)."""
    signer: str | None = None
    """Signed submissions: key id of the author (64 lowercase hex)."""
    sig: str | None = None
    """Signed submissions: Ed25519 signature of the author (128 lowercase hex)."""
    pubkey: str | None = None
    """``key_added`` only: the raw 32-byte Ed25519 public key (64 lowercase hex)."""
    role: str | None = None
    """``key_added`` only: the key's role (mission, monitor, sensor or liaison)."""
    owner: str | None = None
    """``key_added`` only: who holds the key (1-200 characters)."""
    meta: Mapping[str, str] = field(default_factory=dict, hash=False)
    """Short strings about the entry, e.g. ``{"status": "confirmed"}`` (keys a-z, 0-9, _)."""

    def __post_init__(self) -> None:
        if not isinstance(self.time, datetime) or self.time.tzinfo is None:
            raise EntryError("entry time must be a timezone-aware datetime")
        if not isinstance(self.meta, Mapping):
            raise EntryError("field 'meta' must be a mapping of strings")
        if not isinstance(self.type, str) or self.type not in _TYPES:
            raise EntryError(f"field 'type' must be one of {sorted(_TYPES)}, not {self.type!r}")
        object.__setattr__(self, "type", EntryType(self.type))
        object.__setattr__(self, "time", self.time.astimezone(UTC))
        object.__setattr__(self, "meta", dict(self.meta))
        obj = self.to_dict()
        _check_object(obj)
        self.__dict__["_encoded"] = _dumps(obj)  # entries are immutable: encode once

    @property
    def signed(self) -> bool:
        """True for a signed submission (carries ``signer`` and ``sig``)."""
        return self.signer is not None

    def to_dict(self) -> dict[str, Any]:
        """The JSON object of the entry (absent optional fields left out)."""
        out: dict[str, Any] = {
            "v": ENTRY_VERSION,
            "type": str(self.type),
            "ref": self.ref,
            "sha256": self.sha256,
            "time": format_time(self.time),
        }
        for name in _OPTIONAL:
            value = getattr(self, name)
            if value is not None:
                out[name] = value
        if self.meta:
            out["meta"] = dict(self.meta)
        return out

    def encode(self) -> bytes:
        """The canonical bytes of the entry (what the leaf hash is computed from)."""
        encoded: bytes = self.__dict__["_encoded"]
        return encoded


_OPTIONAL = ("signer", "sig", "pubkey", "role", "owner")


# --------------------------------------------------------------------------- decoding


def _no_float(text: str) -> Any:
    raise EntryError(f"numbers other than the version are not allowed: {text}")


def _no_constant(text: str) -> Any:
    raise EntryError(f"{text} is not JSON")


def _parse(data: bytes) -> Any:
    try:
        text = data.decode("utf-8")
        return json.loads(text, parse_float=_no_float, parse_constant=_no_constant)
    except EntryError:
        raise
    except (ValueError, RecursionError) as exc:
        raise EntryError(f"not UTF-8 JSON: {exc}") from exc


def _trusted_entry(obj: dict[str, Any], time: datetime, data: bytes) -> LogEntry:
    """A :class:`LogEntry` from an object :func:`_check_object` has accepted (no second
    validation: the hot path of re-verifying a whole log)."""
    entry = object.__new__(LogEntry)
    values = {
        "type": EntryType(obj["type"]),
        "ref": obj["ref"],
        "sha256": obj["sha256"],
        "time": time,
        "meta": obj.get("meta", {}),
        "_encoded": data,
    }
    for name in _OPTIONAL:
        values[name] = obj.get(name)
    entry.__dict__.update(values)
    return entry


def decode_entry(data: bytes) -> LogEntry:
    """Decode canonical entry bytes; raise :class:`EntryError` for anything else.

    Accepts exactly the output of :meth:`LogEntry.encode`: wrong types, unknown or
    repeated fields, floats, other spellings of the same value (whitespace, escapes, key
    order, time format) and invalid UTF-8 are all refused, with the reason. (A repeated
    key is caught by the byte comparison: the parsed object keeps one copy, so its
    canonical re-encoding is shorter than the input.)
    """
    obj, time = check_entry(data)
    return _trusted_entry(obj, time, bytes(data))


def check_entry(data: bytes) -> tuple[dict[str, Any], datetime]:
    """Check canonical entry bytes like :func:`decode_entry` and return the parsed JSON
    object and its time, without building a :class:`LogEntry` (faster, for scans)."""
    if not isinstance(data, bytes | bytearray | memoryview):
        raise EntryError(f"an entry is bytes, not {type(data).__name__}")
    data = bytes(data)
    if len(data) > MAX_ENTRY_BYTES:
        raise EntryError(f"entry of {len(data)} bytes is longer than {MAX_ENTRY_BYTES}")
    obj = _parse(data)
    time = _check_object(obj)
    if _dumps(obj) != data:
        raise EntryError("entry is not in canonical form (whitespace, key order or escaping)")
    return obj, time


# --------------------------------------------------------------------------- builders


def observation_entry(
    uid: str,
    payload_sha256: str,
    time: datetime,
    *,
    signer: str | None = None,
    sig: str | None = None,
    meta: Mapping[str, str] | None = None,
) -> LogEntry:
    """Entry for a stored observation: ``ref`` its uid, ``sha256`` its payload hash,
    ``meta`` the digests of its stored row (:mod:`trucewatch.ledger.rows`)."""
    return LogEntry(
        type=EntryType.OBSERVATION,
        ref=uid,
        sha256=payload_sha256,
        time=time,
        signer=signer,
        sig=sig,
        meta=dict(meta or {}),
    )


def content_entry(
    entry_type: EntryType | str,
    ref: str,
    content: bytes,
    time: datetime,
    *,
    meta: Mapping[str, str] | None = None,
) -> LogEntry:
    """Entry for a decision or publication (incident status, assessment, report) whose
    content is ``content`` (the bytes the mission publishes or stores)."""
    return LogEntry(
        type=EntryType(entry_type),
        ref=ref,
        sha256=sha256_hex(content),
        time=time,
        meta=dict(meta or {}),
    )


def engine_entry(run: Mapping[str, str], time: datetime) -> LogEntry:
    """Entry recording a fusion run: ``meta`` is ``run`` (engine version, digests of the
    calibration and baseline, the period...), ``sha256`` the SHA-256 of its canonical JSON
    and ``ref`` ``fuse``. The decisions of the run follow it in the log."""
    return LogEntry(type=EntryType.ENGINE, ref="fuse", sha256=sha256_hex(canonical_json(dict(run))),
                    time=time, meta=dict(run))  # fmt: skip


def key_added_entry(
    public_key: bytes, role: str, owner: str, time: datetime, party: str | None = None
) -> LogEntry:
    """Entry registering the raw 32-byte Ed25519 ``public_key`` for ``role`` and ``owner``
    (a liaison key also names the ``party`` it acts for: ``meta.party``)."""
    kid = sha256_hex(public_key)
    return LogEntry(
        type=EntryType.KEY_ADDED,
        ref=kid,
        sha256=kid,
        time=time,
        pubkey=public_key.hex(),
        role=role,
        owner=owner,
        meta={"party": party} if party else {},
    )


def key_revoked_entry(key_id: str, time: datetime, reason: str = "") -> LogEntry:
    """Entry revoking key ``key_id`` (from ``time`` on), with an optional reason."""
    meta = {"reason": reason} if reason else {}
    return LogEntry(type=EntryType.KEY_REVOKED, ref=key_id, sha256=key_id, time=time, meta=meta)
