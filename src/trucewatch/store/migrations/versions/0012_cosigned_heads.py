"""ledger_cosigned_heads: the checkpoints the witnesses' quorum cosigned (c2sp.org
tlog-cosignature), as published by the mission

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0012"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "ledger_cosigned_heads",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("origin", sa.String(length=256), nullable=False),
        sa.Column("tree_size", sa.BigInteger(), nullable=False),
        sa.Column("root_hash", sa.LargeBinary(), nullable=False),
        sa.Column("checkpoint", sa.Text(), nullable=False),
        sa.Column("cosigned_by", sa.JSON(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_cosigned_heads")),
    )
    with op.batch_alter_table("ledger_cosigned_heads", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ledger_cosigned_heads_tree_size"), ["tree_size"],
                              unique=False)  # fmt: skip


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("ledger_cosigned_heads", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ledger_cosigned_heads_tree_size"))
    op.drop_table("ledger_cosigned_heads")
