"""A C2SP witness (c2sp.org/tlog-witness ``add-checkpoint``): what a party or a neutral
body runs to cosign the mission's log heads only after checking the log grew append-only.

For each log it knows (origin and the log's note verifier keys) the witness keeps the
latest checkpoint it cosigned, in ``state.json`` of its state folder (written atomically
before it answers). A request is ``old <size>``, the consistency proof lines (base64), a
blank line and the signed checkpoint. Answers, as the specification says: 404 unknown
origin, 403 no valid log signature, 400 malformed or old size above the new size, 409
(body: the size it holds, ``text/x.tlog.size``) when ``old`` is not that size, 422 when the
proof does not verify, or the same size comes with another root hash (a fork); else 200
with its cosignature line. A validly signed checkpoint it refuses for inconsistency is
**evidence** of a split view: the request, the reason and the checkpoint it held are
appended to ``evidence.jsonl``.

:func:`serve` runs it as a small HTTP service (standard library ``http.server``).
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from trucewatch.ledger.note import (
    EMPTY_ROOT,
    Checkpoint,
    Note,
    NoteError,
    Signer,
    Verifier,
    parse_note,
)
from trucewatch.ledger.verify import VerificationError, check_consistency

MAX_BODY = 64 * 1024
"""Largest request accepted (bytes)."""

SIZE_TYPE = "text/x.tlog.size"


@dataclass(frozen=True)
class Answer:
    """An HTTP answer: status, content type and body."""

    status: int
    body: bytes
    content_type: str = "text/plain; charset=utf-8"


def _text(status: int, message: str) -> Answer:
    return Answer(status, (message + "\n").encode())


class Witness:
    """The witness of the logs ``logs`` (origin -> the log's note verifier keys), cosigning
    with ``signer`` (a cosignature key, kind 0x04) and keeping its state in ``state_dir``."""

    def __init__(self, signer: Signer, logs: Mapping[str, Sequence[Verifier]],
                 state_dir: Path) -> None:  # fmt: skip
        self.signer, self.logs, self.dir = signer, dict(logs), Path(state_dir)
        self.dir.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self.state: dict[str, dict[str, Any]] = self._load()

    def _load(self) -> dict[str, dict[str, Any]]:
        path = self.dir / "state.json"
        return json.loads(path.read_text()) if path.exists() else {}

    def _save(self) -> None:
        tmp = self.dir / "state.json.tmp"
        tmp.write_text(json.dumps(self.state, indent=1, sort_keys=True))
        os.replace(tmp, self.dir / "state.json")

    def latest(self, origin: str) -> tuple[int, bytes]:
        """Size and root of the latest checkpoint cosigned for ``origin`` (0, empty root)."""
        held = self.state.get(origin)
        return (0, EMPTY_ROOT) if held is None else (held["size"], base64.b64decode(held["root"]))

    def add_checkpoint(self, body: bytes) -> Answer:
        """Answer one ``add-checkpoint`` request (see the module docstring)."""
        try:
            old, proof, note = parse_request(body)
            checkpoint = Checkpoint.parse(note.text)
        except NoteError as exc:
            return _text(400, f"malformed request: {exc}")
        logs = self.logs.get(checkpoint.origin)
        if logs is None:
            return _text(404, f"unknown log {checkpoint.origin}")
        try:
            if not note.verified_by(list(logs)):
                return _text(403, "no signature by a known key of the log")
        except NoteError as exc:
            return _text(403, str(exc))
        if old > checkpoint.size:
            return _text(400, f"old size {old} is above the checkpoint's {checkpoint.size}")
        with self._lock:
            return self._check_and_cosign(old, proof, note, checkpoint, body)

    def _check_and_cosign(self, old: int, proof: list[bytes], note: Note,
                          checkpoint: Checkpoint, body: bytes) -> Answer:  # fmt: skip
        held_size, held_root = self.latest(checkpoint.origin)
        if old != held_size:
            return Answer(409, f"{held_size}\n".encode(), SIZE_TYPE)
        problem = _inconsistency(old, held_root, checkpoint, proof)
        if problem is not None:
            if old > 0:
                self._evidence(checkpoint.origin, problem, body)
            return _text(422, problem)
        self.state[checkpoint.origin] = {
            "size": checkpoint.size, "root": base64.b64encode(checkpoint.root).decode(),
            "checkpoint": note.render().decode(), "time": int(time.time()),
        }  # fmt: skip
        self._save()
        return Answer(200, self.signer.sign_line(note.text).encode())

    def _evidence(self, origin: str, reason: str, body: bytes) -> None:
        record = {"time": int(time.time()), "origin": origin, "reason": reason,
                  "request": body.decode("utf-8", "replace"),
                  "held": self.state.get(origin)}  # fmt: skip
        with (self.dir / "evidence.jsonl").open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(record, sort_keys=True) + "\n")


def _inconsistency(old: int, held_root: bytes, checkpoint: Checkpoint,
                   proof: list[bytes]) -> str | None:  # fmt: skip
    """Why the checkpoint does not extend the held one, or None."""
    if checkpoint.size == 0 and checkpoint.root != EMPTY_ROOT:
        return "a checkpoint of size 0 must have the empty tree's root hash"
    if old == 0:
        return "the proof from size 0 must be empty" if proof else None
    try:
        check_consistency(old, checkpoint.size, held_root, checkpoint.root, proof)
    except VerificationError as exc:
        return f"not consistent with the checkpoint of size {old} already cosigned: {exc}"
    return None


def parse_request(body: bytes) -> tuple[int, list[bytes], Note]:
    """``(old size, consistency proof, checkpoint note)`` of an add-checkpoint body."""
    if len(body) > MAX_BODY:
        raise NoteError(f"request larger than {MAX_BODY} bytes")
    head, sep, rest = body.partition(b"\n\n")
    if not sep:
        raise NoteError("no blank line before the checkpoint")
    lines = head.decode("utf-8", "replace").split("\n")
    first = lines[0].split(" ")
    if len(first) != 2 or first[0] != "old" or not first[1].isdigit() or (
            first[1] != "0" and first[1].startswith("0")):  # fmt: skip
        raise NoteError("the first line must be 'old <size>'")
    if len(lines) - 1 > 63:
        raise NoteError("more than 63 consistency proof lines")
    proof = []
    for line in lines[1:]:
        try:
            h = base64.b64decode(line, validate=True)
        except binascii.Error as exc:
            raise NoteError(f"proof line {line[:60]!r} is not base64") from exc
        if len(h) != 32:
            raise NoteError("a proof line is a 32-byte hash")
        proof.append(h)
    return int(first[1]), proof, parse_note(rest)


def request_body(old: int, proof: Sequence[bytes], note: Note) -> bytes:
    """The add-checkpoint request for ``note`` from size ``old`` with ``proof``."""
    lines = [f"old {old}"] + [base64.b64encode(h).decode() for h in proof]
    return ("\n".join(lines) + "\n\n").encode() + note.render()


# --------------------------------------------------------------------------- HTTP


def make_server(witness: Witness, host: str = "127.0.0.1", port: int = 0) -> ThreadingHTTPServer:
    """An HTTP server for ``witness`` (``POST /add-checkpoint``; ``GET /state``: the
    latest checkpoint cosigned per log, JSON). ``port`` 0 picks a free port."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            if self.path.rstrip("/") != "/add-checkpoint":
                return self._answer(_text(404, "not found"))
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY:
                return self._answer(_text(400, "request too large"))
            self._answer(witness.add_checkpoint(self.rfile.read(length)))

        def do_GET(self) -> None:
            if self.path.rstrip("/") != "/state":
                return self._answer(_text(404, "not found"))
            body = json.dumps(witness.state, indent=1, sort_keys=True).encode()
            self._answer(Answer(200, body, "application/json"))

        def _answer(self, answer: Answer) -> None:
            self.send_response(answer.status)
            self.send_header("Content-Type", answer.content_type)
            self.send_header("Content-Length", str(len(answer.body)))
            self.end_headers()
            self.wfile.write(answer.body)

        def log_message(self, format: str, *args: Any) -> None:  # quiet by default
            return

    server = ThreadingHTTPServer((host, port), Handler)
    server.daemon_threads = True
    return server
