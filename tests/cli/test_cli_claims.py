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


STATEMENT = ("Минобороны России зафиксировало 4 900 нарушений режима прекращения огня со "
             "стороны ВСУ с 18:00 19 апреля по 24:00 21 апреля.\n\nВСУ обстреляли Горловку из "
             "РСЗО в 09:15. В Киеве опровергли обстрел Горловки.\n")


def test_claims_read_text(tmp_path: Path) -> None:
    src = tmp_path / "mod.txt"
    src.write_text(STATEMENT, encoding="utf-8")
    out = tmp_path / "claims.jsonl"
    db = f"sqlite:///{tmp_path / 'c.db'}"
    r = runner.invoke(app, ["claims", "read-text", str(src), "--lang", "ru", "--date",
                            "2025-04-22", "--claimant", "RU", "--out", str(out), "--import",
                            "--db", db, "--json"])  # fmt: skip
    assert r.exit_code == 0, r.output
    result = json.loads(r.stdout)
    assert (result["items"], result["aggregates"]) == (1, 1)
    assert result["import"]["stored"] == 2
    assert [u["status"] for u in result["unread"]] == ["denial"]
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [(x["type"], x["claimant"], x["accused"]) for x in records] == [
        ("aggregate", "RU", "UA"), ("item", "RU", "UA")]
    assert records[1]["place"] == "Horlivka" and records[1]["weapon"] == "mlrs"
    # the written file imports as it is: the same claims, nothing new
    r = runner.invoke(app, ["claims", "import", str(out), "--db", db, "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["stored"] == 0
    r = runner.invoke(app, ["claims", "list", "--party", "RU", "--db", db, "--json"])
    assert {c["type"] for c in json.loads(r.stdout)["claims"]} == {"item", "aggregate"}
    # plain output lists what was not read on stderr
    r = runner.invoke(app, ["claims", "read-text", str(src), "--lang", "ru", "--date",
                            "2025-04-22"])  # fmt: skip
    assert r.exit_code == 0, r.output
    assert "read 1 claims" in r.stdout and "no claimant" in r.stderr


def test_claims_read_text_errors(tmp_path: Path) -> None:
    src = tmp_path / "s.txt"
    src.write_text(STATEMENT, encoding="utf-8")
    for args, message in [
        (["--lang", "de"], "--lang 'de'"),
        (["--lang", "ru", "--date", "22.04.2025"], "--date '22.04.2025'"),
        (["--lang", "ru", "--truce", "2025-04-19T15:00Z"], "--truce"),
        (["--lang", "ru", "--claimant", "US"], "must be UA or RU"),
    ]:
        r = runner.invoke(app, ["claims", "read-text", str(src), *args])
        assert r.exit_code == 1 and message in r.stderr, (args, r.output)
        assert "Traceback" not in r.output
    r = runner.invoke(app, ["claims", "read-text", str(tmp_path / "none.txt"), "--lang", "en"])
    assert r.exit_code == 1 and "no such file" in r.stderr
