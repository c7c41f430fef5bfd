"""What every simulator output file shares: the file names and formats, the rendered
file (lines and the uids they yield), and how numbers, times, bearings and gradings are
written (:mod:`trucewatch.sim.records` renders the sensors' files with these)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
from numpy.typing import NDArray

from trucewatch.geo.projection import grid_convergence_deg
from trucewatch.sim.detections import Detections
from trucewatch.sim.outages import OUTAGE_FILE
from trucewatch.sim.patrol_truth import PATROL_TRUTH_FILE
from trucewatch.sim.sensor_specs import AcousticSpec, CameraSpec, ComplaintSpec, PatrolSpec
from trucewatch.sim.world import to_lonlat_arrays
from trucewatch.units import iso_utc

__all__ = [
    "BESIDE_FILES", "COMPLAINT_TRUTH_FILE", "FILES", "FIRMS_HEADER", "FORMATS", "WEAPON_WORDS",
    "RenderedFile", "dumps", "graded", "jsonl_text", "rounded", "sensor_positions", "true_bearing",
    "utc_text",
]  # fmt: skip

FILES = {
    "patrol": "observations.jsonl",
    "acoustic": "acoustic.jsonl",
    "camera": "camera.jsonl",
    "satellite": "firms.csv",
    "complaint": "complaint.jsonl",
}
"""Output file of each source."""

FORMATS = {"patrol": "patrol", "acoustic": "acoustic", "camera": "camera", "satellite": "firms",
           "complaint": "complaint"}  # fmt: skip
"""Import format name of each source's file."""

COMPLAINT_TRUTH_FILE = "complaint_truth.jsonl"
"""What each complaint is (true, own-fire blame, fabricated); written with the bias models."""
BESIDE_FILES = (OUTAGE_FILE, COMPLAINT_TRUTH_FILE, PATROL_TRUTH_FILE)
"""Files written beside the import files (see :attr:`RenderedFile.beside`)."""

FIRMS_HEADER = ("latitude,longitude,bright_ti4,scan,track,acq_date,acq_time,satellite,"
                "instrument,confidence,version,bright_ti5,frp,daynight")  # fmt: skip

WEAPON_WORDS = {"small_arms": "small arms", "mortar": "mortar", "artillery": "artillery",
                "mlrs": "MLRS", "drone": "drone"}  # fmt: skip


@dataclass
class RenderedFile:
    """Lines of one output file (header first for CSV) and, per line, the (site, uid) of
    each observation it yields; ``false_alarms`` counts records that stem from no site
    (patrols: mistaken events)."""

    name: str
    format: str
    lines: list[str] = field(default_factory=list)
    links: list[tuple[int, str]] = field(default_factory=list)
    records: int = 0
    observations: int = 0
    false_alarms: int = 0
    beside: dict[str, str] = field(default_factory=dict)
    """Files written beside it that ``trucewatch import`` does not read (name: text): the
    reported camera outages, the complaints' and the patrols' ground truth."""

    @classmethod
    def of(cls, source: str, lines: list[str] | None = None) -> RenderedFile:
        """The empty output file of ``source`` (its name and format), with ``lines`` (a
        CSV header) first."""
        return cls(FILES[source], FORMATS[source], lines=list(lines or []))

    def text(self) -> str:
        return "".join(line + "\n" for line in self.lines)


def utc_text(t: float, ms: bool = False) -> str:
    """ISO 8601 UTC text of epoch seconds (``...Z``), to the second or millisecond."""
    dt = datetime.fromtimestamp(round(t, 3) if ms else round(t), UTC)
    return iso_utc(dt, "milliseconds" if ms else "seconds")


def rounded(x: float, nd: int) -> float:
    v = round(float(x), nd)
    return 0.0 if v == 0 else v


def dumps(record: dict) -> str:
    """One JSON Lines record (UTF-8 text, keys in the order given)."""
    return json.dumps(record, ensure_ascii=False)


def jsonl_text(records: Iterable[dict[str, Any]]) -> str:
    """The text of a JSON Lines file of ``records``, one line each."""
    return "".join(dumps(r) + "\n" for r in records)


def true_bearing(sensor_xy: NDArray, grid_bearing: NDArray) -> NDArray[np.float64]:
    lon, lat = to_lonlat_arrays(sensor_xy)
    return (grid_bearing + grid_convergence_deg(lon, lat)) % 360.0


def sensor_positions(det: Detections) -> tuple[NDArray, NDArray, NDArray[np.float64]]:
    """WGS84 lon/lat (degrees) of each row's sensor and its measured bearing (degrees
    clockwise from true north)."""
    lon, lat = to_lonlat_arrays(det.sensor_xy)
    return lon, lat, true_bearing(det.sensor_xy, det.extra["bearing_deg"])


def graded(spec: PatrolSpec | AcousticSpec | CameraSpec | ComplaintSpec) -> dict[str, Any]:
    """The closing keys of every record: the source grading and the synthetic flag."""
    return {"reliability": spec.reliability, "credibility": spec.credibility, "synthetic": True}
