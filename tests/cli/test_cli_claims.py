"""``trucewatch claims``: import, adjudicate, list and totals from the command line; a bad
record is one line on stderr, exit status 1."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from trucewatch.cli import app

runner = CliRunner()
ITEM = {"type": "item", "claim_id": "UA-1", "claimant": "UA", "accused": "RU",
        "time_start_utc": "2025-04-20T10:00:00Z", "place": "Pokrovsk",
        "weapon": "mortar"}  # fmt: skip


def test_claims_commands(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'c.db'}"
    good = tmp_path / "c.jsonl"
    good.write_text(json.dumps(ITEM) + "\n")
    r = runner.invoke(app, ["claims", "import", str(good), "--db", db, "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["stored"] == 1
    r = runner.invoke(app, ["claims", "adjudicate", "--db", db, "--json"])
    assert json.loads(r.stdout)["by_label"] == {"not_verifiable": 1}
    r = runner.invoke(app, ["claims", "list", "--party", "ua", "--db", db, "--json"])
    assert [c["label"] for c in json.loads(r.stdout)["claims"]] == ["not_verifiable"]
    r = runner.invoke(app, ["claims", "totals", "--db", db, "--json"])
    assert json.loads(r.stdout)["sector_days"] == []
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps(ITEM | {"place": None}) + "\n")
    r = runner.invoke(app, ["claims", "import", str(bad), "--db", db])
    assert r.exit_code == 1
    assert "bad.jsonl, line 1, field 'lon'" in r.stderr and "Traceback" not in r.output
