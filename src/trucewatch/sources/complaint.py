"""Party complaints as JSON Lines (format ``complaint``).

One complaint per line, recognised by ``"format": "complaint"`` on the first record::

    {"format": "complaint", "complaint_id": "UA-0000042", "complainant": "UA",
     "accused": "RU", "filed_utc": "2025-03-14T08:00:00Z",
     "time_start_utc": "2025-03-13T20:10:00Z", "time_end_utc": "2025-03-13T22:40:00Z",
     "lon": 37.71, "lat": 48.05, "location_sigma_km": 2.0,
     "kind": "artillery", "weapon": "artillery", "count": 12,
     "statement": "...", "reliability": "C", "credibility": 4, "synthetic": true}

Required: ``format``, ``complainant`` (party code), ``time_start_utc``, and either
``lon``/``lat`` or ``place`` (a settlement name, geocoded during fusion). Optional:
``accused`` (party code), ``time_end_utc`` (default the start), ``location_sigma_km``
(default 2), ``kind`` (default explosion), ``weapon``, ``count``, ``reliability``
(default C: a party to the conflict is fairly reliable about fire on its own side, but
not neutral), ``credibility`` (default 4: doubtful until confirmed); other keys
(``complaint_id``, ``filed_utc``, ``statement`` ...) are kept in ``attributes``.

One observation per line: source kind ``party_complaint``, ``source_id``
``complaint:<complainant>`` (a party repeating itself is one source), a point with an
isotropic uncertainty (or the place name); ``complainant`` and ``accused`` are kept in
``attributes``. The flow is left unset: the complaint is an allegation about who fired,
not an observation of it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from trucewatch import limits
from trucewatch.errors import RecordError
from trucewatch.kinds import SOURCE_KINDS
from trucewatch.sources import jsonl
from trucewatch.types import Location, Observation, PlaceLocation, SourceKind

NAME = "complaint"
KIND = SOURCE_KINDS[SourceKind.PARTY_COMPLAINT]

DEFAULT_LOCATION_SIGMA_KM = 2.0

KNOWN = {"format", "complainant", "accused", "time_start_utc", "time_end_utc", "lon", "lat",
         "location_sigma_km", "place", "kind", "weapon", "count", "reliability",
         "credibility"}  # fmt: skip


def sniff(path: Path, head: str) -> bool:
    """The first record is a JSON object with ``"format": "complaint"``."""
    return jsonl.sniff_tagged(path, head, NAME)


def parse_record(record: dict[str, Any], payload: str) -> Observation:
    """The observation of one complaint (raises
    :class:`~trucewatch.sources.jsonl.FieldError`)."""
    complainant = jsonl.text(record, "complainant", required=True)
    accused = jsonl.text(record, "accused")
    assert complainant is not None
    start, end = jsonl.window(record)
    location: Location
    if record.get("lon") is None and record.get("lat") is None:
        place = jsonl.text(record, "place")
        if place is None:
            raise jsonl.FieldError("lon", "missing: give lon/lat or place")
        location = PlaceLocation(place=place)
    else:
        location = jsonl.position(record, "lon", "lat", "location_sigma_km",
                                  DEFAULT_LOCATION_SIGMA_KM)  # fmt: skip
    graded = jsonl.grading(record, KIND.grading)
    attributes: dict[str, Any] = {"complainant": complainant, "accused": accused}
    place_text = record.get("place")
    if place_text is not None:
        attributes["place"] = place_text
    attributes.update(jsonl.extra_attributes(record, KNOWN))
    sigma = jsonl.number(record, "location_sigma_km", DEFAULT_LOCATION_SIGMA_KM, minimum=0.0,
                          maximum=limits.MAX_SIGMA_KM)
    attributes["location_sigma_km"] = sigma
    return jsonl.tagged_observation(
        record, payload, NAME, KIND, source=complainant, window=(start, end),
        location=location, graded=graded, attributes=attributes, weapon_key="weapon",
    )  # fmt: skip


def read(path: Path) -> Iterator[Observation | RecordError]:
    """Observations of a complaint JSON Lines file; one :class:`RecordError` per bad line."""
    return jsonl.read_tagged(path, NAME, parse_record)
