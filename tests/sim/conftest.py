"""Fixtures of the simulator tests: one smoke simulation per session, the simulator's
input formats registered for import (until ``sources.REGISTRY`` lists them)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from trucewatch import sources
from trucewatch.sources import acoustic, camera, complaint

SEED = 7


@pytest.fixture(autouse=True)
def sim_formats() -> Iterator[None]:
    """Register the acoustic, camera and complaint formats for the test."""
    added = [m for m in (acoustic, camera, complaint) if m.NAME not in sources.REGISTRY]
    for m in added:
        sources.REGISTRY[m.NAME] = m
    yield
    for m in added:
        sources.REGISTRY.pop(m.NAME, None)


@pytest.fixture(scope="session")
def smoke_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """(folder, summary) of ``simulate("smoke", SEED, folder)``, once per session."""
    from trucewatch.sim import simulate

    folder = tmp_path_factory.mktemp("smoke")
    return folder, simulate("smoke", SEED, folder)
