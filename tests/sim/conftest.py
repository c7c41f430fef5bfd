"""Fixtures of the simulator tests: one smoke simulation per session, and the incident
stand-in the evaluation tests score."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from trucewatch.types import Attribution, PointLocation

SEED = 7


@dataclass(frozen=True)
class Inc:
    """What the evaluation reads of an incident (a hand-built one)."""

    time_start: datetime
    time_end: datetime
    location: PointLocation
    attribution: Attribution
    confidence: float = 0.9
    status: str | None = None


@pytest.fixture(scope="session")
def smoke_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """(folder, summary) of ``simulate("smoke", SEED, folder)``, once per session."""
    from trucewatch.sim import simulate

    folder = tmp_path_factory.mktemp("smoke")
    return folder, simulate("smoke", SEED, folder)
