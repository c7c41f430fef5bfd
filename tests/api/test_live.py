"""Live fusion, the stream and webhook alerts, against a real server (uvicorn on a free
loopback port, ``live`` on) and a webhook receiver in this process: on SQLite and
PostgreSQL (``store_url``)."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.api.conftest import TOKEN_SPECS, auth, patrol_record

from trucewatch.api import Settings, create_app
from trucewatch.app import agreements as app_agreements
from trucewatch.app import incidents as app_incidents
from trucewatch.app.alerts import AlertFilter, signature, verify
from trucewatch.app.bus import INCIDENTS, open_bus
from trucewatch.app.demo import AGREEMENT_FILE, demo_file
from trucewatch.app.views.errors import BadQuery
from trucewatch.store import Store
from trucewatch.types import ContactLine, Sector

WAIT_S = 60.0


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def until(check: Callable[[], Any], what: str, timeout_s: float = WAIT_S) -> Any:
    """Poll ``check`` until it returns something true (no timing is asserted: the
    deadline only turns a hang into a failure that says what never happened)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"never happened: {what}")


# ------------------------------------------------------------------ servers


class Server:
    """The app under uvicorn in a thread."""

    def __init__(self, settings: Settings) -> None:
        import uvicorn

        self.port = _free_port()
        self.app = create_app(settings)
        self._srv = uvicorn.Server(uvicorn.Config(self.app, host="127.0.0.1", port=self.port,
                                                  log_level="warning"))  # fmt: skip
        self._thread = threading.Thread(target=self._srv.run, daemon=True)
        self._thread.start()
        until(lambda: self._srv.started, "uvicorn started")
        self.base = f"http://127.0.0.1:{self.port}"
        self.client = httpx.Client(base_url=self.base, timeout=30.0)

    @property
    def state(self) -> Any:
        return self.app.state.trucewatch

    def post_records(self, records: list[dict[str, Any]], key: str,
                     role: str = "monitor") -> list[str]:  # fmt: skip
        r = self.client.post("/api/observations", json={"records": records},
                             headers={**auth(role), "Idempotency-Key": key})  # fmt: skip
        assert r.status_code == 201, r.text
        return list(r.json()["observations"])

    def stop(self) -> None:
        self.client.close()
        self._srv.should_exit = True
        self._thread.join(30.0)


@dataclass
class Receiver:
    """A webhook receiver: answers ``status`` (200 by default) and keeps every request."""

    status: int = 200
    calls: list[tuple[dict[str, str], bytes, int]] = field(default_factory=list)

    def __post_init__(self) -> None:
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                status = outer.status
                outer.calls.append((dict(self.headers), body, status))
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *_args: Any) -> None:
                return None

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}/hook"
        threading.Thread(target=self._httpd.serve_forever, daemon=True).start()

    def delivered(self) -> list[tuple[dict[str, str], bytes]]:
        return [(h, b) for h, b, s in self.calls if 200 <= s < 300]

    def close(self) -> None:
        self._httpd.shutdown()


class Stream:
    """``GET /api/stream`` read in a thread; ``events`` are the parsed SSE events."""

    def __init__(self, base: str, role: str, **params: Any) -> None:
        self.events: list[dict[str, Any]] = []
        self._client = httpx.Client(base_url=base, timeout=httpx.Timeout(5.0, read=None))
        self._thread = threading.Thread(target=self._read, args=(role, params), daemon=True)
        self.opened = threading.Event()
        self._thread.start()
        assert self.opened.wait(30.0), "the stream did not open"

    def _read(self, role: str, params: dict[str, Any]) -> None:
        try:
            with self._client.stream("GET", "/api/stream", params=params,
                                     headers=auth(role)) as resp:  # fmt: skip
                assert resp.headers["content-type"].startswith("text/event-stream")
                event: dict[str, Any] = {}
                for line in resp.iter_lines():
                    self.opened.set()
                    if line.startswith("event: "):
                        event["event"] = line[7:]
                    elif line.startswith("id: "):
                        event["id"] = int(line[4:])
                    elif line.startswith("data: "):
                        event["data"] = json.loads(line[6:])
                    elif line == "" and event:
                        self.events.append(event)
                        event = {}
        except (httpx.HTTPError, RuntimeError):
            return

    def uids(self) -> set[str]:
        return {e["data"]["feature"]["id"] for e in self.events if e.get("event") == "incident"}

    def close(self) -> None:
        self._client.close()


def live_settings(url: str, tmp: Path, **overrides: Any) -> Settings:
    base: dict[str, Any] = dict(
        db=url, tokens=TOKEN_SPECS, report_cache_dir=tmp / "reports", live=True,
        live_poll_s=0.5, live_quiet_s=0.5, webhook_base_s=0.2, webhook_cap_s=1.0,
        stream_heartbeat_s=1.0, rate_per_second=0.0,
        webhook_allowed_hosts=["127.0.0.1"])  # the test receivers listen on loopback  # fmt: skip
    return Settings(**{**base, **overrides})


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


@pytest.fixture
def light_url(db_url: str, derived_line: tuple[ContactLine, list[Sector]]) -> str:
    """A store with the contact line and the demo agreement, and no observations yet."""
    store = Store.open(db_url)
    try:
        store.add_line(*derived_line)
        app_agreements.add_agreement(store, demo_file(AGREEMENT_FILE))
    finally:
        store.close()
    return db_url


def _servers(url: str, tmp: Path) -> Iterator[Callable[..., Server]]:
    servers: list[Server] = []

    def start(**overrides: Any) -> Server:
        srv = Server(live_settings(url, tmp, **overrides))
        servers.append(srv)
        return srv

    yield start
    for srv in servers:
        srv.stop()


@pytest.fixture
def serve(light_url: str, tmp_path: Path) -> Iterator[Callable[..., Server]]:
    """Servers on a light store (:func:`light_url`)."""
    yield from _servers(light_url, tmp_path)


@pytest.fixture
def serve_full(store_url: str, tmp_path: Path) -> Iterator[Callable[..., Server]]:
    """Servers on the API tests' store (observations fused by a batch ``fuse``)."""
    yield from _servers(store_url, tmp_path)


def corroborated(source: str = "live") -> list[dict[str, Any]]:
    """Two patrols hearing the same mortar fire: one incident."""
    return [
        patrol_record(source_id=f"{source}-1", time_start="10:10", time_end="10:40"),
        patrol_record(source_id=f"{source}-2", observer_lon=37.35, time_start="10:12",
                      time_end="10:42",
                      events=[{"count": 3, "kind": "mortar", "flow": "incoming",
                               "directions": ["west"], "distance_km_min": 3,
                               "distance_km_max": 6}]),
    ]  # fmt: skip


def _snapshot(url: str) -> dict[str, tuple[Any, ...]]:
    store = Store.open(url)
    try:
        return {i.uid: (i.status.value, round(i.confidence, 9), i.attribution.party,
                        i.assessment.get("agreement_verdict"), i.observation_uids)
                for i in store.incidents()}  # fmt: skip
    finally:
        store.close()


def _incident_of(srv: Server, observation_uid: str) -> str | None:
    r = srv.client.get(f"/api/observations/{observation_uid}", headers=auth("analyst"))
    assert r.status_code == 200, r.text
    found = r.json().get("incidents") or []
    return found[0] if found else None


# ------------------------------------------------------------------ tests


def test_submissions_become_incidents_on_the_stream_and_equal_a_batch_fuse(
    serve_full: Callable[..., Server], store_url: str
) -> None:
    srv = serve_full()
    stream = Stream(srv.base, "analyst")
    try:
        obs = srv.post_records(corroborated(), "live-1")
        uid = until(lambda: _incident_of(srv, obs[0]), "the incident of the submission stored")
        assert _incident_of(srv, obs[1]) == uid  # both patrols in one incident
        until(lambda: uid in stream.uids(), "the incident on the analyst's stream")
        page = srv.client.get("/api/incidents", params={"limit": 1000},
                              headers=auth("analyst")).json()  # fmt: skip
        assert uid in {f["id"] for f in page["features"]}
        fusion = srv.state.live.fusion
        until(lambda: fusion.stats.refreshes >= 1 and not fusion._dirty, "a refresh")
        live = _snapshot(store_url)
    finally:
        stream.close()
    store = Store.open(store_url)
    try:
        app_incidents.fuse(store)  # the batch fusion of every stored observation
    finally:
        store.close()
    assert _snapshot(store_url) == live


def test_a_retraction_reaches_the_live_incidents(
    serve_full: Callable[..., Server], store_url: str
) -> None:
    srv = serve_full()
    obs = srv.post_records(corroborated("retract"), "retract-1")
    until(lambda: _incident_of(srv, obs[0]), "the incident of the submission stored")
    r = srv.client.post(f"/api/observations/{obs[0]}/retract", headers=auth("analyst"),
                        json={"reason": "a false report"})  # fmt: skip
    assert r.status_code == 201, r.text
    until(lambda: _incident_of(srv, obs[0]) is None, "the retracted report out of its incident")
    fusion = srv.state.live.fusion
    until(lambda: not fusion._dirty, "live fusion settled")
    live = _snapshot(store_url)
    assert all(obs[0] not in uids for *_rest, uids in live.values())
    store = Store.open(store_url)
    try:
        app_incidents.fuse(store)  # the batch fusion leaves the retracted report out too
    finally:
        store.close()
    assert _snapshot(store_url) == live


def test_webhook_alert_is_signed_retried_through_an_outage_and_sent_once_per_id(
    serve: Callable[..., Server], receiver: Receiver
) -> None:
    srv = serve()
    r = srv.client.post("/api/subscriptions", headers=auth("analyst"), json={
        "name": "all", "min_status": "unverified", "webhook_url": receiver.url})  # fmt: skip
    assert r.status_code == 201, r.text
    secret = r.json()["secret"]
    receiver.status = 503  # the receiver is down
    srv.post_records(corroborated("hook"), "hook-1")
    until(lambda: len(receiver.calls) >= 2, "two failed attempts")
    pending = srv.client.get("/api/alerts", params={"state": "pending"},
                             headers=auth("analyst")).json()  # fmt: skip
    assert pending and all(a["attempts"] >= 1 and "503" in a["last_error"] for a in pending)
    receiver.status = 200
    until(lambda: receiver.delivered(), "the alert delivered after the outage")
    headers, body = receiver.delivered()[0]
    assert verify(secret, headers["Trucewatch-Timestamp"], body,
                  headers["Trucewatch-Signature"])  # fmt: skip
    assert not verify("another secret", headers["Trucewatch-Timestamp"], body,
                      headers["Trucewatch-Signature"])  # fmt: skip
    alert = json.loads(body)
    assert headers["Trucewatch-Alert-Id"] == alert["alert_id"]
    assert alert["incident"]["type"] == "Feature" and alert["event"] in ("new", "updated")
    ids = [h["Trucewatch-Alert-Id"] for h, _b, _s in receiver.calls]
    assert set(ids) == {alert["alert_id"]}  # every attempt carried the same id
    # the server records the delivery once the receiver has answered: wait for it
    done = until(lambda: srv.client.get("/api/alerts", params={"state": "delivered"},
                                        headers=auth("analyst")).json(),
                 "the delivery recorded")  # fmt: skip
    assert [a["alert_id"] for a in done] == [alert["alert_id"]]


def test_a_refused_alert_is_a_dead_letter_an_analyst_sees_and_resends(
    serve: Callable[..., Server], receiver: Receiver
) -> None:
    srv = serve()
    receiver.status = 410
    r = srv.client.post("/api/subscriptions", headers=auth("analyst"), json={
        "name": "gone", "min_status": "unverified", "webhook_url": receiver.url})  # fmt: skip
    assert r.status_code == 201
    srv.post_records(corroborated("dead"), "dead-1")
    dead = until(lambda: srv.client.get("/api/alerts", headers=auth("analyst")).json(),
                 "a dead letter")  # fmt: skip
    assert dead[0]["state"] == "dead" and "410" in dead[0]["last_error"]
    assert srv.client.get("/api/alerts", headers=auth("liaison")).json() == []  # not theirs
    resend = f"/api/alerts/{dead[0]['id']}/redeliver"
    assert srv.client.post(resend, headers=auth("liaison")).status_code == 403
    receiver.status = 200
    assert srv.client.post(resend, headers=auth("analyst")).status_code == 202
    until(lambda: receiver.delivered(), "the dead letter sent again")
    assert srv.client.get("/api/alerts", headers=auth("analyst")).json() == []


def test_a_webhook_to_loopback_is_refused_unless_the_operator_allows_it(
    serve: Callable[..., Server], receiver: Receiver
) -> None:
    srv = serve(webhook_allowed_hosts=[])  # a party may not make the server call its loopback
    r = srv.client.post("/api/subscriptions", headers=auth("liaison"), json={
        "name": "probe", "webhook_url": receiver.url})  # fmt: skip
    assert r.status_code == 422 and "webhook_allowed_hosts" in r.text
    assert srv.client.get("/api/subscriptions", headers=auth("liaison")).json() == []


def test_a_liaison_hears_only_published_findings(
    serve: Callable[..., Server], receiver: Receiver
) -> None:
    srv = serve(publish_lag_hours=24.0 * 366 * 10)  # nothing is published yet
    r = srv.client.post("/api/subscriptions", headers=auth("liaison"), json={
        "name": "ua", "min_status": "unverified", "webhook_url": receiver.url})  # fmt: skip
    assert r.status_code == 201 and r.json()["role"] == "liaison"
    assert srv.client.post("/api/subscriptions", headers=auth("monitor"),
                           json={"name": "m"}).status_code == 403  # fmt: skip
    analyst, liaison = Stream(srv.base, "analyst"), Stream(srv.base, "liaison")
    try:
        obs = srv.post_records(corroborated("pub"), "pub-1")
        uid = until(lambda: _incident_of(srv, obs[0]), "the incident stored")
        until(lambda: uid in analyst.uids(), "the incident on the analyst's stream")
        srv.state.live.alerts.cycle()  # the matching has run after the change
        time.sleep(1.0)  # heartbeats have passed on the liaison's stream
        assert liaison.uids() == set()
        assert receiver.calls == []
        all_alerts = srv.client.get("/api/alerts", params={"state": "all"},
                                    headers=auth("analyst")).json()  # fmt: skip
        assert all_alerts == []
    finally:
        analyst.close()
        liaison.close()


def test_pending_alerts_survive_a_restart(
    serve: Callable[..., Server], receiver: Receiver
) -> None:
    first = serve()
    r = first.client.post("/api/subscriptions", headers=auth("analyst"), json={
        "name": "restart", "min_status": "unverified", "webhook_url": receiver.url})  # fmt: skip
    assert r.status_code == 201
    receiver.status = 503
    first.post_records(corroborated("restart"), "restart-1")
    until(lambda: receiver.calls, "a failed attempt")
    first.stop()
    receiver.status = 200
    second = serve()
    until(lambda: receiver.delivered(), "the alert delivered by the restarted server")
    ids = {h["Trucewatch-Alert-Id"] for h, _b in receiver.delivered()}
    assert len(ids) == 1
    assert second.client.get("/api/alerts", params={"state": "pending"},
                             headers=auth("analyst")).json() == []  # fmt: skip


def test_subscription_filters_are_checked() -> None:
    with pytest.raises(BadQuery, match="min_status"):
        AlertFilter(min_status="likely")
    with pytest.raises(BadQuery, match="min_confidence"):
        AlertFilter(min_confidence=1.5)
    assert AlertFilter().statuses() == ("probable", "confirmed")
    body = b'{"a":1}'
    sig = signature("s3cret", "1700000000", body)
    assert verify("s3cret", "1700000000", body, sig, now=1700000010.0)
    assert not verify("s3cret", "1700000000", body, sig, now=1700009999.0)  # too old
    assert not verify("s3cret", "1700000000", b'{"a":2}', sig, now=1700000010.0)


def test_the_bus_carries_notifications_between_processes(db_url: str) -> None:
    """Two buses on one store stand for two server processes: what one publishes, the
    other hears (LISTEN/NOTIFY on PostgreSQL; in-process on SQLite)."""
    store = Store.open(db_url)
    try:
        first = open_bus(store)
        second = open_bus(store) if first.kind == "postgres" else first
        heard: list[tuple[str, str]] = []
        second.subscribe(lambda channel, payload: heard.append((channel, payload)))
        first.publish(INCIDENTS, "42")
        until(lambda: (INCIDENTS, "42") in heard, "the notification heard")
        first.close()
        if second is not first:
            second.close()
    finally:
        store.close()


def test_a_restarted_server_fuses_what_arrived_while_live_fusion_was_down(
    serve: Callable[..., Server]
) -> None:
    first = serve()
    until(lambda: first.state.live.fusion._engine is not None, "live fusion started")
    first.stop()
    offline = serve(live=False)  # submissions go on while live fusion is down
    obs = offline.post_records(corroborated("down"), "down-1")
    offline.stop()
    second = serve()
    uid = until(lambda: _incident_of(second, obs[0]), "the incident of a submission made "
                                                      "while live fusion was down")  # fmt: skip
    assert _incident_of(second, obs[1]) == uid
