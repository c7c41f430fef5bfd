"""The Python API for notebooks: a mission's store as GeoDataFrames.

>>> import trucewatch
>>> desk = trucewatch.open("demo-out/trucewatch.db")      # a file, or a store URL
>>> day = desk.incidents(since="2025-08-13", until="2025-08-14", verdict="violation")
>>> day.plot(column="confidence")                           # a GeoDataFrame (WGS84)
>>> desk.lines()                                            # the contact lines
>>> desk.close()

``incidents`` has the flat, ACLED-style columns of every export
(:mod:`trucewatch.export.flat`: event date, position and precision, event type and kind,
responsible party and probability, confidence, status, verdict and clause, sector, nearest
settlement and oblast, sources, uid) and a point geometry in EPSG:4326; times are UTC
timestamps. The store is opened read-only in spirit: nothing here writes, and a store
that does not exist is an error (:class:`trucewatch.errors.StoreError`), never created.
Reads go through the use cases of :mod:`trucewatch.app` as an analyst.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from trucewatch.app import incidents as app_incidents
from trucewatch.app.roles import OPERATOR
from trucewatch.app.session import Store, open_store
from trucewatch.app.views import layers
from trucewatch.export.frame import CRS, incidents_frame

__all__ = ["Desk", "open"]

When = str | date | datetime | None


def open(url: str | Path) -> Desk:
    """Open an existing store: a SQLite file path, or a URL (``sqlite:///...``,
    ``postgresql+psycopg://user@host/db``)."""
    text = str(url)
    if "://" not in text:
        text = f"sqlite:///{Path(text).expanduser().resolve()}"
    return Desk(open_store(text, create=False))


class Desk:
    """An analyst's view of one store (see the module docstring); a context manager."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def __enter__(self) -> Desk:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the store."""
        self._store.close()

    def incidents(self, since: When = None, until: When = None, *,
                  status: str | Sequence[str] | None = None,
                  kind: str | Sequence[str] | None = None,
                  verdict: str | Sequence[str] | None = None,
                  bbox: tuple[float, float, float, float] | None = None) -> Any:  # fmt: skip
        """Incidents starting in [since, until) (UTC; a date is its midnight) as a
        GeoDataFrame, oldest first; optionally only those with the given ``status``,
        ``kind`` (``sub_event_type``) or ``verdict``, or inside ``bbox`` (min lon, min lat,
        max lon, max lat; degrees)."""
        records = app_incidents.incident_records(self._store, _time(since), _time(until),
                                                 principal=OPERATOR)  # fmt: skip
        frame = incidents_frame(records)
        for column, wanted in (("status", status), ("sub_event_type", kind),
                               ("verdict", verdict)):  # fmt: skip
            if wanted is not None:
                values = [wanted] if isinstance(wanted, str) else list(wanted)
                frame = frame[frame[column].isin(values)]
        if bbox is not None:
            frame = frame.cx[bbox[0]:bbox[2], bbox[1]:bbox[3]]
        return frame.reset_index(drop=True)

    def lines(self, day: date | None = None) -> Any:
        """The contact lines (or the one valid on ``day``) as a GeoDataFrame: line id,
        name, valid-from date, length (km), parties and the line geometry (WGS84)."""
        import geopandas as gpd

        collection = layers.line_layer(self._store, "lines", day, 0.0, principal=OPERATOR)
        columns = ["line_id", "name", "valid_from", "length_km", "controlled_by",
                   "other_party", "source", "geometry"]  # fmt: skip
        if not collection["features"]:
            return gpd.GeoDataFrame(columns=columns, geometry="geometry", crs=CRS)
        return gpd.GeoDataFrame.from_features(collection["features"], crs=CRS)[columns]


def _time(value: When) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    return datetime.fromisoformat(value.replace("Z", "+00:00"))
