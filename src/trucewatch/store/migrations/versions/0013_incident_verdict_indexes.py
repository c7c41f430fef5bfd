"""incidents: indexes on the worst verdict of the assessment, for the verdict filter of
the list and the dashboard on large stores

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02

The filter on ``verdict`` (and ``agreement``, ``clause``) looks into each incident's
assessments (JSON); an incident can match only when its worst verdict
(``assessment.agreement_verdict``) is that verdict or a worse one, which the queries add
as a condition on the same expression as these indexes
(:class:`trucewatch.store.schema.WorstVerdict`): ``(verdict, time_start, uid)`` serves the
oldest-first and newest-first orders and time windows, ``(verdict, confidence,
time_start, uid)`` the most-confident-first order of the dashboard.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0013"
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

VERDICT = {
    "postgresql": "(assessment ->> 'agreement_verdict')",
    "sqlite": "json_extract(assessment, '$.agreement_verdict')",
}
"""The worst verdict as SQL, per backend: the text :class:`WorstVerdict` compiles to."""

INDEXES: dict[str, list[str]] = {
    "ix_incidents_verdict_time_start": ["time_start", "uid"],
    "ix_incidents_verdict_confidence": ["confidence", "time_start", "uid"],
}


def upgrade() -> None:
    """Upgrade schema."""
    verdict = VERDICT["postgresql" if op.get_bind().dialect.name == "postgresql" else "sqlite"]
    for name, columns in INDEXES.items():
        op.create_index(name, "incidents", [sa.text(verdict), *columns])


def downgrade() -> None:
    """Downgrade schema."""
    for name in INDEXES:
        op.drop_index(name, table_name="incidents")
