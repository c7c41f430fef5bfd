"""Files of the field error models, written beside the observations and the truth.

Each is written only when its model is on (so a scenario without field errors writes
exactly the files it always did):

* ``acoustic_arrays.jsonl`` (truth, for evaluation): one line per acoustic array - its id
  and WGS84 position, side, the true bearing bias (degrees), clock offset (s) and drift
  (s per day), the share of the period it was down and every outage (``reported`` or
  silent); written when any acoustic field model or the weather is on;
* ``acoustic_outages.jsonl`` (an input the engine may read): the *reported* outages, one
  line each (``"format": "acoustic_outage"``, the array's id and position, ``start_utc``,
  ``end_utc``); during them the array reports nothing, and an engine may read its silence
  as no evidence; written when ``acoustic.outage_share`` > 0, even when empty;
* ``weather.jsonl`` (truth): one line per day - date, start (UTC), daily mean temperature
  (°C), still-air speed of sound (m/s), wind speed (m/s) and the direction it blows from
  (degrees clockwise from true north); written when ``[weather]`` is on.

Outages are drawn to one day past the period's end (sounds arrive after it). Times are
UTC ISO 8601 to the second.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from trucewatch.sim.acoustic_field import AcousticField, field_models_on
from trucewatch.sim.detections import Detections
from trucewatch.sim.layout import Layout
from trucewatch.sim.record_text import jsonl_text, utc_text
from trucewatch.sim.records import sensor_id
from trucewatch.sim.weather import DAY_S, Weather
from trucewatch.sim.world import to_lonlat_arrays

__all__ = ["ACOUSTIC_ARRAYS_FILE", "FIELD_FILES", "OUTAGES_FILE", "WEATHER_FILE", "field_files"]

ACOUSTIC_ARRAYS_FILE = "acoustic_arrays.jsonl"
OUTAGES_FILE = "acoustic_outages.jsonl"
WEATHER_FILE = "weather.jsonl"
FIELD_FILES = (ACOUSTIC_ARRAYS_FILE, OUTAGES_FILE, WEATHER_FILE)
"""Every file of the field models (a stale one from an earlier run is removed)."""


def field_files(acoustic: Detections, layout: Layout) -> dict[str, str]:
    """{file name: text} of the field models that are on in this run (see the module)."""
    f = acoustic.conditions
    if not isinstance(f, AcousticField):
        return {}
    out = {}
    if field_models_on(f.spec) or f.weather is not None:
        out[ACOUSTIC_ARRAYS_FILE] = jsonl_text(array_records(f, layout))
    if f.spec.outage_share > 0:
        out[OUTAGES_FILE] = jsonl_text(reported_outages(f, layout))
    if f.weather is not None:
        out[WEATHER_FILE] = jsonl_text(weather_records(f.weather))
    return out


def array_records(f: AcousticField, layout: Layout) -> list[dict[str, Any]]:
    """One truth record per acoustic array (``acoustic_arrays.jsonl``)."""
    lon, lat = to_lonlat_arrays(layout.acoustic_xy)
    n = lon.size
    down = f.outages.down_seconds(n, f.start, f.end) / (f.end - f.start)
    b = f.biases
    out = []
    for k in range(n):
        spells = np.flatnonzero(f.outages.sensor == k)
        out.append({
            "sensor_id": sensor_id("acoustic", k),
            "sensor_lon": round(float(lon[k]), 5),
            "sensor_lat": round(float(lat[k]), 5),
            "side": str(layout.acoustic_side[k]),
            "bearing_bias_deg": round(float(b.bearing_bias_deg[k]), 4),
            "clock_offset_s": round(float(b.clock_offset_s[k]), 6),
            "clock_drift_s_per_day": round(float(b.clock_drift_s_per_day[k]), 6),
            "down_share": round(float(down[k]), 6),
            "outages": [{"start_utc": utc_text(float(f.outages.start[j])),
                         "end_utc": utc_text(float(f.outages.end[j])),
                         "reported": bool(f.outages.reported[j])} for j in spells],
        })  # fmt: skip
    return out


def reported_outages(f: AcousticField, layout: Layout) -> list[dict[str, Any]]:
    """The reported outages (``acoustic_outages.jsonl``), in time order."""
    lon, lat = to_lonlat_arrays(layout.acoustic_xy)
    o = f.outages
    rows = np.flatnonzero(o.reported)
    rows = rows[np.lexsort((o.sensor[rows], o.start[rows]))]
    return [
        {"format": "acoustic_outage", "outage_id": f"SIM-ACO-{number:07d}",
         "sensor_id": sensor_id("acoustic", int(o.sensor[j])),
         "sensor_lon": round(float(lon[o.sensor[j]]), 5),
         "sensor_lat": round(float(lat[o.sensor[j]]), 5),
         "start_utc": utc_text(float(o.start[j])), "end_utc": utc_text(float(o.end[j])),
         "synthetic": True}
        for number, j in enumerate(rows)
    ]  # fmt: skip


def weather_records(weather: Weather) -> list[dict[str, Any]]:
    """One truth record per day (``weather.jsonl``)."""
    speed = weather.still_air_speed_m_s()
    return [
        {"day": k, "date": d.isoformat(), "start_utc": utc_text(weather.start + k * DAY_S),
         "temperature_c": round(float(weather.temperature_c[k]), 3),
         "speed_of_sound_m_s": round(float(speed[k]), 3),
         "wind_speed_m_s": round(float(weather.wind_speed_m_s[k]), 3),
         "wind_from_deg": round(float(weather.wind_from_deg[k]), 2)}
        for k, d in enumerate(weather.dates)
    ]  # fmt: skip
