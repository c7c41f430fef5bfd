"""Three witnesses on loopback cosign the mission's checkpoints after checking the log
grew append-only; one of them, shown a forked log, refuses it and keeps the evidence."""

from __future__ import annotations

import json
import threading
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from trucewatch.app import cosign
from trucewatch.ledger.entry import observation_entry, sha256_hex
from trucewatch.ledger.note import COSIGNATURE, ED25519, Checkpoint, Signer, Verifier, parse_note
from trucewatch.ledger.signing import Role, generate_key, read_private_key, write_private_key
from trucewatch.ledger.witness import Witness, make_server, request_body
from trucewatch.store import Store

ORIGIN = "trucewatch.example/mission-log"
T0 = datetime(2025, 8, 12, 6, 30, tzinfo=UTC)


def _grow(store: Store, key: object, start: int, count: int, tag: str = "") -> None:
    entries = [
        observation_entry(f"{tag}{i:060x}", sha256_hex(f"{tag}{i}".encode()),
                          T0 + timedelta(seconds=i))
        for i in range(start, start + count)
    ]
    with store.engine.begin() as conn:
        store.ledger.append(conn, entries)
        store.ledger.sign_tree_head(conn, key)


@pytest.fixture
def mission(tmp_path: Path) -> tuple[Store, Path]:
    key_path = tmp_path / "mission.pem"
    write_private_key(generate_key(), key_path)
    store = Store.open(f"sqlite:///{tmp_path / 'mission.db'}")
    with store.engine.begin() as conn:
        store.ledger.add_key(conn, read_private_key(key_path), Role.MISSION, "mission")
    _grow(store, read_private_key(key_path), 0, 10)
    return store, key_path


@pytest.fixture
def witnesses(tmp_path: Path, mission: tuple[Store, Path]) -> Iterator[list[tuple[str, Witness]]]:
    """Three witnesses (two parties and a neutral body) serving on loopback."""
    log_vkey = cosign.mission_vkey(mission[1], ORIGIN)["vkey"]
    running = []
    for name in ("ua.example/witness", "ru.example/witness", "neutral.example/witness"):
        logs = {ORIGIN: [Verifier.parse(log_vkey)]}
        witness = Witness(Signer(name, generate_key(), COSIGNATURE), logs,
                          tmp_path / name.split(".")[0])  # fmt: skip
        server = make_server(witness)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        running.append((server, witness))
    cosign._KNOWN.clear()
    yield [(f"http://127.0.0.1:{s.server_address[1]}", w) for s, w in running]
    for server, _ in running:
        server.shutdown()
        server.server_close()


def _specs(witnesses: list[tuple[str, Witness]]) -> list[str]:
    return [f"{url}={w.signer.verifier.vkey()}" for url, w in witnesses]


def test_a_quorum_cosigns_and_the_checkpoint_is_published(
    mission: tuple[Store, Path], witnesses: list[tuple[str, Witness]], tmp_path: Path
) -> None:
    store, key_path = mission
    first = cosign.cosign(store, key_path, ORIGIN, _specs(witnesses), quorum=3,
                          publish=tmp_path / "pub")  # fmt: skip
    assert first["quorum_reached"] and first["published"] and len(first["cosigned_by"]) == 3
    _grow(store, read_private_key(key_path), 10, 25)
    second = cosign.cosign(store, key_path, ORIGIN, _specs(witnesses), quorum=3,
                           publish=tmp_path / "pub")  # fmt: skip
    assert second["cosigned_by"] == first["cosigned_by"] and second["tree_size"] > first[
        "tree_size"]  # fmt: skip
    note = parse_note((tmp_path / "pub" / "checkpoint").read_bytes())
    mission_key = Signer(ORIGIN, read_private_key(key_path), ED25519).verifier
    seen = note.verified_by([mission_key, *(w.signer.verifier for _, w in witnesses)])
    assert len(seen) == 4 and Checkpoint.parse(note.text).size == second["tree_size"]
    for _, w in witnesses:  # each witness holds the new size
        assert w.latest(ORIGIN)[0] == second["tree_size"]


def test_a_witness_shown_a_fork_refuses_it_and_keeps_the_evidence(
    mission: tuple[Store, Path], witnesses: list[tuple[str, Witness]], tmp_path: Path
) -> None:
    store, key_path = mission
    key = read_private_key(key_path)
    cosign.cosign(store, key_path, ORIGIN, _specs(witnesses), quorum=3)
    held = witnesses[2][1].latest(ORIGIN)
    # the fork: the same first entries, then a rewritten history, signed by the same key
    with store.engine.connect() as conn:
        genesis = store.ledger.entry(conn, 0).entry  # the mission key's registration
    fork = Store.open(f"sqlite:///{tmp_path / 'fork.db'}")
    with fork.engine.begin() as conn:
        fork.ledger.append(conn, [genesis])
    _grow(fork, key, 0, 30, tag="f")
    forked, size = cosign.checkpoint_note(fork, key_path, ORIGIN)
    with fork.engine.connect() as conn:
        proof = fork.ledger.consistency_proof(conn, held[0], size).path
    url, neutral = witnesses[2]
    answer = _post(url, request_body(held[0], proof, forked))
    assert answer[0] == 422 and "not consistent" in answer[1]
    assert neutral.latest(ORIGIN) == held  # nothing cosigned
    evidence = [json.loads(line) for line in (neutral.dir / "evidence.jsonl").read_text()
                .splitlines()]  # fmt: skip
    assert evidence[0]["origin"] == ORIGIN and forked.text.decode() in evidence[0]["request"]
    assert evidence[0]["held"]["size"] == held[0]
    fork.close()
    _grow(store, key, 10, 20)  # the honest log carries on, cosigned by all three
    again = cosign.cosign(store, key_path, ORIGIN, _specs(witnesses), quorum=3)
    assert len(again["cosigned_by"]) == 3
    restarted = Witness(neutral.signer, neutral.logs, neutral.dir)  # the state is on disk
    assert restarted.latest(ORIGIN)[0] == again["tree_size"]


def test_the_protocol_answers(mission: tuple[Store, Path],
                              witnesses: list[tuple[str, Witness]]) -> None:  # fmt: skip
    store, key_path = mission
    note, size = cosign.checkpoint_note(store, key_path, ORIGIN)
    url, witness = witnesses[0]
    assert _post(url, request_body(size + 1, [], note))[0] == 400
    stranger = cosign.checkpoint_note(store, key_path, "other.example/log")[0]
    assert _post(url, request_body(0, [], stranger))[0] == 404
    forged = Signer(ORIGIN, generate_key()).sign_line(note.text)
    assert _post(url, request_body(0, [], type(note)(note.text, ()).with_lines(forged)))[0] == 403
    assert _post(url, b"old 0\nnot a proof\n\n" + note.render())[0] == 400
    assert _post(url, request_body(0, [], note))[0] == 200
    status, body, content_type = _post(url, request_body(0, [], note), with_type=True)
    assert (status, body, content_type) == (409, f"{size}\n", "text/x.tlog.size")
    assert json.loads(urllib.request.urlopen(f"{url}/state").read())[ORIGIN]["size"] == size
    assert witness.latest(ORIGIN)[0] == size


def _post(url: str, body: bytes, *, with_type: bool = False) -> tuple:  # type: ignore[type-arg]
    request = urllib.request.Request(f"{url}/add-checkpoint", data=body, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            out = (answer.status, answer.read().decode(), answer.headers["Content-Type"])
    except urllib.error.HTTPError as exc:
        out = (exc.code, exc.read().decode(), exc.headers["Content-Type"])
    return out if with_type else out[:2]
