"""Cosigned log heads: the mission's latest signed tree head as a C2SP checkpoint, sent to
the witnesses (c2sp.org/tlog-witness), published once a quorum has cosigned it (stored and
logged, shown in the daily report and on the dashboard); a publishing loop that signs and
cosigns heads as entries arrive (:class:`HeadPublisher`, configured by a TOML file,
:class:`CosignConfig`); and the log as C2SP tiles (c2sp.org/tlog-tiles) for anyone to read
as static files.

The checkpoint is signed with the mission key (the one that signs tree heads) under the
key name ``origin``; :func:`mission_vkey` gives the verifier key witness operators
configure. Each witness is asked with the consistency proof from the size it last
cosigned (remembered per process; a 409 answer tells it, and the request is made again).
"""

from __future__ import annotations

import logging
import os
import threading
import tomllib
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from threading import Lock
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from trucewatch.app.ledger import read_key_file
from trucewatch.app.roles import OPERATOR, Permission, Principal, require
from trucewatch.errors import InputError, RecordError
from trucewatch.ledger.entry import EntryType
from trucewatch.ledger.errors import LedgerError
from trucewatch.ledger.note import ED25519, Checkpoint, Note, NoteError, Signer, Verifier
from trucewatch.ledger.note import sign_checkpoint as sign_note
from trucewatch.ledger.tiles import write_tiles
from trucewatch.ledger.witness import request_body
from trucewatch.store import Store
from trucewatch.store.cosigned import (
    add_cosigned_head,
    cosigned_size,
    last_entry_about,
    needs_new_head,
)
from trucewatch.store.cosigned import latest_cosigned_head as stored_latest_cosigned_head

_log = logging.getLogger(__name__)

_KNOWN: dict[tuple[str, str], int] = {}
"""(witness URL, origin) -> size the witness last cosigned, as this process learnt it."""
_KNOWN_LOCK = Lock()
_POOL: list[ThreadPoolExecutor] = []


def _pool() -> ThreadPoolExecutor:
    """The threads that ask the witnesses in parallel (made once: a publishing loop asks
    every second or so)."""
    with _KNOWN_LOCK:
        if not _POOL:
            _POOL.append(ThreadPoolExecutor(max_workers=16, thread_name_prefix="cosign"))
        return _POOL[0]


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
    return _checkpoint(store, read_key_file(key_path), origin)


def _checkpoint(store: Store, key: Ed25519PrivateKey, origin: str) -> tuple[Note, int]:
    with store.engine.connect() as conn:
        head = store.ledger.latest_tree_head(conn)
    if head is None:
        raise LedgerError("no signed tree head yet: run `trucewatch ledger sign` first")
    signer = Signer(origin, key, ED25519)
    return sign_note(Checkpoint(origin, head.tree_size, head.root_hash), signer), head.tree_size


@dataclass(frozen=True)
class Quorum:
    """When a checkpoint may be published: every witness named in ``names`` (their key
    names, e.g. ``ua.example/witness``) and at least ``count`` witnesses in all cosigned."""

    names: tuple[str, ...] = ()
    count: int = 1

    @classmethod
    def of(cls, spec: int | Sequence[str] | Quorum) -> Quorum:
        """From a count, a list of witness key names (all of them needed), or a quorum."""
        if isinstance(spec, Quorum):
            return spec
        if isinstance(spec, int):
            if isinstance(spec, bool) or spec < 1:
                raise ValueError(f"a quorum is a positive count or witness names, not {spec!r}")
            return cls((), spec)
        if isinstance(spec, str):
            spec = [spec]
        names = tuple(str(n) for n in spec)
        return cls(names, len(names))

    def reached(self, cosigned: Sequence[str]) -> bool:
        return set(self.names) <= set(cosigned) and len(set(cosigned)) >= self.count

    def describe(self) -> str:
        named = f" including {', '.join(self.names)}" if self.names else ""
        return f"{self.count} witnesses{named}"


def cosign(store: Store, key_path: Path, origin: str, witnesses: Sequence[str], *,
           quorum: int | Sequence[str] | Quorum, publish: Path | None = None,
           timeout_s: float = 10.0, principal: Principal = OPERATOR) -> dict[str, Any]:  # fmt: skip
    """Ask every witness (in parallel) to cosign the latest head; once the ``quorum`` has
    cosigned it, publish it: stored and logged in the store (the report and the dashboard
    show it) and, with ``publish``, written to ``publish/checkpoint``."""
    require(principal, Permission.MANAGE_MISSION)
    refs = [WitnessRef.parse(w) for w in witnesses]
    return _cosign(store, read_key_file(key_path), origin, refs, Quorum.of(quorum), publish,
                   timeout_s)  # fmt: skip


def _cosign(store: Store, key: Ed25519PrivateKey, origin: str, refs: Sequence[WitnessRef],
            quorum: Quorum, publish: Path | None, timeout_s: float) -> dict[str, Any]:  # fmt: skip
    note, size = _checkpoint(store, key, origin)
    answers = list(_pool().map(lambda w: _ask(store, w, note, size, timeout_s), refs))
    cosigned, refused = note, {}
    for ref, (line, why) in zip(refs, answers, strict=True):
        if line is not None:
            cosigned = cosigned.with_lines(line)
        else:
            refused[ref.url] = why
    names = sorted(cosigned.verified_by([r.verifier for r in refs]))
    reached = quorum.reached(names)
    if reached:
        _publish(store, origin, cosigned, names)
        if publish is not None:
            _write_atomic(publish / "checkpoint", cosigned.render())
    return {"origin": origin, "tree_size": size, "quorum": quorum.describe(),
            "cosigned_by": names, "quorum_reached": reached, "refused": refused,
            "published": reached, "checkpoint": cosigned.render().decode()}  # fmt: skip


def _publish(store: Store, origin: str, note: Note, names: Sequence[str]) -> None:
    """Store and log the cosigned checkpoint (unless a larger one is already published)."""
    body = Checkpoint.parse(note.text)
    with store.engine.begin() as conn:
        store.ledger.lock_log(conn)
        if cosigned_size(conn) >= body.size:
            return
        add_cosigned_head(conn, store.ledger, origin, body.size, body.root,
                          note.render().decode(), names, datetime.now(UTC))  # fmt: skip


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


# --------------------------------------------------------------------------- publishing


@dataclass(frozen=True)
class CosignConfig:
    """How the mission publishes heads (a TOML file, see docs/ledger.md section 8.4):
    its checkpoint ``origin`` and signing ``key``, the ``witnesses`` it asks, the
    ``quorum`` that must cosign, how often it looks for new entries (``every_s``, s), how
    long it waits for a witness (``timeout_s``, s) and where it writes the checkpoint
    file (``publish``, optional)."""

    origin: str
    key: Path
    witnesses: tuple[WitnessRef, ...]
    quorum: Quorum
    every_s: float = 1.0
    timeout_s: float = 10.0
    publish: Path | None = None

    @classmethod
    def load(cls, path: Path) -> CosignConfig:
        """Read a configuration file; a bad value is an :class:`InputError` naming it."""
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise InputError(RecordError(str(path), None, None, str(exc))) from exc
        try:
            return cls._from(raw, path.parent)
        except KeyError as exc:
            raise InputError(RecordError(str(path), None, str(exc.args[0]), "missing")) from exc
        except (TypeError, ValueError) as exc:
            raise InputError(RecordError(str(path), None, None, str(exc))) from exc

    @classmethod
    def _from(cls, raw: dict[str, Any], base: Path) -> CosignConfig:
        witnesses = tuple(_witness(i, w) for i, w in enumerate(raw["witnesses"]))
        quorum = Quorum.of(raw.get("quorum", len(witnesses)))
        known = {w.verifier.name for w in witnesses}
        if unknown := sorted(set(quorum.names) - known):
            raise ValueError(f"quorum names witnesses not configured: {', '.join(unknown)}")
        if not 1 <= quorum.count <= len(witnesses):
            raise ValueError(f"a quorum of {quorum.count} of {len(witnesses)} witnesses")
        every, timeout = float(raw.get("every_s", 1.0)), float(raw.get("timeout_s", 10.0))
        if not (0.05 <= every <= 86_400 and 0.1 <= timeout <= 600):
            raise ValueError("every_s must be within 0.05-86400 s and timeout_s 0.1-600 s")
        publish = raw.get("publish")
        return cls(str(raw["origin"]), base / str(raw["key"]), witnesses, quorum, every,
                   timeout, None if publish is None else base / str(publish))  # fmt: skip


def _witness(index: int, spec: dict[str, Any]) -> WitnessRef:
    """``[[witnesses]]`` number ``index`` (0-based) of a configuration."""
    try:
        return WitnessRef(str(spec["url"]).rstrip("/"), Verifier.parse(str(spec["vkey"])))
    except KeyError as exc:
        raise ValueError(f"witnesses[{index}]: give its {exc.args[0]}") from exc
    except NoteError as exc:
        raise ValueError(f"witnesses[{index}].vkey: {exc}") from exc


def publish_head(store: Store, config: CosignConfig | Path, *,
                 key: Ed25519PrivateKey | None = None,
                 principal: Principal = OPERATOR) -> dict[str, Any]:  # fmt: skip
    """Sign a tree head when entries arrived since the latest one (the publishing's own
    entries aside), then ask the witnesses to cosign it and publish it once the quorum
    has; nothing to do when the latest head is already published. ``config``: a
    configuration or its file."""
    require(principal, Permission.MANAGE_MISSION)
    if isinstance(config, Path):
        config = CosignConfig.load(config)
    key = key or read_key_file(config.key)
    with store.engine.begin() as conn:
        head = store.ledger.latest_tree_head(conn)
        if head is None or needs_new_head(conn, head.tree_size):
            head = store.ledger.sign_tree_head(conn, key)
        elif cosigned_size(conn) >= head.tree_size:
            return {"tree_size": head.tree_size, "published": False, "up_to_date": True}
    return _cosign(store, key, config.origin, config.witnesses, config.quorum, config.publish,
                   config.timeout_s)  # fmt: skip


def publish_forever(store: Store, config: Path, *,
                    started: Callable[[CosignConfig], None] | None = None,
                    principal: Principal = OPERATOR) -> dict[str, Any]:  # fmt: skip
    """Run :class:`HeadPublisher` with the configuration file ``config`` until
    interrupted (Ctrl-C); returns the last outcome."""
    require(principal, Permission.MANAGE_MISSION)
    publisher = HeadPublisher(store, CosignConfig.load(config)).start()
    if started is not None:
        started(publisher.config)
    try:
        while publisher.running:
            publisher.wait(3600)
    except KeyboardInterrupt:
        pass
    finally:
        publisher.stop()
    return publisher.last


class HeadPublisher:
    """A thread that runs :func:`publish_head` every ``config.every_s`` seconds until
    :meth:`stop`; the API server starts one when it is given a configuration. ``last``
    is the latest outcome (or ``{"error": ...}``)."""

    def __init__(self, store: Store, config: CosignConfig) -> None:
        self.store, self.config = store, config
        self.key = read_key_file(config.key)
        self.last: dict[str, Any] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="head-publisher", daemon=True)

    def start(self) -> HeadPublisher:
        self._thread.start()
        return self

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def wait(self, seconds: float) -> None:
        """Sleep up to ``seconds``, less if the publisher is stopped."""
        self._stop.wait(seconds)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=self.config.timeout_s + 5)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.last = publish_head(self.store, self.config, key=self.key)
            except Exception as exc:  # a background loop: keep going, say why
                _log.warning("publishing a cosigned head failed: %s", exc)
                self.last = {"error": f"{type(exc).__name__}: {exc}"}
            self._stop.wait(self.config.every_s)


# --------------------------------------------------------------------------- reading


def latest_cosigned_head(store: Store, *, principal: Principal = OPERATOR
                         ) -> dict[str, Any] | None:  # fmt: skip
    """The latest published (quorum-cosigned) checkpoint, or None: public information,
    shown in the daily report and on the dashboard."""
    require(principal, Permission.READ_LEDGER, Permission.READ_PUBLISHED_REPORTS,
            Permission.READ_MAP_LAYERS)  # fmt: skip
    with store.engine.connect() as conn:
        head = stored_latest_cosigned_head(conn)
    return None if head is None else head.as_dict()


def batch_ledger_index(store: Store, batch_id: int) -> int | None:
    """Index of the entry that logged import batch ``batch_id`` (after its observations'
    entries): the write is in a cosigned head once that head's size exceeds it."""
    with store.engine.connect() as conn:
        return last_entry_about(conn, EntryType.BATCH.value, str(batch_id))


def cosigned_head_covering(store: Store, index: int) -> dict[str, Any] | None:
    """The latest published checkpoint when it covers entry ``index``, else None."""
    with store.engine.connect() as conn:
        if cosigned_size(conn) <= index:
            return None
        head = stored_latest_cosigned_head(conn)
    return None if head is None else head.as_dict()


def published_size(store: Store) -> int:
    """Entries covered by the latest published checkpoint (0 when none)."""
    with store.engine.connect() as conn:
        return cosigned_size(conn)
