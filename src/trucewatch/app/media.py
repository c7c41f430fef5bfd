"""Use cases of evidence media: attach a photograph, video or audio file to an observation
(:func:`add_media`), and check every stored file against its name (:func:`verify_media`).

Intake, in order: the bytes' type is sniffed against the allow-list (anything else is
refused), their SHA-256 computed, the file written by content address and its row stored
and logged in one transaction, **committed before any parser reads the bytes**; then the
EXIF is read and the C2PA manifest checked, and the row is updated and logged again. What
was received is thus on the record whatever the parsers do with a hostile file.
"""

from __future__ import annotations

import functools
import hashlib
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.exc import IntegrityError

from trucewatch import limits
from trucewatch.app.roles import OPERATOR, Permission, Principal, require, submits_complaints
from trucewatch.app.session import Store
from trucewatch.app.views.errors import NotVisible
from trucewatch.app.views.observations import may_see_observation, media_record
from trucewatch.errors import InputError, RecordError, StoreError
from trucewatch.media import MediaFacts, analyse, check_size, sniff
from trucewatch.store import media as rows


def add_media(store: Store, observation_uid: str, data: bytes, *,
              principal: Principal = OPERATOR,
              max_bytes: int = limits.MAX_MEDIA_BYTES) -> dict[str, Any]:  # fmt: skip
    """Attach ``data`` (at most ``max_bytes`` bytes) to observation ``observation_uid``,
    which the caller must be able to see (analysts: any; others: their own submissions).
    Returns the media record (:func:`media_record`) with ``ledger_entries`` and ``stored``
    (False when the same bytes were already attached to it: nothing new is stored)."""
    submits_complaints(principal)  # raises unless the caller may submit
    uid = observation_uid.strip().lower()
    check_size(len(data), max_bytes)
    media_type = sniff(data)
    sha = hashlib.sha256(data).hexdigest()
    with store.engine.connect() as conn:
        if not may_see_observation(conn, uid, principal):
            raise NotVisible(f"no observation {uid} you may attach media to")
        existing = rows.get_media(conn, sha)
    _refuse_other(existing, uid)
    rows.write_blob(rows.require_root(store.media_root), data, sha)
    stored = existing is None and _receive(store, sha, uid, media_type, len(data), principal)
    with store.engine.connect() as conn:
        current = rows.get_media(conn, sha)
    assert current is not None
    _refuse_other(current, uid)
    if current.c2pa_status == rows.PENDING:  # new, or an earlier intake stopped half-way
        _record(store, sha, analyse(data, media_type, trust_anchors()))
    return _answer(store, sha, stored)


TRUST_ANCHORS_ENV = "TRUCEWATCH_C2PA_TRUST_ANCHORS"
"""A PEM file of the certification authorities whose C2PA signers the mission trusts."""


def trust_anchors() -> str | None:
    """The mission's C2PA trust list (PEM text, ``$TRUCEWATCH_C2PA_TRUST_ANCHORS``), or
    None when it holds none; re-read when the file changes."""
    path = os.environ.get(TRUST_ANCHORS_ENV)
    if not path:
        return None
    try:
        return _read_anchors(path, os.stat(path).st_mtime_ns)
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise StoreError(f"{TRUST_ANCHORS_ENV}: the trust list {path} cannot be read "
                         f"({exc})") from None  # fmt: skip


@functools.lru_cache(maxsize=4)
def _read_anchors(path: str, _mtime_ns: int) -> str:
    text = Path(path).read_text(encoding="ascii")
    if "-----BEGIN CERTIFICATE-----" not in text:
        raise ValueError("no PEM certificate in it")
    return text


def _refuse_other(existing: rows.MediaRow | None, uid: str) -> None:
    if existing is not None and existing.observation_uid != uid:
        raise InputError(RecordError("media", None, "file", "these bytes are already "
                                     "attached to another observation (one file is the "
                                     "evidence of one observation)"))  # fmt: skip


def _receive(store: Store, sha: str, uid: str, media_type: str, size: int,
             principal: Principal) -> bool:  # fmt: skip
    """Store and log the received file (True), or False when a concurrent request stored
    the same bytes first."""
    try:
        with store.engine.begin() as conn:
            rows.receive(conn, store.ledger, sha, uid, media_type, size, principal.name,
                         datetime.now(UTC))  # fmt: skip
    except IntegrityError:
        return False
    return True


def _record(store: Store, sha: str, facts: MediaFacts) -> None:
    """Store and log what the analysis found."""
    values = {"exif_time": facts.exif.time, "exif_lat": facts.exif.lat,
              "exif_lon": facts.exif.lon, "c2pa_status": facts.c2pa.status,
              "c2pa_reason": facts.c2pa.reason, "c2pa_signer": facts.c2pa.signer}  # fmt: skip
    with store.engine.begin() as conn:
        rows.record_analysis(conn, store.ledger, sha, values, datetime.now(UTC))


def _answer(store: Store, sha: str, stored: bool) -> dict[str, Any]:
    with store.engine.connect() as conn:
        row = rows.get_media(conn, sha)
        entries = store.ledger.find(conn, sha, "media")
    assert row is not None
    return {**media_record(row), "ledger_entries": entries, "stored": stored}


def verify_media(store: Store, *, principal: Principal = OPERATOR) -> dict[str, Any]:
    """Check that every media row's file is in the media folder and that its bytes still
    hash to its name (``ledger verify`` does this too, with everything else)."""
    require(principal, Permission.READ_LEDGER)
    with store.engine.connect() as conn:
        count = rows.count_media(conn)
        problems = [{"sha256": sha or None, "message": message}
                    for sha, message in rows.check_files(conn, store.media_root)]  # fmt: skip
    root = store.media_root
    return {"ok": not problems, "checked": count, "problems": problems,
            "folder": None if root is None else str(root)}  # fmt: skip
