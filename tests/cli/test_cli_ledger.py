"""The ledger commands end to end: every imported observation is logged in the same
transaction; a signed tree head and an inclusion proof check with the standalone verifier;
an altered row is detected."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from typer.testing import CliRunner

from trucewatch.app.demo import demo_file
from trucewatch.cli import app
from trucewatch.ledger.note import COSIGNATURE, Signer
from trucewatch.ledger.signing import generate_key
from trucewatch.ledger.verify import main as verify_main

runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, list(args))


def test_import_logs_sign_prove_and_detect_tampering(tmp_path: Path):
    db_path = tmp_path / "l.db"
    db = f"sqlite:///{db_path}"
    firms = str(demo_file("firms_viirs_noaa20_2025-08-12_to_14.csv"))
    imported = json.loads(run("import", firms, "--db", db, "--json").stdout)
    again = json.loads(run("import", firms, "--db", db, "--json").stdout)
    assert again["stored"] == 0  # duplicates are not logged twice
    verified = json.loads(run("ledger", "verify", "--db", db, "--json").stdout)
    assert verified["ok"] and verified["entries"] == imported["stored"] + 2  # + the batches

    key = tmp_path / "mission.pem"
    assert run("ledger", "init-key", "--key", str(key), "--db", db).exit_code == 0
    head = json.loads(run("ledger", "sign", "--key", str(key), "--db", db, "--json").stdout)
    assert head["tree_size"] == imported["stored"] + 3  # + the batches and key registration

    uid = sqlite3.connect(db_path).execute("SELECT uid FROM observations LIMIT 1").fetchone()[0]
    proof = json.loads(run("ledger", "proof", uid, "--db", db).stdout)
    (tmp_path / "proof.json").write_text(json.dumps(proof["proof"]))
    (tmp_path / "sth.json").write_text(json.dumps(proof["tree_head"]))
    assert verify_main([str(tmp_path / "proof.json"), str(tmp_path / "sth.json")]) == 0

    con = sqlite3.connect(db_path)
    (sha,) = con.execute("SELECT payload_sha256 FROM observations WHERE uid = ?", (uid,)).fetchone()
    con.execute("UPDATE record_payloads SET payload = payload || ' ' WHERE sha256 = ?", (sha,))
    con.commit()
    tampered = run("ledger", "verify", "--db", db, "--json")
    assert tampered.exit_code == 1
    problems = json.loads(tampered.stdout)["problems"]
    assert any(uid in p["message"] for p in problems)
    assert any(p.get("table") == "record_payloads" and p.get("row") == sha for p in problems)


def test_proof_of_unknown_id_is_a_clear_error(tmp_path: Path):
    db = f"sqlite:///{tmp_path / 'x.db'}"
    assert run("init", "--db", db).exit_code == 0
    result = run("ledger", "proof", "nope", "--db", db)
    assert result.exit_code == 1 and "nope" in result.stderr


def test_fusion_decisions_and_reports_are_logged_once(tmp_path: Path):
    db = f"sqlite:///{tmp_path / 'f.db'}"
    firms = str(demo_file("firms_viirs_noaa20_2025-08-12_to_14.csv"))
    stored = json.loads(run("import", firms, "--db", db, "--json").stdout)["stored"]
    fused = json.loads(run("fuse", "--db", db, "--json").stdout)
    after_fuse = json.loads(run("ledger", "verify", "--db", db, "--json").stdout)["entries"]
    # the batch, the fusion run, and one entry per decision
    assert after_fuse == stored + 1 + 1 + fused["incidents"]
    run("fuse", "--db", db, "--json")  # nothing changed: nothing new in the log
    again = json.loads(run("ledger", "verify", "--db", db, "--json").stdout)
    assert again["ok"] and again["entries"] == after_fuse
    report = json.loads(run("report", "daily", "--date", "2025-08-13", "--out",
                            str(tmp_path / "r"), "--db", db, "--json").stdout)  # fmt: skip
    assert report["ledger_index"] == after_fuse


def test_liaison_keys_name_their_party_and_witness_keys_print_a_vkey(tmp_path: Path):
    from trucewatch.ledger.note import COSIGNATURE, Verifier

    db = f"sqlite:///{tmp_path / 'k.db'}"
    public = json.loads(run("key", "new", "--out", str(tmp_path / "ua.pem"), "--json").stdout)
    refused = run("key", "add", public["public_key"], "--role", "liaison", "--owner", "UA",
                  "--db", db)  # fmt: skip
    assert refused.exit_code == 1 and "--party" in refused.stderr
    added = json.loads(run("key", "add", public["public_key"], "--role", "liaison", "--owner",
                           "UA office", "--party", "UA", "--db", db, "--json").stdout)  # fmt: skip
    assert added["party"] == "UA" and added["created"]
    made = json.loads(run("witness", "new-key", "--out", str(tmp_path / "w.pem"), "--name",
                          "neutral.example/w", "--json").stdout)  # fmt: skip
    verifier = Verifier.parse(made["vkey"])
    assert verifier.name == "neutral.example/w" and verifier.kind == COSIGNATURE
    again = run("witness", "new-key", "--out", str(tmp_path / "w.pem"), "--name", "x/y")
    assert again.exit_code == 1 and "exists" in again.stderr


def test_publish_names_a_bad_configuration_and_needs_the_quorum(tmp_path: Path):
    db = f"sqlite:///{tmp_path / 'p.db'}"
    key = tmp_path / "mission.pem"
    assert run("ledger", "init-key", "--key", str(key), "--db", db).exit_code == 0
    config = tmp_path / "cosign.toml"
    config.write_text('origin = "m.example/log"\nkey = "mission.pem"\nquorum = 4\n')
    missing = run("ledger", "publish", "--config", str(config), "--once", "--db", db)
    assert missing.exit_code == 1 and "cosign.toml" in missing.output
    assert "witnesses" in missing.output
    config.write_text(config.read_text() + '[[witnesses]]\nurl = "http://127.0.0.1:9"\n'
                      'vkey = "w.example/witness+00000000+AAAA"\n')  # fmt: skip
    bad_key = run("ledger", "publish", "--config", str(config), "--once", "--db", db)
    assert bad_key.exit_code == 1 and "witnesses[0].vkey" in bad_key.output
    vkey = Signer("w.example/witness", generate_key(), COSIGNATURE).verifier.vkey()
    config.write_text(config.read_text().replace("w.example/witness+00000000+AAAA", vkey))
    too_many = run("ledger", "publish", "--config", str(config), "--once", "--db", db)
    assert too_many.exit_code == 1 and "quorum of 4 of 1" in too_many.output
    config.write_text(config.read_text().replace("quorum = 4", "quorum = 1"))
    down = run("ledger", "publish", "--config", str(config), "--once", "--db", db, "--json")
    assert down.exit_code == 1  # the only witness is unreachable: nothing published
    assert json.loads(down.stdout)["published"] is False
