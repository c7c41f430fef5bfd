"""Log entries: canonical bytes, the strict decoder, and a fuzz of it."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from trucewatch.ledger.entry import (
    EntryError,
    EntryType,
    LogEntry,
    canonical_json,
    content_entry,
    decode_entry,
    format_time,
    key_added_entry,
    key_revoked_entry,
    observation_entry,
    parse_time,
)

T0 = datetime(2025, 8, 12, 6, 30, tzinfo=UTC)
UID = "3f" * 32
SHA = "9a" * 32
PUBKEY = bytes(range(32))
KEY_ID = hashlib.sha256(PUBKEY).hexdigest()


def test_observation_entry_has_the_documented_bytes() -> None:
    entry = observation_entry(UID, SHA, T0)
    assert (
        entry.encode()
        == (
            '{"ref":"' + UID + '","sha256":"' + SHA + '","time":"2025-08-12T06:30:00Z",'
            '"type":"observation","v":1}'
        ).encode()
    )


def test_signed_entry_and_microseconds() -> None:
    t = T0 + timedelta(microseconds=1500)
    entry = observation_entry(UID, SHA, t, signer=KEY_ID, sig="ab" * 64)
    text = entry.encode().decode()
    assert '"time":"2025-08-12T06:30:00.001500Z"' in text
    assert text.index('"sig"') < text.index('"signer"') < text.index('"time"')
    assert decode_entry(entry.encode()) == entry


def test_time_is_normalised_to_utc() -> None:
    kyiv = timezone(timedelta(hours=3))
    entry = observation_entry(UID, SHA, datetime(2025, 8, 12, 9, 30, tzinfo=kyiv))
    assert entry.time == T0 and entry.time.tzinfo is UTC
    assert format_time(entry.time) == "2025-08-12T06:30:00Z"


@pytest.mark.parametrize(
    "entry",
    [
        observation_entry(UID, SHA, T0),
        content_entry(EntryType.INCIDENT_STATUS, "inc-1", b"{}", T0, meta={"status": "confirmed"}),
        content_entry("report", "daily-2025-08-12", b"<html>", T0),
        content_entry("assessment", "инцидент «1»", b"x", T0, meta={"clause": '2 "a" \\ b'}),
        key_added_entry(PUBKEY, "monitor", "Team 1 — Покровськ", T0),
        key_revoked_entry(KEY_ID, T0, reason="lost device"),
    ],
    ids=["observation", "status", "report", "unicode", "key_added", "key_revoked"],
)
def test_round_trip(entry: LogEntry) -> None:
    data = entry.encode()
    assert decode_entry(data) == entry
    assert decode_entry(data).encode() == data


def _valid() -> bytes:
    return observation_entry(UID, SHA, T0).encode()


def _replace(old: str, new: str) -> bytes:
    data = _valid().decode()
    assert old in data
    return data.replace(old, new, 1).encode()


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (_valid() + b"\n", "trailing newline"),
        (b" " + _valid(), "leading space"),
        (_replace(",", ", "), "space after comma"),
        (_replace('{"ref"', '{"v":1,"ref"').replace(b',"v":1}', b"}"), "key order"),
        (_replace('"v":1', '"v":1,"v":1'), "duplicate key"),
        (_replace('"v":1', '"v":1.0'), "float version"),
        (_replace('"v":1', '"v":true'), "boolean version"),
        (_replace('"v":1', '"v":2'), "unknown version"),
        (_replace('"v":1', '"v":NaN'), "NaN"),
        (_replace('"observation"', '"\\u006fbservation"'), "escaped letter"),
        (_replace('"observation"', '"Observation"'), "unknown type"),
        (_replace('"2025-08-12T06:30:00Z"', '"2025-08-12T06:30:00+00:00"'), "offset"),
        (_replace('"2025-08-12T06:30:00Z"', '"2025-08-12T06:30:00.000000Z"'), "zero fraction"),
        (_replace('"2025-08-12T06:30:00Z"', '"2025-08-12T06:30:00.5Z"'), "short fraction"),
        (_replace('"2025-08-12T06:30:00Z"', '"2025-08-12T06:30:00z"'), "lowercase z"),
        (_replace('"2025-08-12T06:30:00Z"', '"2025-02-30T06:30:00Z"'), "no such day"),
        (_replace('"2025-08-12T06:30:00Z"', '"2025-08-12T24:00:00Z"'), "hour 24"),
        (_replace('"2025-08-12T06:30:00Z"', '"2025-08-12T06:30:00\u0665Z"'), "arabic digit"),
        (_replace(SHA, SHA.upper()), "uppercase hex"),
        (_replace(SHA, SHA[:-1]), "short hash"),
        (_replace('"v":1', '"v":1,"extra":"x"'), "unknown field"),
        (_replace('"time"', '"signer":null,"time"'), "null optional"),
        (_replace('"type"', '"meta":{},"type"'), "empty meta"),
        (_replace('"type"', '"meta":{"k":1},"type"'), "number in meta"),
        (_replace('"type"', '"role":"monitor","type"'), "key field on observation"),
        (_replace('"time"', '"signer":"' + KEY_ID + '","time"'), "signer without sig"),
        (_replace('"ref":"' + UID, '"ref":"a\\nb'), "control character"),
        (_replace('"ref":"' + UID, '"ref":"\\ud800'), "lone surrogate"),
        (_replace('"ref":"' + UID, '"ref":"'), "empty ref"),
        (b"\xef\xbb\xbf" + _valid(), "byte order mark"),
        (_valid().replace(b"3f", b"\xff", 1), "invalid UTF-8"),
        (b"[]", "array"),
        (b"", "empty"),
        (b"{" * 100_000, "too long and deep"),
        (b"[" * 5000 + b"]" * 5000, "deep nesting"),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_strict_decoder_refuses(data: bytes, reason: str) -> None:
    with pytest.raises(EntryError):
        decode_entry(data)


def test_decoder_refuses_non_bytes() -> None:
    with pytest.raises(EntryError):
        decode_entry("{}")  # type: ignore[arg-type]


def test_key_entries_must_name_the_key_by_its_hash() -> None:
    with pytest.raises(EntryError, match="key id"):
        LogEntry(
            type=EntryType.KEY_ADDED,
            ref=SHA,
            sha256=SHA,
            time=T0,
            pubkey=PUBKEY.hex(),
            role="monitor",
            owner="x",
        )
    with pytest.raises(EntryError, match="key_revoked"):
        LogEntry(type=EntryType.KEY_REVOKED, ref=KEY_ID, sha256=SHA, time=T0)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"type": "nonsense"},
        {"time": datetime(2025, 8, 12)},  # naive
        {"sha256": "xyz"},
        {"ref": ""},
        {"ref": "x" * 257},
        {"signer": KEY_ID},
        {"meta": {"Bad-Key": "v"}},
        {"owner": "someone"},
    ],
)
def test_invalid_entries_cannot_be_built(kwargs: dict) -> None:
    fields = {"type": EntryType.OBSERVATION, "ref": UID, "sha256": SHA, "time": T0, **kwargs}
    with pytest.raises(EntryError):
        LogEntry(**fields)


def test_canonical_json_refuses_floats_and_sorts_keys() -> None:
    assert canonical_json({"b": [1, "é"], "a": None}) == '{"a":null,"b":[1,"é"]}'.encode()
    with pytest.raises(EntryError, match="float"):
        canonical_json({"lon": 37.5})


def test_parse_time_round_trip() -> None:
    for text in ("2025-08-12T06:30:00Z", "0001-01-01T00:00:00.000001Z"):
        assert format_time(parse_time(text)) == text


# ---------------------------------------------------------------------------- fuzz

TEXT = st.text(st.characters(codec="utf-8"), min_size=1, max_size=40)
HEX64 = st.binary(min_size=32, max_size=32).map(bytes.hex)
TIMES = st.datetimes(
    min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=st.just(UTC)
)


@st.composite
def entries(draw: st.DrawFn) -> LogEntry:
    kind = draw(st.sampled_from([t for t in EntryType if t is not EntryType.KEY_ADDED]))
    ref = draw(TEXT)
    sha = draw(HEX64)
    if kind is EntryType.KEY_REVOKED:
        ref = sha
    signed = draw(st.booleans())
    meta = draw(
        st.dictionaries(st.from_regex(r"[a-z0-9_]{1,32}", fullmatch=True), TEXT, max_size=3)
    )
    try:
        return LogEntry(
            type=kind,
            ref=ref,
            sha256=sha,
            time=draw(TIMES),
            meta=meta,
            signer=draw(HEX64) if signed else None,
            sig=draw(HEX64) * 2 if signed else None,
        )
    except EntryError:
        assume(False)  # text with control characters: not an entry
        raise


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(entries())
def test_fuzz_valid_entries_round_trip(entry: LogEntry) -> None:
    data = entry.encode()
    assert decode_entry(data) == entry
    assert decode_entry(data).encode() == data


@settings(max_examples=500, deadline=None)
@given(st.binary(max_size=400))
def test_fuzz_random_bytes_are_refused_or_canonical(data: bytes) -> None:
    try:
        entry = decode_entry(data)
    except EntryError:
        return
    assert entry.encode() == data


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(entries(), st.data())
def test_fuzz_mutated_entries_are_refused_or_canonical(
    entry: LogEntry, draw: st.DataObject
) -> None:
    data = bytearray(entry.encode())
    position = draw.draw(st.integers(0, len(data) - 1))
    action = draw.draw(st.sampled_from(["flip", "insert", "delete", "swap"]))
    if action == "flip":
        data[position] ^= 1 << draw.draw(st.integers(0, 7))
    elif action == "insert":
        data.insert(position, draw.draw(st.integers(0, 255)))
    elif action == "delete":
        del data[position]
    else:
        other = draw.draw(st.integers(0, len(data) - 1))
        data[position], data[other] = data[other], data[position]
    try:
        decoded = decode_entry(bytes(data))
    except EntryError:
        return
    assert decoded.encode() == bytes(data)  # a different valid entry, still canonical


@settings(max_examples=300, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | TEXT,
        lambda children: (
            st.lists(children, max_size=4)
            | st.dictionaries(
                st.sampled_from(["v", "type", "ref", "sha256", "time", "meta", "x"]),
                children,
                max_size=6,
            )
        ),
        max_leaves=20,
    )
)
def test_fuzz_json_values_are_refused_or_canonical(value: object) -> None:
    import json

    try:
        data = json.dumps(value, separators=(",", ":"), sort_keys=True).encode()
    except (ValueError, TypeError):
        return
    try:
        entry = decode_entry(data)
    except EntryError:
        return
    assert entry.encode() == data
