"""The store's tables (SQLAlchemy 2 Core), portable between SQLite and PostgreSQL.

Spatial filtering is kept portable: points are stored as ``lon``/``lat`` columns (WGS84
degrees) with indexes (on PostgreSQL with PostGIS, ``incidents`` also gets a generated
``geom`` point column, not declared here: :mod:`trucewatch.store.spatial`);
geometries of lines and sectors as WKT text (WGS84). Times are stored as UTC
(``DateTime(timezone=True)``; SQLite keeps them as naive UTC text and the repository
restores the zone on reading). Covariances are km² in a local east/north plane.

The Alembic migrations in ``store/migrations/versions`` create exactly these tables (and
the PostGIS columns where they can); a test checks that the two agree.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Select,
    String,
    Table,
    Text,
    UniqueConstraint,
    select,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.visitors import InternalTraversal

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

UTC_DATETIME = DateTime(timezone=True)


def _required(type_: Any, *names: str) -> list[Column[Any]]:
    """NOT NULL columns of one type, in order."""
    return [Column(name, type_, nullable=False) for name in names]


contact_lines = Table(
    "contact_lines",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(200), nullable=False),
    Column("valid_from", Date, nullable=False),
    Column("length_km", Float, nullable=False),
    *_required(String(16), "controlled_by", "other_party"),
    Column("geometry_wkt", Text, nullable=False),
    Column("control_wkt", Text, nullable=True),
    Column("country_wkt", Text, nullable=True),
    Column("source", Text, nullable=False, default=""),
    Column("geometry_sha256", String(64), nullable=False),
    Column("imported_at", UTC_DATETIME, nullable=False),
    UniqueConstraint("valid_from"),
)

sectors = Table(
    "sectors",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column(
        "line_id",
        Integer,
        ForeignKey("contact_lines.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("idx", Integer, nullable=False),
    Column("name", String(200), nullable=False),
    *_required(Float, "start_km", "end_km"),
    Column("geometry_wkt", Text, nullable=False),
    UniqueConstraint("line_id", "idx"),
)

import_batches = Table(
    "import_batches",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    *_required(UTC_DATETIME, "started_at", "finished_at"),
    Column("files", JSON, nullable=False),
    *_required(Integer, "read", "stored", "duplicates", "rejected"),
    Column("channel", String(16), nullable=False, server_default="file"),
    Column("submitter", String(200), nullable=True),
    Column("key_id", String(64), nullable=True),
    Column("idempotency_key", String(128), nullable=True),
    Column("request_sha256", String(64), nullable=True),
    Index(None, "submitter"),
)
"""The batch log (see :mod:`trucewatch.store.batches`): ``files`` lists the imported files;
``channel`` is ``file`` or ``api``; an API batch records its ``submitter`` (token holder),
``idempotency_key`` and ``request_sha256``; ``key_id`` is the key that signed the batch."""

record_payloads = Table(
    "record_payloads",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("payload", Text, nullable=False),
    sqlite_with_rowid=False,  # the key is the table: the 64-hex digest kept once, not twice
)
"""The raw text of each input record (a JSON line, a CSV row, an SMM passage) once, by
its SHA-256 (64 lowercase hex of its UTF-8 bytes): every observation read from the record
refers to it by ``observations.payload_sha256`` (migration 0017; before, each observation
carried the whole text). Written with ``ON CONFLICT DO NOTHING``, never updated or
deleted; :func:`observation_rows` reads observations with it."""

observations = Table(
    "observations",
    metadata,
    Column("uid", String(64), primary_key=True),
    *_required(String(32), "source_kind", "source_format"),
    Column("source_id", String(200), nullable=False),
    *_required(UTC_DATETIME, "time_start", "time_end"),
    Column("location_type", String(16), nullable=False),
    Column("lon", Float, nullable=True),
    Column("lat", Float, nullable=True),
    Column("location", JSON, nullable=False),
    Column("kind", String(32), nullable=False),
    Column("count", Integer, nullable=True),
    Column("weapon", String(200), nullable=True),
    Column("flow", String(16), nullable=True),
    Column("reliability", String(1), nullable=False),
    Column("credibility", Integer, nullable=False),
    Column("payload_sha256", String(64), nullable=False),
    Column("attributes", JSON, nullable=False),
    Column("batch_id", Integer, ForeignKey("import_batches.id"), nullable=True),
    Index(None, "time_start"),
    Index(None, "lon", "lat"),
)
"""One row per observation (an event of a record); its record's text is in
:data:`record_payloads`, keyed by ``payload_sha256``."""


def observation_rows() -> Select[Any]:
    """Every column of ``observations`` and its record's ``payload`` (None when the text
    is missing from :data:`record_payloads`: the readers report it). Add conditions on
    ``observations.c``."""
    p = record_payloads.c
    joined = observations.outerjoin(record_payloads, p.sha256 == observations.c.payload_sha256)
    return select(*observations.c, p.payload).select_from(joined)


class WorstVerdict(ColumnElement[str]):
    """The worst verdict of an incident against the agreements in force, read from its
    ``assessment`` JSON (``agreement_verdict``: violation, undetermined, permitted, or
    null when no agreement was in force). The same SQL text in the incidents' indexes
    and in the queries' conditions (``json_extract`` on SQLite, ``->>`` on PostgreSQL),
    so that each backend can use the index (:mod:`trucewatch.store.conditions`)."""

    inherit_cache = True
    _traverse_internals = [("column", InternalTraversal.dp_clauseelement)]  # noqa: RUF012
    type = String()

    def __init__(self, column: Any) -> None:
        self.column = column


@compiles(WorstVerdict, "postgresql")
def _worst_verdict_postgresql(element: WorstVerdict, compiler: SQLCompiler, **kw: Any) -> str:
    return f"({compiler.process(element.column, **kw)} ->> 'agreement_verdict')"


@compiles(WorstVerdict)
def _worst_verdict_sqlite(element: WorstVerdict, compiler: SQLCompiler, **kw: Any) -> str:
    return f"json_extract({compiler.process(element.column, **kw)}, '$.agreement_verdict')"


incidents = Table(
    "incidents",
    metadata,
    Column("uid", String(64), primary_key=True),
    *_required(UTC_DATETIME, "time_start", "time_end"),
    *_required(Float, "lon", "lat", "cov_ee", "cov_en", "cov_nn"),
    Column("kind", String(32), nullable=False),
    Column("count", BigInteger, nullable=True),
    Column("confidence", Float, nullable=False),
    Column("status", String(16), nullable=False),
    Column("attribution_party", String(32), nullable=False),
    *_required(JSON, "attribution", "source_kinds"),
    Column("sector", String(200), nullable=True),
    Column("held_by", String(16), nullable=True),
    Column("line_distance_km", Float, nullable=True),
    Column("assessment", JSON, nullable=False),
    Column("fused_at", UTC_DATETIME, nullable=False),
    Index(None, "time_start"),
    Index(None, "lon", "lat"),
    Index(None, "status"),
    Index(None, "sector", "time_start"),
    Index(None, "confidence", "time_start", "uid"),  # most confident first (0005)
    Index(None, "kind"),
    Index(None, "attribution_party"),
    Index(None, "sector", "time_start", "status"),  # counts per sector, day, status
)
# the verdict filter of the list and the dashboard, oldest or most confident first (0013)
Index("ix_incidents_verdict_time_start", WorstVerdict(incidents.c.assessment),
      incidents.c.time_start, incidents.c.uid)  # fmt: skip
Index("ix_incidents_verdict_confidence", WorstVerdict(incidents.c.assessment),
      incidents.c.confidence, incidents.c.time_start, incidents.c.uid)  # fmt: skip

incident_observations = Table(
    "incident_observations",
    metadata,
    Column(
        "incident_uid",
        String(64),
        ForeignKey("incidents.uid", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("observation_uid", String(64), ForeignKey("observations.uid"), primary_key=True),
    Index(None, "observation_uid"),
)

agreements = Table(
    "agreements",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(200), nullable=False),
    *_required(UTC_DATETIME, "start", "end"),
    Column("scope", String(32), nullable=False),
    Column("definition", JSON, nullable=False),
    Column("definition_sha256", String(64), nullable=False),
    Column("added_at", UTC_DATETIME, nullable=False),
    UniqueConstraint("definition_sha256"),
)


claims = Table(
    "claims",
    metadata,
    Column("uid", String(64), primary_key=True),
    Column("claim_id", String(200), nullable=False),
    Column("type", String(16), nullable=False),
    *_required(String(16), "claimant"),
    Column("accused", String(16), nullable=True),
    Column("stated_at", UTC_DATETIME, nullable=True),
    *_required(UTC_DATETIME, "time_start", "time_end"),
    Column("lon", Float, nullable=True),
    Column("lat", Float, nullable=True),
    Column("sector", String(200), nullable=True),
    Column("count", BigInteger, nullable=True),
    Column("record", Text, nullable=False),
    Column("record_sha256", String(64), nullable=False),
    Column("signer", String(64), nullable=True),
    Column("batch_id", Integer, ForeignKey("import_batches.id"), nullable=True),
    Column("imported_at", UTC_DATETIME, nullable=False),
    UniqueConstraint("claimant", "claim_id"),
    Index(None, "time_start"),
)
"""The parties' claims (see :mod:`trucewatch.store.claims`): ``record`` is the claim's
canonical JSON line (what its signer signed), the other columns are read from it;
``time_start``/``time_end`` are an item's window or an aggregate's period."""

claim_verdicts = Table(
    "claim_verdicts",
    metadata,
    Column("claim_uid", String(64), ForeignKey("claims.uid", ondelete="CASCADE"),
           primary_key=True),
    Column("label", String(32), nullable=False),
    Column("reason", Text, nullable=False),
    Column("coverage", Float, nullable=True),
    Column("details", JSON, nullable=False),
    Column("adjudicated_at", UTC_DATETIME, nullable=False),
)
"""The latest verdict on each claim: an item's label or an aggregate's verdict, with the
evidence in ``details`` (incident uids, distance, likelihood ratio, estimate)."""


# --------------------------------------------------------------------------- ledger
# The append-only Merkle log (see trucewatch.store.ledger): entries in leaf order, the
# keys registered with the mission, and the signed tree heads. Bytes are LargeBinary
# (BLOB / BYTEA); hashes are 32 bytes, signatures 64, public keys 32.

LEDGER_SEQ = BigInteger().with_variant(Integer(), "sqlite")
"""Leaf index: 64-bit; on SQLite an INTEGER primary key, i.e. the rowid (fastest)."""

ledger_entries = Table(
    "ledger_entries",
    metadata,
    Column("seq", LEDGER_SEQ, primary_key=True, autoincrement=False),
    *_required(LargeBinary, "entry", "leaf_hash"),
    Column("entry_type", String(32), nullable=False),
    Column("ref", String(256), nullable=False),
    Column("appended_at", UTC_DATETIME, nullable=False),
    Index(None, "ref", "entry_type"),
)

ledger_keys = Table(
    "ledger_keys",
    metadata,
    Column("key_id", String(64), primary_key=True),
    Column("public_key", LargeBinary, nullable=False),
    Column("role", String(32), nullable=False),
    Column("owner", String(200), nullable=False),
    Column("party", String(16), nullable=True),
    Column("added_at", UTC_DATETIME, nullable=False),
    Column("added_seq", BigInteger, nullable=False),
    Column("revoked_at", UTC_DATETIME, nullable=True),
    Column("revoked_seq", BigInteger, nullable=True),
)

ledger_tree_heads = Table(
    "ledger_tree_heads",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("tree_size", BigInteger, nullable=False),
    Column("root_hash", LargeBinary, nullable=False),
    Column("timestamp_ms", BigInteger, nullable=False),
    Column("key_id", String(64), ForeignKey("ledger_keys.key_id"), nullable=False),
    Column("signature", LargeBinary, nullable=False),
    Index(None, "tree_size"),
)

ledger_cosigned_heads = Table(
    "ledger_cosigned_heads",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("origin", String(256), nullable=False),
    Column("tree_size", BigInteger, nullable=False),
    Column("root_hash", LargeBinary, nullable=False),
    Column("checkpoint", Text, nullable=False),
    Column("cosigned_by", JSON, nullable=False),
    Column("published_at", UTC_DATETIME, nullable=False),
    Index(None, "tree_size"),
)
"""Checkpoints the witnesses' quorum cosigned (:mod:`trucewatch.app.cosign`): the signed
note with its cosignature lines (c2sp.org/tlog-cosignature), the names of the witnesses that
cosigned, and when the mission published it; each logged as a ``cosigned_head`` entry."""

observation_retractions = Table(
    "observation_retractions",
    metadata,
    Column("uid", String(64), ForeignKey("observations.uid"), primary_key=True),
    Column("retracted_at", UTC_DATETIME, nullable=False),
    Column("retracted_by", String(200), nullable=False),
    Column("reason", String(500), nullable=False),
)
"""Observations an analyst retracted (:mod:`trucewatch.store.retractions`): kept, logged
in the ledger (``retraction`` entries), and left out of fusion."""

media = Table(
    "media",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("observation_uid", String(64), ForeignKey("observations.uid"), nullable=False),
    Column("media_type", String(32), nullable=False),
    Column("size_bytes", BigInteger, nullable=False),
    Column("submitted_by", String(200), nullable=False),
    Column("received_at", UTC_DATETIME, nullable=False),
    Column("exif_time", UTC_DATETIME, nullable=True),
    Column("exif_lat", Float, nullable=True),
    Column("exif_lon", Float, nullable=True),
    Column("c2pa_status", String(16), nullable=False),
    Column("c2pa_reason", String(500), nullable=True),
    Column("c2pa_signer", String(500), nullable=True),
    Column("analysed_at", UTC_DATETIME, nullable=True),
    Index(None, "observation_uid"),
)
"""Evidence media attached to an observation (:mod:`trucewatch.store.media`), keyed by the
SHA-256 of their bytes, which are stored under the media folder at ``sha256/ab/cdef…``:
the sniffed type, size (bytes), who sent it and when; after the hash is logged, the EXIF
time (UTC) and place (degrees WGS84) and the C2PA result (``pending`` until analysed).
Each state is logged as a ``media`` entry."""

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("token_sha256", String(64), primary_key=True),
    Column("name", String(64), nullable=False),
    Column("role", String(16), nullable=False),
    Column("party", String(8), nullable=True),
    Column("created_at", UTC_DATETIME, nullable=False),
    Column("expires_at", UTC_DATETIME, nullable=True),
    Column("revoked_at", UTC_DATETIME, nullable=True),
    Column("daily_quota", Integer, nullable=True),
    Index(None, "name"),
)
"""API access tokens issued by ``trucewatch token new`` (:mod:`trucewatch.store.tokens`):
only the SHA-256 of each token; a revoked or expired token is refused on its next request.
``daily_quota``: records the token may submit per UTC day (NULL: its role's default)."""
submission_quotas = Table(
    "submission_quotas",
    metadata,
    Column("token_sha256", String(64), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("used", Integer, nullable=False),
)
"""Records each API token submitted per UTC day (:mod:`trucewatch.store.quotas`), counted
in the transaction that stores them, so that every API process of a store enforces one
daily quota."""

# --------------------------------------------------------------------------- review
# The analyst's review (issue 21; see trucewatch.store.reviews and docs/operations.md):
# the reviewed (manual) versions of incidents kept beside the automatic ones, every act of
# review, and the bulletins issued for each period. All three are covered by the log.

reviewed_incidents = Table(
    "reviewed_incidents",
    metadata,
    Column("uid", String(64), primary_key=True),
    Column("automatic_uid", String(64), nullable=True),
    Column("evaluation_mode", String(16), nullable=False),
    Column("evaluation_status", String(16), nullable=False),
    *_required(UTC_DATETIME, "time_start", "time_end"),
    *_required(Float, "lon", "lat"),
    Column("status", String(16), nullable=False),
    Column("attribution_party", String(32), nullable=False),
    Column("clause", String(200), nullable=True),
    Column("verdict", String(16), nullable=True),
    Column("sector", String(200), nullable=True),
    Column("observations", JSON, nullable=False),
    Column("basis", JSON, nullable=False),
    Column("record", JSON, nullable=False),
    Column("needs_review", Text, nullable=True),
    Column("merged_into", String(64), nullable=True),
    Column("revision", Integer, nullable=False),
    Column("reviewed_by", String(200), nullable=False),
    Column("reviewed_at", UTC_DATETIME, nullable=False),
    Column("published_by", String(200), nullable=True),
    Column("published_at", UTC_DATETIME, nullable=True),
    Index(None, "time_start"),
    Index(None, "automatic_uid"),
)
"""The reviewed version of an incident (``evaluation_mode`` manual; ``evaluation_status``
confirmed, reviewed or rejected), as an analyst left it: place (WGS84 degrees), times
(UTC), status, attribution, deciding clause and verdict, its evidence (``observations``,
sorted uids), the automatic solution it was reviewed against (``basis``: status,
attribution, place, clause, verdict), the whole reviewed record (``record``, the canonical
incident record), why it must be looked at again (``needs_review``), the reviewed incident
it was merged into, and its publication."""

incident_reviews = Table(
    "incident_reviews",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("reviewed_uid", String(64), nullable=False),
    Column("action", String(16), nullable=False),
    Column("reason", Text, nullable=False),
    Column("analyst", String(200), nullable=False),
    Column("at", UTC_DATETIME, nullable=False),
    Column("details", JSON, nullable=False),
    Index(None, "reviewed_uid"),
)
"""Every act of review, in order: confirm, reject, merge, split, relabel, annotate,
publish (by an analyst, with the reason) and attach or flag (by a re-fusion)."""

bulletins = Table(
    "bulletins",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    *_required(UTC_DATETIME, "period_start", "period_end"),
    Column("kind", String(16), nullable=False),
    Column("lag_hours", Float, nullable=True),
    Column("version", Integer, nullable=False),
    Column("issued_by", String(200), nullable=False),
    Column("issued_at", UTC_DATETIME, nullable=False),
    Column("content", JSON, nullable=False),
    Column("content_sha256", String(64), nullable=False),
    Column("changes", JSON, nullable=False),
    UniqueConstraint("period_start", "version"),
)
"""Bulletins of a period (a UTC day): ``automatic`` ones at the configured lags after the
period's end (hours), and the ``reviewed`` one an analyst signs off; ``content`` lists the
incidents, ``changes`` what was added, removed or changed since the previous version."""
incident_changes = Table(
    "incident_changes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("incident_uid", String(64), nullable=False),
    Column("change", String(8), nullable=False),
    Column("at", UTC_DATETIME, nullable=False),
    Column("supersedes", JSON, nullable=True),
)
"""Every change live fusion made to the incidents (:mod:`trucewatch.store.live`), in
order: ``upsert`` (created or replaced) or ``retire`` (no longer exists), with the uids of
the incidents an upserted one replaces (``supersedes``). The stream (``GET /api/stream``)
and the alerts read them in ``id`` order; a client resumes from the last id it saw."""

live_cursor = Table(
    "live_cursor",
    metadata,
    Column("name", String(32), primary_key=True),
    Column("value", Integer, nullable=False),
    Column("updated_at", UTC_DATETIME, nullable=False),
)
"""Where live fusion is: ``batch``, the last import batch it took (written with the
incidents it stored: a restarted server resumes after it, losing no submission), and
``refreshed``, the last incident change before its last refresh (a restarted server
refreshes the incidents changed since)."""

alert_subscriptions = Table(
    "alert_subscriptions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(64), nullable=False),
    Column("owner", String(64), nullable=False),
    Column("role", String(16), nullable=False),
    Column("party", String(8), nullable=True),
    Column("filters", JSON, nullable=False),
    Column("webhook_url", Text, nullable=True),
    Column("secret", String(128), nullable=True),
    Column("created_at", UTC_DATETIME, nullable=False),
    Column("deleted_at", UTC_DATETIME, nullable=True),
    Index(None, "owner"),
)
"""Alert subscriptions (:mod:`trucewatch.app.alerts`): who asked (name, role and party,
which bound what the alerts may show), the filters (sectors, clauses, parties, least
status, least confidence) and the webhook with its HMAC secret."""

alert_deliveries = Table(
    "alert_deliveries",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("alert_id", String(64), nullable=False, unique=True),
    Column("subscription_id", Integer, ForeignKey("alert_subscriptions.id"), nullable=False),
    Column("incident_uid", String(64), nullable=False),
    Column("event", String(16), nullable=False),
    Column("body", Text, nullable=False),
    Column("created_at", UTC_DATETIME, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", UTC_DATETIME, nullable=False),
    Column("state", String(16), nullable=False),
    Column("last_error", Text, nullable=True),
    Column("delivered_at", UTC_DATETIME, nullable=True),
    Index(None, "state", "next_attempt_at"),
    Index(None, "subscription_id", "incident_uid"),
)
"""Webhook alerts to deliver, delivered or given up (``state`` pending | delivered |
dead): kept in the store so a restart loses none; ``alert_id`` is the idempotency id sent
with every attempt."""
idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("submitter", String(200), primary_key=True),
    Column("key", String(128), primary_key=True),
    Column("request_sha256", String(64), nullable=False),
    Column("holder", String(32), nullable=False),
    Column("reserved_at", UTC_DATETIME, nullable=False),
    Column("lease_until", UTC_DATETIME, nullable=False),
    Column("completed_at", UTC_DATETIME, nullable=True),
    Column("batch_id", Integer, ForeignKey("import_batches.id"), nullable=True),
    Column("response", Text, nullable=True),
)
"""The API's idempotency keys, shared by every API process of a store
(:mod:`trucewatch.store.idempotency`): one row per (token holder, key), reserved before
the request is processed (``holder`` names the reservation, ``lease_until`` ends it) and
completed, in the transaction that stores the batch, with the batch id and the JSON answer
to replay."""
