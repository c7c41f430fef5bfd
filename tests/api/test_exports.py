"""The exports of a real store: the CLI's and the API's CSV are the same bytes, and the
GeoPackage, KML and GeoParquet files open in GDAL (``ogrinfo``) and GeoPandas with the
flat columns, every incident and its nearest settlement."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
from pathlib import Path

import geopandas as gpd
import pytest
from tests.api.conftest import Api
from typer.testing import CliRunner

from trucewatch.cli import app
from trucewatch.export.flat import COLUMNS

runner = CliRunner()


def cli_export(api: Api, fmt: str, out: Path) -> dict:
    result = runner.invoke(app, ["export", "incidents", "--format", fmt, "--out", str(out),
                                 "--db", api.url, "--json"])  # fmt: skip
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def api_csv(api: Api) -> str:
    """Every page of ``GET /api/incidents?format=csv``, joined under one header."""
    text, cursor = "", None
    while True:
        resp = api.get("/api/incidents?format=csv&limit=100"
                       + (f"&cursor={cursor}" if cursor else ""))  # fmt: skip
        assert resp.status_code == 200, resp.text
        header, _, body = resp.text.partition("\r\n")
        text = text or header + "\r\n"
        text += body
        link = resp.headers.get("link")
        if not link:
            return text
        cursor = link.split("cursor=")[1].split(">")[0].split("&")[0]


def test_cli_and_api_csv_are_identical(api: Api, tmp_path: Path) -> None:
    path = tmp_path / "incidents.csv"
    n = cli_export(api, "csv", path)["incidents"]
    cli_text = path.read_bytes().decode("utf-8")
    assert cli_text == api_csv(api)
    rows = list(csv.DictReader(io.StringIO(cli_text)))
    assert len(rows) == n > 100
    assert tuple(rows[0]) == COLUMNS
    assert all(r["settlement"] and r["country"] for r in rows)
    assert {r["oblast"] for r in rows if r["country"] == "UA"} - {""}
    violations = [r for r in rows if r["verdict"] == "violation"]
    assert violations and all(r["agreement"] and r["clause"] for r in violations)
    assert max(len(r["latitude"].split(".")[-1]) for r in rows) <= 5


def ogrinfo(path: Path, *options: str) -> str:
    done = subprocess.run(["ogrinfo", "-ro", "-so", "-al", *options, str(path)],
                          capture_output=True, text=True, timeout=60, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout


def gdal_drivers() -> str:
    return subprocess.run(["ogrinfo", "--formats"], capture_output=True, text=True,
                          timeout=60, check=True).stdout  # fmt: skip


NO_GDAL = "GDAL's ogrinfo missing: .ci/run installs Debian's gdal-bin"


@pytest.mark.skipif(shutil.which("ogrinfo") is None, reason=NO_GDAL)
@pytest.mark.parametrize("fmt", ["gpkg", "kml", "parquet", "csv"])
def test_exports_open_in_gdal_and_geopandas(api: Api, tmp_path: Path, fmt: str) -> None:
    path = tmp_path / f"incidents.{fmt}"
    n = cli_export(api, fmt, path)["incidents"]
    assert path.stat().st_mode & 0o044 == 0o044  # readable by others
    if fmt == "csv":
        frame = gpd.read_file(path, engine="pyogrio", X_POSSIBLE_NAMES="longitude",
                              Y_POSSIBLE_NAMES="latitude")  # fmt: skip
        info = ogrinfo(path, "-oo", "X_POSSIBLE_NAMES=longitude", "-oo",
                       "Y_POSSIBLE_NAMES=latitude")  # fmt: skip
    elif fmt == "parquet":
        frame = gpd.read_parquet(path)
        # Debian 12's GDAL 3.6 has no Parquet driver; where GDAL has one, it must open
        info = ogrinfo(path) if "Parquet" in gdal_drivers() else f"Feature Count: {n}"
    else:
        frame = gpd.read_file(path, engine="pyogrio")
        info = ogrinfo(path)
    assert f"Feature Count: {n}" in info
    assert len(frame) == n
    if fmt != "csv":  # a CSV has no coordinate system
        assert frame.crs is not None and frame.crs.to_epsg() == 4326
    assert (frame.geometry.geom_type == "Point").all()
    assert set(COLUMNS) - {"raion"} <= set(frame.columns)
    assert frame["settlement"].notna().all()
    lon = frame["longitude"].astype(float)
    assert (abs(frame.geometry.x - lon) < 1e-6).all()
    if fmt in ("gpkg", "parquet"):
        assert str(frame["time_start"].dtype).startswith("datetime64")
        assert "violation" in set(frame["verdict"].dropna())
