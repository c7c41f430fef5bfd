"""The command line: --json contracts, errors on stderr, nothing half-stored, the demo."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from trucewatch.app.demo import CONTROL_FILE, demo_file
from trucewatch.cli import app
from trucewatch.store import Store

runner = CliRunner()

PATROL = {
    "date": "2025-08-13", "observer_place": "post", "observer_reference": None,
    "observer_lon": 37.55, "observer_lat": 48.35, "time_start": "09:00", "time_end": "10:00",
    "source_id": "team-1", "reliability": "B", "credibility": 2,
    "events": [{"count": 5, "kind": "mortar", "weapon": None, "flow": "incoming",
                "directions": ["east"], "distance_km_min": 2, "distance_km_max": 4}],
}  # fmt: skip


def invoke(*args: str):
    result = runner.invoke(app, list(args))
    return result


def as_json(result) -> dict:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.fixture
def db(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'cli.db'}"


@pytest.fixture(scope="module")
def line_db(tmp_path_factory) -> str:
    """A store with the demo's contact line (derived once for the module)."""
    path = tmp_path_factory.mktemp("line") / "line.db"
    url = f"sqlite:///{path}"
    out = as_json(invoke("line", "import", str(demo_file(CONTROL_FILE)),
                         "--db", url, "--json"))  # fmt: skip
    assert out["valid_from"] == "2025-08-09"
    return url


def copy_db(url: str, tmp_path: Path) -> str:
    src = Path(url.removeprefix("sqlite:///"))
    dst = tmp_path / "copy.db"
    shutil.copy(src, dst)
    return f"sqlite:///{dst}"


def test_help_lists_every_command():
    out = invoke("--help").stdout
    for command in ("init", "line", "import", "fuse", "report", "demo"):
        assert command in out


def test_line_import_json_contract(line_db: str, tmp_path: Path):
    again = as_json(invoke("line", "import",
                           str(demo_file(CONTROL_FILE)),
                           "--db", copy_db(line_db, tmp_path), "--json"))  # fmt: skip
    assert set(again) >= {"line_id", "valid_from", "length_km", "sectors"}
    assert again["status"] == "unchanged"
    assert 1000 < again["length_km"] < 2600
    assert again["sectors"] >= 20
    # the whole front: its labelled parts add up to its length
    by_part = again["length_by_part_km"]
    assert set(by_part) == {"line of contact", "Dnipro", "state border"}
    assert 700 < by_part["state border"] < 1000
    assert sum(by_part.values()) == pytest.approx(again["length_km"], abs=0.5)
    assert {p["label"] for p in again["parts"]} == set(by_part)


def test_line_import_contact_only(line_db: str, tmp_path: Path):
    only = as_json(invoke("line", "import", str(demo_file(CONTROL_FILE)), "--contact-only",
                          "--db", copy_db(line_db, tmp_path), "--json"))  # fmt: skip
    assert set(only["length_by_part_km"]) == {"line of contact", "Dnipro"}
    assert 1000 < only["length_km"] < 1400
    assert only["status"] != "unchanged"  # it replaces the whole front of that date


def test_import_is_idempotent_and_counts(tmp_path: Path, db: str):
    f = tmp_path / "p.jsonl"
    f.write_text(json.dumps(PATROL) + "\n")
    first = as_json(invoke("import", str(f), "--db", db, "--json"))
    assert (first["read"], first["stored"], first["duplicates"], first["rejected"]) == (1, 1, 0, 0)
    again = as_json(invoke("import", str(f), "--db", db, "--json"))
    assert (again["stored"], again["duplicates"]) == (0, 1)


def test_bad_record_fails_whole_file_with_one_line_error(tmp_path: Path, db: str):
    good = json.dumps(PATROL)
    bad = dict(PATROL, events=[dict(PATROL["events"][0], flow="sideways")])
    f = tmp_path / "mixed.jsonl"
    f.write_text(good + "\n" + json.dumps(bad) + "\n")
    result = invoke("import", str(f), "--db", db, "--json")
    assert result.exit_code == 1
    assert result.stdout == ""
    message = result.stderr.strip()
    assert "mixed.jsonl" in message and "line 2" in message and "flow" in message
    assert len(message.splitlines()) == 1
    store = Store.open(db)
    assert store.count_observations() == 0  # nothing half-stored
    store.close()
    skipped = as_json(invoke("import", str(f), "--skip-bad", "--db", db, "--json"))
    assert (skipped["stored"], skipped["rejected"]) == (1, 1)
    assert skipped["errors"][0]["line"] == 2


def test_missing_file_is_a_clear_error(db: str, tmp_path: Path):
    result = invoke("import", str(tmp_path / "nope.csv"), "--db", db)
    assert result.exit_code == 1
    assert "nope.csv" in result.stderr


def test_fuse_and_report_json(line_db: str, tmp_path: Path):
    url = copy_db(line_db, tmp_path)
    f = tmp_path / "p.jsonl"
    f.write_text(json.dumps(PATROL) + "\n")
    as_json(invoke("import", str(f), str(demo_file("firms_viirs_noaa20_2025-08-12_to_14.csv")),
                   "--db", url, "--json"))  # fmt: skip
    fused = as_json(invoke("fuse", "--db", url, "--json"))
    assert fused["observations"] > 1000 and 0 < fused["incidents"] <= fused["observations"]
    out_dir = tmp_path / "report"
    rep = as_json(invoke("report", "daily", "--date", "2025-08-13", "--out", str(out_dir),
                         "--lang", "uk", "--db", url, "--json"))  # fmt: skip
    doc = json.loads((out_dir / "report.json").read_text())
    assert rep["incidents"] == doc["summary"]["incidents"] > 0
    assert rep["language"] == doc["language"] == "uk"
    assert "Щоденний звіт" in (out_dir / "report.html").read_text()
    near = [i for i in doc["incidents"]
            if i["line_distance_km"] is not None and abs(i["line_distance_km"]) < 20]
    assert near and all(i["sector"] is not None for i in near)


def test_bad_date_option(db: str):
    result = invoke("report", "daily", "--date", "13/08/2025", "--db", db)
    assert result.exit_code == 1 and "--date" in result.stderr


def test_unknown_report_language(db: str, tmp_path: Path):
    result = invoke("report", "daily", "--date", "2025-08-13", "--lang", "de", "--db", db,
                    "--out", str(tmp_path / "r"))  # fmt: skip
    assert result.exit_code == 1 and "--lang 'de'" in result.stderr
    assert "en, uk, ru" in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_demo_end_to_end(tmp_path: Path):
    out_dir = tmp_path / "demo"
    result = as_json(invoke("demo", "--out", str(out_dir), "--json"))
    doc = json.loads(Path(result["report_json"]).read_text())
    assert Path(result["report_html"]).exists()
    assert doc["date"] == "2025-08-13"
    assert result["import"]["stored"] == result["import"]["read"]
    assert doc["summary"]["incidents"] > 0
    statuses = doc["summary"]["by_status"]
    assert statuses.get("confirmed", 0) + statuses.get("probable", 0) > 0
    # running it again stores nothing new and gives the same incidents
    again = as_json(invoke("demo", "--out", str(out_dir), "--json"))
    assert again["import"]["stored"] == 0
    assert again["fuse"]["incidents"] == result["fuse"]["incidents"]


def test_export_incidents_geojson_and_csv(tmp_path: Path):
    demo_out = tmp_path / "demo"
    result = as_json(invoke("demo", "--out", str(demo_out), "--json"))
    db = result["db"]
    gj = tmp_path / "inc.geojson"
    out = as_json(invoke("export", "incidents", "--format", "geojson", "--out", str(gj),
                         "--since", "2025-08-13", "--until", "2025-08-14", "--db", db, "--json"))
    doc = json.loads(gj.read_text())
    assert out["incidents"] == len(doc["features"]) > 0
    feature = doc["features"][0]
    assert feature["geometry"]["type"] == "Point"
    assert {"status", "confidence", "ellipse", "sector"} <= set(feature["properties"])
    csv_path = tmp_path / "inc.csv"
    as_json(invoke("export", "incidents", "--format", "csv", "--out", str(csv_path),
                   "--db", db, "--json"))  # fmt: skip
    lines = csv_path.read_text().splitlines()
    assert lines[0].startswith("event_date,time_start") and lines[0].endswith(",uid")
    assert len(lines) == result["fuse"]["incidents"] + 1
    bad = invoke("export", "incidents", "--format", "shp", "--out", str(tmp_path / "x"),
                 "--db", db)  # fmt: skip
    assert bad.exit_code == 1 and "shp" in bad.stderr and "parquet" in bad.stderr


def test_parse_smm_json_and_errors(tmp_path: Path):
    f = tmp_path / "p.txt"
    f.write_text("date: 2016-03-29\n\nWhilst stationary 3km west of Yasynuvata, the SMM heard "
                 "135 undetermined explosions 2-5km south-west of its position.\n")  # fmt: skip
    out = as_json(invoke("parse", "smm", str(f), "--json"))
    (rec,) = out["observations"]
    assert rec["events"][0]["count"] == 135
    assert rec["observer_reference"] == {"km": 3, "direction": "west", "of": "Yasynuvata"}
    bad = tmp_path / "bad.txt"
    bad.write_text("date: 2016-03-29\n\nThe weather was fine and nothing happened.\n")
    result = invoke("parse", "smm", str(bad), "--json")
    assert result.exit_code == 1 and "bad.txt" in result.stderr and result.stdout == ""
