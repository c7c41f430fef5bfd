"""The claims routes: a liaison submits its own party's claims (signed), readers list them
with their labels, the analyst reads the totals."""

from __future__ import annotations

import json

from tests.api.conftest import Api, auth

from trucewatch.ledger.signing import generate_key, key_id, public_key_bytes, sign_submission
from trucewatch.store import Store

ITEM = {"type": "item", "claim_id": "UA-1", "claimant": "UA", "accused": "RU",
        "time_start_utc": "2025-08-13T10:00:00Z", "lon": 37.7, "lat": 48.0,
        "weapon": "artillery", "target": "energy infrastructure",
        "stated_utc": "2025-08-13T12:00:00Z"}  # fmt: skip


def test_liaison_submits_signed_claims_of_its_party(api: Api, store_url: str) -> None:
    key = generate_key()
    store = Store.open(store_url)
    with store.engine.begin() as conn:
        store.ledger.add_key(conn, key, "liaison", "UA liaison", party="UA")
    store.close()
    line = json.dumps(ITEM, sort_keys=True, separators=(",", ":")).encode()
    sig = {"record": 0, "signer": key_id(public_key_bytes(key)),
           "signature": sign_submission(key, line)}
    r = api.client.post("/api/claims", json={"records": [ITEM], "signatures": [sig]},
                        headers=auth("liaison"))  # fmt: skip
    assert r.status_code == 201, r.text
    assert r.json()["stored"] == 1
    again = api.client.post("/api/claims", json={"records": [ITEM]}, headers=auth("liaison"))
    assert again.status_code == 200 and again.json()["duplicates"] == 1
    other = api.client.post("/api/claims", json={"records": [ITEM | {"claimant": "RU"}]},
                            headers=auth("liaison"))  # fmt: skip
    assert other.status_code == 403
    forged = {**sig, "signature": "0" * 128}
    bad = api.client.post("/api/claims", headers=auth("liaison"), json={
        "records": [ITEM | {"claim_id": "UA-2"}], "signatures": [forged]})  # fmt: skip
    assert bad.status_code == 422 and "signature" in bad.text
    listed = api.client.get("/api/claims", headers=auth("liaison")).json()
    assert [c["claim_id"] for c in listed["claims"]] == ["UA-1"]
    assert listed["claims"][0]["signed"] is True
    row = listed["claims"][0]  # what the dashboard's claims panel shows of an item
    assert (row["weapon"], row["target"]) == ("artillery", "energy infrastructure")
    assert row["stated"] == "2025-08-13T12:00:00+00:00" and row["sigma_km"] == 2.0
    assert row["place"] is None and row["kind"] is None and row["label"] is None
    assert api.client.get("/api/claims", headers=auth("public")).status_code == 403


def test_totals_for_the_analyst(api: Api) -> None:
    r = api.client.get("/api/claims/totals", headers=auth("analyst"))
    assert r.status_code == 200
    body = r.json()
    assert body["lists"] and all(s["status"] in ("ok", "too_few_sources", "too_dependent")
                                 for s in body["sector_days"])  # fmt: skip
    assert api.client.get("/api/claims/totals", headers=auth("liaison")).status_code == 403
