"""incidents: a PostGIS point column ``geom`` (EPSG:4326) generated from
``lon``/``lat``, with a GiST index, on PostgreSQL where PostGIS can be had

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03

On PostgreSQL the migration creates the ``postgis`` extension when it is missing
(``CREATE EXTENSION IF NOT EXISTS postgis``, in a savepoint); where the server has no
PostGIS, or the user may not create it, it logs a warning and changes nothing: the store
works without the column. SQLite is unchanged. The column and index are described in
:mod:`trucewatch.store.spatial` (which does the work) and docs/architecture.md; QGIS reads
them as in docs/deploy.md. The downgrade drops the columns and indexes and leaves the
extension (other objects of the database may use it).
"""

from collections.abc import Sequence

from alembic import op

from trucewatch.store import spatial

# revision identifiers, used by Alembic.
revision: str = "0014"
down_revision: str | Sequence[str] | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    conn = op.get_bind()
    if conn.dialect.name == "postgresql":
        spatial.add_geometry_columns(conn)


def downgrade() -> None:
    """Downgrade schema."""
    conn = op.get_bind()
    if conn.dialect.name == "postgresql":
        spatial.drop_geometry_columns(conn)
