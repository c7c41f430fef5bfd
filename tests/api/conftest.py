"""A small real store (contact line, demo agreement, synthetic patrols, some FIRMS rows,
fused) and API clients for each role, on SQLite and PostgreSQL (``db_url``)."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from trucewatch.app import agreements as app_agreements
from trucewatch.app import incidents as app_incidents
from trucewatch.app import intake as app_intake
from trucewatch.app import lines as app_lines
from trucewatch.app.demo import AGREEMENT_FILE, CONTROL_FILE, demo_file
from trucewatch.store import Store
from trucewatch.types import ContactLine, Sector

with warnings.catch_warnings():  # starlette's notice about httpx in its test client
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from trucewatch.api import Settings, TokenSpec, create_app

FIRMS_ROWS = 300
TOKENS = {
    "analyst": "analyst-token",
    "monitor": "monitor-token",
    "monitor2": "monitor2-token",
    "liaison": "liaison-token",
    "liaison_ru": "liaison-ru-token",
    "public": "public-token",
}
TOKEN_SPECS = [
    TokenSpec(name="ana", role="analyst", token=TOKENS["analyst"]),
    TokenSpec(name="mon", role="monitor", token=TOKENS["monitor"]),
    TokenSpec(name="mon2", role="monitor", token=TOKENS["monitor2"]),
    TokenSpec(name="liaison-ua", role="liaison", token=TOKENS["liaison"], party="UA"),
    TokenSpec(name="liaison-ru", role="liaison", token=TOKENS["liaison_ru"], party="RU"),
    TokenSpec(name="pub", role="public", token=TOKENS["public"]),
]


def auth(role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {TOKENS[role]}"}


@pytest.fixture(scope="session")
def derived_line(tmp_path_factory: pytest.TempPathFactory) -> tuple[ContactLine, list[Sector]]:
    """The demo contact line, derived once (3 s) and copied into each test's store."""
    store = Store.open(f"sqlite:///{tmp_path_factory.mktemp('line') / 'line.db'}")
    try:
        app_lines.import_line(store, demo_file(CONTROL_FILE), name="DeepStateMap 2025-08-09")
        line = store.lines()[0]
        assert line.id is not None
        return line, store.sectors(line.id)
    finally:
        store.close()


@pytest.fixture(scope="session")
def firms_head(tmp_path_factory: pytest.TempPathFactory) -> Path:
    src = demo_file("firms_viirs_noaa20_2025-08-12_to_14.csv")
    path = tmp_path_factory.mktemp("firms") / "firms_head.csv"
    lines = src.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(lines[: FIRMS_ROWS + 1]), encoding="utf-8")
    return path


def build_store(url: str, line: tuple[ContactLine, list[Sector]], firms: Path) -> None:
    store = Store.open(url)
    try:
        store.add_line(line[0], line[1])
        app_agreements.add_agreement(store, demo_file(AGREEMENT_FILE))
        app_intake.import_files(store, [demo_file("patrols_synthetic_2025-08-13.jsonl"), firms])
        app_incidents.fuse(store)
    finally:
        store.close()


@pytest.fixture
def store_url(
    db_url: str, derived_line: tuple[ContactLine, list[Sector]], firms_head: Path
) -> str:
    build_store(db_url, derived_line, firms_head)
    return db_url


@dataclass
class Api:
    """Clients of one app, by role."""

    client: TestClient
    url: str

    def get(self, path: str, role: str | None = "analyst", **kw: Any) -> Any:
        headers = {**(auth(role) if role else {}), **kw.pop("headers", {})}
        return self.client.get(path, headers=headers, **kw)

    def post(self, path: str, role: str | None = "monitor", key: str | None = "k1",
             **kw: Any) -> Any:  # fmt: skip
        headers = {**(auth(role) if role else {}), **kw.pop("headers", {})}
        if key is not None:
            headers["Idempotency-Key"] = key
        return self.client.post(path, headers=headers, **kw)


MakeApi = Callable[..., Api]


@pytest.fixture
def make_api(store_url: str, tmp_path: Path) -> Iterator[MakeApi]:
    """``make_api(**settings)``: an app on the test store with the test tokens."""
    clients: list[TestClient] = []

    def make(**overrides: Any) -> Api:
        settings = Settings(db=store_url, tokens=TOKEN_SPECS,
                            report_cache_dir=tmp_path / "reports", **overrides)  # fmt: skip
        client = TestClient(create_app(settings))
        client.__enter__()
        clients.append(client)
        return Api(client, store_url)

    yield make
    for c in clients:
        c.__exit__(None, None, None)


@pytest.fixture
def api(make_api: MakeApi) -> Api:
    return make_api()


def patrol_record(**changes: Any) -> dict[str, Any]:
    """A valid patrol record (architecture.md schema) with coordinates."""
    record: dict[str, Any] = {
        "date": "2025-08-14",
        "observer_place": "test post",
        "observer_lon": 37.30,
        "observer_lat": 48.35,
        "time_start": "08:10",
        "time_end": "09:00",
        "timezone": "Europe/Kyiv",
        "source_id": "test-patrol",
        "events": [{"count": 3, "kind": "mortar", "flow": "incoming", "directions": ["west"],
                    "distance_km_min": 2, "distance_km_max": 4}],
    }
    record.update(changes)
    return record
