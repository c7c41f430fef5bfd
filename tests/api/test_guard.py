"""Bounded work per request: the body limit on every route, per-token rate limits."""

from __future__ import annotations

import warnings

from trucewatch.api import Settings, TokenSpec, create_app
from trucewatch.api.guard import RateLimiter

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient


def test_token_bucket_refills_and_charges_large_bodies() -> None:
    limiter = RateLimiter(rate=10.0, burst=20.0)
    assert all(limiter.wait_for("a", now=0.0) == 0.0 for _ in range(20))
    assert limiter.wait_for("a", now=0.0) == 0.1  # one request's worth at 10/s
    assert limiter.wait_for("b", now=0.0) == 0.0  # another caller is not slowed
    assert limiter.wait_for("a", now=1.0) == 0.0  # refilled
    assert limiter.wait_for("c", cost=15.0, now=0.0) == 0.0
    assert limiter.wait_for("c", cost=15.0, now=0.0) == 1.0


def test_body_limit_and_rate_limit_answer_before_the_route(sqlite_url: str) -> None:
    tokens = [TokenSpec(name="a", role="analyst", token="a"),
              TokenSpec(name="b", role="analyst", token="b")]  # fmt: skip
    app = create_app(Settings(db=sqlite_url, tokens=tokens, max_body_bytes=2048,
                              rate_per_second=1.0, rate_burst=3.0))  # fmt: skip
    with TestClient(app) as client:
        a = {"Authorization": "Bearer a", "Idempotency-Key": "k"}
        big = client.post("/api/observations", headers=a, content=b"{" + b" " * 4096 + b"}")
        assert big.status_code == 413 and big.json()["error"]["code"] == "too_large"
        responses = [client.get("/api/me", headers=a) for _ in range(4)]  # burst of 3
        assert responses[-1].status_code == 429
        assert int(responses[-1].headers["Retry-After"]) >= 1
        assert client.get("/api/me", headers={"Authorization": "Bearer b"}).status_code == 200
