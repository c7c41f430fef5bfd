"""No leaks of unpublished findings: every route of the API (enumerated from its OpenAPI
document) for every role, against a store holding published and unpublished incidents.
A caller who sees published findings only never gets an unpublished incident's uid, time,
kind-only-there or evidence, from a list, a facet, a proof, an export or an error."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from tests.api.conftest import MakeApi, auth
from tests.media.samples import image_bytes

from trucewatch.app import ledger as app_ledger
from trucewatch.app.media import add_media
from trucewatch.store import Store

ROLES = ("analyst", "monitor", "liaison", "public", None)
ENDLESS = {"/api/stream"}
"""Routes whose answer never ends (the live event stream: a call would not return); what
it shows each role is tested in tests/api/test_live.py (a liaison gets published findings
only)."""
SPLIT = date(2025, 8, 13)
"""Incidents starting before this UTC day are published in this test; later ones not."""


def _lag_hours() -> float:
    """The publication lag that makes ``SPLIT`` the first unpublished day today: a day is
    published once ``now - lag`` has passed its end, and ``now - lag`` then falls within
    ``SPLIT`` at whatever hour the test runs (it fell on the next day after noon UTC)."""
    return float((datetime.now(UTC).date() - SPLIT).days * 24)


def _incidents(url: str) -> tuple[list[Any], list[Any]]:
    store = Store.open(url)
    try:
        incidents = store.incidents()
    finally:
        store.close()
    split = datetime(SPLIT.year, SPLIT.month, SPLIT.day, tzinfo=UTC)
    return ([i for i in incidents if i.time_start < split],
            [i for i in incidents if i.time_start >= split])  # fmt: skip


def _sign_head(url: str, tmp_path: Path) -> None:
    store = Store.open(url)
    try:
        app_ledger.init_key(store, tmp_path / "mission.key", "mission")
        app_ledger.sign(store, tmp_path / "mission.key")
    finally:
        store.close()


def _attach_media(url: str, uid: str) -> str:
    """A photograph attached to observation ``uid`` (by the CLI's analyst); its SHA-256."""
    store = Store.open(url)
    try:
        return str(add_media(store, uid, image_bytes("JPEG"))["sha256"])
    finally:
        store.close()


def _fill(path: str, params: list[dict[str, Any]], target: dict[str, str]) -> tuple[str, dict]:
    """The path with its parameters set to ``target``'s values, and the query."""
    for name in re.findall(r"{(\w+)}", path):
        path = path.replace("{" + name + "}", target.get(name, "1"))
    query = {p["name"]: target[p["name"]] for p in params
             if p["in"] == "query" and p["name"] in target}  # fmt: skip
    return path, query


def _without(text: str, url: str, query: dict[str, str]) -> str:
    """The answer without the values the caller sent (echoing them tells nothing)."""
    for value in [*url.split("/"), *query.values()]:
        if len(value) >= 16:
            text = text.replace(value, "<sent>")
    return text


def _no_oracle(api: Any, spec: dict[str, Any], targets: list[dict[str, str]]) -> None:
    """A hidden item and one that does not exist get the same answer (status and message,
    the item's id aside), so an error confirms nothing."""
    nothing = targets[-1]
    for path, ops in spec.items():
        op = ops.get("get")
        if op is None or path in ENDLESS or ("{uid}" not in path and "{sha256}" not in path
                                             and "ref" not in str(op.get("parameters"))):
            continue
        for role in ("monitor", "liaison", "public", None):
            answers = []
            for target in (targets[0], targets[1], nothing):
                url, query = _fill(path, op.get("parameters", []), {**nothing, **{
                    k: v for k, v in target.items() if k in ("uid", "ref", "sha256")}})  # fmt: skip
                resp = api.client.get(url, params=query, headers=auth(role) if role else {})
                answers.append((resp.status_code, _without(resp.text, url, query)))
            assert answers[0] == answers[2] and answers[1] == answers[2], (role, path, answers)


def test_no_route_leaks_unpublished_findings(make_api: MakeApi, tmp_path: Path) -> None:
    api = make_api(publish_lag_hours=_lag_hours())
    published, hidden = _incidents(api.url)
    assert published and hidden, "the fixture store must hold both"
    _sign_head(api.url, tmp_path)
    seen_kinds = {i.kind.value for i in published}
    hidden_only_kinds = {i.kind.value for i in hidden} - seen_kinds
    hidden_obs = {u for i in hidden for u in i.observation_uids} - {
        u for i in published for u in i.observation_uids}
    media_sha = _attach_media(api.url, sorted(hidden_obs)[0])
    secrets = {i.uid for i in hidden} | hidden_obs
    secrets |= {i.time_start.strftime("%Y-%m-%dT%H:%M:%S") for i in hidden}
    targets = [
        {"uid": hidden[0].uid, "ref": hidden[0].uid, "day": str(SPLIT), "old_size": "0",
         "sha256": media_sha},
        {"uid": sorted(hidden_obs)[0], "ref": sorted(hidden_obs)[0], "day": "2025-08-14",
         "since": "2025-08-13T00:00:00Z", "format": "csv", "sha256": media_sha},
        {"ref": "0" * 64, "uid": "0" * 64, "format": "geojson", "count": "true",
         "sha256": "0" * 64},
    ]  # fmt: skip
    spec = api.client.get("/api/openapi.json").json()["paths"]
    answered = 0
    for path, ops in spec.items():
        op = ops.get("get")
        if op is None or path in ENDLESS:
            continue
        for target in targets:
            url, query = _fill(path, op.get("parameters", []), target)
            for role in ROLES:
                resp = api.client.get(url, params=query, headers=auth(role) if role else {})
                assert resp.status_code < 500, (role, url, query, resp.text[:300])
                answered += 1
                if role == "analyst" or (resp.status_code >= 300 and role is None):
                    continue
                text = _without(resp.text, url, query)
                leaked = sorted(s for s in secrets if s in text)
                assert not leaked, (role, url, query, leaked[:3])
                if path == "/api/incidents/facets" and resp.status_code == 200:
                    kinds = set(resp.json()["kinds"])
                    assert not kinds & hidden_only_kinds, (role, kinds)
                    time_max = resp.json().get("time_max")
                    assert time_max is None or time_max < str(SPLIT), (role, time_max)
    assert answered > 100
    _no_oracle(api, spec, targets)
    # the analyst does see them: the test would notice a store without secrets to keep
    facets = api.get("/api/incidents/facets", role="analyst").json()
    assert facets["time_max"] >= str(SPLIT)
    assert api.get(f"/api/media/{media_sha}", role="analyst").status_code == 200
    proofs = api.get("/api/ledger/proofs", role="analyst", params={"ref": hidden[0].uid})
    assert proofs.status_code == 200
    liaison = api.get("/api/ledger/proofs", role="liaison", params={"ref": published[0].uid})
    assert liaison.status_code == 200  # published findings stay provable


@pytest.fixture
def db_url(sqlite_url: str) -> str:
    """This test runs on SQLite only: the visibility rules are SQL-portable queries
    covered on both backends by the store and view tests; building the fused store on
    PostgreSQL as well would double a slow test."""
    return sqlite_url
