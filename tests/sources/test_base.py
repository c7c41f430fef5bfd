"""Shared helpers of the format modules."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest

from trucewatch.sources.base import fast_constructor
from trucewatch.types import EventKind, Observation, PointLocation, SourceKind


def test_fast_constructor_builds_equal_observations() -> None:
    t = datetime(2025, 8, 12, tzinfo=UTC)
    kwargs = dict(
        uid="u",
        source_kind=SourceKind.SATELLITE_THERMAL,
        source_format="firms",
        source_id="FIRMS",
        time_start=t,
        time_end=t,
        location=PointLocation.isotropic(37.0, 48.0, 0.2),
        kind=EventKind.THERMAL_ANOMALY,
        count=1,
        weapon=None,
        flow=None,
        reliability="B",
        credibility=3,
        payload="p",
        payload_sha256="s",
        attributes={"frp": 1.0},
    )
    fast = fast_constructor(Observation)(*kwargs.values())
    assert fast == Observation(**kwargs)
    assert type(fast) is Observation
    with pytest.raises(AttributeError):
        fast.uid = "changed"


@dataclass(frozen=True)
class _Checked:
    value: int
    tags: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.value < 0:
            raise ValueError("negative")


@dataclass(frozen=True)
class _Plain:
    a: int
    b: str


def test_fast_constructor_falls_back_when_it_must() -> None:
    make_checked = fast_constructor(_Checked)
    assert make_checked(1, []) == _Checked(1)
    with pytest.raises(ValueError, match="negative"):
        make_checked(-1, [])  # __post_init__ still runs
    assert fast_constructor(_Plain)(1, "x") == _Plain(1, "x")  # no slots
    with pytest.raises(TypeError):
        fast_constructor(_Plain)(1)
