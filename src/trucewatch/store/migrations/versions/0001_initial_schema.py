"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-27

"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    _create_agreements()
    _create_contact_lines()
    _create_import_batches()
    _create_incidents()
    _create_observations()
    _create_sectors()
    _create_incident_observations()


def _required(type_: sa.types.TypeEngine[Any], *names: str) -> list[sa.Column[Any]]:
    """NOT NULL columns of one type, in order."""
    return [sa.Column(name, type_, nullable=False) for name in names]


def _serial_id() -> sa.Column[int]:
    return sa.Column("id", sa.Integer(), autoincrement=True, nullable=False)


def _utc(*names: str) -> list[sa.Column[Any]]:
    return _required(sa.DateTime(timezone=True), *names)


def _create_agreements() -> None:
    op.create_table(
        "agreements",
        _serial_id(),
        sa.Column("name", sa.String(length=200), nullable=False),
        *_utc("start", "end"),
        sa.Column("scope", sa.String(length=32), nullable=False),
        sa.Column("definition", sa.JSON(), nullable=False),
        sa.Column("definition_sha256", sa.String(length=64), nullable=False),
        *_utc("added_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agreements")),
        sa.UniqueConstraint("definition_sha256", name=op.f("uq_agreements_definition_sha256")),
    )


def _create_contact_lines() -> None:
    op.create_table(
        "contact_lines",
        _serial_id(),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("length_km", sa.Float(), nullable=False),
        *_required(sa.String(length=16), "controlled_by", "other_party"),
        sa.Column("geometry_wkt", sa.Text(), nullable=False),
        sa.Column("control_wkt", sa.Text(), nullable=True),
        sa.Column("country_wkt", sa.Text(), nullable=True),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("geometry_sha256", sa.String(length=64), nullable=False),
        *_utc("imported_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact_lines")),
        sa.UniqueConstraint("valid_from", name=op.f("uq_contact_lines_valid_from")),
    )


def _create_import_batches() -> None:
    op.create_table(
        "import_batches",
        _serial_id(),
        *_utc("started_at", "finished_at"),
        sa.Column("files", sa.JSON(), nullable=False),
        *_required(sa.Integer(), "read", "stored", "duplicates", "rejected"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_batches")),
    )


def _create_incidents() -> None:
    op.create_table(
        "incidents",
        sa.Column("uid", sa.String(length=64), nullable=False),
        *_utc("time_start", "time_end"),
        *_required(sa.Float(), "lon", "lat", "cov_ee", "cov_en", "cov_nn"),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("count", sa.BigInteger(), nullable=True),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attribution_party", sa.String(length=32), nullable=False),
        *_required(sa.JSON(), "attribution", "source_kinds"),
        sa.Column("sector", sa.String(length=200), nullable=True),
        sa.Column("held_by", sa.String(length=16), nullable=True),
        sa.Column("line_distance_km", sa.Float(), nullable=True),
        sa.Column("assessment", sa.JSON(), nullable=False),
        *_utc("fused_at"),
        sa.PrimaryKeyConstraint("uid", name=op.f("pk_incidents")),
    )
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_incidents_lon_lat"), ["lon", "lat"], unique=False)
        batch_op.create_index(batch_op.f("ix_incidents_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_incidents_time_start"), ["time_start"], unique=False)


def _create_observations() -> None:
    op.create_table(
        "observations",
        sa.Column("uid", sa.String(length=64), nullable=False),
        *_required(sa.String(length=32), "source_kind", "source_format"),
        sa.Column("source_id", sa.String(length=200), nullable=False),
        *_utc("time_start", "time_end"),
        sa.Column("location_type", sa.String(length=16), nullable=False),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("location", sa.JSON(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("count", sa.Integer(), nullable=True),
        sa.Column("weapon", sa.String(length=200), nullable=True),
        sa.Column("flow", sa.String(length=16), nullable=True),
        sa.Column("reliability", sa.String(length=1), nullable=False),
        sa.Column("credibility", sa.Integer(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("payload_sha256", sa.String(length=64), nullable=False),
        sa.Column("attributes", sa.JSON(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["import_batches.id"],
            name=op.f("fk_observations_batch_id_import_batches"),
        ),
        sa.PrimaryKeyConstraint("uid", name=op.f("pk_observations")),
    )
    with op.batch_alter_table("observations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_observations_lon_lat"), ["lon", "lat"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_observations_time_start"), ["time_start"], unique=False
        )


def _create_sectors() -> None:
    op.create_table(
        "sectors",
        _serial_id(),
        *_required(sa.Integer(), "line_id", "idx"),
        sa.Column("name", sa.String(length=200), nullable=False),
        *_required(sa.Float(), "start_km", "end_km"),
        sa.Column("geometry_wkt", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["line_id"],
            ["contact_lines.id"],
            name=op.f("fk_sectors_line_id_contact_lines"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sectors")),
        sa.UniqueConstraint("line_id", "idx", name=op.f("uq_sectors_line_id_idx")),
    )


def _create_incident_observations() -> None:
    op.create_table(
        "incident_observations",
        *_required(sa.String(length=64), "incident_uid", "observation_uid"),
        sa.ForeignKeyConstraint(
            ["incident_uid"],
            ["incidents.uid"],
            name=op.f("fk_incident_observations_incident_uid_incidents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["observation_uid"],
            ["observations.uid"],
            name=op.f("fk_incident_observations_observation_uid_observations"),
        ),
        sa.PrimaryKeyConstraint(
            "incident_uid", "observation_uid", name=op.f("pk_incident_observations")
        ),
    )
    with op.batch_alter_table("incident_observations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_incident_observations_observation_uid"),
            ["observation_uid"],
            unique=False,
        )


def downgrade() -> None:
    """Downgrade schema."""

    with op.batch_alter_table("incident_observations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incident_observations_observation_uid"))

    op.drop_table("incident_observations")
    op.drop_table("sectors")
    with op.batch_alter_table("observations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_observations_time_start"))
        batch_op.drop_index(batch_op.f("ix_observations_lon_lat"))

    op.drop_table("observations")
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incidents_time_start"))
        batch_op.drop_index(batch_op.f("ix_incidents_status"))
        batch_op.drop_index(batch_op.f("ix_incidents_lon_lat"))

    op.drop_table("incidents")
    op.drop_table("import_batches")
    op.drop_table("contact_lines")
    op.drop_table("agreements")
