"""Fixtures of the narrative tests: the shared real data and tests/data/narrative."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

DATA_DIR = Path(__file__).resolve().parents[1] / "data" / "narrative"
SHARED_DATA = Path(
    os.environ.get("TRUCEWATCH_SHARED_DATA")
    or Path(__file__).resolve().parents[2].parent / "shared" / "data"
)
"""The shared real data: $TRUCEWATCH_SHARED_DATA, else ../shared/data beside the repo."""


@pytest.fixture
def shared_path() -> Callable[..., Path]:
    """A path of ../shared/data, or skip the test when the real data are not there."""

    def get(*parts: str) -> Path:
        path = SHARED_DATA.joinpath(*parts)
        if not path.exists():
            pytest.skip(f"real data not available at {path} (needs ../shared beside the repo)")
        return path

    return get


@pytest.fixture
def data_path() -> Callable[[str], Path]:
    """A file of tests/data/narrative."""

    def get(name: str) -> Path:
        path = DATA_DIR / name
        assert path.is_file(), f"missing test fixture {path}"
        return path

    return get
