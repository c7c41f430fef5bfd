"""The contract every registered input format keeps, checked on a good fixture of each."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest

from trucewatch import sources
from trucewatch.ids import observation_uid
from trucewatch.sources import REGISTRY, ReadResult, read_file, read_head, sniff_format
from trucewatch.types import (
    BearingRangeLocation,
    EventKind,
    Flow,
    Observation,
    PlaceLocation,
    PointLocation,
    SourceKind,
)

GOOD_FIXTURES: dict[str, list[str]] = {
    "firms": ["firms_viirs_nrt_2025-08-12_sample.csv", "firms_history_2022_sample.csv"],
    "patrol": ["patrol_smm_sample.jsonl"],
    "smm": ["../narrative/smm_passages.jsonl"],
    "acoustic": ["acoustic_sample.jsonl"],
    "camera": ["camera_sample.jsonl"],
    "complaint": ["complaint_sample.jsonl"],
}
CASES = [(name, fixture) for name, fixtures in GOOD_FIXTURES.items() for fixture in fixtures]
HEX64 = re.compile(r"[0-9a-f]{64}")


def test_every_registered_format_has_a_fixture() -> None:
    assert set(REGISTRY) == set(GOOD_FIXTURES)


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_module_interface(name: str) -> None:
    module = REGISTRY[name]
    assert name == module.NAME
    assert callable(module.sniff)
    assert callable(module.read)


@pytest.mark.parametrize(("name", "fixture"), CASES)
def test_sniff_recognises_own_fixture_only(
    name: str, fixture: str, fixture_path: Callable[[str], Path]
) -> None:
    path = fixture_path(fixture)
    head = read_head(path)
    for other, module in REGISTRY.items():
        assert module.sniff(path, head) is (other == name), (other, fixture)
    assert sniff_format(path) == name


def _check_location(loc: object) -> None:
    if isinstance(loc, PointLocation):
        assert -180 <= loc.lon <= 180
        assert -90 <= loc.lat <= 90
        (a, b), (c, d) = loc.cov_km2
        assert a > 0 and d > 0 and b == c
    elif isinstance(loc, BearingRangeLocation):
        _check_location(loc.observer)
        assert all(0 <= b < 360 for b in loc.bearings_deg)
        assert 0 < loc.bearing_halfwidth_deg <= 180
        if loc.distance_km_min is not None and loc.distance_km_max is not None:
            assert 0 <= loc.distance_km_min <= loc.distance_km_max
    else:
        assert isinstance(loc, PlaceLocation)
        assert loc.place


@pytest.mark.parametrize(("name", "fixture"), CASES)
def test_read_yields_valid_observations(
    name: str, fixture: str, fixture_path: Callable[[str], Path]
) -> None:
    path = fixture_path(fixture)
    items = list(REGISTRY[name].read(path))
    assert items
    for obs in items:
        assert isinstance(obs, Observation), obs
        assert HEX64.fullmatch(obs.uid)
        assert obs.source_format == name
        assert isinstance(obs.source_kind, SourceKind)
        assert isinstance(obs.kind, EventKind)
        assert obs.flow is None or isinstance(obs.flow, Flow)
        assert obs.count is None or obs.count > 0
        assert obs.source_id
        for t in (obs.time_start, obs.time_end):
            assert t.tzinfo is not None
            assert t.utcoffset() == timedelta(0)
        assert obs.time_start <= obs.time_end
        assert obs.reliability in "ABCDEF" and len(obs.reliability) == 1
        assert 1 <= obs.credibility <= 6
        assert obs.payload and "\n" not in obs.payload and "\r" not in obs.payload
        assert obs.payload_sha256 == hashlib.sha256(obs.payload.encode()).hexdigest()
        index = obs.attributes.get("event_index", 0)
        assert obs.uid == observation_uid(name, obs.payload, index)
        _check_location(obs.location)
    uids = [o.uid for o in items]
    assert len(set(uids)) == len(uids)


@pytest.mark.parametrize(("name", "fixture"), CASES)
def test_rereading_gives_identical_observations(
    name: str, fixture: str, fixture_path: Callable[[str], Path]
) -> None:
    path = fixture_path(fixture)
    first = read_file(path)
    second = read_file(path, name)
    assert [o.uid for o in first.observations] == [o.uid for o in second.observations]
    assert first.observations == second.observations


@pytest.mark.parametrize(("name", "fixture"), CASES)
def test_read_file_result(name: str, fixture: str, fixture_path: Callable[[str], Path]) -> None:
    path = fixture_path(fixture)
    result = read_file(path)
    assert isinstance(result, ReadResult)
    assert result.path == path
    assert result.format == name
    assert result.errors == []
    records = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    if name == "firms":
        records = records[1:]  # header
    assert result.read == len(records)
    assert len(result.observations) >= result.read


def test_same_record_in_another_file_has_same_uid(
    fixture_path: Callable[[str], Path], write: Callable[..., Path]
) -> None:
    """Idempotent import: uids depend on the record, not on the file or line."""
    original = fixture_path("patrol_smm_sample.jsonl")
    lines = original.read_text(encoding="utf-8").splitlines()
    shuffled = write("again.jsonl", "\n\n" + "\n".join(reversed(lines)) + "\n")
    a = {o.uid for o in read_file(original).observations}
    b = {o.uid for o in read_file(shuffled).observations}
    assert a == b


def test_public_api() -> None:
    for name in ("REGISTRY", "ReadResult", "read_file", "sniff_format"):
        assert hasattr(sources, name)
