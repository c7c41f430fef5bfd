"""claims and claim_verdicts: the parties' claims and their adjudication

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "claims",
        sa.Column("uid", sa.String(length=64), nullable=False),
        sa.Column("claim_id", sa.String(length=200), nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("claimant", sa.String(length=16), nullable=False),
        sa.Column("accused", sa.String(length=16), nullable=True),
        sa.Column("stated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("time_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("time_end", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("sector", sa.String(length=200), nullable=True),
        sa.Column("count", sa.BigInteger(), nullable=True),
        sa.Column("record", sa.Text(), nullable=False),
        sa.Column("record_sha256", sa.String(length=64), nullable=False),
        sa.Column("signer", sa.String(length=64), nullable=True),
        sa.Column("batch_id", sa.Integer(), nullable=True),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["batch_id"], ["import_batches.id"],
                                name=op.f("fk_claims_batch_id_import_batches")),
        sa.PrimaryKeyConstraint("uid", name=op.f("pk_claims")),
        sa.UniqueConstraint("claimant", "claim_id", name=op.f("uq_claims_claimant_claim_id")),
    )
    op.create_index(op.f("ix_claims_time_start"), "claims", ["time_start"])
    op.create_table(
        "claim_verdicts",
        sa.Column("claim_uid", sa.String(length=64), nullable=False),
        sa.Column("label", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("coverage", sa.Float(), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("adjudicated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["claim_uid"], ["claims.uid"], ondelete="CASCADE",
                                name=op.f("fk_claim_verdicts_claim_uid_claims")),
        sa.PrimaryKeyConstraint("claim_uid", name=op.f("pk_claim_verdicts")),
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("claim_verdicts")
    op.drop_index(op.f("ix_claims_time_start"), table_name="claims")
    op.drop_table("claims")
