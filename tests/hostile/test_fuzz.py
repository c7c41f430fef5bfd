"""Fuzzing the readers of every input path (bounded for CI; the 10,000-per-format run is
``python -m benchmarks.fuzz_inputs``): a record whose fields hypothesis replaces with
hostile values (huge, non-finite, deep, long, NUL, wrong types) is either read into
observations within :mod:`trucewatch.limits` or refused with an error naming the file and
line; nothing else escapes."""

from __future__ import annotations

import json
import math
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trucewatch import limits, sources
from trucewatch.agreements.load import loads_agreement
from trucewatch.app.demo import AGREEMENT_FILE, demo_file
from trucewatch.errors import InputError

PATROL = {"date": "2025-08-13", "observer_place": "post", "observer_lon": 37.3,
          "observer_lat": 48.3, "observer_sigma_km": 0.2, "time_start": "09:00",
          "time_end": "10:00", "source_id": "a1", "timezone": "Europe/Kyiv",
          "events": [{"kind": "mortar", "count": 3, "weapon": "mortar", "flow": "incoming",
                      "directions": ["east"], "bearings_deg": [90.0],
                      "distance_km_min": 2, "distance_km_max": 4}]}  # fmt: skip
FIRMS_HEADER = ("latitude,longitude,bright_ti4,scan,track,acq_date,acq_time,satellite,"
                "confidence,version,bright_ti5,frp,daynight,instrument")  # fmt: skip
FIRMS_ROW = ["48.5", "37.5", "330.1", "0.4", "0.4", "2025-08-13", "0126", "N20", "nominal",
             "2.0NRT", "290.0", "3.1", "N", "VIIRS"]  # fmt: skip

numbers = st.one_of(st.integers(min_value=-(2**80), max_value=2**80), st.floats(),
                    st.sampled_from([1e308, -1e308, 1e151, 2**31, 2**63, 0, -1]))  # fmt: skip
texts = st.one_of(st.text(max_size=30), st.sampled_from(["\x00", "\ud800", "x" * 300,
                  "9999-12-31", "0001-01-01", "2025-13-45", "24:00", "99:99"]))  # fmt: skip
leaves = st.one_of(st.none(), st.booleans(), numbers, texts)
values = st.recursive(leaves, lambda inner: st.lists(inner, max_size=3)
                      | st.dictionaries(st.text(max_size=5), inner, max_size=3),
                      max_leaves=8)  # fmt: skip
deep = st.integers(min_value=10, max_value=3000).map(lambda n: "[" * n + "]" * n)
FUZZ = settings(max_examples=150, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow])  # fmt: skip


def _read(text: str, suffix: str, fmt: str) -> None:
    """Read ``text`` as a file of ``fmt``; only observations within the limits or errors
    naming the file may come out."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"fuzz{suffix}"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        try:
            result = sources.read_file(path, fmt, skip_bad=True)
        except InputError as exc:
            assert str(path) in str(exc)
            return
        for o in result.observations:
            assert limits.observation_problem(o) is None, o
        for e in result.errors:
            assert e.file == str(path) and e.message


def _mutated(record: dict[str, Any], path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    copy = json.loads(json.dumps(record))
    target = copy
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return copy


PATROL_PATHS = [(k,) for k in PATROL] + [("events", 0, k) for k in PATROL["events"][0]]


@FUZZ
@given(st.sampled_from(PATROL_PATHS), values)
def test_patrol_fields(path: tuple[Any, ...], value: Any) -> None:
    line = json.dumps(_mutated(PATROL, path, value), ensure_ascii=False, allow_nan=True)
    _read(line + "\n", ".jsonl", "patrol")


@FUZZ
@given(st.sampled_from(PATROL_PATHS), deep)
def test_patrol_deep_values(path: tuple[Any, ...], nested: str) -> None:
    line = json.dumps(_mutated(PATROL, path, 0)).replace(": 0", ": " + nested, 1)
    _read(line + "\n", ".jsonl", "patrol")


@FUZZ
@given(st.integers(min_value=0, max_value=len(FIRMS_ROW) - 1),
       st.one_of(texts, numbers.map(lambda n: repr(n) if isinstance(n, float) else str(n))))
def test_firms_cells(column: int, value: str) -> None:
    row = list(FIRMS_ROW)
    row[column] = value.replace(",", ";").replace("\n", " ").replace("\r", " ")
    _read(FIRMS_HEADER + "\n" + ",".join(row) + "\n", ".csv", "firms")


@FUZZ
@given(st.sampled_from(["2025-13-01", "9999-12-31", "0001-01-01", "2025-02-30"]),
       st.one_of(st.integers(min_value=0, max_value=10**25).map(str), texts))
def test_smm_text(day: str, count: str) -> None:
    text = (f"date: {day}\n\nOn the night of 22 August, whilst in Donetsk city centre the SMM "
            f"heard {count} undetermined explosions 7-9km north-north-west of its position.\n")
    _read(text, ".txt", "smm")


AGREEMENT = demo_file(AGREEMENT_FILE).read_text(encoding="utf-8")


@FUZZ
@given(st.sampled_from(["start", "end", "name", "half_width_km", "timezone"]),
       st.one_of(texts.map(json.dumps), numbers.map(lambda n: "nan" if isinstance(n, float)
                 and math.isnan(n) else repr(n)), deep))  # fmt: skip
def test_agreement_values(key: str, value: str) -> None:
    lines = AGREEMENT.splitlines()
    for i, line in enumerate(lines):
        if line.split("=")[0].strip() == key:
            lines[i] = f"{key} = {value}"
            break
    try:
        loads_agreement("\n".join(lines), file="fuzz.toml")
    except InputError as exc:
        assert "fuzz.toml" in str(exc)
