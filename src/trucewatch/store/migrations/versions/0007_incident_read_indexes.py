"""incidents: indexes for the dashboard on large stores (ranking by confidence, filter
choices, counts per day, sector and status)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02

``(confidence, time_start, uid)`` serves the most-confident-first order
(``sort=-confidence``) without sorting the table; ``kind`` and ``attribution_party`` let
the filter choices skip through an index; ``(sector, time_start, status)`` covers the
counts per UTC day, sector and status.
"""

from collections.abc import Sequence

from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES: dict[str, list[str]] = {
    "ix_incidents_confidence_time_start_uid": ["confidence", "time_start", "uid"],
    "ix_incidents_kind": ["kind"],
    "ix_incidents_attribution_party": ["attribution_party"],
    "ix_incidents_sector_time_start_status": ["sector", "time_start", "status"],
}


def upgrade() -> None:
    """Upgrade schema."""
    for name, columns in INDEXES.items():
        op.create_index(op.f(name), "incidents", columns)


def downgrade() -> None:
    """Downgrade schema."""
    for name in INDEXES:
        op.drop_index(op.f(name), table_name="incidents")
