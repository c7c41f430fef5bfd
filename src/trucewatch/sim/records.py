"""Detections written as the records ``trucewatch import`` reads, with their uids.

* patrols: ``patrol`` JSON Lines (``observations.jsonl``), one record per team, slot and
  episode, one event per site heard (impact, then firing position);
* acoustic arrays: ``acoustic`` JSON Lines (``acoustic.jsonl``);
* cameras: ``camera`` JSON Lines (``camera.jsonl``);
* satellite: FIRMS VIIRS CSV (``firms.csv``);
* complaints: ``complaint`` JSON Lines (``complaint.jsonl``).

Every record is one line; its observations' uids are computed exactly as the importer
does (:func:`trucewatch.ids.observation_uid`), so the truth can name them.
Numbers are rounded (coordinates to 1e-5 degrees, about 1 m) and keys written in a fixed
order, so the same detections always give the same bytes.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
from numpy.typing import NDArray

from trucewatch.geo.projection import grid_convergence_deg
from trucewatch.ids import observation_uid
from trucewatch.sim.complaint_bias import bias_on
from trucewatch.sim.detections import Detections
from trucewatch.sim.layout import Layout
from trucewatch.sim.outages import OUTAGE_FILE, Outages
from trucewatch.sim.patrol_mistakes import PHANTOM
from trucewatch.sim.patrol_stands import SOUND_KM_S, patrol_kind
from trucewatch.sim.patrol_totals import compass_words, event_flow
from trucewatch.sim.patrol_truth import (
    PATROL_TRUTH_FILE,
    event_truth,
    patrol_truth_wanted,
    totals_truth,
)
from trucewatch.sim.scenario import (
    WEAPONS,
    AcousticSpec,
    CameraSpec,
    ComplaintSpec,
    PatrolSpec,
    Scenario,
)
from trucewatch.sim.violations import Episodes, episode_id, local_hours
from trucewatch.sim.world import World, to_lonlat_arrays
from trucewatch.types import COMPASS_16
from trucewatch.units import iso_utc

__all__ = ["BESIDE_FILES", "FILES", "RenderedFile", "outage_records", "render_all",
           "sensor_id", "utc_text"]

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

    def text(self) -> str:
        return "".join(line + "\n" for line in self.lines)


def utc_text(t: float, ms: bool = False) -> str:
    """ISO 8601 UTC text of epoch seconds (``...Z``), to the second or millisecond."""
    dt = datetime.fromtimestamp(round(t, 3) if ms else round(t), UTC)
    return iso_utc(dt, "milliseconds" if ms else "seconds")


def _r(x: float, nd: int) -> float:
    v = round(float(x), nd)
    return 0.0 if v == 0 else v


def _dumps(record: dict) -> str:
    return json.dumps(record, ensure_ascii=False)


def _true_bearing(sensor_xy: NDArray, grid_bearing: NDArray) -> NDArray[np.float64]:
    lon, lat = to_lonlat_arrays(sensor_xy)
    return (grid_bearing + grid_convergence_deg(lon, lat)) % 360.0


def _sensor_positions(det: Detections) -> tuple[NDArray, NDArray, NDArray[np.float64]]:
    """WGS84 lon/lat (degrees) of each row's sensor and its measured bearing (degrees
    clockwise from true north)."""
    lon, lat = to_lonlat_arrays(det.sensor_xy)
    return lon, lat, _true_bearing(det.sensor_xy, det.extra["bearing_deg"])


def _graded(spec: PatrolSpec | AcousticSpec | CameraSpec | ComplaintSpec) -> dict[str, Any]:
    """The closing keys of every record: the source grading and the synthetic flag."""
    return {"reliability": spec.reliability, "credibility": spec.credibility, "synthetic": True}


def _distance_range(d: float, spread: float) -> tuple[float, float]:
    lo, hi = d * (1.0 - spread), d * (1.0 + spread)
    step = 0.1 if d < 3.0 else 0.5
    lo_r = max(0.0, np.floor(lo / step) * step)
    hi_r = max(lo_r + step, np.ceil(hi / step) * step)
    return _r(lo_r, 1), _r(hi_r, 1)


# --------------------------------------------------------------------------- patrol


def render_patrols(s: Scenario, e: Episodes, det: Detections, layout: Layout) -> RenderedFile:
    """The patrol reports (``report_style``: one per team, slot and episode, or the
    SMM-style totals) and, with totals or mistakes, ``patrol_truth.jsonl``."""
    out = RenderedFile(FILES["patrol"], FORMATS["patrol"])
    patrol = _PatrolTotals(s, e, det) if s.patrols.report_style == "totals" else \
        _PatrolDetections(s, e, det)  # fmt: skip
    with_truth = patrol_truth_wanted(s.patrols)
    truth_lines: list[str] = []
    for number, (team, events) in enumerate(patrol.reports()):
        record = patrol.record(number, team, events)
        line = _dumps(record)
        out.lines.append(line)
        out.records += 1
        for k, rows in enumerate(events):
            uid = observation_uid("patrol", line, k)
            out.links.extend((int(det.site[j]), uid) for j in rows if det.site[j] >= 0)
            out.observations += 1
            out.false_alarms += int(det.extra["mistaken"][rows[0]] > 0)
            if with_truth:
                truth = event_truth(record["report_id"], k, uid, team, det, rows)
                truth_lines.append(_dumps(truth | patrol.truth(rows)))
    if with_truth:
        out.beside[PATROL_TRUTH_FILE] = "".join(line + "\n" for line in truth_lines)
    return out


def _patrol_record(s: Scenario, team: int, number: int, lon: float, lat: float,
                   local0: datetime, local1: datetime, events: list[dict[str, Any]]
                   ) -> dict[str, Any]:  # fmt: skip
    """Patrol report ``number`` of ``team`` from WGS84 ``lon``/``lat`` over [local0,
    local1] (local time)."""
    p = s.patrols
    return {
        "report_id": f"SIM-P{team:03d}-{number:07d}",
        "date": local0.date().isoformat(),
        "observer_place": f"simulated patrol position (team {team})",
        "observer_reference": None,
        "observer_lon": _r(lon, 5),
        "observer_lat": _r(lat, 5),
        "observer_sigma_km": p.observer_sigma_km,
        "time_start": local0.strftime("%H:%M"),
        "time_end": local1.strftime("%H:%M"),
        "timezone": s.period.timezone,
        "source_id": f"sim-patrol-{team:03d}",
        **_graded(p),
        "events": events,
    }


def _local_minutes(s: Scenario, t0: float, t1: float) -> tuple[datetime, datetime]:
    """[t0, t1] (epoch s) widened to whole minutes (at least one), in local time."""
    a = np.floor(t0 / 60.0) * 60.0
    b = max(a + 60.0, np.ceil(t1 / 60.0) * 60.0)
    return (datetime.fromtimestamp(a, UTC).astimezone(s.zone),
            datetime.fromtimestamp(b, UTC).astimezone(s.zone))  # fmt: skip


class _PatrolDetections:
    """Patrol detections with what their records need, per row: the episode, the
    observer's WGS84 lon/lat, the measured bearing (degrees from true north) and the true
    distance to the site (km; a phantom's judged distance)."""

    def __init__(self, s: Scenario, e: Episodes, det: Detections) -> None:
        self.s, self.e, self.det = s, e, det
        like = det.extra["like_site"]
        self.ep = like // 2
        self.lon, self.lat, self.bearing = _sensor_positions(det)
        self.dist_true = np.where(det.extra["mistaken"] == PHANTOM, det.extra["distance_km"],
                                  np.linalg.norm(e.site_xy()[like] - det.sensor_xy, axis=1))

    def reports(self) -> list[tuple[int, list[list[int]]]]:
        """(team, rows of each event) of each report - one per slot, team and episode (a
        mistaken sound: a report of its own) - in order of their first detection; one
        event per row, in site order (impact, then origin)."""
        det, ep = self.det, self.ep
        key = np.lexsort((det.site, ep, det.sensor, det.time))
        groups: dict[tuple[int, int, int, int], list[int]] = {}
        for i in key:
            alone = int(i) if det.extra["mistaken"][i] else -1
            group = (int(det.extra["slot"][i]), int(det.sensor[i]), int(ep[i]), alone)
            groups.setdefault(group, []).append(int(i))
        ordered = sorted(groups.items(), key=lambda kv: (min(det.time[j] for j in kv[1]), kv[0]))
        return [(team, [[j] for j in sorted(rows, key=lambda j: det.site[j])])
                for (_slot, team, _ep, _alone), rows in ordered]  # fmt: skip

    def window(self, rows: list[int]) -> tuple[datetime, datetime]:
        """Local start and end of a report: the sound's arrival at the team, to the minute."""
        det = self.det
        arrive = [det.time[j] + self.dist_true[j] / SOUND_KM_S for j in rows]
        ends = [det.time[j] + (self.e.duration_s[self.ep[j]]) + self.dist_true[j] / SOUND_KM_S
                for j in rows]  # fmt: skip
        return _local_minutes(self.s, min(arrive), max(ends))

    def event(self, j: int) -> dict[str, Any]:
        """The event of one detection (row ``j``)."""
        p, det = self.s.patrols, self.det
        w = int(self.e.weapon[self.ep[j]])
        spec = self.s.violations.weapons[WEAPONS[w]]
        ok = bool(det.extra["weapon_ok"][j])
        d_lo, d_hi = _distance_range(float(det.extra["distance_km"][j]), p.distance_spread)
        event: dict[str, Any] = {
            "count": int(det.extra["count"][j]),
            "kind": patrol_kind(spec, ok),
            "weapon": WEAPON_WORDS[WEAPONS[w]] if ok else None,
            "flow": str(det.extra["flow"][j]),
        }
        if p.bearing_report == "compass":
            event["directions"] = [COMPASS_16[round(self.bearing[j] / 22.5) % 16]]
        else:
            event["directions"] = None
            event["bearings_deg"] = [_r(self.bearing[j], 1)]
            event["bearing_halfwidth_deg"] = _r(np.sqrt(3.0) * p.bearing_sigma_deg, 1)
        event["distance_km_min"] = d_lo
        event["distance_km_max"] = d_hi
        return event

    def record(self, number: int, team: int, events: list[list[int]]) -> dict[str, Any]:
        """The patrol report ``number`` of ``team``: one event per row."""
        rows = [j for ev in events for j in ev]
        local0, local1 = self.window(rows)
        return _patrol_record(self.s, team, number, self.lon[rows[0]], self.lat[rows[0]],
                              local0, local1, [self.event(j) for j in rows])  # fmt: skip

    def truth(self, rows: list[int]) -> dict[str, Any]:
        """Nothing more than :func:`~trucewatch.sim.patrol_truth.event_truth` tells."""
        return {}


class _PatrolTotals:
    """Patrol detections with the totals' columns (:mod:`trucewatch.sim.patrol_totals`),
    written as one report per team and reporting window, one event per kind heard."""

    def __init__(self, s: Scenario, e: Episodes, det: Detections) -> None:
        self.s, self.e, self.det = s, e, det
        self.lon, self.lat, self.bearing = _sensor_positions(det)
        self.true_bearing = _true_bearing(det.sensor_xy, det.extra["true_bearing"])

    def reports(self) -> list[tuple[int, list[list[int]]]]:
        """(team, rows of each event) of each report, in order of the first sound heard."""
        x = self.det.extra
        by_report: dict[int, dict[int, list[int]]] = {}
        for i in np.lexsort((x["event"], x["heard_start"])):
            by_report.setdefault(int(x["report"][i]), {}).setdefault(int(x["event"][i]),
                                                                     []).append(int(i))
        first = {r: min(x["heard_start"][j] for ev in evs.values() for j in ev)
                 for r, evs in by_report.items()}  # fmt: skip
        return [(int(self.det.sensor[next(iter(by_report[r].values()))[0]]),
                 [by_report[r][k] for k in sorted(by_report[r])])
                for r in sorted(by_report, key=lambda r: (first[r], r))]  # fmt: skip

    def event(self, rows: list[int]) -> dict[str, Any]:
        """One event: the total count, the kind, every direction, the distance range."""
        x, first = self.det.extra, rows[0]
        weapons = {int(w) for w in x["weapon_class"][rows]}
        weapon = weapons.pop() if len(weapons) == 1 else -1
        count = int(x["total_count"][first])
        return {
            "count": count if count > 0 else None,
            "kind": str(x["kind"][first]),
            "weapon": WEAPON_WORDS[WEAPONS[weapon]] if weapon >= 0 else None,
            "flow": event_flow(x["flow"][rows]),
            "directions": compass_words(self.bearing[rows]),
            "distance_km_min": int(x["range_min_km"][first]),
            "distance_km_max": int(x["range_max_km"][first]),
        }

    def record(self, number: int, team: int, events: list[list[int]]) -> dict[str, Any]:
        """The report ``number`` of ``team``: the span of the sounds heard in its window."""
        x = self.det.extra
        rows = [j for ev in events for j in ev]
        t0 = max(float(x["window_start"][rows[0]]), float(x["heard_start"][rows].min()))
        t1 = min(float(x["window_end"][rows[0]]), float(x["heard_end"][rows].max()))
        local0, local1 = _local_minutes(self.s, t0, max(t0, t1))
        return _patrol_record(self.s, team, number, self.lon[rows[0]], self.lat[rows[0]],
                              local0, local1, [self.event(ev) for ev in events])  # fmt: skip

    def truth(self, rows: list[int]) -> dict[str, Any]:
        """The window and the totals' truth of an event."""
        x = self.det.extra
        window = {"window_start": utc_text(float(x["window_start"][rows[0]])),
                  "window_end": utc_text(float(x["window_end"][rows[0]]))}  # fmt: skip
        return window | totals_truth(self.det, rows, self.e.rounds, self.true_bearing)


# --------------------------------------------------------------------------- sensors


def _record_order(det: Detections) -> NDArray[np.int64]:
    """Rows in the order of the records of a one-line-per-row file."""
    return np.lexsort((det.site, det.sensor, det.time))


def _single_line_file(source: str, det: Detections, make: Callable[[int, int], dict]
                      ) -> RenderedFile:  # fmt: skip
    out = RenderedFile(FILES[source], FORMATS[source])
    for number, i in enumerate(_record_order(det)):
        line = _dumps(make(int(i), number))
        out.lines.append(line)
        out.records += 1
        out.observations += 1
        if det.site[i] >= 0:
            out.links.append((int(det.site[i]), observation_uid(out.format, line, 0)))
        else:
            out.false_alarms += 1
    return out


def sensor_id(source: str, sensor: int) -> str:
    """The id written for fixed sensor number ``sensor`` of ``source`` (acoustic, camera)."""
    return f"sim-{source}-{sensor:03d}"


def _fixed_sensor(source: str, tag: str, noun: str, sensor: int, number: int, lon: float,
                  lat: float) -> dict[str, Any]:  # fmt: skip
    """The opening keys of an acoustic or camera record: format, ids and the sensor's
    WGS84 position (``noun``: the key prefix of the format)."""
    return {
        "format": source,
        "detection_id": f"SIM-{tag}{sensor:03d}-{number:07d}",
        f"{noun}_id": sensor_id(source, sensor),
        f"{noun}_lon": _r(lon, 5),
        f"{noun}_lat": _r(lat, 5),
        f"{noun}_sigma_km": 0.01,
    }


def _signature(det: Detections, i: int, launch_kind: str) -> dict[str, Any]:
    """Kind, impact or launch signature, and rounds counted, of an acoustic or camera row."""
    impact = bool(det.extra["impact"][i])
    return {"kind": "explosion" if impact else launch_kind,
            "signature": "impact" if impact else "launch",
            "count": int(det.extra["count"][i])}  # fmt: skip


def render_acoustic(s: Scenario, e: Episodes, det: Detections) -> RenderedFile:
    a = s.acoustic
    lon, lat, bearing = _sensor_positions(det)

    def make(i: int, number: int) -> dict:
        return {
            **_fixed_sensor("acoustic", "AC", "sensor", int(det.sensor[i]), number, lon[i],
                            lat[i]),
            "arrival_utc": utc_text(float(det.extra["arrival"][i]), ms=True),
            "time_sigma_s": a.timing_sigma_s,
            "bearing_deg": _r(bearing[i], 1),
            "bearing_sigma_deg": a.bearing_sigma_deg,
            "range_max_km": _r(det.extra["range_km"][i], 1),
            "speed_of_sound_m_s": a.speed_of_sound_m_s,
            **_signature(det, i, "undetermined"),
            "duration_s": _r(det.extra["duration_s"][i], 1),
            **_graded(a),
        }  # fmt: skip

    return _single_line_file("acoustic", det, make)


def render_cameras(s: Scenario, e: Episodes, det: Detections, layout: Layout) -> RenderedFile:
    """The camera sightings, with wrong kind words where the camera mislabelled
    (``extra["kind_label"]``), and the reported outages beside them."""
    c = s.cameras
    lon, lat, bearing = _sensor_positions(det)
    labels = det.extra.get("kind_label")

    def make(i: int, number: int) -> dict:
        t0 = float(det.time[i])
        t1 = max(t0 + 1.0, float(det.extra["end"][i]))
        record = {
            **_fixed_sensor("camera", "CAM", "camera", int(det.sensor[i]), number, lon[i],
                            lat[i]),
            "time_start_utc": utc_text(t0),
            "time_end_utc": utc_text(np.ceil(t1)),
            "bearing_deg": _r(bearing[i], 2),
            "bearing_sigma_deg": c.bearing_sigma_deg,
            "range_max_km": c.range_km,
            **_signature(det, i, "flash"),
            **_graded(c),
        }  # fmt: skip
        if labels is not None and labels[i] is not None:
            record["kind"] = str(labels[i])
        return record

    out = _single_line_file("camera", det, make)
    reported = outage_records(layout.camera_outages, "camera")
    if reported:
        out.beside[OUTAGE_FILE] = _lines_text(reported)
    return out


def outage_records(outages: Outages, source: str) -> list[dict[str, Any]]:
    """The reported outages of one kind of fixed sensor (``source``, as in its sensor ids
    ``sim-<source>-NNN``), by start (see docs/simulator.md, ``outages.jsonl``)."""
    rows = np.flatnonzero(outages.reported)
    rows = rows[np.lexsort((outages.sensor[rows], outages.start[rows]))]
    return [{"format": "sensor_outage",
             "outage_id": f"SIM-OUT-{source}-{number:06d}",
             "sensor_kind": source,
             "sensor_id": f"sim-{source}-{int(outages.sensor[i]):03d}",
             "start_utc": utc_text(float(outages.start[i])),
             "end_utc": utc_text(float(outages.end[i])),
             "synthetic": True} for number, i in enumerate(rows)]  # fmt: skip


def _lines_text(records: list[dict[str, Any]]) -> str:
    return "".join(_dumps(r) + "\n" for r in records)


def render_complaints(s: Scenario, world: World, det: Detections) -> RenderedFile:
    c = s.complaints
    lon, lat = to_lonlat_arrays(det.extra["xy"])

    def make(i: int, number: int) -> dict:
        party = str(det.extra["complainant"][i])
        accused = world.other_party if party == world.controlled_by else world.controlled_by
        weapon = WEAPONS[int(det.extra["weapon"][i])]
        count = int(det.extra["count"][i])
        return {
            "format": "complaint",
            "complaint_id": f"SIM-{party}-{number:07d}",
            "complainant": party,
            "accused": accused,
            "filed_utc": utc_text(float(det.extra["filed"][i])),
            "time_start_utc": utc_text(float(det.time[i])),
            "time_end_utc": utc_text(float(det.extra["end"][i])),
            "lon": _r(lon[i], 5),
            "lat": _r(lat[i], 5),
            "location_sigma_km": c.location_sigma_km,
            "kind": s.violations.weapons[weapon].kind,
            "weapon": WEAPON_WORDS[weapon],
            "count": count,
            "statement": (f"{party} reports {count} rounds of {WEAPON_WORDS[weapon]} fire by "
                     f"{accused} near {lat[i]:.3f} N {lon[i]:.3f} E (simulated)"),
            **_graded(c),
        }

    out = _single_line_file("complaint", det, make)
    if bias_on(c):
        out.beside[COMPLAINT_TRUTH_FILE] = _lines_text(_complaint_truth(det, out))
    return out


def _complaint_truth(det: Detections, out: RenderedFile) -> list[dict[str, Any]]:
    """One ground-truth record per complaint, in file order (docs/simulator.md,
    ``complaint_truth.jsonl``)."""
    records = []
    for line, i in zip(out.lines, _record_order(det), strict=True):
        site, near = int(det.site[i]), int(det.extra["near_episode"][i])
        records.append({
            "complaint_id": json.loads(line)["complaint_id"],
            "observation": observation_uid("complaint", line, 0),
            "status": str(det.extra["status"][i]),
            "episode": episode_id(site // 2) if site >= 0 else None,
            "site": ("impact" if site % 2 == 0 else "origin") if site >= 0 else None,
            "near_episode": episode_id(near) if near >= 0 else None,
        })  # fmt: skip
    return records


def render_satellite(s: Scenario, det: Detections) -> RenderedFile:
    out = RenderedFile(FILES["satellite"], FORMATS["satellite"], lines=[FIRMS_HEADER])
    lon, lat = to_lonlat_arrays(det.extra["xy"])
    hours = local_hours(s, det.time)
    rows: dict[str, list[int]] = {}
    order = np.lexsort((lon, lat, det.time))
    for i in order:
        t = datetime.fromtimestamp(round(float(det.time[i]) / 60.0) * 60.0, UTC)
        bright = float(det.extra["bright"][i])
        conf = "h" if bright > 355.0 else ("l" if det.extra["false_alarm"][i] and bright < 335
                                            else "n")  # fmt: skip
        daynight = "D" if 6.0 <= hours[i] < 18.0 else "N"
        line = ",".join([
            f"{lat[i]:.5f}", f"{lon[i]:.5f}", f"{bright:.2f}",
            f"{det.extra['scan'][i]:.2f}", f"{det.extra['track'][i]:.2f}",
            t.strftime("%Y-%m-%d"), t.strftime("%H%M"), s.satellite.satellite, "VIIRS", conf,
            "2.0NRT", f"{bright - 40.0 - 5.0 * (bright - 325.0) / 40.0:.2f}",
            f"{det.extra['frp'][i]:.2f}", daynight,
        ])  # fmt: skip
        rows.setdefault(line, []).append(int(i))
    for line, members in rows.items():
        out.lines.append(line)
        out.records += 1
        out.observations += 1
        uid = observation_uid("firms", line, 0)
        sites = sorted({int(det.site[i]) for i in members if det.site[i] >= 0})
        out.links.extend((site, uid) for site in sites)
        if not sites:
            out.false_alarms += 1
    return out


def render_all(s: Scenario, world: World, e: Episodes, dets: dict[str, Detections],
               layout: Layout) -> list[RenderedFile]:  # fmt: skip
    """The output file of every source with detections, in the order of :data:`FILES`. A
    source without any - a kind of sensor the scenario leaves out (``acoustic.enabled =
    false``, ``cameras.count = 0``, ``complaints.enabled = false``, ...) or one that
    reported nothing - writes no file (its detections carry no measured values to write)."""
    renderers: dict[str, Callable[[Detections], RenderedFile]] = {
        "patrol": lambda det: render_patrols(s, e, det, layout),
        "acoustic": lambda det: render_acoustic(s, e, det),
        "camera": lambda det: render_cameras(s, e, det, layout),
        "satellite": lambda det: render_satellite(s, det),
        "complaint": lambda det: render_complaints(s, world, det),
    }
    return [render(dets[source]) for source, render in renderers.items() if len(dets[source])]
