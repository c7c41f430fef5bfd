"""Reading claims files: JSON Lines, JSON arrays, CSV and complaint records; errors name
the file, line and field."""

from __future__ import annotations

import json
from pathlib import Path

from trucewatch.claims.model import AggregateClaim, ItemClaim
from trucewatch.claims.read import PLACE_SIGMA_KM, read_claims

ITEM = {"type": "item", "claim_id": "UA-1", "claimant": "ua", "accused": "RU",
        "time_start_utc": "2025-04-20T10:00:00Z", "time_end_utc": "2025-04-20T11:00:00+00:00",
        "lon": 37.7, "lat": 48.0, "weapon": "artillery", "count": 12, "target": "houses",
        "note": "kept"}  # fmt: skip
AGG = {"type": "aggregate", "claim_id": "RU-9", "claimant": "RU", "accused": "UA",
       "period_start_utc": "2025-04-19T15:00:00Z", "period_end_utc": "2025-04-21T21:00:00Z",
       "count": 4900}  # fmt: skip


def _jsonl(tmp_path: Path, *records: object) -> Path:
    p = tmp_path / "claims.jsonl"
    p.write_text("".join(json.dumps(r) + "\n" for r in records))
    return p


def test_items_and_aggregates_from_json_lines(tmp_path: Path) -> None:
    claims, errors = read_claims(_jsonl(tmp_path, ITEM, AGG))
    assert errors == []
    (item, raw), (agg, _) = claims
    assert isinstance(item, ItemClaim) and isinstance(agg, AggregateClaim)
    assert item.claimant == "UA" and item.count == 12 and item.sigma_km == 2.0
    assert item.attributes == {"note": "kept"}
    assert json.loads(raw) == ITEM
    assert agg.count == 4900 and agg.sector is None and agg.bbox is None


def test_place_is_geocoded_with_cyrillic_names(tmp_path: Path) -> None:
    rec = {k: v for k, v in ITEM.items() if k not in ("lon", "lat")} | {"place": "Покровськ"}
    (claim, _), = read_claims(_jsonl(tmp_path, rec))[0]
    assert isinstance(claim, ItemClaim)
    assert 37.0 < claim.lon < 37.3 and 48.2 < claim.lat < 48.4
    assert claim.sigma_km == PLACE_SIGMA_KM


def test_bad_records_name_line_and_field(tmp_path: Path) -> None:
    bad_time = ITEM | {"time_end_utc": "2025-04-20T09:00:00Z"}
    no_place = {k: v for k, v in ITEM.items() if k not in ("lon", "lat")} | {"place": "Atlantis"}
    path = _jsonl(tmp_path, ITEM, bad_time, AGG | {"count": 2.5}, no_place, {"type": "x"})
    claims, errors = read_claims(path)
    assert len(claims) == 1
    assert [(e.line, e.field) for e in errors] == [
        (2, "time_end_utc"), (3, "count"), (4, "place"), (5, "type")]
    assert str(errors[0]).startswith(f"{path}, line 2, field 'time_end_utc'")


def test_csv_and_json_array(tmp_path: Path) -> None:
    csv = tmp_path / "c.csv"
    csv.write_text("type,claim_id,claimant,accused,period_start_utc,period_end_utc,count,sector\n"
                   "aggregate,A1,UA,RU,2025-04-19T15:00:00Z,2025-04-20T15:00:00Z,2935,Pokrovsk\n"
                   "aggregate,A2,UA,RU,2025-04-19T15:00:00Z,2025-04-20T15:00:00Z,many,\n")
    claims, errors = read_claims(csv)
    assert [c.claim_id for c, _ in claims] == ["A1"]
    assert claims[0][0].count == 2935 and claims[0][0].sector == "Pokrovsk"  # type: ignore[union-attr]
    assert [(e.line, e.field) for e in errors] == [(3, "count")]
    arr = tmp_path / "c.json"
    arr.write_text(json.dumps([ITEM, AGG]))
    assert [type(c).__name__ for c, _ in read_claims(arr)[0]] == ["ItemClaim", "AggregateClaim"]


def test_complaint_records_are_items(tmp_path: Path) -> None:
    rec = {"format": "complaint", "complaint_id": "SIM-UA-1", "complainant": "UA",
           "accused": "RU", "filed_utc": "2025-03-14T08:00:00Z",
           "time_start_utc": "2025-03-13T20:10:00Z", "lon": 37.71, "lat": 48.05,
           "location_sigma_km": 1.5, "weapon": "mortar", "count": 3}  # fmt: skip
    (claim, _), = read_claims(_jsonl(tmp_path, rec))[0]
    assert isinstance(claim, ItemClaim)
    assert claim.claim_id == "SIM-UA-1" and claim.sigma_km == 1.5
    assert claim.stated_at is not None and claim.stated_at.hour == 8
