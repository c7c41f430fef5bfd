"""record_payloads: each input record's text stored once, observations refer to it

Before, every observation row carried its whole record's text in ``observations.payload``,
so a record with N events was stored N times. The texts move to ``record_payloads``
(SHA-256 hex -> text), keyed by the ``payload_sha256`` each observation already has; the
column is dropped. What the ledger hashes is unchanged (an observation's row digest still
covers its record's text, now read through the join), so existing logs still verify.

The space of the dropped column returns to the file system after ``VACUUM`` (SQLite) or
``VACUUM FULL observations`` (PostgreSQL).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0017"
down_revision: str | Sequence[str] | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema: one text per distinct ``payload_sha256`` (the rows of one record
    share it), then the per-observation copies dropped. Where the rows of one hash hold
    different texts (a store altered before the migration), the least one is kept, so
    ``ledger verify`` still finds the alteration or the text is the record's again."""
    op.create_table(
        "record_payloads",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_record_payloads")),
        sqlite_with_rowid=False,
    )
    op.execute(
        "INSERT INTO record_payloads (sha256, payload) "
        "SELECT payload_sha256, MIN(payload) FROM observations GROUP BY payload_sha256"
    )
    # SQLite >= 3.35 drops a column in place (a batch copy of the table would drop the
    # table the evidence links and media refer to, which their foreign keys forbid)
    op.drop_column("observations", "payload")


def downgrade() -> None:
    """Downgrade schema: each observation gets its record's text back (empty where the
    text is missing, which ``ledger verify`` reports), then the table is dropped."""
    op.add_column(
        "observations",
        sa.Column("payload", sa.Text(), nullable=False, server_default=""),
    )
    op.execute(
        "UPDATE observations SET payload = COALESCE((SELECT p.payload FROM record_payloads p "
        "WHERE p.sha256 = observations.payload_sha256), '')"
    )
    if op.get_bind().dialect.name == "postgresql":  # SQLite keeps the default: it cannot
        op.alter_column("observations", "payload", server_default=None)  # drop it in place
    op.drop_table("record_payloads")
