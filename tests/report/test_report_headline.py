"""The report's headline: satellite detections far from the line counted apart, attribution
worded as conditional below the stated confidence, files readable by others, the PDF."""

from __future__ import annotations

import os
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from tests.report.test_report_daily import make_incident, make_input

from trucewatch.report import build_report, render_html, write_daily_report
from trucewatch.report.headline import (
    ATTRIBUTION_MIN_CONFIDENCE,
    FAR_FROM_LINE_KM,
    attribution_text,
    far_from_line,
)
from trucewatch.report.pdf import PdfError, find_browser, print_pdf
from trucewatch.types import EventKind, SourceKind


def thermal(k: int, distance_km: float | None):
    inc = make_incident(k, kind=EventKind.THERMAL_ANOMALY, sources=(SourceKind.SATELLITE_THERMAL,),
                        party="RU", confidence=0.5)  # fmt: skip
    return replace(inc, line_distance_km=distance_km)


def test_far_satellite_detections_are_counted_apart() -> None:
    near, far, far_west = thermal(1, 12.0), thermal(2, 80.0), thermal(3, -FAR_FROM_LINE_KM - 1)
    no_line = thermal(4, None)
    patrol_far = replace(make_incident(5), line_distance_km=90.0)
    assert [far_from_line(i) for i in (near, far, far_west, no_line, patrol_far)] == [
        False, True, True, False, False]  # fmt: skip
    inp = make_input([near, far, far_west, no_line, patrol_far])
    doc = build_report(inp)
    assert doc["summary"]["incidents"] == 3
    assert {j["uid"] for j in doc["incidents"]} == {near.uid, no_line.uid, patrol_far.uid}
    apart = doc["far_from_line"]
    assert apart["incidents"] == 2 and apart["distance_km"] == FAR_FROM_LINE_KM
    assert {j["uid"] for j in apart["detections"]} == {far.uid, far_west.uid}
    assert "2 satellite fire detections farther than 30 km from the line were listed apart" in (
        doc["summary_text"])  # fmt: skip
    assert sum(r["incidents"] for r in doc["sectors"]) == 3
    assert doc["history"][-1]["incidents"] == 3
    html = render_html(inp, doc)
    assert 'id="far-from-line"' in html and far.uid[:10] not in html


def test_no_far_detection_no_paragraph() -> None:
    doc = build_report(make_input([thermal(1, 3.0)]))
    assert doc["far_from_line"]["incidents"] == 0
    assert "listed apart" not in doc["summary_text"]
    assert 'id="far-from-line"' not in render_html(make_input([thermal(1, 3.0)]), doc)


def test_attribution_is_conditional_below_the_stated_confidence() -> None:
    att = {"party": "RU", "probabilities": {"RU": 0.9, "UA": 0.1}}
    assert attribution_text(att, ATTRIBUTION_MIN_CONFIDENCE) == "RU (0.90)"
    assert attribution_text(att, 0.5) == "if it occurred: RU more likely (0.90)"
    assert attribution_text(att, None).startswith("if it occurred")
    undecided = {"party": None, "probabilities": {"RU": 0.45, "UA": 0.55}}
    assert attribution_text(undecided, 0.9) == "undetermined (UA 0.55)"
    sure = replace(make_incident(1, party="RU", confidence=0.9))
    unsure = make_incident(2, party="RU", confidence=0.5)
    doc = build_report(make_input([sure, unsure]))
    assert doc["summary"]["by_attribution_conditional"] == {"RU": 1}
    assert "Fire was attributed to the area held by RU for 1 incident." in doc["summary_text"]
    assert "For 1 incident of lower confidence the origin is conditional" in doc["summary_text"]
    html = render_html(make_input([sure, unsure]), doc)
    assert "RU (0.60)" in html and "if it occurred: RU more likely (0.60)" in html


def test_report_files_are_readable_by_others(tmp_path: Path) -> None:
    old = os.umask(0o022)  # the usual umask: files 0644 (not 0600 as temporary files are)
    try:
        paths = write_daily_report(make_input([make_incident(1)]), tmp_path / "r")
    finally:
        os.umask(old)
    for path in (paths.html, paths.json):
        assert path.stat().st_mode & 0o777 == 0o644
    assert paths.pdf is None and not (tmp_path / "r" / "report.pdf").exists()


@pytest.mark.skipif(find_browser() is None, reason="no Chromium: .ci/run installs Debian's")
def test_the_pdf_is_printed_beside_the_html(tmp_path: Path) -> None:
    paths = write_daily_report(make_input([make_incident(1), thermal(2, 99.0)]), tmp_path,
                               pdf=True)  # fmt: skip
    assert paths.pdf == tmp_path / "report.pdf" and paths.pdf_note == ""
    data = paths.pdf.read_bytes()
    assert data.startswith(b"%PDF-") and data.count(b"/Type /Page") >= 2
    assert paths.pdf.stat().st_mode & 0o044 == 0o044
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html", "report.json",
                                                          "report.pdf"]  # fmt: skip


def test_without_a_browser_the_pdf_is_skipped_with_a_reason(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("TRUCEWATCH_CHROMIUM", str(tmp_path / "no-such-browser"))
    paths = write_daily_report(make_input([make_incident(1)]), tmp_path, pdf=True)
    assert paths.pdf is None and "no-such-browser" in paths.pdf_note
    assert paths.html.is_file() and not (tmp_path / "report.pdf").exists()
    with pytest.raises(PdfError):
        print_pdf(paths.html, tmp_path / "x.pdf", browser=shutil.which("false") or "false")
    assert not (tmp_path / "x.pdf").exists()
