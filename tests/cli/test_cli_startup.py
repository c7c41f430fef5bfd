"""Start-up of the command line: the script builds only the command it runs (with the same
options, help and errors as the whole application), and a read command or ``--help``
loads none of the heavy libraries it does not need. No timing here (see
``benchmarks/bench_cli.py``): what is imported is checked, in a fresh interpreter."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from trucewatch.app.session import open_store
from trucewatch.cli import app, app_for, command_named
from trucewatch.types import ContactLine, Sector

runner = CliRunner()

SRC = Path(__file__).resolve().parents[2] / "src"

HEAVY = ("numpy", "pandas", "pyarrow", "shapely", "pyproj", "scipy", "alembic", "cryptography",
         "geopandas", "numba", "matplotlib", "jinja2", "trucewatch.sources",
         "trucewatch.narrative", "trucewatch.fusion", "trucewatch.geo")  # fmt: skip
"""Libraries and parts that ``line list`` and ``--help`` must not load."""


@pytest.mark.parametrize(("args", "name"), [
    (["line", "list"], "line"),
    (["--role", "monitor", "--party", "UA", "-q", "line", "list"], "line"),
    (["--role=monitor", "export", "incidents", "--help"], "export"),
    (["import", "a.csv"], "import"),
    (["--help"], None),
    (["--help", "line"], None),
    (["--", "line"], None),
    (["--role"], None),
    ([], None),
])  # fmt: skip
def test_the_command_named_after_the_root_options(args: list[str], name: str | None):
    assert command_named(args) == name


def test_one_command_is_built_and_a_mistyped_name_gets_the_whole_application():
    one = typer.main.get_command(app_for(["--role", "monitor", "line", "list"]))
    assert list(one.commands) == ["line"]  # type: ignore[attr-defined]
    assert list(typer.main.get_command(app_for(["truce-effect"])).commands) == [  # type: ignore[attr-defined]
        "truce-effect"]
    assert app_for(["lien", "list"]) is app
    assert app_for(["--help"]) is app
    assert app_for(["line", "list"]) is not app
    assert len(app.registered_groups) > 1  # the whole application is left as it was


@pytest.mark.parametrize("args", [
    ["line", "--help"], ["line", "list", "--help"], ["export", "incidents", "--help"],
    ["import", "--help"], ["line", "lisst"], ["line"], ["--role", "nobody", "line", "list"],
    ["fuse", "--since", "yesterday"],
], ids=" ".join)  # fmt: skip
def test_one_command_answers_as_the_whole_application(args: list[str], tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch):  # fmt: skip
    monkeypatch.chdir(tmp_path)  # fuse's mistake must not create a store anywhere
    whole = runner.invoke(app, args)
    one = runner.invoke(app_for(args), args)
    assert (one.exit_code, one.stdout, one.stderr) == (whole.exit_code, whole.stdout,
                                                       whole.stderr)  # fmt: skip
    assert whole.output  # something was said


PROBE = """
import json, sys
sys.argv = ["trucewatch", *json.loads(sys.argv[1])]
from trucewatch.cli import main
try:
    main()
except SystemExit as exc:
    code = exc.code
else:
    code = 0
sys.stderr.write(json.dumps({"code": code, "modules": sorted(sys.modules)}) + "\\n")
"""


def run_probe(args: list[str]) -> tuple[str, dict]:
    """Run the script's ``main`` with ``args`` in a fresh interpreter: its stdout, and its
    exit code and loaded modules."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(SRC), os.environ.get(
        "PYTHONPATH", "")])}  # fmt: skip
    proc = subprocess.run([sys.executable, "-c", PROBE, json.dumps(args)], env=env,
                          capture_output=True, text=True, check=True, timeout=120)  # fmt: skip
    return proc.stdout, json.loads(proc.stderr.strip().splitlines()[-1])


def loaded(modules: list[str], name: str) -> bool:
    return any(m == name or m.startswith(name + ".") for m in modules)


@pytest.fixture
def one_line_store(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'lines.db'}"
    store = open_store(url)
    try:
        wkt = "LINESTRING (37 48, 37.5 48.2)"
        line = ContactLine(id=None, name="test line", valid_from=date(2025, 8, 9),
                           length_km=42.0, geometry_wkt=wkt)  # fmt: skip
        sectors = [Sector(line_id=0, index=i, name=f"S{i}", start_km=21.0 * i,
                          end_km=21.0 * (i + 1), geometry_wkt=wkt) for i in range(2)]  # fmt: skip
        store.add_line(line, sectors)
    finally:
        store.close()
    return url


def test_line_list_loads_only_the_store(one_line_store: str):
    stdout, probe = run_probe(["line", "list", "--db", one_line_store, "--json"])
    assert probe["code"] == 0
    lines = json.loads(stdout)["lines"]
    assert [(ln["name"], ln["valid_from"], ln["sectors"]) for ln in lines] == [
        ("test line", "2025-08-09", 2)]
    assert loaded(probe["modules"], "sqlalchemy")
    assert [m for m in HEAVY if loaded(probe["modules"], m)] == []


def test_help_loads_no_store():
    stdout, probe = run_probe(["--help"])
    assert probe["code"] == 0 and "line" in stdout and "export" in stdout
    assert [m for m in (*HEAVY, "sqlalchemy", "trucewatch.app", "trucewatch.store")
            if loaded(probe["modules"], m)] == []  # fmt: skip
