"""Incidents per day without the far satellite detections (the daily report's trend), on
SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from tests.report.test_report_daily import DAY, make_incident

from trucewatch.store import Store
from trucewatch.types import EventKind, SourceKind


def test_far_thermal_incidents_are_left_out_of_the_counts(db_url: str) -> None:
    fire = replace(make_incident(0, kind=EventKind.THERMAL_ANOMALY,
                                 sources=(SourceKind.SATELLITE_THERMAL,)), observation_uids=())
    incidents = [
        replace(fire, uid="near", line_distance_km=-12.0),
        replace(fire, uid="far", line_distance_km=45.0),
        replace(fire, uid="far-west", line_distance_km=-45.0),
        replace(fire, uid="no-line", line_distance_km=None),
        replace(make_incident(1), uid="patrol-far", line_distance_km=80.0, observation_uids=()),
    ]
    store = Store.open(db_url)
    try:
        store.replace_incidents(incidents)
        end = date.fromordinal(DAY.toordinal() + 1)
        assert store.incident_counts_per_day(DAY, end) == {DAY: 5}
        assert store.incident_counts_per_day(DAY, end, far_thermal_km=30.0) == {DAY: 3}
    finally:
        store.close()
