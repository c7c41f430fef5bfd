"""Reading claims from files: JSON Lines (``.jsonl``), a JSON array (``.json``) or CSV
with a header (``.csv``), one claim per record (docs/claims.md, "Formats").

Every record has ``type`` = ``item`` or ``aggregate``; a party complaint record
(``"format": "complaint"``, :mod:`trucewatch.sources.complaint`) is read as an item, its
``complaint_id`` the claim id and ``filed_utc`` the time it was stated. A bad record is a
:class:`~trucewatch.errors.RecordError` naming the file, line (JSON Lines and CSV: the
line in the file; JSON: the array index + 1) and field.
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from trucewatch.claims.model import AggregateClaim, Claim, ItemClaim
from trucewatch.errors import RecordError
from trucewatch.geo.gazetteer import find_place
from trucewatch.sources.jsonl import FieldError, instant, number, text

__all__ = ["PLACE_SIGMA_KM", "POINT_SIGMA_KM", "canonical_record", "parse_claim", "read_claims"]

POINT_SIGMA_KM = 2.0
"""Default location uncertainty of a claim given by coordinates (sd per axis, km)."""
PLACE_SIGMA_KM = 5.0
"""Default uncertainty of a claim given by a settlement's name (km): the settlement's
extent and "near X" in statements."""
NUMERIC = {"lon", "lat", "location_sigma_km", "count", "lon_min", "lat_min", "lon_max",
           "lat_max"}  # fmt: skip
"""Columns read as numbers from CSV."""
ITEM_KEYS = {"type", "format", "claim_id", "complaint_id", "claimant", "complainant", "accused",
             "stated_utc", "filed_utc", "time_start_utc", "time_end_utc", "lon", "lat",
             "location_sigma_km", "place", "weapon", "target", "count", "source"}  # fmt: skip
AGGREGATE_KEYS = {"type", "claim_id", "claimant", "accused", "stated_utc", "period_start_utc",
                  "period_end_utc", "count", "sector", "lon_min", "lat_min", "lon_max",
                  "lat_max", "kind", "source"}  # fmt: skip


def _count(record: dict[str, Any], required: bool) -> int | None:
    value = number(record, "count", minimum=0, required=required)
    if value is None:
        return None
    if value != int(value):
        raise FieldError("count", f"must be a whole number, not {value!r}")
    return int(value)


def _point(record: dict[str, Any]) -> tuple[float, float, float, str | None]:
    """``lon, lat, sigma_km, place`` of an item (a place is geocoded with the gazetteer)."""
    place = text(record, "place")
    if record.get("lon") is None and record.get("lat") is None:
        if place is None:
            raise FieldError("lon", "missing: give lon/lat or place")
        found = find_place(place)
        if found is None:
            raise FieldError("place", f"not in the gazetteer: {place!r}")
        sigma = number(record, "location_sigma_km", PLACE_SIGMA_KM, minimum=0.0)
        return found.lon, found.lat, float(sigma or PLACE_SIGMA_KM), place
    lon = number(record, "lon", required=True)
    lat = number(record, "lat", required=True)
    assert lon is not None and lat is not None
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise FieldError("lon", f"not a WGS84 position: {lon}, {lat}")
    sigma = number(record, "location_sigma_km", POINT_SIGMA_KM, minimum=0.0)
    return lon, lat, float(POINT_SIGMA_KM if sigma is None else sigma), place


def _extra(record: dict[str, Any], known: set[str]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k not in known and v is not None}


def _item(record: dict[str, Any], source: str) -> ItemClaim:
    complaint = record.get("format") == "complaint"
    claim_id = text(record, "complaint_id" if complaint else "claim_id", required=True)
    claimant = text(record, "complainant" if complaint else "claimant", required=True)
    stated = instant(record, "filed_utc" if complaint else "stated_utc", required=False)
    start = instant(record, "time_start_utc")
    end = instant(record, "time_end_utc", required=False) or start
    assert claim_id and claimant and start and end
    if end < start:
        raise FieldError("time_end_utc", "is before time_start_utc")
    lon, lat, sigma, place = _point(record)
    return ItemClaim(
        claim_id=claim_id, claimant=claimant.upper(),
        accused=(text(record, "accused") or "").upper() or None, stated_at=stated,
        time_start=start, time_end=end, lon=lon, lat=lat, sigma_km=sigma,
        weapon=text(record, "weapon"), target=text(record, "target"),
        count=_count(record, required=False), place=place,
        source=text(record, "source") or source, attributes=_extra(record, ITEM_KEYS),
    )  # fmt: skip


def _bbox(record: dict[str, Any]) -> tuple[float, float, float, float] | None:
    keys = ("lon_min", "lat_min", "lon_max", "lat_max")
    if all(record.get(k) is None for k in keys):
        return None
    box = tuple(number(record, k, required=True) for k in keys)
    lon0, lat0, lon1, lat1 = (float(v) for v in box if v is not None)
    if lon1 <= lon0 or lat1 <= lat0:
        raise FieldError("lon_max", "the box must have lon_min < lon_max and lat_min < lat_max")
    return lon0, lat0, lon1, lat1


def _aggregate(record: dict[str, Any], source: str) -> AggregateClaim:
    claim_id = text(record, "claim_id", required=True)
    claimant = text(record, "claimant", required=True)
    start = instant(record, "period_start_utc")
    end = instant(record, "period_end_utc")
    count = _count(record, required=True)
    assert claim_id and claimant and start and end and count is not None
    if end <= start:
        raise FieldError("period_end_utc", "must be after period_start_utc")
    sector, box = text(record, "sector"), _bbox(record)
    if sector is not None and box is not None:
        raise FieldError("sector", "give a sector or a box, not both")
    return AggregateClaim(
        claim_id=claim_id, claimant=claimant.upper(),
        accused=(text(record, "accused") or "").upper() or None,
        stated_at=instant(record, "stated_utc", required=False), period_start=start,
        period_end=end, count=count, sector=sector, bbox=box,
        kind=text(record, "kind") or "violations", source=text(record, "source") or source,
        attributes=_extra(record, AGGREGATE_KEYS),
    )  # fmt: skip


def parse_claim(record: Any, source: str = "") -> Claim:
    """One claim from a record (a JSON object); raises :class:`FieldError`."""
    if not isinstance(record, dict):
        raise FieldError(None, "a claim must be a JSON object")
    kind = record.get("type")
    if record.get("format") == "complaint" or kind == "item":
        return _item(record, source)
    if kind == "aggregate":
        return _aggregate(record, source)
    raise FieldError("type", f"must be 'item' or 'aggregate', not {kind!r}")


def _csv_value(key: str, value: str | None) -> Any:
    if value is None or not value.strip():
        return None
    if key not in NUMERIC:
        return value.strip()
    try:
        x = float(value)
    except ValueError:
        raise FieldError(key, f"must be a number, not {value!r}") from None
    if not math.isfinite(x):
        raise FieldError(key, f"must be a finite number, not {value!r}")
    return x


def canonical_record(record: dict[str, Any]) -> str:
    """The canonical JSON line of a claim record: keys sorted, ``,``/``:`` separators."""
    return json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _records(path: Path) -> Iterator[tuple[int, Any, str]]:
    """``(line or index + 1, record, its text)`` of a claims file: the text is the line of
    a JSON Lines file, else the record's canonical JSON line; a record that is not valid
    JSON is yielded as a :class:`FieldError`."""
    raw = path.read_text(encoding="utf-8-sig")
    if path.suffix.lower() == ".csv":
        for row in csv.DictReader(raw.splitlines()):
            line = row.pop(None, None)
            try:
                if line:
                    raise FieldError(None, "more values than columns")
                rec = {k: v for k, v in ((k, _csv_value(k, v)) for k, v in row.items() if k)
                       if v is not None}  # fmt: skip
                yield 0, rec, canonical_record(rec)
            except FieldError as exc:
                yield 0, exc, ""
    elif path.suffix.lower() == ".json":
        data = json.loads(raw)
        if not isinstance(data, list):
            raise FieldError(None, "a .json claims file holds an array of claims")
        for k, rec in enumerate(data, start=1):
            yield k, rec, canonical_record(rec) if isinstance(rec, dict) else ""
    else:
        for n, line in enumerate(raw.splitlines(), start=1):
            if line.strip():
                try:
                    yield n, json.loads(line), line.strip()
                except ValueError as exc:
                    yield n, FieldError("json", f"not JSON: {exc}"), line


def read_claims(path: Path) -> tuple[list[tuple[Claim, str]], list[RecordError]]:
    """Every claim of a file with the text of its record (what a party signs), and one
    :class:`RecordError` per bad record."""
    claims: list[tuple[Claim, str]] = []
    errors: list[RecordError] = []
    try:
        records = list(_records(path))
    except (OSError, UnicodeDecodeError) as exc:
        return [], [RecordError(str(path), None, None, f"cannot read file: {exc}")]
    except (ValueError, FieldError) as exc:
        return [], [RecordError(str(path), None, getattr(exc, "field", None), str(exc))]
    csv_file = path.suffix.lower() == ".csv"
    for k, (line, record, raw) in enumerate(records):
        number_ = k + 2 if csv_file else line
        try:
            if isinstance(record, FieldError):
                raise record
            claims.append((parse_claim(record, source=path.name), raw))
        except FieldError as exc:
            errors.append(RecordError(str(path), number_, exc.field, exc.message))
    return claims, errors
