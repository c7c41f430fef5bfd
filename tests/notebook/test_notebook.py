"""The notebook API (``trucewatch.open(...).incidents(...)``) on a small real store, and the
example notebook ``examples/incidents.ipynb`` executed in a Jupyter kernel."""

from __future__ import annotations

import os
from pathlib import Path

import geopandas as gpd
import nbformat
import pytest
from nbclient import NotebookClient

import trucewatch
from trucewatch.app import agreements, incidents, intake, lines
from trucewatch.app.demo import AGREEMENT_FILE, CONTROL_FILE, demo_file
from trucewatch.app.session import open_store
from trucewatch.errors import StoreError
from trucewatch.export.flat import COLUMNS

NOTEBOOK = Path(__file__).resolve().parents[2] / "examples" / "incidents.ipynb"


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Line, demo agreement, synthetic patrols and 300 FIRMS rows, fused."""
    folder = tmp_path_factory.mktemp("desk")
    firms = folder / "firms.csv"
    rows = demo_file("firms_viirs_noaa20_2025-08-12_to_14.csv").read_text().splitlines(True)
    firms.write_text("".join(rows[:301]))
    path = folder / "desk.db"
    store = open_store(f"sqlite:///{path}")
    try:
        lines.import_line(store, demo_file(CONTROL_FILE))
        agreements.add_agreement(store, demo_file(AGREEMENT_FILE))
        intake.import_files(store, [demo_file("patrols_synthetic_2025-08-13.jsonl"), firms])
        incidents.fuse(store)
    finally:
        store.close()
    return path


def test_incidents_as_a_geodataframe(store_path: Path) -> None:
    with trucewatch.open(store_path) as desk:
        frame = desk.incidents()
        assert isinstance(frame, gpd.GeoDataFrame) and len(frame) > 100
        assert list(frame.columns) == [*COLUMNS, "geometry"]
        assert frame.crs.to_epsg() == 4326
        assert frame["time_start"].is_monotonic_increasing
        day = desk.incidents(since="2025-08-13", until="2025-08-14")
        assert 0 < len(day) < len(frame) and set(day["event_date"]) == {"2025-08-13"}
        violations = desk.incidents(verdict="violation")
        assert 0 < len(violations) < len(frame)
        assert set(violations["verdict"]) == {"violation"}
        box = desk.incidents(bbox=(37.0, 47.5, 38.5, 49.0))
        assert 0 < len(box) < len(frame)
        assert box.geometry.x.between(37.0, 38.5).all()
        line = desk.lines()
        assert len(line) == 1 and line.geometry.iloc[0].geom_type.endswith("LineString")


def test_a_missing_store_is_an_error_not_a_new_file(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no store"):
        trucewatch.open(tmp_path / "typo.db")
    assert not (tmp_path / "typo.db").exists()


def test_the_example_notebook_runs(store_path: Path, tmp_path: Path,
                                   monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    monkeypatch.setenv("TRUCEWATCH_DB", str(store_path))
    src = Path(__file__).resolve().parents[2] / "src"
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(src), os.environ.get("PYTHONPATH", "")]))
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(notebook, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()  # fmt: skip
    printed = "".join(o.get("text", "") for c in notebook.cells if c.cell_type == "code"
                      for o in c.get("outputs", []))  # fmt: skip
    assert "incidents, EPSG:4326" in printed
    assert "violations" in printed and "within 15 km of the line" in printed
