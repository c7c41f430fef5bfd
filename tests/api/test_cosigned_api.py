"""Cosigned heads end to end: three witnesses on loopback (two parties and a neutral body),
the API server publishing heads as entries arrive once all three cosigned; a write that
asks for it is answered once its batch is in a cosigned head (202 when not in time); the
head is shown by the API, the dashboard's route and the daily report, and logged."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from tests.api.conftest import Api, MakeApi, patrol_record

from trucewatch.app import cosign, reports
from trucewatch.errors import InputError
from trucewatch.ledger.note import COSIGNATURE, Signer, Verifier, parse_note
from trucewatch.ledger.signing import Role, generate_key, read_private_key, write_private_key
from trucewatch.ledger.witness import Witness, make_server
from trucewatch.store import Store
from trucewatch.store.ledger_verify import verify_store

ORIGIN = "trucewatch.example/mission-log"
NAMES = ("ua.example/witness", "ru.example/witness", "neutral.example/witness")


@pytest.fixture
def mission_key(tmp_path: Path) -> Path:
    """The mission's key file (registered in a store by :func:`_register`)."""
    write_private_key(generate_key(), tmp_path / "mission.pem")
    return tmp_path / "mission.pem"


def _register(url: str, key: Path) -> None:
    store = Store.open(url)
    try:
        with store.engine.begin() as conn:
            store.ledger.add_key(conn, read_private_key(key), Role.MISSION, "the mission")
    finally:
        store.close()


@pytest.fixture
def witnesses(mission_key: Path, tmp_path: Path) -> Iterator[list[tuple[str, Witness]]]:
    log_vkey = Verifier.parse(cosign.mission_vkey(mission_key, ORIGIN)["vkey"])
    running = []
    for name in NAMES:
        witness = Witness(Signer(name, generate_key(), COSIGNATURE), {ORIGIN: [log_vkey]},
                          tmp_path / name.split(".")[0])  # fmt: skip
        server = make_server(witness)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        running.append((server, witness))
    cosign._KNOWN.clear()
    yield [(f"http://127.0.0.1:{s.server_address[1]}", w) for s, w in running]
    for server, _ in running:
        server.shutdown()
        server.server_close()


def _config(tmp_path: Path, witnesses: list[tuple[str, Witness]], quorum: object) -> Path:
    lines = [f'origin = "{ORIGIN}"', 'key = "mission.pem"', f"quorum = {quorum}",
             "every_s = 0.1", "timeout_s = 5"]  # fmt: skip
    for url, w in witnesses:
        lines += ["[[witnesses]]", f'url = "{url}"', f'vkey = "{w.signer.verifier.vkey()}"']
    path = tmp_path / "cosign.toml"
    path.write_text("\n".join(lines) + "\n")
    return path


def _wait_post(api: Api, key: str, **record: object) -> tuple[int, dict, dict]:  # type: ignore[type-arg]
    answer = api.post("/api/observations", key=key, json={"records": [patrol_record(**record)]},
                      headers={"Prefer": "wait-for-cosigned-head, wait=30"})  # fmt: skip
    return answer.status_code, answer.json(), dict(answer.headers)


def test_a_write_is_answered_once_its_batch_is_in_a_cosigned_head(
    make_api: MakeApi, store_url: str, mission_key: Path, witnesses: list[tuple[str, Witness]],
    tmp_path: Path,
) -> None:
    _register(store_url, mission_key)
    config = _config(tmp_path, witnesses, list(NAMES))
    api = make_api(cosign_config=config)
    status, body, headers = _wait_post(api, "w1")
    assert status == 201, body
    assert headers["preference-applied"] == "wait-for-cosigned-head"
    head = body["cosigned_head"]
    assert head["tree_size"] > body["ledger_index"] and head["cosigned_by"] == sorted(NAMES)
    note = parse_note(head["checkpoint"].encode())
    verifiers = [w.signer.verifier for _, w in witnesses]
    assert sorted(note.verified_by(verifiers)) == sorted(NAMES)  # each witness cosigned it
    status, second, _ = _wait_post(api, "w2", source_id="another-patrol")
    assert status == 201 and second["cosigned_head"]["tree_size"] > second["ledger_index"]
    assert second["ledger_index"] > body["ledger_index"]

    shown = api.get("/api/ledger/cosigned-head", role="public").json()["cosigned_head"]
    assert shown["tree_size"] >= second["cosigned_head"]["tree_size"]
    assert shown["root_hash"] == note_root(shown["checkpoint"])
    for _, w in witnesses:  # every witness holds at least the head the answer named
        assert w.latest(ORIGIN)[0] >= second["cosigned_head"]["tree_size"]

    store = Store.open(api.url)
    try:
        out = tmp_path / "report"
        _, html = reports.render_daily_report(store, date(2025, 8, 13), out)
        assert f"of {shown['tree_size']} entries" in html.read_text() or "cosigned by" in (
            html.read_text())  # a later head may have been published meanwhile
        with store.engine.connect() as conn:
            report = verify_store(conn, rows=True)
        assert report.ok, report.problems  # the cosigned heads are logged rows
    finally:
        store.close()


def note_root(checkpoint: str) -> str:
    from trucewatch.ledger.note import Checkpoint

    return Checkpoint.parse(parse_note(checkpoint.encode()).text).root.hex()


def test_without_a_cosigned_head_in_time_the_answer_is_202(make_api: MakeApi) -> None:
    api = make_api()  # nothing publishes heads
    answer = api.post("/api/observations", key="w3", params={"wait": "cosigned"},
                      json={"records": [patrol_record()]},
                      headers={"Prefer": "wait=0.3"})  # fmt: skip
    assert answer.status_code == 202, answer.text
    body = answer.json()
    assert body["cosigned_head"] is None and body["ledger_index"] is not None
    assert body["stored"] == 1  # stored all the same
    plain = api.post("/api/observations", key="w4", json={"records": [patrol_record(
        source_id="third")]})  # fmt: skip
    assert plain.status_code == 201 and plain.json()["cosigned_head"] is None
    assert api.get("/api/ledger/cosigned-head", role="public").json() == {"cosigned_head": None}


def test_no_publication_without_every_named_witness(
    mission_key: Path, witnesses: list[tuple[str, Witness]], tmp_path: Path
) -> None:
    witnesses[1] = ("http://127.0.0.1:9", witnesses[1][1])  # RU's witness unreachable
    url = f"sqlite:///{tmp_path / 'small.db'}"
    _register(url, mission_key)
    store = Store.open(url)
    try:
        named = cosign.publish_head(store, _config(tmp_path, witnesses, list(NAMES)))
        assert not named["published"] and len(named["cosigned_by"]) == 2
        assert "http://127.0.0.1:9" in named["refused"]
        assert cosign.latest_cosigned_head(store) is None
        counted = cosign.publish_head(store, _config(tmp_path, witnesses, 2))
        assert counted["published"] and counted["tree_size"] == named["tree_size"]
        again = cosign.publish_head(store, _config(tmp_path, witnesses, 2))
        assert again == {"tree_size": named["tree_size"], "published": False,
                         "up_to_date": True}  # only its own entries since: no new head
    finally:
        store.close()


def test_a_bad_configuration_is_named(tmp_path: Path,
                                      witnesses: list[tuple[str, Witness]]) -> None:  # fmt: skip
    path = _config(tmp_path, witnesses, '["ua.example/witness", "osce.example/witness"]')
    with pytest.raises(InputError, match=r"cosign\.toml.*osce\.example/witness"):
        cosign.CosignConfig.load(path)
    path.write_text('origin = "x"\n')
    with pytest.raises(InputError, match=r"cosign\.toml.*witnesses.*missing"):
        cosign.CosignConfig.load(path)


@pytest.mark.parametrize(("prefer", "query", "expected"), [
    (None, None, None),
    ("respond-async", None, None),
    ("wait-for-cosigned-head", None, 10.0),
    ("Wait-For-Cosigned-Head, wait=3.5", None, 3.5),
    ("return=minimal; wait=120, wait-for-cosigned-head", None, 60.0),  # capped
    ("wait=5", "cosigned", 5.0),
    (None, "other", None),
])  # fmt: skip
def test_the_wait_asked_for(prefer: str | None, query: str | None,
                            expected: float | None) -> None:  # fmt: skip
    from trucewatch.api.cosigned import requested_wait

    assert requested_wait(prefer, query, 60.0) == expected
