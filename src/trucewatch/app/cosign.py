"""Cosigned log heads: the mission's latest signed tree head as a C2SP checkpoint, sent to
the witnesses (c2sp.org/tlog-witness), published once a quorum has cosigned it; and the
log as C2SP tiles (c2sp.org/tlog-tiles) for anyone to read as static files.

The checkpoint is signed with the mission key (the one that signs tree heads) under the
key name ``origin``; :func:`mission_vkey` gives the verifier key witness operators
configure. Each witness is asked with the consistency proof from the size it last
cosigned (remembered per process; a 409 answer tells it, and the request is made again).
"""

from __future__ import annotations

import os
import urllib.error
import urllib.request
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from threading import Lock
from typing import Any

from trucewatch.app.ledger import read_key_file
from trucewatch.app.roles import OPERATOR, Permission, Principal, require
from trucewatch.errors import InputError, RecordError
from trucewatch.ledger.errors import LedgerError
from trucewatch.ledger.note import ED25519, Checkpoint, Note, NoteError, Signer, Verifier
from trucewatch.ledger.note import sign_checkpoint as sign_note
from trucewatch.ledger.tiles import write_tiles
from trucewatch.ledger.witness import request_body
from trucewatch.store import Store

_KNOWN: dict[tuple[str, str], int] = {}
"""(witness URL, origin) -> size the witness last cosigned, as this process learnt it."""
_KNOWN_LOCK = Lock()


@dataclass(frozen=True)
class WitnessRef:
    """A witness the mission asks: its URL prefix and its cosignature verifier key."""

    url: str
    verifier: Verifier

    @classmethod
    def parse(cls, spec: str) -> WitnessRef:
        """From ``URL=VKEY``."""
        url, sep, vkey = spec.partition("=")
        if not sep:
            raise InputError(RecordError("witness", None, "--witness", "give URL=VKEY"))
        try:
            return cls(url.rstrip("/"), Verifier.parse(vkey))
        except NoteError as exc:
            raise InputError(RecordError("witness", None, "--witness", str(exc))) from exc


def mission_vkey(key_path: Path, origin: str) -> dict[str, Any]:
    """The verifier key of the mission's checkpoints (for the witnesses' configuration)."""
    signer = Signer(origin, read_key_file(key_path), ED25519)
    return {"origin": origin, "vkey": signer.verifier.vkey()}


def checkpoint_note(store: Store, key_path: Path, origin: str) -> tuple[Note, int]:
    """The latest signed tree head as a checkpoint signed by the mission key."""
    with store.engine.connect() as conn:
        head = store.ledger.latest_tree_head(conn)
    if head is None:
        raise LedgerError("no signed tree head yet: run `trucewatch ledger sign` first")
    signer = Signer(origin, read_key_file(key_path), ED25519)
    return sign_note(Checkpoint(origin, head.tree_size, head.root_hash), signer), head.tree_size


def cosign(store: Store, key_path: Path, origin: str, witnesses: Sequence[str], *,
           quorum: int, publish: Path | None = None, timeout_s: float = 10.0,
           principal: Principal = OPERATOR) -> dict[str, Any]:  # fmt: skip
    """Ask every witness (in parallel) to cosign the latest head; publish the cosigned
    checkpoint at ``publish/checkpoint`` once ``quorum`` witnesses have cosigned it."""
    require(principal, Permission.MANAGE_MISSION)
    refs = [WitnessRef.parse(w) for w in witnesses]
    note, size = checkpoint_note(store, key_path, origin)
    with ThreadPoolExecutor(max_workers=max(1, len(refs))) as pool:
        answers = list(pool.map(lambda w: _ask(store, w, note, size, timeout_s), refs))
    cosigned, refused = note, {}
    for ref, (line, why) in zip(refs, answers, strict=True):
        if line is not None:
            cosigned = cosigned.with_lines(line)
        else:
            refused[ref.url] = why
    names = sorted(cosigned.verified_by([r.verifier for r in refs]))
    published = len(names) >= quorum and publish is not None
    if published:
        assert publish is not None
        _write_atomic(publish / "checkpoint", cosigned.render())
    return {"origin": origin, "tree_size": size, "quorum": quorum, "cosigned_by": names,
            "quorum_reached": len(names) >= quorum, "refused": refused,
            "published": published, "checkpoint": cosigned.render().decode()}  # fmt: skip


def _ask(store: Store, ref: WitnessRef, note: Note, size: int,
         timeout_s: float) -> tuple[str | None, str]:  # fmt: skip
    """The witness's verified cosignature line, or None and why not."""
    key = (ref.url, Checkpoint.parse(note.text).origin)
    with _KNOWN_LOCK:
        old = min(_KNOWN.get(key, 0), size)
    for _ in range(2):
        with store.engine.connect() as conn:
            proof = store.ledger.consistency_proof(conn, old, size).path if old else ()
        status, body = _post(f"{ref.url}/add-checkpoint", request_body(old, proof, note), timeout_s)
        if status == 409 and body.strip().isdigit() and int(body) <= size:
            old = int(body)
            continue
        if status != 200:
            return None, f"HTTP {status}: {body.strip()[:300]}"
        try:
            Note(note.text, ()).with_lines(body).verified_by([ref.verifier])
        except NoteError as exc:
            return None, f"bad cosignature: {exc}"
        with _KNOWN_LOCK:
            _KNOWN[key] = size
        return body, "cosigned"
    return None, "the witness holds a size this log cannot prove consistency from"


def _post(url: str, body: bytes, timeout_s: float) -> tuple[int, str]:
    request = urllib.request.Request(url, data=body, method="POST",
                                     headers={"Content-Type": "text/plain"})  # fmt: skip
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as answer:
            return answer.status, answer.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", "replace")
    except (urllib.error.URLError, OSError) as exc:
        return 0, f"unreachable: {exc}"


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def tiles(store: Store, out: Path, *, principal: Principal = OPERATOR) -> dict[str, Any]:
    """Write the log as C2SP tiles and entry bundles under ``out`` up to the latest signed
    tree head (the cosigned ``checkpoint`` goes beside them, from :func:`cosign`)."""
    require(principal, Permission.READ_LEDGER)
    with store.engine.connect() as conn:
        head = store.ledger.latest_tree_head(conn)
        if head is None:
            raise LedgerError("no signed tree head yet: run `trucewatch ledger sign` first")
        entries = [e.entry for e in store.ledger.entries(conn, 0, head.tree_size)]
    written = write_tiles(out, entries)
    return {"out": str(out), "tree_size": head.tree_size, "files": written}
