"""Score the narrative parser against analysts' readings.

Input: JSON Lines with ``text`` (the passage) and ``expected`` (one patrol record, or a list
of records when the observer moves within the passage); optional ``report_date``
("YYYY-MM-DD") is handed to the parser. Without it the parser gets only the *year* of the
expected date (``default_year``), as a reader of a dated report would know it; a passage
naming no day then has no date, and that counts as a wrong date.

Events are matched in order and by kind: each expected event takes the first unused parsed
event of the same kind after the previous match; expected events left over are then paired,
in order, with parsed events left over (their kind counts as wrong); expected events with no
partner count as wrong in every field. Shares are over the expected events.

Usage::

    python -m trucewatch.narrative.score FILE.jsonl [--details]

prints one JSON object: ``events_expected``, ``events_parsed``, ``events_matched``,
``count_flow_distance`` (share with count, flow and distance range all correct),
``directions`` (share with the same set of compass words), ``fields`` (share correct per
event field), ``header`` (share of records with the right date, observer reference, times,
place), and with ``--details`` the mismatches of each passage.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from trucewatch.narrative.smm import parse_passage

EVENT_FIELDS = ("count", "kind", "weapon", "flow", "directions", "distance")
HEADER_FIELDS = ("date", "observer_place", "observer_reference", "time_start", "time_end")


def _norm_text(text: Any) -> str | None:
    if text is None:
        return None
    s = str(text).lower()
    s = re.sub(r"[\"'“”‘’]", "", s)
    s = re.sub(r"\b(?:dpr|lpr|non-government|government)[-\s]controlled\b", " ", s)
    s = re.sub(r"\b(?:the|a|an|approximately|about|some)\b", " ", s)
    s = re.sub(r"(\d)\s+mm\b", r"\1mm", s)
    s = re.sub(r"[\s,;.()]+", " ", s)
    return s.strip()


def _weapon_key(text: Any) -> frozenset[str] | None:
    n = _norm_text(text)
    if not n:
        return None
    return frozenset(re.split(r"[\s-]+", n))


def _close(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(float(a) - float(b)) < 1e-6


def event_fields_equal(parsed: dict[str, Any], expected: dict[str, Any]) -> dict[str, bool]:
    """Which fields of one parsed event equal the expected reading."""
    return {
        "count": parsed.get("count") == expected.get("count"),
        "kind": parsed.get("kind") == expected.get("kind"),
        "weapon": _weapon_key(parsed.get("weapon")) == _weapon_key(expected.get("weapon")),
        "flow": parsed.get("flow") == expected.get("flow"),
        "directions": set(parsed.get("directions") or []) == set(expected.get("directions") or []),
        "distance": _close(parsed.get("distance_km_min"), expected.get("distance_km_min"))
        and _close(parsed.get("distance_km_max"), expected.get("distance_km_max")),
    }


def match_events(
    parsed: Sequence[dict[str, Any]], expected: Sequence[dict[str, Any]]
) -> list[int | None]:
    """For each expected event, the index of its parsed partner (or ``None``)."""
    used: set[int] = set()
    out: list[int | None] = [None] * len(expected)
    last = -1
    for i, e in enumerate(expected):
        for j in range(last + 1, len(parsed)):
            if j not in used and parsed[j].get("kind") == e.get("kind"):
                out[i] = j
                used.add(j)
                last = j
                break
    free = [j for j in range(len(parsed)) if j not in used]
    for i in range(len(expected)):
        if out[i] is None and free:
            lo = max((o for o in out[:i] if o is not None), default=-1)
            cand = next((j for j in free if j > lo), None)
            if cand is not None:
                out[i] = cand
                free.remove(cand)
    return out


def header_fields_equal(parsed: dict[str, Any] | None, expected: dict[str, Any]) -> dict[str, bool]:
    """Which header fields of a parsed record equal the expected one."""
    p = parsed or {}
    pr = p.get("observer_reference") or {}
    er = expected.get("observer_reference") or {}
    ref_ok = (
        _close(pr.get("km"), er.get("km"))
        and pr.get("direction") == er.get("direction")
        and _norm_text(pr.get("of")) == _norm_text(er.get("of"))
    )
    return {
        "date": p.get("date") == expected.get("date"),
        "observer_place": _norm_text(p.get("observer_place"))
        == _norm_text(expected.get("observer_place")),
        "observer_reference": ref_ok,
        "time_start": p.get("time_start") == expected.get("time_start"),
        "time_end": p.get("time_end") == expected.get("time_end"),
    }


def _expected_records(row: dict[str, Any]) -> list[dict[str, Any]]:
    exp = row["expected"]
    return list(exp) if isinstance(exp, list) else [exp]


def parse_row(row: dict[str, Any], *, geocode: bool = False) -> list[dict[str, Any]]:
    """The parser's records for one scored row (see the module docstring for the context
    it is given)."""
    expected = _expected_records(row)
    year = None
    if expected and expected[0].get("date"):
        year = date.fromisoformat(expected[0]["date"]).year
    return parse_passage(
        row["text"], default_year=year, report_date=row.get("report_date"), geocode=geocode
    )


def score_rows(rows: Iterable[dict[str, Any]], *, details: bool = False) -> dict[str, Any]:
    """Scores of the parser on rows with ``text`` and ``expected`` (see module docstring)."""
    n_exp = n_parsed = n_matched = 0
    cfd = dirs = 0
    field_ok = dict.fromkeys(EVENT_FIELDS, 0)
    n_headers = 0
    header_ok = dict.fromkeys(HEADER_FIELDS, 0)
    per_row: list[dict[str, Any]] = []
    n_rows = 0
    for row in rows:
        n_rows += 1
        expected = _expected_records(row)
        parsed = parse_row(row)
        exp_events = [e for r in expected for e in r["events"]]
        got_events = [e for r in parsed for e in r["events"]]
        n_exp += len(exp_events)
        n_parsed += len(got_events)
        partners = match_events(got_events, exp_events)
        problems: list[str] = []
        for i, (e, j) in enumerate(zip(exp_events, partners, strict=True)):
            if j is None:
                problems.append(f"events[{i}]: not found")
                continue
            n_matched += 1
            ok = event_fields_equal(got_events[j], e)
            for k, v in ok.items():
                field_ok[k] += v
            cfd += ok["count"] and ok["flow"] and ok["distance"]
            dirs += ok["directions"]
            bad = [k for k, v in ok.items() if not v]
            if bad:
                problems.append(
                    f"events[{i}] {bad}: got "
                    + json.dumps({k: got_events[j].get(k) for k in e}, ensure_ascii=False)
                )
        if len(got_events) > n_exp_row(partners):
            problems.append(f"{len(got_events) - n_exp_row(partners)} extra parsed event(s)")
        for r, rec in enumerate(expected):
            n_headers += 1
            hok = header_fields_equal(parsed[r] if r < len(parsed) else None, rec)
            for f, v in hok.items():
                header_ok[f] += v
            bad = [f for f, v in hok.items() if not v]
            if bad:
                got = parsed[r] if r < len(parsed) else {}
                problems.append(
                    f"header[{r}] {bad}: got "
                    + json.dumps({f: got.get(f) for f in bad}, ensure_ascii=False)
                )
        if details:
            per_row.append({"id": row.get("id"), "problems": problems})

    def share(x: int, n: int) -> float | None:
        return round(x / n, 3) if n else None

    out: dict[str, Any] = {
        "passages": n_rows,
        "events_expected": n_exp,
        "events_parsed": n_parsed,
        "events_matched": n_matched,
        "count_flow_distance": share(cfd, n_exp),
        "directions": share(dirs, n_exp),
        "fields": {k: share(v, n_exp) for k, v in field_ok.items()},
        "header": {k: share(v, n_headers) for k, v in header_ok.items()},
    }
    if details:
        out["details"] = per_row
    return out


def n_exp_row(partners: Sequence[int | None]) -> int:
    """Number of parsed events that found an expected partner."""
    return sum(p is not None for p in partners)


def read_rows(path: Path) -> list[dict[str, Any]]:
    """Rows of a JSON Lines file (blank lines skipped)."""
    rows = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                rows.append(json.loads(line))
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    details = "--details" in args
    files = [a for a in args if not a.startswith("--")]
    if len(files) != 1:
        print("usage: python -m trucewatch.narrative.score FILE.jsonl [--details]", file=sys.stderr)
        return 2
    try:
        rows = read_rows(Path(files[0]))
    except (OSError, ValueError) as exc:
        print(f"{files[0]}: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(score_rows(rows, details=details), indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
