"""Claims read from statement text become the claim records of docs/claims.md: the same
records an import parses, with stable ids."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from trucewatch.claims.model import AggregateClaim, ItemClaim
from trucewatch.claims.read import canonical_record, parse_claim
from trucewatch.claims.text import records_from_text

TEXT = """Генштаб ЗСУ: з 18:00 19 квітня до 10:00 21 квітня зафіксовано 2 935 порушень режиму
тиші з боку російських окупантів.

Російські війська завдали удару по Херсону о 14:20 з дронів, пошкоджено житловий будинок.
Міноборони Росії заявило, що ЗСУ нібито порушили перемир'я 4900 разів. Це брехня."""


def test_records_parse_as_claims() -> None:
    records, unread, claims = records_from_text(TEXT, "uk", statement_date="2025-04-21",
                                                claimant="UA", source="gs.txt")  # fmt: skip
    assert [r["type"] for r in records] == ["aggregate", "item"]
    agg, item = records
    assert (agg["claimant"], agg["accused"], agg["count"], agg["kind"]) == (
        "UA", "RU", 2935, "violations")
    assert (agg["period_start_utc"], agg["period_end_utc"]) == (
        "2025-04-19T15:00:00Z", "2025-04-21T07:00:00Z")
    assert (item["place"], item["place_text"], item["weapon"], item["target"]) == (
        "Kherson", "Херсону", "drone", "residential")
    assert item["time_start_utc"] == "2025-04-21T11:20:00Z"
    assert item["source"] == "gs.txt" and item["text"].startswith("Російські війська")
    # the relayed Russian claim has no period: reported, not guessed
    assert [u["status"] for u in unread] == ["unread"]
    assert "4900" in unread[0]["text"] and "truce" in unread[0]["reason"]
    assert isinstance(claims[0], AggregateClaim) and isinstance(claims[1], ItemClaim)
    # an import of the records reads the same claims
    for rec, c in zip(records, claims, strict=True):
        again = parse_claim(json.loads(canonical_record(rec)))
        assert again == c
    assert claims[1].sigma_km == 5.0 and claims[1].attributes["language"] == "uk"


def test_ids_are_stable_and_distinct() -> None:
    a, _, _ = records_from_text(TEXT, "uk", statement_date="2025-04-21", claimant="UA")
    b, _, _ = records_from_text(TEXT, "uk", statement_date="2025-04-21", claimant="UA")
    assert [r["claim_id"] for r in a] == [r["claim_id"] for r in b]
    assert len({r["claim_id"] for r in a}) == len(a)
    two, _, _ = records_from_text("Ворог обстріляв Нікополь і Марганець.", "uk",
                                  statement_date="2025-04-21", claimant="UA")  # fmt: skip
    assert len({r["claim_id"] for r in two}) == 2


def test_statement_time_is_stated_utc() -> None:
    records, _, _ = records_from_text(
        "Russia's defence ministry said Ukrainian drones struck Belgorod at 08:10.", "en",
        statement_date=datetime(2025, 4, 20, 9, 30, tzinfo=UTC))  # fmt: skip
    assert records[0]["stated_utc"] == "2025-04-20T09:30:00Z"
    assert records[0]["claimant"] == "RU" and records[0]["time_start_utc"] == "2025-04-20T05:10:00Z"
