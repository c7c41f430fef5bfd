"""The daily report: files, JSON numbers, HTML content, self-containedness, the summary."""

from __future__ import annotations

import base64
import io
import json
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import shapely
from PIL import Image

from trucewatch.report import (
    OUTSIDE_SECTORS,
    DailyReportInput,
    build_report,
    write_daily_report,
)
from trucewatch.types import (
    DEFAULT_PARTIES,
    Agreement,
    Attribution,
    EventKind,
    Incident,
    IncidentStatus,
    PointLocation,
    Sector,
    SourceKind,
)
from trucewatch.units import KM_PER_DEG

# --------------------------------------------------------------------------- synthetic data

DAY = date(2025, 8, 12)
LINE_COORDS = [(36.0, 47.0), (36.5, 47.6), (37.2, 48.0), (37.8, 48.6), (38.0, 49.2)]
SECTOR_NAMES = ["Alpha", "Bravo", "Charlie", "Delta"]


def line_wkt() -> str:
    return shapely.LineString(LINE_COORDS).wkt


def control_wkt() -> str:
    """Area east of the line (held by RU)."""
    ring = [*LINE_COORDS, (39.5, 49.2), (39.5, 47.0), LINE_COORDS[0]]
    return shapely.Polygon(ring).wkt


def make_sectors() -> list[Sector]:
    """One sector between each pair of vertices of the line."""
    out = []
    km = 0.0
    for i, name in enumerate(SECTOR_NAMES):
        seg = shapely.LineString(LINE_COORDS[i : i + 2])
        (x0, y0), (x1, y1) = LINE_COORDS[i], LINE_COORDS[i + 1]
        length = float(np.hypot((x1 - x0) * np.cos(np.radians(48.0)), y1 - y0)) * KM_PER_DEG
        out.append(
            Sector(
                line_id=1,
                index=i + 1,
                name=name,
                start_km=km,
                end_km=km + length,
                geometry_wkt=seg.wkt,
            )
        )
        km += length
    return out


def make_incident(
    k: int,
    *,
    lon: float = 36.6,
    lat: float = 47.6,
    sector: str | None = "Bravo",
    status: IncidentStatus = IncidentStatus.POSSIBLE,
    count: int | None = 3,
    confidence: float = 0.6,
    sigma_km: float = 1.0,
    hour: int = 10,
    party: str = "undetermined",
    kind: EventKind = EventKind.ARTILLERY,
    sources: Sequence[SourceKind] = (SourceKind.PATROL,),
) -> Incident:
    t0 = datetime(DAY.year, DAY.month, DAY.day, hour, 0, tzinfo=UTC) + timedelta(minutes=k % 60)
    return Incident(
        uid=f"inc-{k:06d}",
        time_start=t0,
        time_end=t0 + timedelta(minutes=20),
        location=PointLocation.isotropic(lon, lat, sigma_km),
        kind=kind,
        count=count,
        confidence=confidence,
        status=status,
        attribution=Attribution(
            party=party, probabilities={"RU": 0.6, "UA": 0.2} if party != "undetermined" else {}
        ),
        observation_uids=tuple(f"obs-{k}-{j}" for j in range(2)),
        source_kinds=tuple(sources),
        sector=sector,
        held_by="UA",
        line_distance_km=-2.345678,
    )


def random_incidents(n: int, seed: int = 0) -> list[Incident]:
    """``n`` incidents scattered along the synthetic line, all statuses and sectors."""
    rng = np.random.default_rng(seed)
    sectors = make_sectors()
    statuses = list(IncidentStatus)
    out = []
    for k in range(n):
        i = int(rng.integers(0, len(sectors)))
        (x0, y0), (x1, y1) = LINE_COORDS[i], LINE_COORDS[i + 1]
        f = float(rng.random())
        lon = x0 + f * (x1 - x0) + float(rng.normal(0, 0.05))
        lat = y0 + f * (y1 - y0) + float(rng.normal(0, 0.05))
        outside = rng.random() < 0.05
        out.append(
            make_incident(
                k,
                lon=lon + (1.5 if outside else 0.0),
                lat=lat,
                sector=None if outside else sectors[i].name,
                status=statuses[int(rng.integers(0, len(statuses)))],
                count=int(rng.integers(1, 40)),
                confidence=float(rng.random()),
                sigma_km=float(rng.choice([0.3, 2.0, 6.0])),
                hour=int(rng.integers(0, 24)),
                party=str(rng.choice(["RU", "UA", "undetermined"])),
            )
        )
    return out


def make_input(
    incidents: Sequence[Incident],
    *,
    agreements: Sequence[Agreement] = (),
    observation_counts: dict[str, int] | None = None,
    history: Sequence[tuple[date, int]] | None = None,
    sectors: Sequence[Sector] | None = None,
    with_line: bool = True,
) -> DailyReportInput:
    if history is None:
        history = [(DAY - timedelta(days=d), 10 + d) for d in range(14, 0, -1)]
    return DailyReportInput(
        day=DAY,
        generated_at=datetime(2025, 8, 13, 5, 0, tzinfo=UTC),
        incidents=list(incidents),
        history=list(history),
        history_by_sector=None,
        sectors=list(make_sectors() if sectors is None else sectors),
        line_wkt=line_wkt() if with_line else None,
        control_wkt=control_wkt() if with_line else None,
        line_name="Synthetic line",
        line_valid_from=date(2025, 8, 9),
        controlled_by="RU",
        other_party="UA",
        agreements=list(agreements),
        observation_counts=(
            {"patrol": 20, "satellite_thermal": 100}
            if observation_counts is None
            else observation_counts
        ),
        data_sources=[
            "Satellite fire detections: NASA FIRMS (https://firms.modaps.eosdis.nasa.gov)",
            "Contact line: DeepStateMap",
        ],
    )


def agreement(start_hour: int = 0, days: int = 30) -> Agreement:
    start = datetime(DAY.year, DAY.month, DAY.day, start_hour, tzinfo=UTC)
    return Agreement(
        name="Test truce",
        parties=DEFAULT_PARTIES,
        start=start,
        end=start + timedelta(days=days),
    )


# --------------------------------------------------------------------------- helpers

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
DATA_PNG = re.compile(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"')


def _write(inp: DailyReportInput, out: Path) -> tuple[dict[str, Any], str]:
    paths = write_daily_report(inp, out)
    assert paths.html == out / "report.html"
    assert paths.json == out / "report.json"
    assert paths.html.is_file()
    assert paths.json.is_file()
    return json.loads(paths.json.read_text("utf-8")), paths.html.read_text("utf-8")


def _pngs(html: str) -> list[Image.Image]:
    images = []
    for b64 in DATA_PNG.findall(html):
        raw = base64.b64decode(b64, validate=True)
        assert raw.startswith(PNG_SIGNATURE)
        img = Image.open(io.BytesIO(raw))
        img.verify()  # raises on a corrupt PNG
        img = Image.open(io.BytesIO(raw))
        img.load()
        images.append(img)
    return images


def _summary(html: str) -> str:
    m = re.search(r'<p class="summary">(.*?)</p>', html, re.S)
    assert m, "summary paragraph missing"
    return m.group(1)


# --------------------------------------------------------------------------- main case


@pytest.fixture(scope="module")
def busy(tmp_path_factory: pytest.TempPathFactory) -> tuple[DailyReportInput, dict, str]:
    incidents = random_incidents(300, seed=7)
    # one incident with a sector name that is not in the sector list counts as outside
    incidents.append(make_incident(9999, sector="Nowhere", lon=39.0, lat=48.0))
    inp = make_input(incidents, agreements=[agreement(start_hour=14)])
    doc, html = _write(inp, tmp_path_factory.mktemp("busy") / "nested" / "out")
    return inp, doc, html


def test_json_numbers_match_input(busy: tuple[DailyReportInput, dict, str]) -> None:
    inp, doc, _ = busy
    n = len(inp.incidents)
    s = doc["summary"]
    assert doc["date"] == "2025-08-12"
    assert doc["generated_at"] == "2025-08-13T05:00:00Z"
    assert doc["line"] == {
        "name": "Synthetic line",
        "valid_from": "2025-08-09",
        "controlled_by": "RU",
        "other_party": "UA",
    }
    assert s["incidents"] == n == len(doc["incidents"])
    expected_status = Counter(i.status.value for i in inp.incidents)
    assert s["by_status"] == {st.value: expected_status.get(st.value, 0) for st in IncidentStatus}
    assert sum(s["by_status"].values()) == n
    assert sum(s["by_kind"].values()) == n

    rows = doc["sectors"]
    assert [r["name"] for r in rows] == [*SECTOR_NAMES, OUTSIDE_SECTORS]
    assert sum(r["incidents"] for r in rows) == n
    for r in rows:
        assert sum(r["by_status"].values()) == r["incidents"]
    for st in IncidentStatus:
        assert sum(r["by_status"][st.value] for r in rows) == s["by_status"][st.value]

    by_sector = Counter(i.sector for i in inp.incidents)
    for r in rows[:-1]:
        assert r["incidents"] == by_sector[r["name"]]
    outside = rows[-1]
    assert outside["index"] is None and outside["start_km"] is None
    assert outside["incidents"] == by_sector[None] + by_sector["Nowhere"]
    assert s["outside_sectors"] == outside["incidents"]
    assert s["sectors_with_incidents"] == sum(1 for r in rows[:-1] if r["incidents"])
    assert s["observations"]["patrol"] == 20
    assert s["observations"]["satellite_thermal"] == 100
    assert s["observations_total"] == 120

    confs = [round(i.confidence, 3) for i in inp.incidents]
    assert s["mean_confidence"] == pytest.approx(sum(confs) / n, abs=1e-3)
    assert s["max_confidence"] == max(confs)
    assert sum(s["by_attribution"].values()) == n

    # the reported day is in the history with the day's count
    hist = {h["date"]: h["incidents"] for h in doc["history"]}
    assert hist["2025-08-12"] == n
    assert len(hist) == 15

    ag = doc["agreements"][0]
    assert ag["in_force_from"] == "2025-08-12T14:00:00Z"
    assert ag["in_force_until"] == "2025-08-13T00:00:00Z"
    assert ag["whole_day"] is False
    in_force = sum(1 for i in inp.incidents if i.time_start.hour >= 14)
    assert ag["incidents_while_in_force"] == in_force
    assert doc["data_sources"] == list(inp.data_sources)


def test_incident_records(busy: tuple[DailyReportInput, dict, str]) -> None:
    _, doc, _ = busy
    keys = {
        "uid", "time_start", "time_end", "lon", "lat", "ellipse", "kind", "count",
        "confidence", "status", "attribution", "sector", "held_by", "line_distance_km",
        "sources", "observations",
    }  # fmt: skip
    times = [j["time_start"] for j in doc["incidents"]]
    assert times == sorted(times)
    for j in doc["incidents"]:
        assert keys <= set(j)
        assert j["lon"] == round(j["lon"], 4) and j["lat"] == round(j["lat"], 4)
        assert j["confidence"] == round(j["confidence"], 3)
        assert j["line_distance_km"] == -2.35
        assert set(j["ellipse"]) == {
            "semi_major_km", "semi_minor_km", "orientation_deg", "confidence"
        }  # fmt: skip
        assert j["ellipse"]["confidence"] == 0.95
        assert j["observations"] == 2
        assert j["sources"] == ["patrol"]
        assert j["time_start"].endswith("Z")
    nowhere = next(j for j in doc["incidents"] if j["uid"] == "inc-009999")
    assert nowhere["sector"] is None
    # isotropic sigma 1 km: 95 % ellipse radius sqrt(-2 ln 0.05) = 2.45 km
    assert nowhere["ellipse"]["semi_major_km"] == pytest.approx(2.45, abs=0.01)


def test_html_content(busy: tuple[DailyReportInput, dict, str]) -> None:
    _, doc, html = busy
    assert "12 August 2025" in html
    assert "<title>" in html and "12 August 2025" in html.split("</title>")[0]
    for name in SECTOR_NAMES:
        assert f"<td>{name}</td>" in html
    assert OUTSIDE_SECTORS in html
    assert "Test truce" in html
    assert "Contact line: DeepStateMap" in html
    assert "Generated at 2025-08-13T05:00:00Z" in html
    # same total as the JSON
    assert f"recorded {doc['summary']['incidents']:,} incidents" in html
    images = _pngs(html)
    assert len(images) >= 2  # map and trend chart
    map_img = images[0]
    assert map_img.format == "PNG"
    assert map_img.size[0] >= 800 and map_img.size[1] >= 300


def test_html_is_self_contained(busy: tuple[DailyReportInput, dict, str]) -> None:
    _, _, html = busy
    # no external resource: every src/href is a data URI or a fragment
    for attr, value in re.findall(r"""\b(src|href)\s*=\s*["']([^"']*)["']""", html, re.I):
        assert value.startswith(("data:", "#")), (attr, value[:80])
    assert not re.search(r"""\b(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", html, re.I)
    assert "@import" not in html
    assert not re.search(r"url\(\s*['\"]?(?:https?:)?//", html, re.I)
    assert "<script" not in html.lower()
    assert "<link" not in html.lower()


def test_top_incidents_table_is_limited(busy: tuple[DailyReportInput, dict, str]) -> None:
    _, doc, html = busy
    section = html.split('<section id="incidents">')[1].split("</section>")[0]
    rows = section.count("<code title=")
    assert rows == 50
    best = max(doc["incidents"], key=lambda j: (j["confidence"], j["count"]))
    assert best["uid"] in section


def test_zero_incident_day(tmp_path: Path) -> None:
    doc, html = _write(make_input([], agreements=[]), tmp_path)
    s = doc["summary"]
    assert s["incidents"] == 0
    assert s["mean_confidence"] is None
    assert all(r["incidents"] == 0 for r in doc["sectors"])
    assert len(doc["sectors"]) == len(SECTOR_NAMES) + 1
    text = _summary(html)
    assert "recorded no incidents" in text
    assert "No agreement was in force." in text
    assert "sector" not in text.lower()  # no sector claims on an empty day
    for name in SECTOR_NAMES:  # all sectors listed with zeros
        assert f"<td>{name}</td>" in html
    assert len(_pngs(html)) >= 2  # the map is still drawn
    assert doc["summary_text"].startswith("On 12 August 2025 (UTC), trucewatch recorded no")


def test_zero_incidents_and_zero_observations(tmp_path: Path) -> None:
    _, html = _write(make_input([], observation_counts={}), tmp_path)
    text = _summary(html)
    assert "No observations were received that day" in text
    assert "says nothing about activity" in text


def test_nothing_to_map_still_writes_a_map(tmp_path: Path) -> None:
    inp = make_input([], with_line=False, sectors=[])
    doc, html = _write(inp, tmp_path)
    assert doc["sectors"] == [
        {
            "index": None,
            "name": OUTSIDE_SECTORS,
            "start_km": None,
            "end_km": None,
            "incidents": 0,
            "by_status": {st.value: 0 for st in IncidentStatus},
            "max_confidence": None,
        }
    ]
    assert _pngs(html)


def test_singular_wording(tmp_path: Path) -> None:
    inc = make_incident(1, status=IncidentStatus.PROBABLE, sector="Charlie", confidence=0.8)
    inp = make_input([inc], observation_counts={"patrol": 1})
    doc, html = _write(inp, tmp_path)
    text = _summary(html)
    assert "recorded 1 incident (probable)." in text
    assert "1 incidents" not in text
    assert "1 observation was received that day (patrol)." in text
    assert "Sector Charlie had 1 incident; no other sector had any." in text
    assert "Its confidence was 0.80." in text
    assert "The origin of fire is undetermined." in text
    assert "averaged" in text  # trend vs the 14 previous days
    assert doc["summary"]["by_status"]["probable"] == 1


def test_plural_wording_and_top_sectors(tmp_path: Path) -> None:
    incs = [
        make_incident(k, sector=name, status=st, party=party)
        for k, (name, st, party) in enumerate(
            [("Alpha", IncidentStatus.CONFIRMED, "RU")] * 3
            + [("Bravo", IncidentStatus.POSSIBLE, "UA")] * 2
            + [("Charlie", IncidentStatus.POSSIBLE, "undetermined")]
            + [(None, IncidentStatus.POSSIBLE, "RU")]
        )
    ]
    doc, html = _write(make_input(incs, agreements=[agreement(start_hour=0, days=2)]), tmp_path)
    text = _summary(html)
    assert "recorded 7 incidents: 3 confirmed and 4 possible." in text
    assert "120 observations were received that day (100 satellite thermal and 20 patrol)." in text
    assert (
        "Incidents were recorded in 3 of the 4 sectors: Alpha (3), Bravo (2) and Charlie (1)."
        in (text)
    )
    assert "1 incident lay outside the sectors." in text
    assert (
        "No incident reached the confidence of 0.75 needed to state its origin plainly; the "
        "origin is undetermined for 1 incident. For 6 incidents of lower confidence the origin "
        "is conditional, if they occurred: more likely the area held by RU (4) and UA (2)."
        in text
    )
    assert "The agreement “Test truce” was in force throughout the day." in text
    assert doc["agreements"][0]["whole_day"] is True
    assert doc["agreements"][0]["incidents_while_in_force"] == 7


def test_all_same_status_wording(tmp_path: Path) -> None:
    incs = [make_incident(k, status=IncidentStatus.POSSIBLE) for k in range(4)]
    _, html = _write(make_input(incs), tmp_path)
    assert "recorded 4 incidents (all possible)." in _summary(html)


def test_html_escapes_names(tmp_path: Path) -> None:
    sectors = make_sectors()
    sectors[0] = Sector(
        line_id=1,
        index=1,
        name="<script>x</script>",
        start_km=sectors[0].start_km,
        end_km=sectors[0].end_km,
        geometry_wkt=sectors[0].geometry_wkt,
    )
    inc = make_incident(1, sector="<script>x</script>")
    _, html = _write(make_input([inc], sectors=sectors), tmp_path)
    assert "<script>" not in html
    assert "&lt;script&gt;x&lt;/script&gt;" in html


def test_history_gaps_and_day_value(tmp_path: Path) -> None:
    hist = [(DAY - timedelta(days=5), 4), (DAY - timedelta(days=2), 6), (DAY, 999)]
    incs = [make_incident(k) for k in range(3)]
    doc = build_report(make_input(incs, history=hist))
    assert [(h["date"], h["incidents"]) for h in doc["history"]] == [
        ("2025-08-07", 4),
        ("2025-08-08", 0),
        ("2025-08-09", 0),
        ("2025-08-10", 6),
        ("2025-08-11", 0),
        ("2025-08-12", 3),
    ]


def test_history_by_sector(tmp_path: Path) -> None:
    incs = [make_incident(k, sector="Alpha") for k in range(3)]
    hist = {"Alpha": [(DAY - timedelta(days=d), d) for d in range(1, 5)], "Bravo": []}
    inp = make_input(incs)
    inp = replace(inp, history_by_sector=hist)
    doc, html = _write(inp, tmp_path)
    alpha = {h["date"]: h["incidents"] for h in doc["history_by_sector"]["Alpha"]}
    assert alpha["2025-08-12"] == 3
    assert alpha["2025-08-11"] == 1
    assert len(_pngs(html)) == 3


def test_duplicate_sector_names_use_nearest(tmp_path: Path) -> None:
    sectors = make_sectors()
    sectors[3] = replace(sectors[3], name="Alpha")
    near_last = make_incident(1, sector="Alpha", lon=37.9, lat=48.9)
    doc = build_report(make_input([near_last], sectors=sectors))
    counts = [r["incidents"] for r in doc["sectors"]]
    assert counts == [0, 0, 0, 1, 0]


def test_timezones_and_nan(tmp_path: Path) -> None:
    bad = make_incident(1, confidence=float("nan"))
    bad = replace(bad, location=PointLocation(lon=float("nan"), lat=47.0, cov_km2=((1, 0), (0, 1))))
    inp = make_input([bad, make_incident(2)])
    inp = replace(inp, generated_at=datetime(2025, 8, 13, 7, 0))
    doc, html = _write(inp, tmp_path)  # json.dumps(allow_nan=False) must not fail
    assert doc["generated_at"] == "2025-08-13T07:00:00Z"
    rec = next(j for j in doc["incidents"] if j["uid"] == "inc-000001")
    assert rec["lon"] is None and rec["confidence"] is None
    assert _pngs(html)


def test_agreement_in_other_time_zone(tmp_path: Path) -> None:
    kyiv = timezone(timedelta(hours=3))
    ag = agreement()
    ag = replace(
        ag,
        start=datetime(2025, 8, 12, 18, 0, tzinfo=kyiv),
        end=datetime(2025, 8, 13, 18, 0, tzinfo=kyiv),
    )
    incs = [make_incident(k, hour=h) for k, h in enumerate([10, 14, 16, 20])]
    doc, html = _write(make_input(incs, agreements=[ag]), tmp_path)
    a = doc["agreements"][0]
    assert a["start"] == "2025-08-12T15:00:00Z"
    assert a["incidents_while_in_force"] == 2
    assert "was in force from 15:00 UTC; 2 incidents were recorded while it was in force." in (
        _summary(html)
    )
    assert "2025-08-12 18:00 UTC+03:00 (15:00 UTC)" in html


def test_five_thousand_incidents_render(tmp_path: Path) -> None:
    """Every incident counted once by sector (the time it takes is measured in
    benchmarks/bench_cli.py, not asserted here)."""
    inp = make_input(random_incidents(5000, seed=3))
    doc, _ = _write(inp, tmp_path)
    assert doc["summary"]["incidents"] == 5000
    assert sum(r["incidents"] for r in doc["sectors"]) == 5000


def test_generated_at_is_utc() -> None:
    inp = make_input([])
    inp = replace(
        inp, generated_at=datetime(2025, 8, 13, 8, 0, tzinfo=timezone(timedelta(hours=3)))
    )
    assert build_report(inp)["generated_at"] == "2025-08-13T05:00:00Z"


def test_wording_edge_cases() -> None:
    one_outside = build_report(make_input([make_incident(1, sector=None)]))["summary_text"]
    assert "The incident lay outside the sectors of the contact line." in one_outside
    assert "lay outside the sectors." not in one_outside.replace("of the contact line", "")
    two = build_report(make_input([make_incident(k) for k in range(2)]))["summary_text"]
    assert "The origin of fire is undetermined for both incidents." in two
    assert "Mean confidence was 0.60." in two  # no "(highest 0.60)" when all equal
