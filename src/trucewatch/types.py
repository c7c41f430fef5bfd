"""Core data types of trucewatch.

Conventions used throughout the package:

* Coordinates are WGS84 longitude/latitude in decimal degrees (EPSG:4326, lon first).
* Distances are kilometres (km); bearings are degrees clockwise from true north in [0, 360).
* Times are timezone-aware ``datetime`` objects in UTC.
* Covariances are 2x2 matrices in km² in a local east/north tangent plane at the point.

The types are frozen dataclasses: an :class:`Observation` is immutable once received; an
:class:`Incident` is recomputed by fusion rather than edited in place.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # numpy is imported by the functions that compute with it (start-up)
    import numpy as np

# --------------------------------------------------------------------------- enums


class SourceKind(StrEnum):
    """Kind of source that produced an observation."""

    PATROL = "patrol"
    CAMERA = "camera"
    ACOUSTIC = "acoustic"
    SATELLITE_THERMAL = "satellite_thermal"
    PARTY_COMPLAINT = "party_complaint"
    OPEN_SOURCE = "open_source"


class EventKind(StrEnum):
    """What was observed. The first ten are the patrol vocabulary (docs/formats.md)."""

    EXPLOSION = "explosion"
    ARTILLERY = "artillery"
    MORTAR = "mortar"
    SMALL_ARMS = "small_arms"
    BURST = "burst"
    SHOT = "shot"
    PROJECTILE = "projectile"
    FLARE = "flare"
    GRENADE = "grenade"
    UNDETERMINED = "undetermined"
    THERMAL_ANOMALY = "thermal_anomaly"


class Flow(StrEnum):
    """Direction of fire relative to the observer."""

    INCOMING = "incoming"
    OUTGOING = "outgoing"
    UNDETERMINED = "undetermined"


class IncidentStatus(StrEnum):
    """Review status of an incident, from least to most certain (plus refuted)."""

    UNVERIFIED = "unverified"
    POSSIBLE = "possible"
    PROBABLE = "probable"
    CONFIRMED = "confirmed"
    REFUTED = "refuted"


UNDETERMINED_PARTY = "undetermined"
"""Attribution value used when no party can be named."""

COMPASS_16: tuple[str, ...] = (
    "north", "north-north-east", "north-east", "east-north-east",
    "east", "east-south-east", "south-east", "south-south-east",
    "south", "south-south-west", "south-west", "west-south-west",
    "west", "west-north-west", "north-west", "north-north-west",
)  # fmt: skip
"""The 16 compass points in order; index * 22.5 is the bearing in degrees."""


def compass_to_bearing(word: str) -> float:
    """Bearing in degrees clockwise from true north for a 16-point compass word.

    Accepts "north-west", "north west", "northwest", "NW" and similar spellings.

    >>> compass_to_bearing("north-west")
    315.0
    >>> compass_to_bearing("SSE")
    157.5
    """
    key = word.strip().lower().replace(" ", "-").replace("_", "-")
    if key in COMPASS_16:
        return COMPASS_16.index(key) * 22.5
    abbrev = {"n": "north", "e": "east", "s": "south", "w": "west"}
    letters = key.replace("-", "")
    if letters and all(c in abbrev for c in letters) and len(letters) <= 3:
        key = "-".join(abbrev[c] for c in letters)
        if key in COMPASS_16:
            return COMPASS_16.index(key) * 22.5
    squashed = {w.replace("-", ""): i for i, w in enumerate(COMPASS_16)}
    if letters in squashed:
        return squashed[letters] * 22.5
    raise ValueError(f"not a 16-point compass direction: {word!r}")


# --------------------------------------------------------------------------- parties


@dataclass(frozen=True, kw_only=True)
class Party:
    """A side bound by an agreement.

    ``code`` is a short stable identifier used in attribution ("UA", "RU").
    """

    code: str
    name: str


DEFAULT_PARTIES: tuple[Party, Party] = (
    Party(code="UA", name="Ukraine"),
    Party(code="RU", name="Russian Federation"),
)
"""The parties of the 2025 truce proposals. Control-area files in shared data give the area
held by ``RU``; the rest of the country outline is held by ``UA``."""


# --------------------------------------------------------------------------- locations


ELLIPSE_CONFIDENCE = 0.95
"""Probability mass of the uncertainty ellipses the package reports (the 95% ellipse)."""


def ellipse_scale(confidence: float = ELLIPSE_CONFIDENCE) -> float:
    """Semi-axis of the ellipse holding ``confidence`` of a 2-D Gaussian, in standard
    deviations: the square root of the chi-squared quantile with 2 degrees of freedom
    (about 2.448 for 0.95)."""
    return math.sqrt(-2.0 * math.log(1.0 - confidence))


def ellipse_axes(
    cov_km2: np.ndarray | Sequence[Sequence[float]], confidence: float = ELLIPSE_CONFIDENCE
) -> tuple[np.ndarray, np.ndarray]:
    """Semi-axes and axis directions of the ellipses of one or many covariances.

    ``cov_km2`` is (..., 2, 2), east/north km². Returns the semi-axes (..., 2) in km, minor
    then major, and the unit axis vectors (..., 2, 2) as columns in the same order, each
    an (east, north) pair. The one computation behind :class:`Ellipse` and the map.
    """
    import numpy as np

    vals, vecs = np.linalg.eigh(np.asarray(cov_km2, dtype=float))
    return np.sqrt(np.clip(vals, 0.0, None)) * ellipse_scale(confidence), vecs


@dataclass(frozen=True, kw_only=True, slots=True)
class PointLocation:
    """A point estimate with a Gaussian uncertainty.

    ``lon``/``lat`` in WGS84 degrees; ``cov_km2`` is the 2x2 covariance (east, north) in km²
    in the local tangent plane at the point. ``confidence`` is the probability mass of the
    ellipse reported by :meth:`ellipse` (default 0.95).
    """

    lon: float
    lat: float
    cov_km2: tuple[tuple[float, float], tuple[float, float]]

    @classmethod
    def isotropic(cls, lon: float, lat: float, sigma_km: float) -> PointLocation:
        """Point with a circular uncertainty of standard deviation ``sigma_km`` per axis."""
        s2 = float(sigma_km) ** 2
        return cls(lon=lon, lat=lat, cov_km2=((s2, 0.0), (0.0, s2)))

    @classmethod
    def from_cov(cls, lon: float, lat: float, cov: np.ndarray) -> PointLocation:
        """Point with a 2x2 covariance given as an array (km², east/north)."""
        import numpy as np

        c = np.asarray(cov, dtype=float)
        return cls(
            lon=float(lon),
            lat=float(lat),
            cov_km2=((float(c[0, 0]), float(c[0, 1])), (float(c[1, 0]), float(c[1, 1]))),
        )

    @property
    def cov(self) -> np.ndarray:
        """Covariance as a numpy array (km²)."""
        import numpy as np

        return np.asarray(self.cov_km2, dtype=float)

    def ellipse(self, confidence: float = ELLIPSE_CONFIDENCE) -> Ellipse:
        """Uncertainty ellipse holding ``confidence`` of the probability mass."""
        return Ellipse.from_cov(self.cov, confidence)


@dataclass(frozen=True, kw_only=True)
class Ellipse:
    """Uncertainty ellipse: semi-axes in km, orientation of the major axis in degrees
    clockwise from true north in [0, 180), and the probability mass it holds."""

    semi_major_km: float
    semi_minor_km: float
    orientation_deg: float
    confidence: float

    @classmethod
    def from_cov(cls, cov: np.ndarray | Sequence[Sequence[float]],
                 confidence: float = ELLIPSE_CONFIDENCE) -> Ellipse:
        """Ellipse of a 2-D Gaussian with covariance ``cov`` (east, north; km²)."""
        semi, vecs = ellipse_axes(cov, confidence)
        major = vecs[:, 1]
        return cls(
            semi_major_km=float(semi[1]),
            semi_minor_km=float(semi[0]),
            orientation_deg=math.degrees(math.atan2(major[0], major[1])) % 180.0,
            confidence=confidence,
        )


@dataclass(frozen=True, kw_only=True)
class PlaceLocation:
    """A place name not yet resolved to coordinates, with an optional reference
    ("8 km north-west of Donetsk": ``ref_km=8``, ``ref_direction='north-west'``,
    ``ref_of='Donetsk'``)."""

    place: str
    ref_km: float | None = None
    ref_direction: str | None = None
    ref_of: str | None = None


@dataclass(frozen=True, kw_only=True)
class UnlocatedPosition:
    """An observer position that could not be read: the report gives none, or one that
    refers to text it does not hold (a narrative passage saying only "the SMM heard ..." or
    "in the same location"). ``reason`` says why. It has no coordinates and no name to look
    up: localization gives no point for it, so fusion leaves its observations out of every
    incident and lists them as unresolved, never at a made-up place."""

    reason: str


@dataclass(frozen=True, kw_only=True)
class BearingRangeLocation:
    """An observer position with the bearing(s) and distance range of what was observed.

    This is the form of a patrol report ("3-6 km north-west of its position"). It describes
    a wedge (or a union of wedges), not a point. ``bearings_deg`` are the reported
    directions (degrees from true north), each taken as the centre of a sector of
    ``bearing_halfwidth_deg`` either side; distances in km from the observer.
    ``observer`` carries the uncertainty of the observer position itself; it is a
    :class:`PlaceLocation` when the report names the place but gives no coordinates
    (geocoding resolves it during fusion), and an :class:`UnlocatedPosition` when the
    report's observer position could not be read (the bearings and distances are kept as
    reported; the observation is not located).
    """

    observer: PointLocation | PlaceLocation | UnlocatedPosition
    bearings_deg: tuple[float, ...]
    bearing_halfwidth_deg: float = 11.25
    distance_km_min: float | None = None
    distance_km_max: float | None = None


Location = PointLocation | BearingRangeLocation | PlaceLocation


# --------------------------------------------------------------------------- observations


@dataclass(frozen=True, kw_only=True, slots=True)
class Observation:
    """One report from one source. Immutable once received.

    ``uid`` is a SHA-256 hex digest of the source format, the raw payload and the event's
    index within it: the same report imported twice has the same uid (idempotent import).
    ``time_start``/``time_end`` are the UTC window in which the event happened (equal for
    an instant). ``payload`` is the raw record as received (a CSV line or a JSON line),
    ``payload_sha256`` its hash. ``reliability`` (A-F) and ``credibility`` (1-6) are the
    NATO Admiralty grading of source and information.
    """

    uid: str
    source_kind: SourceKind
    source_format: str
    source_id: str
    time_start: datetime
    time_end: datetime
    location: Location
    kind: EventKind
    count: int | None = None
    weapon: str | None = None
    flow: Flow | None = None
    reliability: str = "F"
    credibility: int = 6
    payload: str = ""
    payload_sha256: str = ""
    attributes: dict[str, Any] = field(default_factory=dict)


# --------------------------------------------------------------------------- line & sectors


@dataclass(frozen=True, kw_only=True)
class Sector:
    """A named stretch of the contact line.

    ``start_km``/``end_km`` are distances along the line (km, summed over its parts in
    order); ``geometry_wkt`` is the stretch in WGS84.
    """

    line_id: int
    index: int
    name: str
    start_km: float
    end_km: float
    geometry_wkt: str


@dataclass(frozen=True, kw_only=True)
class ContactLine:
    """A line of contact valid from ``valid_from`` (UTC date) until the next line's date.

    ``geometry_wkt`` is a (Multi)LineString in WGS84. ``control_wkt`` is the area held by
    ``controlled_by`` (a party code) when the line was derived from control polygons, and
    ``country_wkt`` the country outline used (the rest of it is held by ``other_party``);
    both are ``None`` for a line given directly.
    """

    id: int | None
    name: str
    valid_from: date
    length_km: float
    geometry_wkt: str
    controlled_by: str = "RU"
    other_party: str = "UA"
    control_wkt: str | None = None
    country_wkt: str | None = None
    source: str = ""


# --------------------------------------------------------------------------- incidents


@dataclass(frozen=True, kw_only=True)
class Attribution:
    """Probability that the fire came from each party's controlled area.

    ``probabilities`` maps party code -> probability (sums to <= 1; the remainder is
    undetermined). ``party`` is the most likely party if its probability is at least
    ``threshold`` of the method, else :data:`UNDETERMINED_PARTY`.
    """

    party: str = UNDETERMINED_PARTY
    probabilities: dict[str, float] = field(default_factory=dict)
    method: str = ""


@dataclass(frozen=True, kw_only=True)
class Incident:
    """What the system believes happened: observations fused into one event or episode.

    ``location`` is the estimated point of impact/fire with its uncertainty.
    ``confidence`` is the probability (0-1) that the incident is real.
    ``count`` is the estimated number of rounds/detections in the episode.
    Context from the contact line valid at ``time_start``: ``sector`` (name),
    ``held_by`` (code of the party holding the location, ``None`` outside the mapped
    area) and ``line_distance_km`` (signed distance to the line in km, positive inside
    the area held by the line's ``controlled_by`` party, negative on the other side).
    """

    uid: str
    time_start: datetime
    time_end: datetime
    location: PointLocation
    kind: EventKind
    count: int | None
    confidence: float
    status: IncidentStatus
    attribution: Attribution
    observation_uids: tuple[str, ...]
    source_kinds: tuple[SourceKind, ...]
    sector: str | None = None
    held_by: str | None = None
    line_distance_km: float | None = None
    assessment: dict[str, Any] = field(default_factory=dict)


# --------------------------------------------------------------------------- agreements


@dataclass(frozen=True, kw_only=True)
class Zone:
    """A zone defined from the contact line: ``half_width_km`` either side of it.

    ``kind`` is ``"security"`` (a band where the agreement restricts activity, e.g. no
    fire) or ``"withdrawal"`` (a band from which weapons of ``weapon_class`` must be
    withdrawn, as in the 2015 Minsk package; see :mod:`trucewatch.agreements`).
    ``description`` is free text shown in reports.
    """

    name: str
    half_width_km: float
    kind: str = "security"
    weapon_class: str | None = None
    description: str = ""


@dataclass(frozen=True, kw_only=True)
class Agreement:
    """Truce terms as data: the summary used by the store and the reports.

    ``start``/``end`` are aware datetimes (any zone; compared as instants); agreements
    loaded from a file carry the zone they were written in (``timezone``, an IANA name or
    a fixed offset such as ``"+03:00"``). ``scope`` is ``"general"`` (all fire),
    ``"protected_sites"`` (only strikes on listed sites), ``"sea"`` (only at sea) or
    ``"air"`` (only air and drone strikes). ``id`` is the store's id; ``slug`` and
    ``version`` identify the text across versions (``"easter-truce-2025"``, 1).
    The full terms (clauses, sites, exceptions) are in
    :class:`trucewatch.agreements.model.LoadedAgreement`.
    """

    name: str
    parties: tuple[Party, ...]
    start: datetime
    end: datetime
    scope: str = "general"
    zones: tuple[Zone, ...] = ()
    id: int | None = None
    slug: str = ""
    version: int = 1
    timezone: str = "UTC"
    status: str = ""
    source: str = ""

    def in_force(self, t: datetime) -> bool:
        """True when instant ``t`` lies in [start, end)."""
        return self.start <= t < self.end
