"""KML 2.2 (Google Earth, and any GIS): one placemark per incident named after its kind,
day and nearest settlement, with the flat columns (:mod:`trucewatch.export.flat`) as
extended data; written by GDAL's KML driver through pyogrio. Times are text (ISO 8601
UTC), as KML keeps them."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from trucewatch.export.format import ExportFormat, Record
from trucewatch.export.frame import incidents_frame


def write_path(records: Sequence[Record], path: Path) -> None:
    """Write ``records`` as a KML document at ``path``."""
    frame = incidents_frame(records)
    for col in ("time_start", "time_end"):
        frame[col] = frame[col].dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    frame.insert(0, "Name", [  # the field GDAL's KML driver names placemarks by
        f"{k} {d}" + (f" near {s}" if isinstance(s, str) else "")
        for k, d, s in zip(frame["sub_event_type"], frame["event_date"], frame["settlement"],
                           strict=True)
    ])  # fmt: skip
    frame.to_file(path, driver="KML", layer="incidents", engine="pyogrio")


FORMAT = ExportFormat(name="kml", media_type="application/vnd.google-earth.kml+xml",
                      suffix=".kml", write_path=write_path)  # fmt: skip
