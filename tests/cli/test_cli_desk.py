"""The command line as a newcomer meets it: every --help works, no --out mistake and no
mistyped --db gives a traceback or a new empty store, a simulator's folder imports in
one go, fuse warns when no line covers the observations, output is tidy, --quiet."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from trucewatch.app.demo import demo_file
from trucewatch.cli import app
from trucewatch.cli.common import MAX_ITEMS, tidy_lines

runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, list(args))


def command_paths(group: Any, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command and group under ``group`` (Typer's own click), as argument paths."""
    paths = []
    for name, cmd in group.commands.items():
        paths.append((*prefix, name))
        if hasattr(cmd, "commands"):
            paths += command_paths(cmd, (*prefix, name))
    return paths


COMMANDS = command_paths(typer.main.get_command(app))


def test_the_command_tree_is_complete():
    assert {("report", "daily"), ("export", "incidents"), ("thermal", "classify"),
            ("line", "list"), ("import",), ("simulate",)} <= set(COMMANDS)  # fmt: skip


@pytest.mark.parametrize("path", COMMANDS, ids=" ".join)
def test_every_help_works(path: tuple[str, ...]):
    result = invoke(*path, "--help")
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.stdout and "Traceback" not in result.output


def one_line_error(result, *words: str) -> None:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:"), result.stderr
    for word in words:
        assert word in lines[0], lines[0]


FOLDER_COMMANDS = {
    "report": ["report", "daily", "--date", "2025-08-13"],
    "demo": ["demo"],
    "simulate": ["simulate", "--scenario", "smoke"],
    "plan": ["plan", "--scenario", "smoke"],
}
FILE_COMMANDS = {
    "export": (["export", "incidents", "--format", "csv"], "--out"),
    "baseline": (["thermal", "baseline"], "--out"),
    "key-new": (["key", "new"], "--out"),
    "truce-effect": (["truce-effect", "--agreement", "x.toml"], "--chart"),
}


@pytest.mark.parametrize("name", FOLDER_COMMANDS)
def test_out_folder_mistakes(name: str, tmp_path: Path):
    args = [*FOLDER_COMMANDS[name], "--db", f"sqlite:///{tmp_path / 'x.db'}"] if name in (
        "report", "demo") else FOLDER_COMMANDS[name]  # fmt: skip
    afile = tmp_path / "afile"
    afile.write_text("x")
    one_line_error(invoke(*args, "--out", str(afile)), "--out", "is a file")
    one_line_error(invoke(*args, "--out", str(afile / "sub")), "--out", "cannot create")
    one_line_error(invoke(*args, "--out", "/proc/trucewatch-test/out"), "--out")
    assert not (tmp_path / "x.db").exists()


@pytest.mark.parametrize("name", FILE_COMMANDS)
def test_out_file_mistakes(name: str, tmp_path: Path):
    args, option = FILE_COMMANDS[name]
    afile = tmp_path / "afile"
    afile.write_text("x")
    one_line_error(invoke(*args, option, str(tmp_path)), option, "is a folder")
    one_line_error(invoke(*args, option, str(afile / "out.bin")), option)
    one_line_error(invoke(*args, option, "/proc/trucewatch-test/out.bin"), option)


READ_COMMANDS = [
    ["line", "list"], ["agreement", "list"], ["fuse"], ["ledger", "verify"],
    ["key", "list"], ["report", "daily", "--date", "2025-08-13"],
    ["export", "incidents", "--out", "{tmp}/x.csv"], ["evaluate", "--truth", "t.jsonl"],
]  # fmt: skip


@pytest.mark.parametrize("args", READ_COMMANDS, ids=" ".join)
def test_read_commands_refuse_a_missing_store(args: list[str], tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    typo = tmp_path / "tpyo.db"
    result = invoke(*[a.format(tmp=tmp_path) for a in args], "--db", f"sqlite:///{typo}")
    one_line_error(result, "no store at", "tpyo.db")
    assert not typo.exists()


def test_init_still_creates_a_store(tmp_path: Path):
    db = tmp_path / "new.db"
    assert invoke("init", "--db", f"sqlite:///{db}").exit_code == 0
    assert db.is_file()
    assert invoke("line", "list", "--db", f"sqlite:///{db}").exit_code == 0


def test_import_a_simulator_folder_and_fuse_warns_without_a_line(tmp_path: Path):
    sim = tmp_path / "sim"
    assert invoke("simulate", "--scenario", "smoke", "--out", str(sim), "--json").exit_code == 0
    db = f"sqlite:///{tmp_path / 's.db'}"
    result = invoke("import", str(sim), "--db", db, "--json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    names = {Path(f).name for f in out["files"]}
    assert "observations.jsonl" in names and "truth.jsonl" not in names
    assert {"truth.jsonl", "scenario.toml"} <= {Path(f).name for f in out["skipped_files"]}
    assert out["stored"] > 0 and out["rejected"] == 0
    fused = invoke("fuse", "--db", db)
    assert fused.exit_code == 0
    assert "warning: no contact line is stored" in fused.stderr
    assert "{" not in fused.stdout  # no Python dict in human output
    quiet = invoke("--quiet", "fuse", "--db", db)
    assert quiet.exit_code == 0 and quiet.stderr == ""
    assert json.loads(invoke("fuse", "--db", db, "--json").stdout)["warnings"]


def test_a_folder_without_input_files(tmp_path: Path):
    (tmp_path / "notes.txt").write_text("nothing to import\n")
    result = invoke("import", str(tmp_path), "--db", f"sqlite:///{tmp_path / 'x.db'}")
    one_line_error(result, "no input file")


def test_the_shipped_history_folder_imports_nothing_bad(tmp_path: Path):
    """A folder of FIRMS files is read file by file (every one a known format)."""
    result = invoke("import", str(demo_file("firms_history")), "--db",
                    f"sqlite:///{tmp_path / 'h.db'}", "--json")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.stdout)["files"]) == 4


def test_tidy_lines():
    lines = tidy_lines({
        "path": "x.npz", "empty": [], "ratio": 0.123456, "big": 123456.7, "year": 2012,
        "flag": True, "none": None, "years": list(range(2000, 2000 + MAX_ITEMS + 3)),
        "methods": {"ours": {"war": 867, "share": 0.4014}},
        "items": [{"month": "2025-08", "pi": 0.000671}] * (MAX_ITEMS + 1),
    })  # fmt: skip
    assert lines[:6] == ["path: x.npz", "ratio: 0.1235", "big: 123,457", "year: 2012",
                         "flag: yes", "none: -"]  # fmt: skip
    assert lines[6].startswith("years: 2000, 2001")
    assert lines[6].endswith(f"({MAX_ITEMS + 3} in all)")
    assert lines[7:10] == ["methods:", "  ours:", "    war: 867"]
    assert f"items: {MAX_ITEMS + 1}" in lines and "  - month 2025-08, pi 0.000671" in lines
    assert lines[-1] == "  ... 1 more (--json for all)"
    assert not any("{" in line for line in lines)
