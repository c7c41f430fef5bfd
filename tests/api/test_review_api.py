"""The review routes: only analysts review, every act needs a reason, each act and each
reviewed version is in the ledger, publication is the gate for liaisons and the public,
and the bulletins (automatic for the mission, reviewed after the sign-off for everyone)."""

from __future__ import annotations

import shutil
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from tests.api.conftest import TOKEN_SPECS, Api, build_store

from trucewatch.api import Settings, create_app
from trucewatch.app.bulletins import issue_automatic
from trucewatch.app.roles import OPERATOR
from trucewatch.store import Store
from trucewatch.store import schema as t
from trucewatch.store.ledger_verify import verify_store

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory, derived_line: Any,
             firms_head: Path) -> Path:  # fmt: skip
    """The API tests' store, built once (SQLite) and copied for each test."""
    path = tmp_path_factory.mktemp("review") / "store.db"
    build_store(f"sqlite:///{path}", derived_line, firms_head)
    return path


@pytest.fixture
def make_api(template: Path, tmp_path: Path) -> Iterator[Callable[..., Api]]:
    """``make_api(**settings)`` on a fresh copy of the template store (SQLite; the
    PostgreSQL run of the ledger test uses the shared ``store_url``)."""
    path = tmp_path / "store.db"
    shutil.copy(template, path)
    clients: list[TestClient] = []

    def make(url: str = f"sqlite:///{path}", **overrides: Any) -> Api:
        settings = Settings(db=url, tokens=TOKEN_SPECS, report_cache_dir=tmp_path / "reports",
                            **overrides)  # fmt: skip
        client = TestClient(create_app(settings))
        client.__enter__()
        clients.append(client)
        return Api(client, url)

    yield make
    for c in clients:
        c.__exit__(None, None, None)


@pytest.fixture
def api(make_api: Callable[..., Api]) -> Api:
    return make_api()


def _incidents(api: Api) -> list[dict[str, Any]]:
    found = api.get("/api/incidents", params={"limit": 100}).json()
    return sorted(found["features"], key=lambda f: f["properties"]["uid"])


def _review(api: Api, uid: str, role: str | None = "analyst", **body: Any) -> Any:
    return api.post(f"/api/incidents/{uid}/review", role=role, key=None, json=body)


def test_only_analysts_review(api: Api) -> None:
    uid = _incidents(api)[0]["properties"]["uid"]
    body = {"action": "confirm", "reason": "seen on the drone video"}
    assert _review(api, uid, role=None, **body).status_code == 401
    for role in ("monitor", "liaison", "public"):
        answer = _review(api, uid, role=role, **body)
        assert answer.status_code == 403, (role, answer.text)
        assert "review_incidents" in answer.json()["error"]["message"]
    assert api.get(f"/api/incidents/{uid}/review").json()["evaluation_status"] == "preliminary"
    done = _review(api, uid, **body)
    assert done.status_code == 201, done.text
    state = done.json()
    assert (state["evaluation_mode"], state["evaluation_status"]) == ("manual", "confirmed")
    assert [(a["action"], a["analyst"], a["reason"]) for a in state["acts"]] == [
        ("confirm", "ana", "seen on the drone video")]


def test_every_act_needs_a_reason(api: Api) -> None:
    uid = _incidents(api)[0]["properties"]["uid"]
    for body in ({"action": "reject"}, {"action": "reject", "reason": ""},
                 {"action": "reject", "reason": "   "}):
        answer = _review(api, uid, **body)
        assert answer.status_code == 422, body
        assert "reason" in answer.text
    relabel = _review(api, uid, action="relabel", reason="no label given")
    assert relabel.status_code == 422 and "relabel needs" in relabel.text
    unknown = _review(api, "ab" * 32, action="confirm", reason="x")
    assert unknown.status_code == 404
    with _open(api.url) as store, store.engine.connect() as conn:
        assert conn.execute(select(t.incident_reviews)).first() is None


class _open:
    def __init__(self, url: str) -> None:
        self.store = Store.open(url)

    def __enter__(self) -> Store:
        return self.store

    def __exit__(self, *_: Any) -> None:
        self.store.close()


def test_acts_are_logged_and_verified(api: Api) -> None:
    _acts_are_logged_and_verified(api)


@pytest.mark.postgres
def test_acts_are_logged_and_verified_on_postgresql(make_api: Callable[..., Api],
                                                    derived_line: Any, firms_head: Path) -> None:
    from tests.conftest import PG_URL, _postgres_available, _reset_postgres

    if not _postgres_available(PG_URL):
        pytest.skip(f"PostgreSQL not reachable at {PG_URL}")
    _reset_postgres(PG_URL)
    build_store(PG_URL, derived_line, firms_head)
    try:
        _acts_are_logged_and_verified(make_api(PG_URL))
    finally:
        _reset_postgres(PG_URL)


def _acts_are_logged_and_verified(api: Api) -> None:
    features = _incidents(api)
    a, b, c = (f["properties"]["uid"] for f in features[:3])
    assert _review(api, a, action="relabel", reason="crater points east", attribution="UA",
                   clause="1", verdict="violation", status="probable").status_code == 201
    merged = _review(api, b, action="merge", reason="one barrage", merge=[c]).json()
    assert merged["reviewed"]["merged_into"] is None
    assert _review(api, c, action="annotate", reason="see b").json()["uid"] == b
    detail = api.get(f"/api/incidents/{a}/review").json()
    assert detail["reviewed"]["attribution_party"] == "UA"
    assert detail["reviewed"]["status"] == "probable"
    assert detail["reviewed"]["basis"]["status"] == features[0]["properties"]["status"]
    with _open(api.url) as store, store.engine.connect() as conn:
        types = [r.entry_type for r in conn.execute(select(t.ledger_entries.c.entry_type))]
        acts = conn.execute(select(t.incident_reviews)).all()
        assert {a.action for a in acts} == {"relabel", "merge", "annotate"}
        assert all(a.analyst == "ana" and a.reason for a in acts)
        assert types.count("review") == len(acts)
        assert types.count("reviewed_incident") >= 3
        assert verify_store(conn).problems == []
        # the merged one points at the incident it was merged into, and an act on it lands there
        rows = {r.uid: r for r in conn.execute(select(t.reviewed_incidents))}
        assert rows[c].merged_into == b and rows[c].evaluation_status == "rejected"
        assert set(rows[c].observations) <= set(rows[b].observations)
        assert [x.reviewed_uid for x in acts if x.action == "annotate"] == [b]


def test_publication_is_the_gate_for_liaisons(make_api: Any) -> None:
    api = make_api(publish_lag_hours=0.0)
    uid = _incidents(api)[0]["properties"]["uid"]
    assert _review(api, uid, action="reject", reason="a quarry blast").status_code == 201
    for role in ("liaison", "public"):
        seen = api.get(f"/api/incidents/{uid}/review", role=role).json()
        assert (seen["evaluation_status"], seen["reviewed"]) == ("preliminary", None), role
        assert api.get("/api/reviews", role=role).json()["reviewed"] == []
    refused = api.post(f"/api/incidents/{uid}/publish", role="liaison", key=None,
                       json={"reason": "x"})
    assert refused.status_code == 403
    assert api.post(f"/api/incidents/{uid}/publish", role="analyst", key=None,
                    json={}).status_code == 422
    done = api.post(f"/api/incidents/{uid}/publish", role="analyst", key=None,
                    json={"reason": "agreed at the morning briefing"})
    assert done.status_code == 201
    seen = api.get(f"/api/incidents/{uid}/review", role="liaison").json()
    assert seen["evaluation_status"] == "rejected" and seen["reviewed"]["status"] == "refuted"
    assert seen["acts"] == [] and "reviewed_by" not in seen["reviewed"]
    assert [r["uid"] for r in api.get("/api/reviews", role="public").json()["reviewed"]] == [uid]


def test_bulletins_and_the_sign_off(api: Api) -> None:
    features = _incidents(api)
    uid = features[0]["properties"]["uid"]
    day = features[0]["properties"]["time_start"][:10]
    with _open(api.url) as store:
        from datetime import date

        issue_automatic(store, date.fromisoformat(day), 1.0, principal=OPERATOR)
    listed = api.get("/api/bulletins").json()["bulletins"]
    assert [(b["kind"], b["version"]) for b in listed if b["period"] == day] == [("automatic", 1)]
    assert api.get("/api/bulletins", role="liaison").json()["bulletins"] == []
    assert api.get(f"/api/bulletins/{listed[0]['id']}", role="liaison").status_code == 404
    assert api.post(f"/api/bulletins/{day}/sign-off", role="liaison", key=None,
                    json={"reason": "x"}).status_code == 403
    assert _review(api, uid, action="relabel", reason="attribution from the crater",
                   attribution="RU").status_code == 201
    signed = api.post(f"/api/bulletins/{day}/sign-off", role="analyst", key=None,
                      json={"reason": "day reviewed by the duty officer"})
    assert signed.status_code == 201, signed.text
    assert (signed.json()["kind"], signed.json()["version"]) == ("reviewed", 2)
    seen = api.get("/api/bulletins", role="liaison").json()["bulletins"]
    assert [b["kind"] for b in seen] == ["reviewed"]
    full = api.get(f"/api/bulletins/{seen[0]['id']}", role="liaison").json()
    assert [i["uid"] for i in full["content"]["incidents"]] == [uid]
    assert full["content"]["incidents"][0]["attribution_party"] == "RU"
    # against the automatic bulletin: the reviewed incident changed, the others are not in it
    assert [c["uid"] for c in full["changes"]["changed"]] == [uid]
    assert uid not in full["changes"]["removed"] and len(full["changes"]["removed"]) >= 1
