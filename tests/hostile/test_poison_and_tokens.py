"""Poisoned fusion (a bad stored value is quarantined, never a crash; an analyst retracts an
observation, logged and never deleted) and issued tokens (revocation and expiry at once,
rotation), on SQLite and PostgreSQL, through the command line and the API."""

from __future__ import annotations

import json
import warnings
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update
from typer.testing import CliRunner

from trucewatch.api import Settings, create_app
from trucewatch.cli import app
from trucewatch.store import Store
from trucewatch.store import schema as t

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

runner = CliRunner()


def _record(source: str, minute: int) -> dict:
    return {"date": "2025-08-13", "observer_place": "post", "observer_lon": 37.55,
            "observer_lat": 48.35, "time_start": f"09:{minute:02d}", "time_end": "10:00",
            "source_id": source, "events": [{"count": 2, "kind": "mortar",
            "directions": ["east"], "distance_km_min": 2, "distance_km_max": 4}]}  # fmt: skip


def _cli(*args: str) -> object:
    result = runner.invoke(app, list(args))
    assert "Traceback" not in result.output
    return result


@pytest.fixture
def stored(db_url: str, tmp_path: Path) -> list[str]:
    """Three patrol observations in the store; their uids."""
    path = tmp_path / "patrols.jsonl"
    path.write_text("".join(json.dumps(_record(f"team-{i}", i)) + "\n" for i in range(3)))
    result = _cli("import", str(path), "--db", db_url, "--json")
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    store = Store.open(db_url)
    try:
        return sorted(o.uid for o in store.observations())
    finally:
        store.close()


def _poison(db_url: str, uid: str, location: object) -> None:
    store = Store.open(db_url)
    try:
        with store.engine.begin() as conn:
            conn.execute(update(t.observations).where(t.observations.c.uid == uid)
                         .values(location=location))  # fmt: skip
    finally:
        store.close()


def test_bad_stored_values_are_quarantined_not_fused(db_url: str, stored: list[str]) -> None:
    good = json.loads(json.dumps({"type": "bearing_range", "observer": {
        "type": "point", "lon": 37.55, "lat": 48.35, "cov_km2": [[0.01, 0], [0, 0.01]]},
        "bearings_deg": [90.0], "bearing_halfwidth_deg": 15.0}))  # fmt: skip
    _poison(db_url, stored[0], {**good, "distance_km_min": 1e150, "distance_km_max": 1e151})
    _poison(db_url, stored[1], {"type": "no such location"})
    result = _cli("fuse", "--db", db_url, "--json")
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    out = json.loads(result.stdout)  # type: ignore[attr-defined]
    quarantined = {q["observation"]: q["reason"] for q in out["quarantined"]}
    assert set(quarantined) == {stored[0], stored[1]}
    assert "distance_km_m" in quarantined[stored[0]]
    assert out["observations"] == 1
    plain = _cli("fuse", "--db", db_url)
    assert f"warning: observation {stored[0]} quarantined" in plain.stderr  # type: ignore[attr-defined]


def test_an_analyst_retracts_an_observation(db_url: str, stored: list[str]) -> None:
    uid = stored[2]
    as_liaison = _cli("--role", "liaison", "--party", "UA", "observation", "retract", uid,
                      "--reason", "false", "--db", db_url)  # fmt: skip
    assert as_liaison.exit_code == 1  # type: ignore[attr-defined]
    done = _cli("observation", "retract", uid, "--reason", "a party's invention",
                "--db", db_url, "--json")  # fmt: skip
    assert done.exit_code == 0, done.output  # type: ignore[attr-defined]
    again = _cli("observation", "retract", uid, "--reason", "twice", "--db", db_url)
    assert again.exit_code == 1 and "already retracted" in again.stderr  # type: ignore[attr-defined]
    fused = json.loads(_cli("fuse", "--db", db_url, "--json").stdout)  # type: ignore[attr-defined]
    assert fused["observations"] == 2
    store = Store.open(db_url)
    try:
        with store.engine.connect() as conn:
            kept = conn.execute(select(t.observations.c.uid).where(
                t.observations.c.uid == uid)).all()  # fmt: skip
            logged = conn.execute(select(t.ledger_entries.c.entry_type).where(
                t.ledger_entries.c.ref == uid)).scalars().all()  # fmt: skip
    finally:
        store.close()
    assert len(kept) == 1  # never deleted
    assert sorted(logged) == ["observation", "retraction"]
    verify = _cli("ledger", "verify", "--db", db_url)
    assert verify.exit_code == 0, verify.output  # type: ignore[attr-defined]


def _new_token(db_url: str, *args: str) -> str:
    result = _cli("token", "new", *args, "--db", db_url)
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    lines = result.stdout.splitlines()  # type: ignore[attr-defined]
    assert len(lines) == 1 and lines[0].startswith("tw_")  # the token alone on stdout
    assert "Bearer" in result.stderr  # type: ignore[attr-defined]
    return lines[0]


def test_issued_tokens_expire_revoke_and_rotate_at_once(db_url: str, stored: list[str]) -> None:
    analyst = _new_token(db_url, "--role", "analyst", "--name", "ana")
    liaison = _new_token(db_url, "--role", "liaison", "--party", "UA", "--expires", "30d")
    with TestClient(create_app(Settings(db=db_url, anonymous_role=None))) as client:
        def status(token: str, path: str = "/api/observations") -> int:
            return client.get(path, headers={"Authorization": f"Bearer {token}"}).status_code

        assert status(analyst) == 200
        assert status(liaison) == 200  # its own submissions
        resp = client.post(f"/api/observations/{stored[0]}/retract", json={"reason": "x"},
                           headers={"Authorization": f"Bearer {liaison}"})  # fmt: skip
        assert resp.status_code == 403
        resp = client.post(f"/api/observations/{stored[0]}/retract", json={"reason": "test"},
                           headers={"Authorization": f"Bearer {analyst}"})  # fmt: skip
        assert resp.status_code == 201 and resp.json()["retracted_by"] == "ana"
        resp = client.post(f"/api/observations/{'0' * 64}/retract", json={"reason": "test"},
                           headers={"Authorization": f"Bearer {analyst}"})  # fmt: skip
        assert resp.status_code == 404
        # expiry: the stored expiry passes; the next request is refused
        store = Store.open(db_url)
        try:
            with store.engine.begin() as conn:
                conn.execute(update(t.api_tokens).where(t.api_tokens.c.role == "liaison")
                             .values(expires_at=datetime.now(UTC) - timedelta(seconds=1)))
        finally:
            store.close()
        assert status(liaison) == 401
        # rotation: the new token works, the old one does not
        rotated = _cli("token", "rotate", "ana", "--db", db_url)
        new = rotated.stdout.strip()  # type: ignore[attr-defined]
        assert status(new) == 200 and status(analyst) == 401
        # revocation: refused on the very next request, no restart
        assert _cli("token", "revoke", "ana", "--db", db_url).exit_code == 0  # type: ignore[attr-defined]
        assert status(new) == 401
    listed = json.loads(_cli("token", "list", "--db", db_url, "--json").stdout)  # type: ignore[attr-defined]
    assert [tok["active"] for tok in listed["tokens"]] == [False, False, False]
    assert all("token" not in tok for tok in listed["tokens"])
