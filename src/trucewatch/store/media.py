"""Evidence media in the store: the bytes by content address in the media folder
(``sha256/ab/cdef…``, written to a temporary file, flushed to disk and renamed, so a file
under its name is always whole, and the same bytes twice are one file), and one row per
file in the ``media`` table, logged as a ``media`` entry in the transaction that writes it.

A file is logged twice: when received (:func:`receive`: its SHA-256, type, size, sender
and observation; the analysis ``pending``), committed before any parser reads the bytes,
and when analysed (:func:`record_analysis`: EXIF time and place, C2PA result). Each entry
has ``ref`` = ``sha256`` = the SHA-256 of the bytes and the row's digest in ``meta.row``.

The media folder: ``$TRUCEWATCH_MEDIA_DIR`` (or the one the caller configures), else, for
a SQLite store, the folder ``<database file>-media`` beside the database file. A
PostgreSQL store has no default: the folder must be configured.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, fields
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, func, insert, select, update

from trucewatch.errors import StoreError
from trucewatch.ledger.entry import EntryType, LogEntry
from trucewatch.store import schema as t
from trucewatch.store.coverage import MEDIA, row_metas
from trucewatch.units import as_utc

MEDIA_DIR_ENV = "TRUCEWATCH_MEDIA_DIR"
"""Environment variable naming the media folder (required for PostgreSQL)."""
PENDING = "pending"
"""``c2pa_status`` of a file received but not yet analysed."""
RECEIVED, ANALYSED = "received", "analysed"
"""``meta.stage`` of a media entry: the hash as received; the analysis."""
READ_CHUNK = 1 << 20
"""Bytes read at a time when hashing a stored file."""
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


# --------------------------------------------------------------------------- the folder


def media_root(engine: Engine, configured: Path | None = None) -> Path | None:
    """The media folder of the store on ``engine``: ``configured``, else
    ``$TRUCEWATCH_MEDIA_DIR``, else ``<database file>-media`` beside a SQLite file; None
    when there is none (PostgreSQL or in-memory SQLite without a configured folder)."""
    if configured is not None:
        return configured
    env = os.environ.get(MEDIA_DIR_ENV)
    if env:
        return Path(env)
    url = engine.url
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        db = Path(str(url.database)).expanduser().resolve()
        return db.with_name(db.name + "-media")
    return None


def require_root(root: Path | None) -> Path:
    """``root``, or a :class:`StoreError` saying how to configure one."""
    if root is None:
        raise StoreError(f"this store has no media folder: set {MEDIA_DIR_ENV} (a PostgreSQL "
                         "store keeps media files in a folder you choose)")  # fmt: skip
    return root


def blob_path(root: Path, sha256: str) -> Path:
    """Where the bytes whose SHA-256 is ``sha256`` (64 lowercase hex) are stored."""
    if not _SHA256.match(sha256):
        raise ValueError(f"not a SHA-256 (64 lowercase hex digits): {sha256!r}")
    return root / "sha256" / sha256[:2] / sha256[2:]


def file_sha256(path: Path) -> str:
    """SHA-256 (hex) of a file's bytes, read a megabyte at a time."""
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(READ_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def write_blob(root: Path, data: bytes, sha256: str) -> bool:
    """Store ``data`` (whose SHA-256 is ``sha256``) under its name, atomically: a
    temporary file in the same folder, flushed to disk, renamed. Returns False when the
    same bytes were already there (a file whose bytes no longer match is replaced)."""
    path = blob_path(root, sha256)
    if path.is_file() and file_sha256(path) == sha256:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".incoming-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_folder(path.parent)
    return True


def _fsync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` durable (POSIX; a no-op where folders cannot be opened)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def read_blob(root: Path, sha256: str) -> bytes:
    """The stored bytes named ``sha256`` (``FileNotFoundError`` if the file is gone)."""
    return blob_path(root, sha256).read_bytes()


# --------------------------------------------------------------------------- the rows


@dataclass(frozen=True)
class MediaRow:
    """A stored media row: ``size_bytes`` in bytes, times UTC, ``exif_lat``/``exif_lon``
    degrees WGS84, ``c2pa_status`` pending, none, valid, invalid or unchecked."""

    sha256: str
    observation_uid: str
    media_type: str
    size_bytes: int
    submitted_by: str
    received_at: datetime
    exif_time: datetime | None
    exif_lat: float | None
    exif_lon: float | None
    c2pa_status: str
    c2pa_reason: str | None
    c2pa_signer: str | None
    analysed_at: datetime | None

    @classmethod
    def from_row(cls, row: Mapping[Any, Any]) -> MediaRow:
        values = {f.name: row[f.name] for f in fields(cls)}
        for name in ("received_at", "exif_time", "analysed_at"):
            values[name] = None if values[name] is None else as_utc(values[name])
        return cls(**values)


def get_media(conn: Connection, sha256: str) -> MediaRow | None:
    """The media row ``sha256``, or None."""
    row = conn.execute(select(t.media).where(t.media.c.sha256 == sha256)).first()
    return None if row is None else MediaRow.from_row(row._mapping)


def media_of(conn: Connection, observation_uid: str) -> list[MediaRow]:
    """The media attached to an observation, in the order received."""
    c = t.media.c
    query = (select(t.media).where(c.observation_uid == observation_uid)
             .order_by(c.received_at, c.sha256))  # fmt: skip
    return [MediaRow.from_row(r._mapping) for r in conn.execute(query)]


def receive(conn: Connection, ledger: Any, sha256: str, observation_uid: str,
            media_type: str, size_bytes: int, by: str, now: datetime) -> int:  # fmt: skip
    """Store the row of a received file (analysis pending) and log it, in the caller's
    transaction; returns the entry's index. The primary key refuses a second row for the
    same bytes (``IntegrityError``)."""
    conn.execute(insert(t.media).values(
        sha256=sha256, observation_uid=observation_uid, media_type=media_type,
        size_bytes=size_bytes, submitted_by=by, received_at=now, c2pa_status=PENDING))  # fmt: skip
    return _log(conn, ledger, sha256, observation_uid, RECEIVED, now)


def record_analysis(conn: Connection, ledger: Any, sha256: str, values: Mapping[str, Any],
                    now: datetime) -> int:  # fmt: skip
    """Store what the analysis found (``values``: the ``exif_*`` and ``c2pa_*`` columns)
    and log the row again; returns the entry's index."""
    c = t.media.c
    conn.execute(update(t.media).where(c.sha256 == sha256).values(**values, analysed_at=now))
    uid = conn.execute(select(c.observation_uid).where(c.sha256 == sha256)).scalar_one()
    return _log(conn, ledger, sha256, uid, ANALYSED, now)


def _log(conn: Connection, ledger: Any, sha256: str, observation_uid: str, stage: str,
         now: datetime) -> int:  # fmt: skip
    meta = {"observation": observation_uid, "stage": stage,
            **row_metas(conn, MEDIA, [sha256])[sha256]}  # fmt: skip
    entry = LogEntry(type=EntryType.MEDIA, ref=sha256, sha256=sha256, time=now, meta=meta)
    return int(ledger.append(conn, [entry])[0])


def count_media(conn: Connection) -> int:
    """Number of media rows."""
    return int(conn.execute(select(func.count()).select_from(t.media)).scalar_one())


# --------------------------------------------------------------------------- checking


def check_files(conn: Connection, root: Path | None) -> Iterator[tuple[str, str]]:
    """``(sha256, message)`` for each media row whose file is missing or whose bytes no
    longer hash to its name; one finding when there are rows but no media folder."""
    query = select(t.media.c.sha256).order_by(t.media.c.sha256)
    shas = [str(s) for s in conn.execute(query).scalars()]
    if root is None:
        if shas:
            yield "", (f"{len(shas)} media files not checked: this store has no media "
                       f"folder ({MEDIA_DIR_ENV})")  # fmt: skip
        return
    for sha in shas:
        problem = _file_problem(root, sha)
        if problem is not None:
            yield sha, problem


def _file_problem(root: Path, sha256: str) -> str | None:
    try:
        path = blob_path(root, sha256)
    except ValueError:
        return f"media row {sha256!r}: not a SHA-256, no file can have that name"
    try:
        found = file_sha256(path)
    except FileNotFoundError:
        return f"media file {path}: missing"
    except OSError as exc:
        return f"media file {path}: cannot be read ({exc.strerror or exc})"
    if found != sha256:
        return f"media file {path}: its bytes no longer hash to its name (SHA-256 {found})"
    return None
