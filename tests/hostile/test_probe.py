"""Every input of the independent probe (``shared/data/probe``, issue 20) through the command
line and the API, on SQLite and PostgreSQL: one line naming the file, record and field,
never a traceback, never a 5xx, nothing stored."""

from __future__ import annotations

import os
import re
import warnings
from pathlib import Path

import pytest
from typer.testing import CliRunner

from trucewatch.api import Settings, TokenSpec, create_app
from trucewatch.cli import app
from trucewatch.store import Store

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient


def _probe_dir() -> Path:
    env = os.environ.get("TRUCEWATCH_SHARED_DATA")
    base = Path(env) if env else Path(__file__).resolve().parents[2].parent / "shared" / "data"
    return base / "probe"


PROBE = _probe_dir()
FILES = sorted(p.name for p in PROBE.glob("*") if p.suffix in (".jsonl", ".csv", ".txt", ".toml"))
needs_probe = pytest.mark.skipif(not FILES, reason=f"probe inputs not found at {PROBE}")
FORMAT = {".jsonl": "patrol", ".csv": "firms", ".txt": "smm"}
ONE_LINE = re.compile(r"^error: \S+?(, line \d+)?(, field '[^']+')?: .+$")
runner = CliRunner()


def _count(url: str) -> tuple[int, int]:
    store = Store.open(url)
    try:
        with store.engine.connect() as conn:
            obs = conn.exec_driver_sql("SELECT count(*) FROM observations").scalar_one()
            ags = conn.exec_driver_sql("SELECT count(*) FROM agreements").scalar_one()
        return int(obs), int(ags)
    finally:
        store.close()


@needs_probe
@pytest.mark.parametrize("name", FILES)
def test_cli_gives_one_line_naming_the_field(db_url: str, name: str) -> None:
    path = PROBE / name
    command = ["agreement", "add"] if path.suffix == ".toml" else ["import"]
    result = runner.invoke(app, [*command, str(path), "--db", db_url])
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and "Traceback" not in result.output, result.stderr
    assert str(path) in lines[0] and ONE_LINE.match(lines[0]), lines[0]
    if name.startswith("case") and path.suffix != ".toml" and name != "case03.jsonl":
        assert "line " in lines[0] and "field '" in lines[0], lines[0]  # the record and field
    assert _count(db_url) == (0, 0)


@pytest.fixture
def client(db_url: str) -> TestClient:
    tokens = [TokenSpec(name="mon", role="monitor", token="m"),
              TokenSpec(name="lia", role="liaison", token="l", party="UA")]  # fmt: skip
    with TestClient(create_app(Settings(db=db_url, tokens=tokens)),
                    raise_server_exceptions=False) as c:  # fmt: skip
        yield c


@needs_probe
def test_api_refuses_every_probe_record_with_a_4xx(client: TestClient, db_url: str) -> None:
    sent = 0
    for name in FILES:
        path = PROBE / name
        if path.suffix not in FORMAT:
            continue
        for token in ("m", "l"):  # a monitor, and a party's liaison (patrol records only)
            if token == "l" and FORMAT[path.suffix] != "patrol":
                continue
            resp = client.post(
                "/api/observations/raw", params={"format": FORMAT[path.suffix]},
                content=path.read_bytes(),
                headers={"Authorization": f"Bearer {token}", "Idempotency-Key": f"{name}-{token}",
                         "Content-Type": "text/plain"})  # fmt: skip
            assert 400 <= resp.status_code < 500, (name, resp.status_code, resp.text)
            err = resp.json()["error"]
            assert err["field"] or err["line"] or resp.status_code == 413, (name, err)
            sent += 1
    deep = (PROBE / "deep.json").read_bytes()
    resp = client.post("/api/observations", content=deep,
                       headers={"Authorization": "Bearer m", "Idempotency-Key": "deep",
                                "Content-Type": "application/json"})  # fmt: skip
    assert resp.status_code == 422, resp.text
    assert resp.json()["error"]["record"] == 0
    assert sent > 20
    assert _count(db_url)[0] == 0
