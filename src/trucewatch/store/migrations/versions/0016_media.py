"""media: evidence media attached to observations, by content address (SHA-256)

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0016"
down_revision: str | Sequence[str] | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "media",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("observation_uid", sa.String(length=64), nullable=False),
        sa.Column("media_type", sa.String(length=32), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("submitted_by", sa.String(length=200), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("exif_time", sa.DateTime(timezone=True), nullable=True),
        sa.Column("exif_lat", sa.Float(), nullable=True),
        sa.Column("exif_lon", sa.Float(), nullable=True),
        sa.Column("c2pa_status", sa.String(length=16), nullable=False),
        sa.Column("c2pa_reason", sa.String(length=500), nullable=True),
        sa.Column("c2pa_signer", sa.String(length=500), nullable=True),
        sa.Column("analysed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["observation_uid"], ["observations.uid"],
                                name=op.f("fk_media_observation_uid_observations")),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_media")),
    )  # fmt: skip
    with op.batch_alter_table("media", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_media_observation_uid"), ["observation_uid"],
                              unique=False)  # fmt: skip


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("media", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_media_observation_uid"))
    op.drop_table("media")
