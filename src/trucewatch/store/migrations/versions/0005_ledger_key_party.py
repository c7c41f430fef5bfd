"""ledger_keys: the party a liaison key acts for (``party``), so that a signature binds
its signer to the party whose complaint it signs

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02

The party is also in the key's ``key_added`` entry (``meta.party``); keys registered
before this revision have none (NULL) and cannot sign a party's complaint.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("ledger_keys") as batch:
        batch.add_column(sa.Column("party", sa.String(16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("ledger_keys") as batch:
        batch.drop_column("party")
