"""Signed submissions and roles on the command line: the same rules as the API.

A monitor's key is created on its device, registered by an analyst, used to sign a file;
the import checks every signature against the registered keys and logs signer and
signature with each observation (so ``ledger verify`` re-checks them); tampered, unsigned
or revoked-key records are refused with the file and field named, and nothing is stored.
A liaison imports patrol records as its party's complaints and nothing else; a monitor may
not fuse or load lines.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from trucewatch.cli import app
from trucewatch.ledger.entry import decode_entry
from trucewatch.store import Store

runner = CliRunner()
DATA = Path(__file__).resolve().parents[1] / "data" / "sources"
PATROL = DATA / "patrol_smm_sample.jsonl"


def run(*args: str):
    return runner.invoke(app, list(args))


def ok(*args: str) -> dict:
    result = run(*args, "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture()
def mission(tmp_path: Path, db_url: str) -> tuple[str, Path, dict]:
    """A store (SQLite and PostgreSQL) with a registered monitor key; returns (db url, key
    file, registration)."""
    db = db_url
    key = tmp_path / "monitor.pem"
    created = ok("key", "new", "--out", str(key))
    registered = ok("key", "add", created["public_key"], "--role", "monitor", "--owner",
                    "team 7", "--db", db)  # fmt: skip
    assert registered["created"] and registered["key_id"] == created["key_id"]
    return db, key, registered


def _count(db: str, table: str) -> int:
    store = Store.open(db)
    try:
        with store.engine.connect() as conn:
            return int(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())
    finally:
        store.close()


def _observation_entries(db: str) -> list:
    store = Store.open(db)
    try:
        with store.engine.connect() as conn:
            rows = conn.execute(text("SELECT entry FROM ledger_entries "
                                     "WHERE entry_type = 'observation'")).scalars()  # fmt: skip
            return [decode_entry(bytes(b)) for b in rows]
    finally:
        store.close()


def test_signed_import_logs_signer_and_verifies(mission, tmp_path: Path):
    db, key, registered = mission
    sigs = tmp_path / "patrol.sig"
    signed = ok("key", "sign-file", str(PATROL), "--key", str(key), "--out", str(sigs))
    assert signed["records"] > 0
    imported = ok("import", str(PATROL), "--signatures", str(sigs), "--require-signatures",
                  "--db", db)  # fmt: skip
    assert imported["stored"] > 0 and imported["signatures"] == signed["records"]
    entries = _observation_entries(db)
    assert entries and all(e.signer == registered["key_id"] and e.sig for e in entries)
    verified = ok("ledger", "verify", "--db", db)
    assert verified["ok"]


def test_tampered_unsigned_or_forged_records_are_refused_and_nothing_is_stored(
    mission, tmp_path: Path
):
    db, key, _ = mission
    sigs = tmp_path / "patrol.sig"
    ok("key", "sign-file", str(PATROL), "--key", str(key), "--out", str(sigs))
    # a record altered after signing no longer matches any signature
    lines = PATROL.read_text(encoding="utf-8").splitlines()
    tampered = tmp_path / "tampered.jsonl"
    tampered.write_text("\n".join([lines[0].replace('"count": ', '"count": 1'), *lines[1:]])
                        + "\n", encoding="utf-8")  # fmt: skip
    result = run("import", str(tampered), "--signatures", str(sigs), "--require-signatures",
                 "--db", db)  # fmt: skip
    assert result.exit_code == 1
    assert "tampered.jsonl" in result.stderr and "'signature'" in result.stderr
    assert "not signed" in result.stderr
    # a forged signature (another key's, or garbage) fails before anything is stored
    forged = tmp_path / "forged.sig"
    records = [json.loads(x) for x in sigs.read_text().splitlines()]
    records[0]["signature"] = "ab" * 64
    forged.write_text("".join(json.dumps(r) + "\n" for r in records))
    result = run("import", str(PATROL), "--signatures", str(forged), "--db", db)
    assert result.exit_code == 1 and "does not verify" in result.stderr
    assert _count(db, "observations") == 0


def test_revoked_key_is_refused(mission, tmp_path: Path):
    db, key, registered = mission
    sigs = tmp_path / "patrol.sig"
    ok("key", "sign-file", str(PATROL), "--key", str(key), "--out", str(sigs))
    revoked = ok("key", "revoke", registered["key_id"], "--reason", "lost device", "--db", db)
    assert revoked["changed"] and not revoked["active"]
    result = run("import", str(PATROL), "--signatures", str(sigs), "--db", db)
    assert result.exit_code == 1 and "revoked" in result.stderr
    listed = ok("key", "list", "--db", db)
    assert [k["active"] for k in listed["keys"]] == [False]


def test_liaison_imports_only_complaints_of_its_party(tmp_path: Path):
    db = f"sqlite:///{tmp_path / 'l.db'}"
    result = ok("--role", "liaison", "--party", "UA", "import", str(PATROL), "--db", db)
    assert result["stored"] > 0 and result["as"] == {"role": "liaison", "party": "UA"}
    con = sqlite3.connect(tmp_path / "l.db")
    kinds = {r[0] for r in con.execute("SELECT DISTINCT source_kind FROM observations")}
    sources = {r[0] for r in con.execute("SELECT DISTINCT source_id FROM observations")}
    con.close()
    assert kinds == {"party_complaint"} and sources == {"complaint:UA"}
    firms = DATA / "firms_viirs_nrt_2025-08-12_sample.csv"
    refused = run("--role", "liaison", "--party", "UA", "import", str(firms), "--db", db)
    assert refused.exit_code == 1 and "complaints are patrol records" in refused.stderr
    no_party = run("--role", "liaison", "import", str(PATROL), "--db", db)
    assert no_party.exit_code == 1 and "party" in no_party.stderr


@pytest.mark.parametrize(
    ("role", "command"),
    [("monitor", ["fuse"]), ("monitor", ["key", "list"]), ("public", ["import", str(PATROL)]),
     ("liaison", ["ledger", "sign", "--key", "x.pem"])],
)  # fmt: skip
def test_roles_are_enforced_on_the_command_line(tmp_path: Path, role: str, command: list[str]):
    db = f"sqlite:///{tmp_path / 'r.db'}"
    ok("init", "--db", db)  # read commands need an existing store
    args = ["--role", role, *(["--party", "RU"] if role == "liaison" else []), *command,
            "--db", db]  # fmt: skip
    result = run(*args)
    assert result.exit_code == 1
    assert f"role {role} may not" in result.stderr
