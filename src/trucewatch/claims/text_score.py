"""Score the statement reader against fragments with expected claims
(``tests/data/claims/statements.jsonl``, docs/claims.md "Statements and news text").

``python -m trucewatch.claims.text_score FILE [--half dev|heldout] [--details]``

A read claim matches an expected one when every expected field is equal: ``type``,
``claimant``, ``accused``, ``count``, ``start`` and ``end`` (UTC), and ``kind`` for an
aggregate, ``place`` (the gazetteer's name, compared normalized), ``weapon`` and ``count``
for an item. A fragment is right when its read claims match its expected ones one to one
(none expected: none read). Also given: recall and precision of claims, and the share of
expected claims with each field right (among claims paired by type and the first field
that identifies them: place, else kind).
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from trucewatch.claims.text import records_from_text
from trucewatch.geo.gazetteer import normalize_name

__all__ = ["FIELDS", "as_expected", "score_fragments"]

FIELDS = ("type", "claimant", "accused", "count", "kind", "place", "weapon", "start", "end")


def _time(value: str) -> str:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC).isoformat()


def as_expected(record: dict[str, Any]) -> dict[str, Any]:
    """A claim record in the fields of an expected claim."""
    item = record["type"] == "item"
    out = {"type": record["type"], "claimant": record["claimant"],
           "accused": record.get("accused"), "count": record.get("count"),
           "start": record["time_start_utc" if item else "period_start_utc"],
           "end": record["time_end_utc" if item else "period_end_utc"]}  # fmt: skip
    if item:
        out |= {"place": record.get("place"), "weapon": record.get("weapon")}
    else:
        out["kind"] = record.get("kind")
    return out


def _same(field: str, a: Any, b: Any) -> bool:
    if field in ("start", "end") and a is not None and b is not None:
        return bool(_time(a) == _time(b))
    if field == "place" and a is not None and b is not None:
        return bool(normalize_name(a) == normalize_name(b))
    return bool(a == b)


def _match(expected: dict[str, Any], got: dict[str, Any]) -> bool:
    return all(_same(f, v, got.get(f)) for f, v in expected.items())


def score_fragments(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Scores of the reader on fragments (the lines of ``statements.jsonl``)."""
    right = 0
    expected_n = read_n = matched = 0
    field_ok = dict.fromkeys(FIELDS, 0)
    field_n = dict.fromkeys(FIELDS, 0)
    details = []
    for row in rows:
        records, unread, _ = records_from_text(
            row["text"], row["lang"], statement_date=row.get("date"),
            claimant=row.get("claimant"))  # fmt: skip
        got = [as_expected(r) for r in records]
        expected = row["expected"]
        free = list(got)
        hits = 0
        for e in expected:
            k = next((i for i, g in enumerate(free) if _match(e, g)), None)
            if k is not None:
                free.pop(k)
                hits += 1
        ok = hits == len(expected) and not free
        right += ok
        expected_n += len(expected)
        read_n += len(got)
        matched += hits
        pool = list(got)
        for e in expected:
            key = "place" if e["type"] == "item" else "kind"
            same = [g for g in pool if g["type"] == e["type"] and _same(key, e.get(key),
                                                                       g.get(key))]  # fmt: skip
            same = same or [g for g in pool if g["type"] == e["type"]]
            partner = same[0] if same else None
            if partner is not None:
                pool.remove(partner)
            for f, v in e.items():
                field_n[f] += 1
                field_ok[f] += partner is not None and _same(f, v, partner.get(f))
        details.append({"id": row["id"], "right": ok, "expected": expected, "read": got,
                        "unread": [u["reason"] for u in unread]})  # fmt: skip
    n = len(rows)
    return {
        "fragments": n, "right": right, "accuracy": round(right / n, 3) if n else None,
        "claims_expected": expected_n, "claims_read": read_n, "claims_matched": matched,
        "recall": round(matched / expected_n, 3) if expected_n else None,
        "precision": round(matched / read_n, 3) if read_n else None,
        "fields": {f: round(field_ok[f] / field_n[f], 3) for f in FIELDS if field_n[f]},
        "details": details,
    }  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    """Command line: print the scores (and with ``--details`` each fragment's reading)."""
    parser = argparse.ArgumentParser(prog="python -m trucewatch.claims.text_score")
    parser.add_argument("file", type=Path)
    parser.add_argument("--half", choices=("dev", "heldout"), default=None)
    parser.add_argument("--details", action="store_true")
    args = parser.parse_args(argv)
    rows = [json.loads(line) for line in args.file.read_text(encoding="utf-8").splitlines()
            if line.strip()]  # fmt: skip
    if args.half:
        rows = [r for r in rows if r["half"] == args.half]
    result = score_fragments(rows)
    if not args.details:
        result.pop("details")
    else:
        result["details"] = [d for d in result["details"] if not d["right"]]
    sys.stdout.write(json.dumps(result, ensure_ascii=False, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
