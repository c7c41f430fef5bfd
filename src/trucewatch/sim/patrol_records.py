"""The patrols' output file (``observations.jsonl``, the ``patrol`` format): one record per
team, slot and episode heard, or (``report_style = "totals"``) the SMM-style totals of a
reporting window, and with totals or mistakes ``patrol_truth.jsonl`` beside it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import numpy as np

from trucewatch.ids import observation_uid
from trucewatch.sim.detections import Detections
from trucewatch.sim.layout import Layout
from trucewatch.sim.patrol_mistakes import PHANTOM
from trucewatch.sim.patrol_stands import SOUND_KM_S, patrol_kind
from trucewatch.sim.patrol_totals import compass_words, event_flow
from trucewatch.sim.patrol_truth import (
    PATROL_TRUTH_FILE,
    event_truth,
    patrol_truth_wanted,
    totals_truth,
)
from trucewatch.sim.record_text import (
    WEAPON_WORDS,
    RenderedFile,
    dumps,
    graded,
    jsonl_text,
    rounded,
    sensor_positions,
    true_bearing,
    utc_text,
)
from trucewatch.sim.scenario import WEAPONS, Scenario
from trucewatch.sim.violations import Episodes
from trucewatch.types import COMPASS_16

__all__ = ["render_patrols"]


def _distance_range(d: float, spread: float) -> tuple[float, float]:
    lo, hi = d * (1.0 - spread), d * (1.0 + spread)
    step = 0.1 if d < 3.0 else 0.5
    lo_r = max(0.0, np.floor(lo / step) * step)
    hi_r = max(lo_r + step, np.ceil(hi / step) * step)
    return rounded(lo_r, 1), rounded(hi_r, 1)


# --------------------------------------------------------------------------- patrol


def render_patrols(s: Scenario, e: Episodes, det: Detections, layout: Layout) -> RenderedFile:
    """The patrol reports (``report_style``: one per team, slot and episode, or the
    SMM-style totals) and, with totals or mistakes, ``patrol_truth.jsonl``."""
    out = RenderedFile.of("patrol")
    patrol = _PatrolTotals(s, e, det) if s.patrols.report_style == "totals" else \
        _PatrolDetections(s, e, det)  # fmt: skip
    with_truth = patrol_truth_wanted(s.patrols)
    truth_records: list[dict[str, Any]] = []
    for number, (team, events) in enumerate(patrol.reports()):
        record = patrol.record(number, team, events)
        line = dumps(record)
        out.lines.append(line)
        out.records += 1
        for k, rows in enumerate(events):
            uid = observation_uid("patrol", line, k)
            out.links.extend((int(det.site[j]), uid) for j in rows if det.site[j] >= 0)
            out.observations += 1
            out.false_alarms += int(det.extra["mistaken"][rows[0]] > 0)
            if with_truth:
                truth = event_truth(record["report_id"], k, uid, team, det, rows)
                truth_records.append(truth | patrol.truth(rows))
    if with_truth:
        out.beside[PATROL_TRUTH_FILE] = jsonl_text(truth_records)
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
        "observer_lon": rounded(lon, 5),
        "observer_lat": rounded(lat, 5),
        "observer_sigma_km": p.observer_sigma_km,
        "time_start": local0.strftime("%H:%M"),
        "time_end": local1.strftime("%H:%M"),
        "timezone": s.period.timezone,
        "source_id": f"sim-patrol-{team:03d}",
        **graded(p),
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
        self.lon, self.lat, self.bearing = sensor_positions(det)
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
            event["bearings_deg"] = [rounded(self.bearing[j], 1)]
            event["bearing_halfwidth_deg"] = rounded(np.sqrt(3.0) * p.bearing_sigma_deg, 1)
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
        self.lon, self.lat, self.bearing = sensor_positions(det)
        self.true_bearing = true_bearing(det.sensor_xy, det.extra["true_bearing"])

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
