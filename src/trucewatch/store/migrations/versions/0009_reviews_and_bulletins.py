"""reviewed_incidents, incident_reviews and bulletins: the analyst's review and the
bulletins of each period (issue 21)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "reviewed_incidents",
        sa.Column("uid", sa.String(length=64), nullable=False),
        sa.Column("automatic_uid", sa.String(length=64), nullable=True),
        sa.Column("evaluation_mode", sa.String(length=16), nullable=False),
        sa.Column("evaluation_status", sa.String(length=16), nullable=False),
        sa.Column("time_start", UTC, nullable=False),
        sa.Column("time_end", UTC, nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attribution_party", sa.String(length=32), nullable=False),
        sa.Column("clause", sa.String(length=200), nullable=True),
        sa.Column("verdict", sa.String(length=16), nullable=True),
        sa.Column("sector", sa.String(length=200), nullable=True),
        sa.Column("observations", sa.JSON(), nullable=False),
        sa.Column("basis", sa.JSON(), nullable=False),
        sa.Column("record", sa.JSON(), nullable=False),
        sa.Column("needs_review", sa.Text(), nullable=True),
        sa.Column("merged_into", sa.String(length=64), nullable=True),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("reviewed_by", sa.String(length=200), nullable=False),
        sa.Column("reviewed_at", UTC, nullable=False),
        sa.Column("published_by", sa.String(length=200), nullable=True),
        sa.Column("published_at", UTC, nullable=True),
        sa.PrimaryKeyConstraint("uid", name=op.f("pk_reviewed_incidents")),
    )
    with op.batch_alter_table("reviewed_incidents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reviewed_incidents_time_start"), ["time_start"],
                              unique=False)
        batch_op.create_index(batch_op.f("ix_reviewed_incidents_automatic_uid"),
                              ["automatic_uid"], unique=False)
    op.create_table(
        "incident_reviews",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("reviewed_uid", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("analyst", sa.String(length=200), nullable=False),
        sa.Column("at", UTC, nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_reviews")),
    )
    with op.batch_alter_table("incident_reviews", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_incident_reviews_reviewed_uid"), ["reviewed_uid"],
                              unique=False)
    op.create_table(
        "bulletins",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("period_start", UTC, nullable=False),
        sa.Column("period_end", UTC, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("lag_hours", sa.Float(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("issued_by", sa.String(length=200), nullable=False),
        sa.Column("issued_at", UTC, nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("content_sha256", sa.String(length=64), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bulletins")),
        sa.UniqueConstraint("period_start", "version",
                            name=op.f("uq_bulletins_period_start_version")),
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("bulletins")
    with op.batch_alter_table("incident_reviews", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incident_reviews_reviewed_uid"))
    op.drop_table("incident_reviews")
    with op.batch_alter_table("reviewed_incidents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reviewed_incidents_automatic_uid"))
        batch_op.drop_index(batch_op.f("ix_reviewed_incidents_time_start"))
    op.drop_table("reviewed_incidents")
