"""Field errors of the cameras, each off at its default (docs/simulator.md, "[cameras]").

1. **Heavy-tailed bearings**: a share ``outlier_share`` of the bearing errors is
   ``outlier_scale`` times wider (a Gaussian scale mixture); records still state the
   nominal ``bearing_sigma_deg``.
2. **Outages**: spells when a camera is down (:mod:`trucewatch.sim.outages`), drawn with
   the layout; a down camera reports nothing, not even false alarms.
3. **Night and fog**: cameras without thermal imaging (all but a share ``thermal_share``)
   see a site at night with probability ``night_blind``; on a foggy day (one draw per
   sector and local day, with the probability of its season in ``fog_days_share``) a
   camera in that sector sees with at most ``fog_detect_probability``. Both thin the
   sightings drawn with the clear-sky probabilities, so the rest is unchanged.
4. **Wrong labels**: launch and impact swapped with ``signature_error`` (the signature and
   the kind word follow); the kind word replaced by another camera word with
   ``kind_error``.

Each model draws from its own child stream of the camera stream
(:func:`trucewatch.sim.streams.substream`, tags below). Times UTC epoch seconds;
positions local km; bearings degrees clockwise from north.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

import numpy as np
from numpy.typing import NDArray

from trucewatch.sim.detections import Detections
from trucewatch.sim.errors import heavy_tailed
from trucewatch.sim.outages import Outages, draw_outages
from trucewatch.sim.scenario import Scenario
from trucewatch.sim.sensor_specs import SEASONS, CameraSpec
from trucewatch.sim.streams import substream
from trucewatch.sim.violations import local_hours
from trucewatch.sim.world import World

__all__ = [
    "CAMERA_KINDS",
    "DAY_HOURS",
    "apply_camera_faults",
    "bearing_errors",
    "camera_outages",
    "fog_days",
    "thermal_cameras",
]

OUTAGE_STREAM, THERMAL_STREAM, FOG_STREAM, SIGHT_STREAM = 1, 2, 3, 4
OUTLIER_STREAM, SIGNATURE_STREAM, KIND_STREAM = 5, 6, 7
"""Child stream tags of the camera field models (the layout's stream for outages and
thermal imaging, the camera stream for the others)."""

CAMERA_KINDS = ("explosion", "flash", "flare", "small_arms", "burst")
"""Kind words a camera uses; a wrong label is another of them."""
DAY_HOURS = (6.0, 20.0)
"""Local hours counted as daylight for cameras."""


# --------------------------------------------------------------------------- bearings


def bearing_errors(c: CameraSpec, n: int, rng: np.random.Generator) -> NDArray[np.float64]:
    """The cameras' bearing errors (degrees): N(0, ``bearing_sigma_deg``) drawn from ``rng``,
    a share ``outlier_share`` of them replaced by wider draws
    (:func:`trucewatch.sim.errors.heavy_tailed`, from the model's own stream)."""
    nominal = rng.normal(0.0, c.bearing_sigma_deg, n)
    errors, _ = heavy_tailed(substream(rng, OUTLIER_STREAM), nominal, c.bearing_sigma_deg,
                             c.outlier_share, c.outlier_scale)  # fmt: skip
    return errors


# --------------------------------------------------------------------------- layout


def camera_outages(s: Scenario, n_cameras: int, rng: np.random.Generator) -> Outages:
    """Down spells of the cameras over the period (none, drawing nothing, when off)."""
    c = s.cameras
    if c.outage_share <= 0:
        return Outages.none()
    return draw_outages(n_cameras, s.period.start.timestamp(), s.period.end.timestamp(),
                        c.outage_share, c.outage_mean_h, c.outage_reported_share,
                        substream(rng, OUTAGE_STREAM))  # fmt: skip


def thermal_cameras(c: CameraSpec, n_cameras: int, rng: np.random.Generator
                    ) -> NDArray[np.bool_]:  # fmt: skip
    """Which cameras have thermal imaging (all, drawing nothing, when off)."""
    if c.thermal_share >= 1:
        return np.ones(n_cameras, dtype=bool)
    return substream(rng, THERMAL_STREAM).random(n_cameras) < c.thermal_share


# --------------------------------------------------------------------------- fog


def _local_midnights(s: Scenario) -> NDArray[np.float64]:
    """Epoch seconds of the local midnights from the first day of the period to the day
    after its end (``days + 1`` boundaries)."""
    first = s.period.start.astimezone(s.zone).date()
    n_days = int(np.ceil(s.period.days)) + 2
    return np.array([datetime.combine(first + timedelta(days=d), time(0), tzinfo=s.zone)
                     .timestamp() for d in range(n_days + 1)])  # fmt: skip


def _season_index(month: int) -> int:
    """Index in :data:`SEASONS` of a month (1-12): winter is December-February."""
    return (month % 12) // 3


def fog_days(s: Scenario, n_sectors: int, rng: np.random.Generator
             ) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:  # fmt: skip
    """(local midnights (days + 1,), foggy (days, sectors)): one draw per sector and local
    day, foggy with the share of the day's season."""
    midnights = _local_midnights(s)
    first = s.period.start.astimezone(s.zone).date()
    shares = np.array([s.cameras.fog_days_share.get(
        SEASONS[_season_index((first + timedelta(days=d)).month)], 0.0)
        for d in range(midnights.size - 1)])  # fmt: skip
    foggy = rng.random((shares.size, n_sectors)) < shares[:, None]
    return midnights, foggy


def _foggy_rows(s: Scenario, world: World, det: Detections, camera_xy: NDArray[np.float64],
                rng: np.random.Generator) -> NDArray[np.bool_]:  # fmt: skip
    """Whether each row's camera sees through fog (the camera's sector, the row's day)."""
    if not any(v > 0 for v in s.cameras.fog_days_share.values()) or camera_xy.shape[0] == 0:
        return np.zeros(len(det), dtype=bool)
    midnights, foggy = fog_days(s, max(1, len(world.sectors)), rng)
    sector = np.maximum(np.asarray(world.locate(camera_xy)[0], dtype=np.int64), 0)
    day = np.clip(np.searchsorted(midnights, det.time, side="right") - 1, 0, foggy.shape[0] - 1)
    return foggy[day, sector[det.sensor]]


# --------------------------------------------------------------------------- sightings


def _sight_ratio(s: Scenario, world: World, det: Detections, camera_xy: NDArray[np.float64],
                 thermal: NDArray[np.bool_], rng: np.random.Generator
                 ) -> NDArray[np.float64]:  # fmt: skip
    """Per row, P(seen with night and fog) / P(seen under clear skies), 1 for false
    alarms: the share of the clear-sky sightings kept."""
    c = s.cameras
    hours = local_hours(s, det.time)
    day = (hours >= DAY_HOURS[0]) & (hours < DAY_HOURS[1])
    clear = np.where(day, c.detect_probability_day, c.detect_probability_night)
    p = np.where(~day & ~thermal[det.sensor], c.night_blind, clear)
    fog = _foggy_rows(s, world, det, camera_xy, substream(rng, FOG_STREAM))
    p = np.where(fog, np.minimum(p, c.fog_detect_probability), p)
    ratio = np.where(clear > 0, p / np.where(clear > 0, clear, 1.0), 0.0)
    return np.where(det.site >= 0, ratio, 1.0)


def _relabel(c: CameraSpec, det: Detections, rng: np.random.Generator) -> None:
    """Swap launch and impact (``extra["impact"]`` is then what the camera classified)
    and set wrong kind words (``extra["kind_label"]``, None where right), in place."""
    real = det.site >= 0
    if c.signature_error > 0:
        swap = real & (substream(rng, SIGNATURE_STREAM).random(len(det)) < c.signature_error)
        det.extra["impact"] = det.extra["impact"] ^ swap
    if c.kind_error > 0:
        r = substream(rng, KIND_STREAM)
        wrong = real & (r.random(len(det)) < c.kind_error)
        pick = r.integers(0, len(CAMERA_KINDS) - 1, len(det))
        right = np.where(det.extra["impact"], 0, 1)  # explosion, flash
        word = np.array(CAMERA_KINDS, dtype=object)[pick + (pick >= right)]
        labels = np.full(len(det), None, dtype=object)
        labels[wrong] = word[wrong]
        det.extra["kind_label"] = labels


def _models_on(c: CameraSpec) -> bool:
    return (c.outage_share > 0 or c.thermal_share < 1 or c.signature_error > 0
            or c.kind_error > 0 or any(v > 0 for v in c.fog_days_share.values()))  # fmt: skip


def apply_camera_faults(s: Scenario, world: World, det: Detections,
                        camera_xy: NDArray[np.float64], outages: Outages,
                        thermal: NDArray[np.bool_], rng: np.random.Generator
                        ) -> Detections:  # fmt: skip
    """The sightings left by outages, night and fog, with wrong labels (``rng``: the camera
    stream, only its children are drawn from). Every model draws for all rows before any
    is dropped, so turning one on leaves the others' draws unchanged."""
    c = s.cameras
    if not _models_on(c) or len(det) == 0:
        return det
    _relabel(c, det, rng)
    keep = ~outages.down(det.sensor, det.time)
    if c.thermal_share < 1 or any(v > 0 for v in c.fog_days_share.values()):
        ratio = _sight_ratio(s, world, det, camera_xy, thermal, rng)
        keep &= substream(rng, SIGHT_STREAM).random(len(det)) < ratio
    return det if keep.all() else det.take(np.flatnonzero(keep))
