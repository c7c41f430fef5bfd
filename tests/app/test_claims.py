"""The claims use cases on both backends: import (all or nothing, duplicates, signatures,
a liaison's own claims only), adjudicate and list."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from trucewatch.app import claims as app_claims
from trucewatch.app.roles import PermissionDenied, Principal, Role
from trucewatch.errors import InputError
from trucewatch.ledger.signing import generate_key, key_id, public_key_bytes, sign_submission
from trucewatch.store import Store

ITEM = {"type": "item", "claim_id": "UA-1", "claimant": "UA", "accused": "RU",
        "time_start_utc": "2025-04-20T10:00:00Z", "time_end_utc": "2025-04-20T11:00:00Z",
        "lon": 37.7, "lat": 48.0, "weapon": "artillery", "count": 12}  # fmt: skip
AGG = {"type": "aggregate", "claim_id": "RU-9", "claimant": "RU", "accused": "UA",
       "period_start_utc": "2025-04-19T15:00:00Z", "period_end_utc": "2025-04-21T21:00:00Z",
       "count": 4900}  # fmt: skip


def _file(tmp_path: Path, *records: dict, name: str = "c.jsonl") -> Path:
    p = tmp_path / name
    p.write_text("".join(json.dumps(r) + "\n" for r in records))
    return p


def test_import_is_idempotent_and_all_or_nothing(db_url: str, tmp_path: Path) -> None:
    store = Store.open(db_url)
    r = app_claims.import_claims(store, [_file(tmp_path, ITEM, AGG)])
    assert (r["stored"], r["duplicates"]) == (2, 0)
    assert app_claims.import_claims(store, [_file(tmp_path, ITEM, AGG)])["duplicates"] == 2
    reused = _file(tmp_path, ITEM | {"claim_id": "UA-2"}, ITEM | {"count": 99}, name="d.jsonl")
    with pytest.raises(InputError, match="UA claim 'UA-1'"):
        app_claims.import_claims(store, [reused])
    bad = _file(tmp_path, ITEM | {"claim_id": "UA-3"}, {"type": "item"}, name="e.jsonl")
    with pytest.raises(InputError, match="line 2"):
        app_claims.import_claims(store, [bad])
    listed = app_claims.list_claims(store)
    assert sorted(c["claim_id"] for c in listed["claims"]) == ["RU-9", "UA-1"]
    assert listed["by_party"] == {"RU": {"pending": 1}, "UA": {"pending": 1}}
    store.close()


def test_signatures_are_checked_and_liaisons_file_their_own(db_url: str,
                                                             tmp_path: Path) -> None:  # fmt: skip
    store = Store.open(db_url)
    key = generate_key()
    with store.engine.begin() as conn:
        store.ledger.add_key(conn, key, "liaison", "UA liaison", party="UA")
    path = _file(tmp_path, ITEM)
    line = path.read_text().strip().encode()
    sigs = tmp_path / "sigs.jsonl"
    import hashlib

    signer = key_id(public_key_bytes(key))
    sigs.write_text(json.dumps({"payload_sha256": hashlib.sha256(line).hexdigest(),
                                "signer": signer, "signature": sign_submission(key, line)}))
    liaison = Principal("ua", Role.LIAISON, party="UA")
    with pytest.raises(PermissionDenied, match="of RU"):
        app_claims.import_claims(store, [_file(tmp_path, AGG, name="ru.jsonl")],
                                 principal=liaison)  # fmt: skip
    r = app_claims.import_claims(store, [path], principal=liaison, signatures=sigs,
                                 require_signatures=True)  # fmt: skip
    assert (r["stored"], r["signed"]) == (1, 1)
    tampered = _file(tmp_path, ITEM | {"claim_id": "UA-7"}, name="t.jsonl")
    with pytest.raises(InputError, match="signature"):
        app_claims.import_claims(store, [tampered], principal=liaison, signatures=sigs,
                                 require_signatures=True)  # fmt: skip
    store.close()


def test_submit_records_stores_all_or_none(db_url: str) -> None:
    store = Store.open(db_url)
    from trucewatch.store.batches import BatchChannel, BatchOrigin

    origin = BatchOrigin(channel=BatchChannel.API, submitter="t")
    analyst = Principal("a", Role.ANALYST)
    with pytest.raises(InputError, match=r"line 2, field .claim_id."):
        app_claims.submit_claims(store, [ITEM, {"type": "aggregate"}], [], principal=analyst,
                                 origin=origin)  # fmt: skip
    assert app_claims.list_claims(store)["claims"] == []
    r = app_claims.submit_claims(store, [ITEM, AGG], [], principal=analyst, origin=origin)
    assert r["stored"] == 2 and len(r["claims"]) == 2
    store.close()


def test_adjudicate_stores_labels_with_reasons(sqlite_url: str, tmp_path: Path) -> None:
    store = Store.open(sqlite_url)
    app_claims.import_claims(store, [_file(tmp_path, ITEM, AGG)])
    summary = app_claims.adjudicate(store)
    assert summary["items"] == 1 and summary["aggregates"] == 1
    rows = {c["claim_id"]: c for c in app_claims.list_claims(store)["claims"]}
    # nothing monitored: the item cannot be verified, the aggregate has no estimate
    assert rows["UA-1"]["label"] == "not_verifiable" and "coverage 0.00" in rows["UA-1"]["reason"]
    assert rows["RU-9"]["label"] == "no_estimate"
    store.close()


def test_daily_report_has_a_claims_section_by_party(sqlite_url: str, tmp_path: Path) -> None:
    from trucewatch.app.reports import render_daily_report

    store = Store.open(sqlite_url)
    day_item = ITEM | {"time_start_utc": "2025-04-20T10:00:00Z"}
    other_day = ITEM | {"claim_id": "UA-5", "time_start_utc": "2025-04-22T10:00:00Z",
                        "time_end_utc": "2025-04-22T11:00:00Z"}  # fmt: skip
    ru_item = ITEM | {"claim_id": "RU-1", "claimant": "RU", "accused": "UA"}
    app_claims.import_claims(store, [_file(tmp_path, day_item, other_day, ru_item)])
    app_claims.adjudicate(store)
    json_path, html_path = render_daily_report(store, date(2025, 4, 20), tmp_path / "out")
    doc = json.loads(json_path.read_text())
    assert doc["claims"]["by_party"]["UA"]["items"]["not_verifiable"] == 1
    assert doc["claims"]["by_party"]["RU"]["items"]["not_verifiable"] == 1
    assert sum(doc["claims"]["by_party"]["UA"]["items"].values()) == 1  # not the 22nd's
    assert "Claims by party" in html_path.read_text()
    store.close()


def test_report_fingerprint_changes_with_the_days_verdicts(sqlite_url: str,
                                                            tmp_path: Path) -> None:  # fmt: skip
    from trucewatch.app.reports import report_fingerprint

    store = Store.open(sqlite_url)
    before = report_fingerprint(store, date(2025, 4, 20))
    app_claims.import_claims(store, [_file(tmp_path, ITEM)])
    imported = report_fingerprint(store, date(2025, 4, 20))
    app_claims.adjudicate(store)
    assert len({before, imported, report_fingerprint(store, date(2025, 4, 20))}) == 3
    assert report_fingerprint(store, date(2025, 4, 21)) == report_fingerprint(
        Store.open(f"sqlite:///{tmp_path / 'empty.db'}"), date(2025, 4, 21))
    store.close()
