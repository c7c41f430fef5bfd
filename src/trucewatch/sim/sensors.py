"""Sensor models: which sensor observes which site, and what it measures.

Each model (patrols, acoustic arrays, cameras, satellite - in
:mod:`trucewatch.sim.satellite` -, complaints) returns the
:class:`~trucewatch.sim.detections.Detections` of one kind of sensor, drawn from its own
random stream.

Detection probability with distance (patrols, acoustic arrays):
``p(d) = p0 * clip(2 (1 - d / R), 0, 1)``: ``p0`` up to half the range ``R``, falling
linearly to 0 at ``R``. All positions local km; times UTC epoch seconds.
"""

from __future__ import annotations

from datetime import timedelta

import numpy as np
from numpy.typing import NDArray
from scipy.spatial import cKDTree

from trucewatch.sim.acoustic_field import (
    ECHO_STREAM,
    OUTLIER_BEARING_STREAM,
    OUTLIER_TIME_STREAM,
    OWN_FIRE_STREAM,
    UNKNOWN_SOUND_AUDIBLE_KM,
    AcousticField,
    Heard,
    RowKind,
    acoustic_rows,
    echo_rows,
    finish_field_rows,
    own_fire_sources,
)
from trucewatch.sim.camera_faults import DAY_HOURS, apply_camera_faults, bearing_errors
from trucewatch.sim.complaint_bias import STATUSES, apply_complaint_bias, own_fire_blamed
from trucewatch.sim.detections import Detections, Sites, noise_columns
from trucewatch.sim.errors import heavy_tailed
from trucewatch.sim.layout import Layout, behind_line, keep_away
from trucewatch.sim.patrol_mistakes import with_mistakes
from trucewatch.sim.patrol_stands import MISTAKES_STREAM, TOTALS_STREAM, PatrolStand, model_rng
from trucewatch.sim.patrol_totals import assign_totals
from trucewatch.sim.satellite import detect_satellite, local_epoch
from trucewatch.sim.scenario import Scenario
from trucewatch.sim.violations import Episodes, local_hours
from trucewatch.sim.weather import propagate
from trucewatch.sim.world import World

__all__ = [
    "SOURCES",
    "detect_acoustic",
    "detect_all",
    "detect_cameras",
    "detect_complaints",
    "detect_patrols",
    "falloff",
    "listen_patrols",
]


SOURCES = ("patrol", "acoustic", "camera", "satellite", "complaint")


def falloff(d: NDArray[np.float64], r: NDArray[np.float64], p0: float) -> NDArray[np.float64]:
    """Detection probability at distance ``d`` for range ``r`` (0 where ``r`` is 0)."""
    r_safe = np.where(r > 0, r, 1.0)
    return np.where(r > 0, p0 * np.clip(2.0 * (1.0 - d / r_safe), 0.0, 1.0), 0.0)


def _bearing_deg(frm: NDArray[np.float64], to: NDArray[np.float64]) -> NDArray[np.float64]:
    """Grid bearing (degrees clockwise from the plane's north) from ``frm`` to ``to``."""
    d = to - frm
    return np.degrees(np.arctan2(d[:, 0], d[:, 1])) % 360.0


# --------------------------------------------------------------------------- patrols


def patrol_slots(s: Scenario) -> list[tuple[int, float, float]]:
    """(day index, start, end) of every patrol time slot (epoch s), in order."""
    p = s.patrols
    first = s.period.start.astimezone(s.zone)
    n_days = int(np.ceil(s.period.days)) + 1
    out = []
    span = (p.end_hour - p.start_hour) / p.moves_per_day
    t_end = s.period.end.timestamp()
    t_start = s.period.start.timestamp()
    for d in range(n_days):
        day = first + timedelta(days=d)
        for j in range(p.moves_per_day):
            a = local_epoch(s, day, p.start_hour + j * span)
            b = local_epoch(s, day, p.start_hour + (j + 1) * span)
            if b > t_start and a < t_end:
                out.append((d, max(a, t_start), min(b, t_end)))
    return out


def detect_patrols(s: Scenario, world: World, e: Episodes, sites: Sites, layout: Layout,
                   rng: np.random.Generator) -> Detections:  # fmt: skip
    """Patrol teams hearing sites during their daytime slots (see docs/simulator.md), then
    their mistaken reports and, with ``report_style = "totals"``, the SMM-style totals
    (each from a stream of its own, :func:`~trucewatch.sim.patrol_stands.model_rng`)."""
    p = s.patrols
    if layout.patrol_base_along.size == 0 or len(e) == 0:
        return Detections.empty("patrol")
    stands, chunks = listen_patrols(s, world, e, sites, layout, rng)
    det = _measure(s, e, sites, layout, chunks, rng) if chunks else Detections.empty("patrol")
    det = with_mistakes(p, stands, det, sites, e.rounds, model_rng(rng, MISTAKES_STREAM))
    if p.report_style == "totals" and len(det):
        det = assign_totals(s, e, sites, det, stands, model_rng(rng, TOTALS_STREAM))
    return det


def listen_patrols(s: Scenario, world: World, e: Episodes, sites: Sites, layout: Layout,
            rng: np.random.Generator) -> tuple[list[PatrolStand], list[dict[str, NDArray]]]:
    """Where the working teams stand in each slot (kept ``avoid_hotspot_km`` from the hot
    spots), and the sites each hears there (one chunk of rows per slot with any)."""
    p = s.patrols
    teams = layout.patrol_base_along.size
    order = np.argsort(sites.start, kind="stable")
    starts = sites.start[order]
    max_r = float(sites.audible_km.max()) if sites.audible_km.size else 0.0
    avoid = p.avoid_hotspot_km > 0 and e.hotspots_along.size > 0
    centres = world.frame(e.hotspots_along)[0] if avoid else np.empty((0, 2))
    stands: list[PatrolStand] = []
    chunks: list[dict[str, NDArray]] = []
    available: dict[int, NDArray[np.bool_]] = {}
    for slot, (day, a, b) in enumerate(patrol_slots(s)):
        if day not in available:
            available[day] = rng.random(teams) < p.availability
        along = layout.patrol_base_along + rng.normal(0.0, 5.0, teams)
        depth = rng.uniform(p.depth_km[0], p.depth_km[1], teams)
        xy, ok, _ = behind_line(world, along, layout.patrol_side, depth)
        xy, ok = keep_away(world, xy, ok, layout.patrol_side, centres, p.avoid_hotspot_km)
        active = np.flatnonzero(ok & available[day])
        stands.append(PatrolStand(slot, a, b, active, xy[active]))
        hi = np.searchsorted(starts, b, side="right")
        cand = order[:hi]
        cand = cand[sites.end[cand] >= a]
        if active.size == 0 or cand.size == 0 or max_r <= 0:
            continue
        chunk = _hear(p.detect_probability, sites, cand, xy, active, max_r, rng)
        if chunk is not None:
            chunks.append(chunk | {"slot": np.full(chunk["site"].size, slot)})
    return stands, chunks


def _hear(p0: float, sites: Sites, cand: NDArray[np.int64], xy: NDArray[np.float64],
          active: NDArray[np.int64], max_r: float, rng: np.random.Generator
          ) -> dict[str, NDArray] | None:  # fmt: skip
    """The candidate sites each active team hears from ``xy`` (falloff with distance)."""
    tree = cKDTree(xy[active])
    lists = tree.query_ball_point(sites.xy[cand], r=max_r)
    lens = np.fromiter((len(x) for x in lists), dtype=np.int64, count=len(lists))
    if lens.sum() == 0:
        return None
    site_idx = np.repeat(cand, lens)
    team = active[np.concatenate([np.asarray(x, dtype=np.int64) for x in lists if x])]
    d = np.linalg.norm(sites.xy[site_idx] - xy[team], axis=1)
    hear = rng.random(site_idx.size) < falloff(d, sites.audible_km[site_idx], p0)
    if not hear.any():
        return None
    return {"site": site_idx[hear], "sensor": team[hear], "xy": xy[team[hear]]}


def _measure(s: Scenario, e: Episodes, sites: Sites, layout: Layout,
             chunks: list[dict[str, NDArray]], rng: np.random.Generator) -> Detections:
    """What the teams report of each site heard: bearing, distance, count, flow, weapon."""
    p = s.patrols
    site = np.concatenate([c["site"] for c in chunks])
    sensor = np.concatenate([c["sensor"] for c in chunks])
    sxy = np.concatenate([c["xy"] for c in chunks])
    slot_of = np.concatenate([c["slot"] for c in chunks])
    n = site.size
    true_b = _bearing_deg(sxy, sites.xy[site])
    dist = np.linalg.norm(sites.xy[site] - sxy, axis=1)
    sigma_b = np.radians(p.bearing_sigma_deg)
    measured_b = (true_b + rng.normal(0.0, p.bearing_sigma_deg, n)) % 360.0
    measured_d = dist * np.exp(rng.normal(0.0, p.distance_sigma, n))
    ep = site // 2
    count = np.maximum(1, np.rint(e.rounds[ep] * np.exp(rng.normal(0.0, p.count_sigma, n))))
    party = e.party[ep]
    true_flow = np.where(party == layout.patrol_side[sensor], "outgoing", "incoming")
    u = rng.random(n)
    flipped = np.where(true_flow == "outgoing", "incoming", "outgoing")
    flow = np.where(u < p.undetermined_share, "undetermined",
                    np.where(u < p.undetermined_share + (1 - p.undetermined_share) * p.flow_error,
                             flipped, true_flow))  # fmt: skip
    weapon_ok = rng.random(n) >= p.weapon_error
    rows = noise_columns(n, bearing_sigma_rad=sigma_b, range_sigma_km=p.distance_sigma * dist,
                         obs_sigma_km=p.observer_sigma_km)  # fmt: skip
    return Detections(
        "patrol", site, sensor, sxy, sites.start[site], **rows,
        extra={"bearing_deg": measured_b, "distance_km": measured_d, "count": count.astype(int),
               "flow": flow.astype(object), "weapon_ok": weapon_ok, "slot": slot_of,
               "true_flow": true_flow.astype(object), "mistaken": np.zeros(n, np.int64),
               "like_site": site.copy()},
    )  # fmt: skip


# --------------------------------------------------------------------------- acoustic


def detect_acoustic(s: Scenario, world: World, e: Episodes, sites: Sites, layout: Layout,
                    rng: np.random.Generator) -> Detections:  # fmt: skip
    """Acoustic arrays: one burst detection per (array, site) with the first arrival time
    and a bearing; plus false alarms; and the field error models that are on
    (:mod:`trucewatch.sim.acoustic_field`: echoes, own fire, biases, labels, outages)."""
    a = s.acoustic
    if not a.enabled or layout.acoustic_xy.shape[0] == 0:
        return Detections.empty("acoustic")
    field = AcousticField.draw(s, layout, rng)
    heard = _acoustic_hits(s, sites, layout, field, rng)
    nominal = _acoustic_detections(s, e, sites, layout, heard, field, rng)
    false_alarms = _acoustic_false_alarms(s, layout, rng)
    echoes = echo_rows(nominal, a, field.stream(ECHO_STREAM))
    own_fire = _acoustic_own_fire(s, e, sites, layout, field)
    rows = Detections.concat([nominal, echoes, own_fire, false_alarms])
    return finish_field_rows(rows, field)


def _acoustic_hits(s: Scenario, sites: Sites, layout: Layout, field: AcousticField,
                   rng: np.random.Generator) -> Heard:  # fmt: skip
    """The (site, array) pairs heard: ``p(d)`` with the range ``range_factor`` × the
    audible range (× the weather's factor when ``[weather]`` is on)."""
    a = s.acoustic
    r_site = sites.audible_km * a.range_factor
    max_r = float(r_site.max()) if r_site.size else 0.0
    if field.weather is not None:
        max_r *= field.weather.max_range_factor()
    tree = cKDTree(layout.acoustic_xy)
    lists = tree.query_ball_point(sites.xy, r=max_r) if max_r > 0 else []
    lens = np.fromiter((len(x) for x in lists), dtype=np.int64, count=len(lists))
    site = np.repeat(np.arange(len(lists)), lens)
    sensor = (np.concatenate([np.asarray(sorted(x), dtype=np.int64) for x in lists if x])
              if lens.sum() else np.empty(0, np.int64))  # fmt: skip
    d = np.linalg.norm(sites.xy[site] - layout.acoustic_xy[sensor], axis=1)
    reach = r_site[site]
    propagation = None
    if field.weather is not None:
        propagation = propagate(field.weather, sites.start[site], sites.xy[site],
                                layout.acoustic_xy[sensor], field.convergence_deg[sensor])
        reach = reach * propagation.range_factor
    hit = rng.random(site.size) < falloff(d, reach, a.detect_probability)
    return Heard(site[hit], sensor[hit], d[hit],
                  None if propagation is None else propagation.take(hit))  # fmt: skip


def _acoustic_detections(s: Scenario, e: Episodes, sites: Sites, layout: Layout,
                         heard: Heard, field: AcousticField,
                         rng: np.random.Generator) -> Detections:  # fmt: skip
    """The measured arrival (epoch s) and bearing of each (site, array) heard: nominal
    Gaussian errors (heavy-tailed with ``outlier_share``); with ``[weather]`` on, the
    true travel time and the bearing toward where the sound seems to come from."""
    a = s.acoustic
    site, sensor = heard.site, heard.sensor
    n = site.size
    sxy = layout.acoustic_xy[sensor]
    time_error = rng.normal(0.0, a.timing_sigma_s, n)
    bearing_error = rng.normal(0.0, a.bearing_sigma_deg, n)
    time_error, _ = heavy_tailed(field.stream(OUTLIER_TIME_STREAM), time_error,
                                 a.timing_sigma_s, a.outlier_share, a.outlier_scale)
    bearing_error, _ = heavy_tailed(field.stream(OUTLIER_BEARING_STREAM), bearing_error,
                                    a.bearing_sigma_deg, a.outlier_share, a.outlier_scale)
    if heard.propagation is None:
        travel_s = heard.distance_km / (a.speed_of_sound_m_s / 1000.0)
        source_xy = sites.xy[site]
    else:
        travel_s = heard.distance_km / heard.propagation.speed_km_s
        source_xy = heard.propagation.apparent_xy
    ep = site // 2
    return acoustic_rows(
        s, RowKind.DETECTION, site, sensor, sxy, sites.start[site] + travel_s + time_error,
        (_bearing_deg(sxy, source_xy) + bearing_error) % 360, count=e.rounds[ep],
        duration_s=sites.end[site] - sites.start[site],
        range_km=np.maximum(sites.audible_km[site] * a.range_factor, 1.0),
        impact=site % 2 == 0,
    )  # fmt: skip


def _acoustic_false_alarms(s: Scenario, layout: Layout, rng: np.random.Generator) -> Detections:
    """``false_alarms_per_day`` per array at uniform times and bearings."""
    a = s.acoustic
    n_arr = layout.acoustic_xy.shape[0]
    n_fa = rng.poisson(a.false_alarms_per_day * s.period.days, n_arr)
    sensor = np.repeat(np.arange(n_arr), n_fa)
    m = sensor.size
    time = s.period.start.timestamp() + rng.uniform(0.0, s.period.days * 86400.0, m)
    bearing = rng.uniform(0.0, 360.0, m)
    return acoustic_rows(
        s, RowKind.FALSE_ALARM, np.full(m, -1), sensor, layout.acoustic_xy[sensor], time,
        bearing, count=np.ones(m, dtype=np.int64), duration_s=np.zeros(m),
        range_km=np.full(m, a.range_factor * UNKNOWN_SOUND_AUDIBLE_KM),
        impact=np.ones(m, dtype=bool),
    )  # fmt: skip


def _acoustic_own_fire(s: Scenario, e: Episodes, sites: Sites, layout: Layout,
                       field: AcousticField) -> Detections:  # fmt: skip
    """False launch detections toward nearby positions of the array's own side
    (``own_fire_false_per_day``), with the nominal (and heavy-tailed) errors."""
    a = s.acoustic
    rng = field.stream(OWN_FIRE_STREAM)
    own = own_fire_sources(s, e, sites, layout, rng)
    k = own.sensor.size
    sxy = layout.acoustic_xy[own.sensor]
    time_error, _ = heavy_tailed(rng, rng.normal(0.0, a.timing_sigma_s, k), a.timing_sigma_s,
                                 a.outlier_share, a.outlier_scale)  # fmt: skip
    bearing_error, _ = heavy_tailed(rng, rng.normal(0.0, a.bearing_sigma_deg, k),
                                    a.bearing_sigma_deg, a.outlier_share, a.outlier_scale)
    return acoustic_rows(
        s, RowKind.OWN_FIRE, np.full(k, -1), own.sensor, sxy, own.time + time_error,
        (_bearing_deg(sxy, own.source_xy) + bearing_error) % 360, count=own.count,
        duration_s=own.duration_s, range_km=own.range_km,
        impact=np.zeros(k, dtype=bool),
    )  # fmt: skip


# --------------------------------------------------------------------------- cameras


def detect_cameras(s: Scenario, world: World, e: Episodes, sites: Sites, layout: Layout,
                   rng: np.random.Generator) -> Detections:  # fmt: skip
    """Cameras: flashes and smoke within range and field of view; plus false alarms; then
    the field errors of :mod:`trucewatch.sim.camera_faults` (off by default)."""
    c = s.cameras
    n_cam = layout.camera_xy.shape[0]
    if n_cam == 0:
        return Detections.empty("camera")
    tree = cKDTree(layout.camera_xy)
    lists = tree.query_ball_point(sites.xy, r=c.range_km)
    lens = np.fromiter((len(x) for x in lists), dtype=np.int64, count=len(lists))
    site = np.repeat(np.arange(len(lists)), lens)
    sensor = (np.concatenate([np.asarray(sorted(x), dtype=np.int64) for x in lists if x])
              if lens.sum() else np.empty(0, np.int64))  # fmt: skip
    sxy = layout.camera_xy[sensor]
    bearing = _bearing_deg(sxy, sites.xy[site])
    off = (bearing - layout.camera_axis_deg[sensor] + 180.0) % 360.0 - 180.0
    visible = (np.abs(off) <= c.fov_deg / 2.0) & (sites.audible_km[site] > 0)
    hours = local_hours(s, sites.start[site])
    day = (hours >= DAY_HOURS[0]) & (hours < DAY_HOURS[1])
    p = np.where(day, c.detect_probability_day, c.detect_probability_night)
    hit = visible & (rng.random(site.size) < p)
    site, sensor, sxy, bearing = site[hit], sensor[hit], sxy[hit], bearing[hit]
    n = site.size
    error = bearing_errors(c, n, rng)
    measured = (bearing + error) % 360.0
    n_fa = rng.poisson(c.false_alarms_per_day * s.period.days, n_cam)
    fa_sensor = np.repeat(np.arange(n_cam), n_fa)
    m = fa_sensor.size
    fa_time = s.period.start.timestamp() + rng.uniform(0.0, s.period.days * 86400.0, m)
    fa_bearing = (layout.camera_axis_deg[fa_sensor]
                  + rng.uniform(-c.fov_deg / 2, c.fov_deg / 2, m)) % 360.0  # fmt: skip
    rows = noise_columns(n + m, bearing_sigma_rad=np.radians(c.bearing_sigma_deg),
                         obs_sigma_km=0.01)  # fmt: skip
    ep = site // 2
    det = Detections(
        "camera",
        np.concatenate([site, np.full(m, -1)]).astype(np.int64),
        np.concatenate([sensor, fa_sensor]).astype(np.int64),
        np.concatenate([sxy, layout.camera_xy[fa_sensor]]),
        np.concatenate([sites.start[site], fa_time]),
        **rows,
        extra={
            "end": np.concatenate([sites.end[site], fa_time + 1.0]),
            "bearing_deg": np.concatenate([measured, fa_bearing]),
            "count": np.concatenate([e.rounds[ep], np.ones(m, dtype=np.int64)]),
            "impact": np.concatenate([site % 2 == 0, np.ones(m, dtype=bool)]),
        },
    )  # fmt: skip
    return apply_camera_faults(s, world, det, layout.camera_xy, layout.camera_outages,
                               layout.camera_thermal, rng)  # fmt: skip


# --------------------------------------------------------------------------- complaints


def detect_complaints(s: Scenario, world: World, e: Episodes, sites: Sites, layout: Layout,
                      rng: np.random.Generator) -> Detections:  # fmt: skip
    """Complaints by the party that was hit (or, blaming its own fire on the other, by the
    party that fired), false accusations, then the parties' bias of
    :mod:`trucewatch.sim.complaint_bias` (off by default)."""
    c = s.complaints
    if not c.enabled:
        return Detections.empty("complaint")
    filed = rng.random(len(e)) < c.report_probability
    ep = np.flatnonzero(filed)
    n = ep.size
    noise = rng.normal(0.0, c.location_sigma_km, (n, 2))
    w = c.time_window_h * 3600.0
    before, after = rng.uniform(0.0, w, n), rng.uniform(0.0, w, n)
    blamed = own_fire_blamed(c, n, rng)
    site = 2 * ep + blamed
    count = np.maximum(1, np.rint(e.rounds[ep] * np.exp(rng.normal(0.2, 0.4, n))))
    fa_t, fa_party, fa_xy = _false_accusations(s, world, rng)
    m = fa_t.size
    fa_w = rng.uniform(0.2, 1.0, m) * w
    rows = noise_columns(n + m, point_sigma_km=c.location_sigma_km)
    t1 = np.concatenate([sites.end[site] + after, fa_t + fa_w])
    det = Detections(
        "complaint",
        np.concatenate([site, np.full(m, -1)]).astype(np.int64),
        np.full(n + m, -1, dtype=np.int64),
        np.full((n + m, 2), np.nan),
        np.concatenate([sites.start[site] - before, fa_t - fa_w]),
        **rows,
        extra={
            "xy": np.concatenate([sites.xy[site] + noise, fa_xy]),
            "end": t1,
            "complainant": np.concatenate([np.where(blamed, e.party[ep], e.target[ep]),
                                           fa_party]).astype(object),
            "count": np.concatenate([count.astype(np.int64), rng.integers(1, 30, m)]),
            "weapon": np.concatenate([e.weapon[ep], rng.integers(1, 4, m)]).astype(np.int64),
            "filed": t1 + rng.uniform(2.0, 24.0, n + m) * 3600,
            "status": np.array([STATUSES[int(b)] for b in blamed] + [STATUSES[2]] * m,
                               dtype=object),
            "near_episode": np.full(n + m, -1, dtype=np.int64),
        },
    )  # fmt: skip
    return apply_complaint_bias(s, world, e, det, rng)


def _false_accusations(s: Scenario, world: World, rng: np.random.Generator
                       ) -> tuple[NDArray[np.float64], NDArray[np.object_], NDArray]:  # fmt: skip
    """Times (epoch s), complainants and positions (local km) of the false accusations:
    per party, more during the truce, on the complainant's side 1-15 km from the line."""
    c = s.complaints
    start = s.period.start.timestamp()
    span_s = s.period.days * 86400.0
    fa_t_list, fa_party = [], []
    for party in (world.controlled_by, world.other_party):
        k = rng.poisson(c.false_per_day * s.period.days * max(1.0, c.truce_false_factor))
        t = start + rng.uniform(0.0, span_s, k)
        truce = (t >= s.truce.start.timestamp()) & (t < s.truce.end.timestamp())
        keep_p = np.where(truce, c.truce_false_factor, 1.0) / max(1.0, c.truce_false_factor)
        t = t[rng.random(k) < keep_p]
        fa_t_list.append(t)
        fa_party.extend([party] * t.size)
    fa_t = np.concatenate(fa_t_list)
    m = fa_t.size
    fa_party_arr = np.array(fa_party, dtype=object)
    lo, hi = world.span
    point, _, normal = world.frame(rng.uniform(lo, hi, m))
    sign = world.sign_of(fa_party_arr)
    return fa_t, fa_party_arr, point + (sign * rng.uniform(1.0, 15.0, m))[:, None] * normal


# --------------------------------------------------------------------------- all


def detect_all(s: Scenario, world: World, e: Episodes, layout: Layout,
               seed: int) -> dict[str, Detections]:  # fmt: skip
    """Every sensor's detections; each model draws from its own random stream
    (``[seed, k]``), so changing one sensor leaves the others' draws unchanged."""
    sites = Sites.of(s, e)
    models = (detect_patrols, detect_acoustic, detect_cameras, detect_satellite,
              detect_complaints)  # fmt: skip
    return {
        name: model(s, world, e, sites, layout, np.random.default_rng([seed, 10 + k]))
        for k, (name, model) in enumerate(zip(SOURCES, models, strict=True))
    }
