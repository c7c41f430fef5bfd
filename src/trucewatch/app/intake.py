"""Use case: import observation files (every source format) into the store, in one
transaction, with the submitters' signatures checked against the registered keys."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from trucewatch import sources
from trucewatch.app.progress import Progress, no_progress
from trucewatch.app.roles import (
    OPERATOR,
    PermissionDenied,
    Principal,
    as_complaint,
    submits_complaints,
)
from trucewatch.errors import InputError, RecordError, RecordNote
from trucewatch.ledger import bulk
from trucewatch.ledger.errors import LedgerError
from trucewatch.sources.firms_columns import FirmsColumns, read_columns
from trucewatch.store import Store
from trucewatch.types import Observation


def import_files(
    store: Store,
    paths: Sequence[Path],
    *,
    format: str | None = None,
    skip_bad: bool = False,
    progress: Progress = no_progress,
    principal: Principal = OPERATOR,
    signatures: Path | None = None,
    require_signatures: bool = False,
) -> dict[str, Any]:
    """Import files in one transaction: every accepted observation of every file is
    stored, or nothing (a bad record fails the whole import unless ``skip_bad``).
    Files are streamed, not held in memory. Re-importing stores nothing new.

    ``principal``: who submits (:mod:`trucewatch.app.roles`): a party's liaison may import only
    patrol records, stored as that party's complaints. ``signatures``: a JSON Lines file of
    ``{"payload_sha256", "signer", "signature"}`` (``trucewatch key sign-file``), each
    checked against the keys registered with the mission before anything is stored; the
    signer and signature go into each observation's log entry. ``require_signatures``:
    refuse the import unless every record is signed by an active submitter key. A folder
    stands for its input files (:func:`input_files`); ``progress`` counts the records
    read against the lines of all files.

    The result counts the records ``read``, observations ``stored``, ``duplicates`` and
    records ``rejected`` (with ``errors``); ``unlocated`` counts the events stored (or
    found again) whose observer position could not be read, each passage named in
    ``notes`` (file, line, message): fusion does not place them."""
    complaints = submits_complaints(principal)
    paths, skipped = input_files(paths)
    streams = [sources.stream_file(p, format, skip_bad=skip_bad) for p in paths]
    if complaints:
        for stream in streams:
            if stream.format != "patrol":
                raise PermissionDenied(f"{stream.path}: a party's complaints are patrol "
                                       f"records, not {stream.format!r} records")  # fmt: skip
    signed = read_signatures(signatures) if signatures is not None else {}
    errors: list[RecordError] = []
    notes: list[RecordNote] = []
    total = sum(_line_count(p) for p in paths)
    done = [0]
    with store.import_batch([str(p) for p in paths]) as batch:
        batch.signatures = _checked_signatures(store, batch.conn, signed, signatures)
        for stream in streams:
            progress(f"importing {stream.path.name}", done[0], total)
            columns = None if complaints or require_signatures or batch.signatures else \
                _as_columns(stream)
            if columns is not None:
                batch.add_columns(columns)
                batch.finish(read=columns.read, rejected=0)
                done[0] += columns.read
                continue
            items: Iterator[Observation] = _counted(stream, done, total, progress)
            if complaints:
                assert principal.party is not None
                items = (as_complaint(o, principal.party) for o in items)
            if require_signatures:
                items = _signed_only(items, batch.signatures, stream.path)
            batch.add(items)
            batch.finish(read=stream.read, rejected=len(stream.errors))
            errors.extend(stream.errors)
            notes.extend(stream.notes)
        progress("committing", total, total)
    return {
        "read": batch.read,
        "stored": batch.counts.stored,
        "duplicates": batch.counts.duplicates,
        "rejected": len(errors),
        "signatures": len(batch.signatures),
        "as": {"role": principal.role.value, "party": principal.party},
        "errors": [e.as_dict() for e in errors],
        "unlocated": sum(n.unlocated for n in notes),
        "notes": [n.as_dict() for n in notes],
        "files": [str(p) for p in paths],
        "skipped_files": [str(p) for p in skipped],
    }


def _as_columns(stream: Any) -> FirmsColumns | None:
    """A large FIRMS archive file read as columns (the fast path of
    :mod:`trucewatch.sources.firms_columns`), or None for the row path."""
    if stream.format != "firms" or not bulk.AVAILABLE:
        return None
    return read_columns(stream.path)


PROGRESS_EVERY = 5000
"""Records read between two progress reports of an import."""


def _counted(stream: Any, done: list[int], total: int, progress: Progress) -> Iterator[Observation]:
    """The stream's observations, telling ``progress`` every :data:`PROGRESS_EVERY`
    records read (``done[0]`` counts across files; records are lines of the files)."""
    base = done[0]
    name = f"importing {stream.path.name}"
    for k, o in enumerate(stream):
        if k % PROGRESS_EVERY == 0:
            done[0] = base + stream.read
            progress(name, min(done[0], total), total)
        yield o
    done[0] = base + stream.read


def _line_count(path: Path) -> int:
    """Lines of a file (its records, about: a CSV header and blank lines included)."""
    with open(path, "rb") as f:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 20), b""))


def input_files(paths: Sequence[Path]) -> tuple[list[Path], list[Path]]:
    """Files to import and files of the given folders left out. A file stands for itself;
    a ``trucewatch simulate`` output folder (with ``truth.jsonl``) for its observation
    files (patrol, acoustic, camera, FIRMS, complaint: never the ground truth); any other
    folder for its files in a known format (sorted by name; the rest are left out). A
    folder with no input file is an :class:`InputError`."""
    from trucewatch.sim.record_text import FILES

    chosen: list[Path] = []
    skipped: list[Path] = []
    for path in map(Path, paths):
        if not path.is_dir():
            chosen.append(path)
            continue
        if (path / "truth.jsonl").is_file():
            found = [path / name for name in FILES.values() if (path / name).is_file()]
            skipped += sorted(set(path.iterdir()) - set(found))
        else:
            found, rest = _known_format_files(path)
            skipped += rest
        if not found:
            raise InputError(RecordError(str(path), None, None, "folder holds no input file"))
        chosen += found
    return chosen, skipped


def _known_format_files(folder: Path) -> tuple[list[Path], list[Path]]:
    found, rest = [], []
    for p in sorted(folder.iterdir()):
        if p.name.startswith(".") or not p.is_file():
            continue
        try:
            sources.sniff_format(p)
            found.append(p)
        except InputError:
            rest.append(p)
    return found, rest


def read_signatures(path: Path) -> dict[str, tuple[str, str]]:
    """``payload_sha256 -> (signer, signature)`` from a signatures file (JSON Lines); a
    bad line is an :class:`InputError` naming it."""
    out: dict[str, tuple[str, str]] = {}
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise InputError(RecordError(str(path), None, None,
                                     f"cannot read file: {exc.strerror or exc}")) from exc
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
            digest, signer, sig = rec["payload_sha256"], rec["signer"], rec["signature"]
        except (ValueError, TypeError, KeyError, RecursionError) as exc:
            field = exc.args[0] if isinstance(exc, KeyError) else "json"
            raise InputError(RecordError(str(path), number, str(field),
                                         "expected {payload_sha256, signer, signature}")) from exc
        if not all(isinstance(v, str) for v in (digest, signer, sig)):
            raise InputError(RecordError(str(path), number, "signature", "values must be text"))
        out[digest.lower()] = (signer.lower(), sig.lower())
    return out


def _checked_signatures(store: Store, conn: Any, signed: dict[str, tuple[str, str]],
                        path: Path | None) -> dict[str, tuple[str, str]]:  # fmt: skip
    """Check each signature against the registered keys (in the import's transaction)."""
    for number, (digest, (signer, sig)) in enumerate(signed.items(), start=1):
        try:
            store.ledger.check_submission_digest(conn, digest, signer, sig)
        except LedgerError as exc:
            raise InputError(RecordError(str(path), number, "signature",
                                         f"payload {digest[:12]}...: {exc}")) from exc
    return signed


def _signed_only(items: Iterator[Observation], signed: dict[str, tuple[str, str]],
                 path: Path) -> Iterator[Observation]:  # fmt: skip
    for o in items:
        if o.payload_sha256 not in signed:
            index = o.attributes.get("event_index")
            raise InputError(RecordError(
                str(path), None, "signature",
                f"record {o.payload_sha256[:12]}... (event {index or 0}) is not signed by a "
                "registered key; signatures are required"))
        yield o
