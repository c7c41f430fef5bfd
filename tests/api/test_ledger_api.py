"""The API with the Merkle log (issue 8): submissions are logged, signed submissions are
checked, proofs verify with the standalone verifier. Skipped while the ledger is absent."""

from __future__ import annotations

import pytest
from tests.api.conftest import Api, MakeApi, patrol_record

from trucewatch.api.submit import canonical_line
from trucewatch.store import Store

signing = pytest.importorskip("trucewatch.ledger.signing")
verify = pytest.importorskip("trucewatch.ledger.verify")
store_ledger = pytest.importorskip("trucewatch.store.ledger")


def _register_and_sign_head(url: str, monitor: object | None = None) -> object:
    """Register a mission key (and a monitor key) and sign a tree head; returns the
    mission key."""
    mission = signing.generate_key()
    store = Store.open(url)
    try:
        ledger = store_ledger.Ledger()
        with store.engine.begin() as conn:
            ledger.add_key(conn, mission, "mission", "the mission")
            if monitor is not None:
                ledger.add_key(conn, monitor, "monitor", "patrol 7")
            ledger.sign_tree_head(conn, mission)
    finally:
        store.close()
    return mission


def _sign_head(url: str, mission: object) -> None:
    store = Store.open(url)
    try:
        with store.engine.begin() as conn:
            store_ledger.Ledger().sign_tree_head(conn, mission)
    finally:
        store.close()


def test_submissions_are_logged_and_proved(make_api: MakeApi) -> None:
    api: Api = make_api()
    assert api.get("/api/health", role=None).json()["ledger"] is True
    mission = _register_and_sign_head(api.url)
    result = api.post("/api/observations", json={"records": [patrol_record()]}).json()
    assert result["ledger_entries"] == 1
    again = api.post("/api/observations", key="k2", json={"records": [patrol_record()]}).json()
    assert again["ledger_entries"] == 0  # a duplicate is not logged twice
    _sign_head(api.url, mission)

    uid = result["observations"][0]
    # a monitor's fresh observation is evidence of no published incident: a party's
    # liaison gets the same 404 as for an unknown ref (issue 20); an analyst the proofs
    hidden = api.get("/api/ledger/proofs", role="liaison", params={"ref": uid})
    assert hidden.status_code == 404
    listed = api.get("/api/ledger/proofs", role="analyst", params={"ref": uid}).json()
    head = verify.SignedTreeHead.from_json(listed["tree_head"])
    verify.check_tree_head(head, signing.key_id(signing.public_key_bytes(mission)))
    proof = verify.InclusionProof.from_json(listed["proofs"][0])
    proof.check(head)
    missing = api.get("/api/ledger/proofs", role="liaison", params={"ref": "nothing"})
    assert missing.status_code == 404
    heads = api.get("/api/ledger/tree-heads", role="liaison").json()["tree_heads"]
    assert len(heads) == 2
    old = verify.SignedTreeHead.from_json(heads[0])
    consistency = api.get("/api/ledger/consistency", role="liaison",
                          params={"old_size": old.tree_size}).json()  # fmt: skip
    verify.ConsistencyProof.from_json(consistency["proof"]).check(old, head)
    assert api.get("/api/ledger/consistency", role="liaison",
                   params={"old_size": 10**9}).status_code == 422  # fmt: skip
    assert api.get("/api/ledger", role="monitor").status_code == 403


def test_signed_submissions(make_api: MakeApi) -> None:
    monitor = signing.generate_key()
    api: Api = make_api(require_signatures=True)
    _register_and_sign_head(api.url, monitor)
    record = patrol_record(source_id="signed")
    line = canonical_line(record).encode("utf-8")
    signature = {
        "record": 0,
        "signer": signing.key_id(signing.public_key_bytes(monitor)),
        "signature": signing.sign_submission(monitor, line),
    }
    unsigned = api.post("/api/observations", key="u", json={"records": [record]})
    assert unsigned.status_code == 422
    assert unsigned.json()["error"]["field"] == "signatures"
    forged = {**signature, "signature": signing.sign_submission(signing.generate_key(), line)}
    bad = api.post("/api/observations", key="f", json={"records": [record], "signatures": [forged]})
    assert bad.status_code == 422
    assert bad.json()["error"]["code"] == "invalid_signature"
    good = api.post("/api/observations", key="g", json={"records": [record],
                                                        "signatures": [signature]})  # fmt: skip
    assert good.status_code == 201, good.text
    assert good.json()["ledger_entries"] == 1
    stray = {**signature, "record": 5}
    assert api.post("/api/observations", key="s", json={"records": [record],
                    "signatures": [stray]}).status_code == 422  # fmt: skip


def _keys(url: str) -> tuple[object, object, object]:
    """Mission, UA liaison and monitor keys, registered; a tree head signed."""
    mission, ua, monitor = (signing.generate_key() for _ in range(3))
    store = Store.open(url)
    try:
        with store.engine.begin() as conn:
            store.ledger.add_key(conn, mission, "mission", "the mission")
            store.ledger.add_key(conn, ua, "liaison", "UA liaison office", party="UA")
            store.ledger.add_key(conn, monitor, "monitor", "patrol 7")
    finally:
        store.close()
    return mission, ua, monitor


def _signature(key: object, record: dict) -> dict:
    line = canonical_line(record).encode("utf-8")
    return {"record": 0, "signer": signing.key_id(signing.public_key_bytes(key)),
            "signature": signing.sign_submission(key, line)}  # fmt: skip


def test_a_signature_binds_its_signer_to_the_party_and_role(make_api: MakeApi) -> None:
    api: Api = make_api()
    _mission, ua, monitor = _keys(api.url)
    record = patrol_record(source_id="ua-complaint")
    body = {"records": [record], "signatures": [_signature(ua, record)]}
    as_ru = api.post("/api/observations", role="liaison_ru", key="ru", json=body)
    assert as_ru.status_code == 422 and "not for RU" in as_ru.text
    as_monitor = api.post("/api/observations", role="monitor", key="mon", json=body)
    assert as_monitor.status_code == 422 and "complaints only" in as_monitor.text
    own = {"records": [record], "signatures": [_signature(monitor, record)]}
    monitor_on_complaint = api.post("/api/observations", role="liaison", key="m2", json=own)
    assert monitor_on_complaint.status_code == 422 and "may not sign party UA" in (
        monitor_on_complaint.text)
    good = api.post("/api/observations", role="liaison", key="ua", json=body)
    assert good.status_code == 201, good.text
    store = Store.open(api.url)
    try:
        from trucewatch.store.ledger_verify import verify_store

        with store.engine.connect() as conn:
            assert verify_store(conn, rows=True).ok
            entry = store.ledger.entry(conn, store.ledger.find(conn, good.json()[
                "observations"][0])[-1]).decode()  # fmt: skip
    finally:
        store.close()
    assert entry.meta["source"] == "complaint:UA" and entry.signer is not None


def test_verify_checks_the_bytes_a_liaison_sent(make_api: MakeApi, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """``verify.py --content`` on the exact request body (JSON records, re-encoded by the
    mission as canonical lines) and on a JSON Lines file (each line logged without its
    newline)."""
    import json

    api: Api = make_api()
    mission, _ua, _monitor = _keys(api.url)
    record = patrol_record(source_id="ua-json")
    sent_json = tmp_path / "sent_body.json"
    sent_json.write_text(json.dumps({"records": [record]}, indent=2) + "\n")
    by_records = api.post("/api/observations", role="liaison", key="r",
                          content=sent_json.read_bytes(),
                          headers={"Content-Type": "application/json"})  # fmt: skip
    assert by_records.status_code == 201, by_records.text
    line = json.dumps(patrol_record(source_id="ua-lines"), indent=None)
    sent_lines = tmp_path / "sent_body.jsonl"
    sent_lines.write_text(line + "\n")
    by_lines = api.post("/api/observations", role="liaison", key="l",
                        json={"lines": sent_lines.read_text(), "format": "patrol"})  # fmt: skip
    assert by_lines.status_code == 201, by_lines.text
    _sign_head(api.url, mission)
    for result, sent in ((by_records, sent_json), (by_lines, sent_lines)):
        uid = result.json()["observations"][0]
        listed = api.get("/api/ledger/proofs", role="liaison", params={"ref": uid}).json()
        (tmp_path / "proof.json").write_text(json.dumps(listed["proofs"][0]))
        (tmp_path / "sth.json").write_text(json.dumps(listed["tree_head"]))
        args = [str(tmp_path / "proof.json"), str(tmp_path / "sth.json"), "--content", str(sent)]
        assert verify.main(args) == 0, sent
    sent_lines.write_text(line.replace("ua-lines", "ua-other") + "\n")
    assert verify.main(args) == 1
