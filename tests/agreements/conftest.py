"""Helpers of the agreement tests: synthetic incidents and small agreement files."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from trucewatch.agreements import load_example
from trucewatch.agreements.load import load_agreement
from trucewatch.agreements.model import LoadedAgreement
from trucewatch.types import (
    UNDETERMINED_PARTY,
    Attribution,
    EventKind,
    Incident,
    IncidentStatus,
    PointLocation,
)

DONETSK = (37.80, 48.00)  # a point on land near the front (lon, lat)


def incident(
    t0: datetime,
    t1: datetime | None = None,
    *,
    kind: EventKind | str = EventKind.ARTILLERY,
    lon: float = DONETSK[0],
    lat: float = DONETSK[1],
    sigma_km: float = 0.2,
    line_km: float | None = 3.2,
    party: str = "RU",
    p: float = 0.72,
    uid: str = "i1",
    status: IncidentStatus = IncidentStatus.PROBABLE,
) -> Incident:
    """A fused incident as the fusion stage would make it."""
    if party == UNDETERMINED_PARTY:
        att = Attribution(party=party, probabilities={}, method="none")
    else:
        other = "UA" if party != "UA" else "RU"
        att = Attribution(party=party, probabilities={party: p, other: round(1 - p, 4)},
                          method="flow")
    return Incident(
        uid=uid,
        time_start=t0,
        time_end=t1 if t1 is not None else t0,
        location=PointLocation.isotropic(lon, lat, sigma_km),
        kind=kind,  # type: ignore[arg-type]
        count=1,
        confidence=0.8,
        status=status,
        attribution=att,
        observation_uids=(uid,),
        source_kinds=(),
        sector="S1",
        held_by="RU",
        line_distance_km=line_km,
    )


@pytest.fixture(scope="session")
def make_incident():
    """The :func:`incident` factory."""
    return incident


@pytest.fixture(scope="session")
def examples() -> dict[str, LoadedAgreement]:
    """The four shipped examples, loaded once."""
    slugs = ("easter-truce-2025", "ceasefire-30-day-2025", "energy-moratorium-2025",
             "minsk-2015-withdrawal")
    return {s: load_example(s) for s in slugs}


BASE_TOML = (Path(__file__).parent / "data" / "base.toml").read_text(encoding="utf-8")
"""A general truce with a ±15 km security zone (clause 1) and an artillery withdrawal zone
(clause 2), June 2025 Kyiv time."""


@pytest.fixture
def write_agreement(tmp_path: Path):
    """``write_agreement(text, name="a.toml")``: write a TOML file, return its path."""

    def _write(text: str, name: str = "a.toml") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return _write


@pytest.fixture
def base_agreement(write_agreement) -> LoadedAgreement:
    """A general truce with a ±15 km security zone (clause 1) and the Minsk artillery
    withdrawal zone (clause 2), June 2025 Kyiv time."""
    return load_agreement(write_agreement(BASE_TOML))
