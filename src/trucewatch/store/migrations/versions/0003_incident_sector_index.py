"""incidents: index on (sector, time_start) for per-sector queries over a period

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27

"""

from collections.abc import Sequence

from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_index(
        op.f("ix_incidents_sector_time_start"), "incidents", ["sector", "time_start"]
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index(op.f("ix_incidents_sector_time_start"), table_name="incidents")
