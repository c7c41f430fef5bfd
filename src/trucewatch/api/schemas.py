"""Request and response models of the API (pydantic v2). Units: WGS84 degrees (GeoJSON
coordinates are ``[lon, lat]``), km, degrees clockwise from true north; times in UTC."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

# --------------------------------------------------------------------------- common


class Link(BaseModel):
    rel: str
    href: str
    type: str | None = None


class PointGeometry(BaseModel):
    type: Literal["Point"] = "Point"
    coordinates: list[float] = Field(min_length=2, max_length=2, description="[lon, lat]")


class AnyGeometry(BaseModel):
    """A GeoJSON geometry (LineString, MultiLineString, Polygon, MultiPolygon ...)."""

    model_config = ConfigDict(extra="allow")
    type: str
    coordinates: Any = None


class Feature(BaseModel):
    type: Literal["Feature"] = "Feature"
    id: str | int | None = None
    geometry: AnyGeometry | None
    properties: dict[str, Any]


class FeatureCollection(BaseModel):
    type: Literal["FeatureCollection"] = "FeatureCollection"
    features: list[Feature]


# --------------------------------------------------------------------------- incidents


class EllipseModel(BaseModel):
    semi_major_km: float | None
    semi_minor_km: float | None
    orientation_deg: float | None = Field(description="major axis, degrees from true north")
    confidence: float = Field(description="probability mass inside the ellipse")


class AttributionModel(BaseModel):
    party: str = Field(description="party code, or 'undetermined'")
    probabilities: dict[str, float | None]
    method: str


class IncidentProperties(BaseModel):
    uid: str
    time_start: datetime
    time_end: datetime
    kind: str
    count: int | None
    confidence: float | None = Field(description="probability (0-1) that it is real")
    status: str = Field(description="unverified|possible|probable|confirmed|refuted")
    attribution: AttributionModel
    sources: list[str] = Field(description="source kinds of its observations")
    observation_count: int
    sector: str | None
    held_by: str | None
    line_distance_km: float | None
    ellipse: EllipseModel
    verdict: str | None = Field(description="worst verdict against the agreements in force")
    assessment: dict[str, Any] = Field(
        description="Incident.assessment: {'agreement_verdict', 'agreements': [{agreement, "
        "clause, zone, verdict, party, reason, other_clauses, ...}]}"
    )


class IncidentFeature(BaseModel):
    type: Literal["Feature"] = "Feature"
    id: str
    geometry: PointGeometry
    properties: IncidentProperties


class IncidentCollection(BaseModel):
    """A page of incidents as GeoJSON; follow ``next_cursor`` (or the ``next`` link)."""

    type: Literal["FeatureCollection"] = "FeatureCollection"
    features: list[IncidentFeature]
    numberReturned: int
    numberMatched: int | None = None
    next_cursor: str | None = None
    published_before: datetime | None = Field(
        default=None, description="for a liaison: only findings before this instant are shown"
    )
    links: list[Link] = Field(default_factory=list)


class MarkerProperties(BaseModel):
    uid: str
    time_start: datetime
    kind: str
    status: str = Field(description="unverified|possible|probable|confirmed|refuted")
    confidence: float | None = Field(description="probability (0-1) that it is real")
    sector: str | None


class MarkerFeature(BaseModel):
    type: Literal["Feature"] = "Feature"
    id: str
    geometry: PointGeometry
    properties: MarkerProperties


class MarkerCollection(BaseModel):
    """A page of incidents as map markers (the few properties a marker needs)."""

    type: Literal["FeatureCollection"] = "FeatureCollection"
    features: list[MarkerFeature]
    numberReturned: int
    numberMatched: int | None = None
    next_cursor: str | None = None
    published_before: datetime | None = None


class MediaExif(BaseModel):
    """What the file's EXIF says (images only; null when absent or unreadable)."""

    time: datetime | None = Field(default=None, description="when taken (UTC), only when "
                                  "the file says its time zone or has a GPS time stamp")
    lat: float | None = Field(default=None, description="GPS latitude (degrees WGS84)")
    lon: float | None = Field(default=None, description="GPS longitude (degrees WGS84)")


class MediaC2pa(BaseModel):
    """The file's C2PA content credentials."""

    status: str = Field(description="pending (not analysed yet), none (no manifest), valid, "
                        "invalid, unchecked (no C2PA reader installed)")
    reason: str | None = Field(default=None, description="why invalid; for a valid manifest, "
                               "a note (e.g. a signer on no trust list)")
    signer: str | None = Field(default=None, description="a valid manifest's signer: common "
                               "name (organization)")


class MediaModel(BaseModel):
    """Evidence media attached to an observation, named by the SHA-256 of its bytes."""

    sha256: str = Field(description="SHA-256 hex of the bytes: the file's name and its ledger ref")
    observation: str = Field(description="uid of the observation it is attached to")
    media_type: str = Field(description="type sniffed from the bytes (image/jpeg ...)")
    size_bytes: int = Field(description="size (bytes)")
    submitted_by: str = Field(description="who attached it (token holder or CLI operator)")
    received_at: datetime = Field(description="when received and logged (UTC)")
    analysed_at: datetime | None = Field(default=None, description="when EXIF and C2PA were "
                                         "read (UTC)")
    exif: MediaExif
    c2pa: MediaC2pa
    ledger_entries: list[int] | None = Field(default=None, description="indices of its "
                                             "`media` entries in the ledger")
    stored: bool | None = Field(default=None, description="false when these bytes were "
                                "already attached (nothing new stored)")


class ObservationModel(BaseModel):
    """An observation. Fields a role may not see are left out (null)."""

    uid: str = Field(description="SHA-256 hex of the format, the raw record and the event's index")
    source_kind: str = Field(description="patrol, acoustic, camera, satellite, complaint ...")
    source_format: str = Field(description="the input format it was read from")
    source_id: str | None = Field(default=None, description="the reporting team or sensor")
    time_start: datetime = Field(description="start of the event's window (UTC)")
    time_end: datetime = Field(description="end of the event's window (UTC); = start if instant")
    kind: str = Field(description="event kind (artillery, mortar, explosion ...)")
    count: int | None = Field(default=None, description="rounds or detections reported")
    weapon: str | None = Field(default=None, description="weapon as reported")
    flow: str | None = Field(default=None, description="incoming | outgoing | undetermined")
    reliability: str = Field(description="Admiralty grading of the source, A-F")
    credibility: int = Field(description="Admiralty grading of the information, 1-6")
    location: dict[str, Any] | None = Field(
        default=None,
        description="point, bearing/range or place (WGS84 lon/lat degrees, km, "
        "degrees clockwise from true north)",
    )
    payload: str | None = Field(default=None, description="the raw record as received")
    payload_sha256: str = Field(description="SHA-256 hex of the payload (logged in the ledger)")
    attributes: dict[str, Any] | None = Field(
        default=None, description="format-specific fields of the record"
    )
    batch_id: int | None = Field(default=None, description="the import batch it arrived in")
    submitted_by: str | None = Field(default=None, description="API submitter of the batch")
    incidents: list[str] | None = Field(default=None, description="uids of its incidents")
    ledger_entries: list[int] | None = Field(
        default=None, description="indices of its entries in the ledger"
    )
    media: list[MediaModel] | None = Field(
        default=None, description="evidence media attached to it (GET /api/media/{sha256})"
    )


class SourceSummary(BaseModel):
    source_kind: str
    source_id: str | None
    observations: int
    reliability: list[str]
    credibility: list[int]


class IncidentDetail(BaseModel):
    """An incident with its evidence chain, sources, assessment and (with the ledger) the
    inclusion proofs of its observations."""

    incident: IncidentFeature
    evidence: list[ObservationModel]
    sources: list[SourceSummary]
    assessment: dict[str, Any]
    proofs: list[dict[str, Any]] | None = Field(
        default=None, description="RFC 9162 inclusion proofs (trucewatch.ledger.verify form)"
    )
    tree_head: dict[str, Any] | None = None
    ledger: str = Field(description="available | unavailable | no_tree_head")


class DayCountModel(BaseModel):
    sector: str | None
    day: date
    status: str
    count: int


class TrendResponse(BaseModel):
    """Incidents per sector, UTC day and status (the dashboard's trend chart)."""

    counts: list[DayCountModel]
    days: list[date]
    sectors: list[str | None]


class Facets(BaseModel):
    sectors: list[str]
    statuses: list[str]
    parties: list[str]
    kinds: list[str]
    time_min: datetime | None
    time_max: datetime | None
    published_before: datetime | None = None


class ObservationPage(BaseModel):
    observations: list[ObservationModel]
    numberReturned: int
    next_cursor: str | None = None


# --------------------------------------------------------------------------- submissions


class RecordSignature(BaseModel):
    """Signature of one submitted record by a key registered with the mission (ledger):
    Ed25519 over ``"trucewatch-submission-v1\\0" || SHA-256(record bytes)``. For
    ``records`` the record bytes are its canonical JSON line (keys sorted, separators
    ``,`` and ``:``, UTF-8); for ``lines`` the line as sent."""

    record: int = Field(ge=0, description="0-based index of the record")
    signer: str = Field(pattern=r"^[0-9a-f]{64}$", description="key id (hex SHA-256)")
    signature: str = Field(pattern=r"^[0-9a-f]{128}$")


PATROL_RECORD_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "A patrol observation (docs/formats.md); validated like "
    "`trucewatch import` does for a patrol JSON Lines file.",
    "properties": {
        "date": {"type": "string", "example": "2025-08-13"},
        "observer_place": {"type": ["string", "null"]},
        "observer_reference": {"type": ["object", "null"]},
        "observer_lon": {"type": ["number", "null"]},
        "observer_lat": {"type": ["number", "null"]},
        "observer_sigma_km": {"type": ["number", "null"]},
        "time_start": {"type": ["string", "null"], "example": "08:40"},
        "time_end": {"type": ["string", "null"], "example": "12:30"},
        "timezone": {"type": ["string", "null"], "example": "Europe/Kyiv"},
        "source_id": {"type": ["string", "null"]},
        "reliability": {"type": ["string", "null"]},
        "credibility": {"type": ["integer", "null"]},
        "events": {"type": "array", "items": {"type": "object"}},
    },
    "additionalProperties": True,
}


class ObservationBatch(BaseModel):
    """A batch of observations: patrol records as JSON and/or raw text in a supported
    format (patrol JSON Lines, FIRMS CSV). All are stored, or none."""

    model_config = ConfigDict(extra="forbid")

    records: list[dict[str, Any]] = Field(
        default_factory=list,
        json_schema_extra={"items": PATROL_RECORD_SCHEMA},
        description="patrol observation records",
    )
    lines: str | None = Field(default=None, description="raw text in a supported format")
    format: str | None = Field(
        default=None, description="format of `lines` (patrol, firms); sniffed when omitted"
    )
    signatures: list[RecordSignature] = Field(default_factory=list)


class CosignedHeadModel(BaseModel):
    origin: str = Field(description="the log's name in its checkpoints")
    tree_size: int = Field(description="entries the head covers")
    root_hash: str = Field(description="RFC 9162 root hash of those entries, lowercase hex")
    cosigned_by: list[str] = Field(description="names of the witnesses that cosigned it")
    published_at: datetime = Field(description="when the mission published it (UTC)")
    checkpoint: str = Field(description="the C2SP checkpoint with every signature line")


class SubmissionResult(BaseModel):
    batch_id: int
    read: int = Field(description="records read")
    stored: int = Field(description="observations newly stored")
    duplicates: int = Field(description="observations already stored")
    rejected: int = 0
    unlocated: int = Field(default=0, description="observations kept without a place: the "
                           "observer's position of their SMM passage could not be read "
                           "(attribute `unlocated`); fusion does not place them")
    observations: list[str] = Field(description="uids of the batch's observations, in order")
    replayed: bool = Field(default=False, description="answer of an earlier identical request")
    ledger_entries: int = 0
    source_kind: str
    ledger_index: int | None = Field(
        default=None, description="with a wait for a cosigned head: the log entry of the "
        "batch (after its observations' entries)")
    cosigned_head: CosignedHeadModel | None = Field(
        default=None, description="with a wait: the published head that covers the batch "
        "(null, and status 202, when none did in time)")


# --------------------------------------------------------------------------- the rest


class Me(BaseModel):
    name: str
    role: str
    party: str | None
    authenticated: bool
    permissions: list[str]
    daily_quota: int | None = Field(
        default=None, description="records (observations, claims) this token may submit per "
        "UTC day; null: no quota")


class Health(BaseModel):
    status: Literal["ok"] = "ok"
    version: str
    database: str
    ledger: bool


class ClauseModel(BaseModel):
    id: str
    text: str
    prohibits: list[str] = Field(default_factory=list)
    zone: str | None = None


class ZoneModel(BaseModel):
    name: str
    kind: str
    half_width_km: float | None
    description: str = ""


class AgreementSummary(BaseModel):
    id: int
    slug: str
    name: str
    version: int
    status: str
    scope: str
    start_utc: datetime
    end_utc: datetime
    timezone: str
    parties: list[dict[str, str]]
    zones: list[ZoneModel]
    clauses: list[ClauseModel]


class AgreementDetail(AgreementSummary):
    definition: dict[str, Any]


class ReportDay(BaseModel):
    date: date
    published: bool
    json_url: str
    html_url: str


class ReportList(BaseModel):
    reports: list[ReportDay]
    published_before: datetime


class ReportDocument(BaseModel):
    """The daily report (``trucewatch.report.build_report``), as in ``report.json``."""

    model_config = ConfigDict(extra="allow")
    date: str


class LedgerStatus(BaseModel):
    available: bool
    size: int | None = None
    tree_head: dict[str, Any] | None = None


class CosignedHeadAnswer(BaseModel):
    cosigned_head: CosignedHeadModel | None = Field(
        description="the latest log head the witnesses' quorum cosigned; null when none yet")


class TreeHeadList(BaseModel):
    tree_heads: list[dict[str, Any]]


class ProofList(BaseModel):
    ref: str
    proofs: list[dict[str, Any]]
    tree_head: dict[str, Any] | None


class ConsistencyResponse(BaseModel):
    proof: dict[str, Any]
