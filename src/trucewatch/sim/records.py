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
from datetime import UTC, datetime
from typing import Any

import numpy as np
from numpy.typing import NDArray

from trucewatch.ids import observation_uid
from trucewatch.sim.complaint_bias import bias_on
from trucewatch.sim.detections import Detections
from trucewatch.sim.layout import Layout
from trucewatch.sim.outages import OUTAGE_FILE, Outages
from trucewatch.sim.patrol_records import render_patrols
from trucewatch.sim.record_text import (
    COMPLAINT_TRUTH_FILE,
    FIRMS_HEADER,
    WEAPON_WORDS,
    RenderedFile,
    dumps,
    graded,
    jsonl_text,
    rounded,
    sensor_positions,
    utc_text,
)
from trucewatch.sim.scenario import WEAPONS, Scenario
from trucewatch.sim.violations import Episodes, episode_id, local_hours
from trucewatch.sim.world import World, to_lonlat_arrays

__all__ = ["outage_records", "render_all", "sensor_id"]

def _record_order(det: Detections) -> NDArray[np.int64]:
    """Rows in the order of the records of a one-line-per-row file."""
    return np.lexsort((det.site, det.sensor, det.time))


def _single_line_file(source: str, det: Detections, make: Callable[[int, int], dict]
                      ) -> RenderedFile:  # fmt: skip
    out = RenderedFile.of(source)
    for number, i in enumerate(_record_order(det)):
        line = dumps(make(int(i), number))
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
        f"{noun}_lon": rounded(lon, 5),
        f"{noun}_lat": rounded(lat, 5),
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
    lon, lat, bearing = sensor_positions(det)

    def make(i: int, number: int) -> dict:
        return {
            **_fixed_sensor("acoustic", "AC", "sensor", int(det.sensor[i]), number, lon[i],
                            lat[i]),
            "arrival_utc": utc_text(float(det.extra["arrival"][i]), ms=True),
            "time_sigma_s": a.timing_sigma_s,
            "bearing_deg": rounded(bearing[i], 1),
            "bearing_sigma_deg": a.bearing_sigma_deg,
            "range_max_km": rounded(det.extra["range_km"][i], 1),
            "speed_of_sound_m_s": a.speed_of_sound_m_s,
            **_signature(det, i, "undetermined"),
            "duration_s": rounded(det.extra["duration_s"][i], 1),
            **graded(a),
        }  # fmt: skip

    return _single_line_file("acoustic", det, make)


def render_cameras(s: Scenario, e: Episodes, det: Detections, layout: Layout) -> RenderedFile:
    """The camera sightings, with wrong kind words where the camera mislabelled
    (``extra["kind_label"]``), and the reported outages beside them."""
    c = s.cameras
    lon, lat, bearing = sensor_positions(det)
    labels = det.extra.get("kind_label")

    def make(i: int, number: int) -> dict:
        t0 = float(det.time[i])
        t1 = max(t0 + 1.0, float(det.extra["end"][i]))
        record = {
            **_fixed_sensor("camera", "CAM", "camera", int(det.sensor[i]), number, lon[i],
                            lat[i]),
            "time_start_utc": utc_text(t0),
            "time_end_utc": utc_text(np.ceil(t1)),
            "bearing_deg": rounded(bearing[i], 2),
            "bearing_sigma_deg": c.bearing_sigma_deg,
            "range_max_km": c.range_km,
            **_signature(det, i, "flash"),
            **graded(c),
        }  # fmt: skip
        if labels is not None and labels[i] is not None:
            record["kind"] = str(labels[i])
        return record

    out = _single_line_file("camera", det, make)
    reported = outage_records(layout.camera_outages, "camera")
    if reported:
        out.beside[OUTAGE_FILE] = jsonl_text(reported)
    return out


def outage_records(outages: Outages, source: str) -> list[dict[str, Any]]:
    """The reported outages of one kind of fixed sensor (``source``, as in its sensor ids
    ``sim-<source>-NNN``), by start (see docs/simulator.md, ``outages.jsonl``)."""
    rows = np.flatnonzero(outages.reported)
    rows = rows[np.lexsort((outages.sensor[rows], outages.start[rows]))]
    return [{"format": "sensor_outage",
             "outage_id": f"SIM-OUT-{source}-{number:06d}",
             "sensor_kind": source,
             "sensor_id": sensor_id(source, int(outages.sensor[i])),
             "start_utc": utc_text(float(outages.start[i])),
             "end_utc": utc_text(float(outages.end[i])),
             "synthetic": True} for number, i in enumerate(rows)]  # fmt: skip


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
            "lon": rounded(lon[i], 5),
            "lat": rounded(lat[i], 5),
            "location_sigma_km": c.location_sigma_km,
            "kind": s.violations.weapons[weapon].kind,
            "weapon": WEAPON_WORDS[weapon],
            "count": count,
            "statement": (f"{party} reports {count} rounds of {WEAPON_WORDS[weapon]} fire by "
                     f"{accused} near {lat[i]:.3f} N {lon[i]:.3f} E (simulated)"),
            **graded(c),
        }

    out = _single_line_file("complaint", det, make)
    if bias_on(c):
        out.beside[COMPLAINT_TRUTH_FILE] = jsonl_text(_complaint_truth(det, out))
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
    out = RenderedFile.of("satellite", [FIRMS_HEADER])
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
