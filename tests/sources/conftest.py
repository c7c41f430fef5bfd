"""Fixtures of the source-format tests: the small fixture files and the shared real data."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

FIXTURE_DIR = Path(__file__).resolve().parents[1] / "data" / "sources"
SHARED_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"


@pytest.fixture
def fixture_path() -> Callable[[str], Path]:
    """``fixture_path("patrol_smm_sample.jsonl")``: a file of tests/data/sources."""

    def get(name: str) -> Path:
        path = FIXTURE_DIR / name
        assert path.is_file(), f"missing test fixture {path}"
        return path

    return get


@pytest.fixture
def shared_path() -> Callable[..., Path]:
    """``shared_path("firms", "history")``: a path of ../shared/data, or skip the test,
    saying why, when the real data are not beside the repository."""

    def get(*parts: str) -> Path:
        path = SHARED_DATA.joinpath(*parts)
        if not path.exists():
            pytest.skip(f"real data not available at {path} (needs ../shared beside the repo)")
        return path

    return get


@pytest.fixture
def write(tmp_path: Path) -> Callable[..., Path]:
    """``write("name.csv", text_or_bytes)``: a file in a temporary directory."""

    def put(name: str, content: str | bytes) -> Path:
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_bytes(content.encode("utf-8"))
        return path

    return put
