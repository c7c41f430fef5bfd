"""import_batches: the origin of a batch in columns (channel, submitter, key_id,
idempotency_key, request_sha256) instead of tags in ``files``

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02

Before this revision an API batch was told by its ``files`` list: ``["api",
"by:<submitter>", "key:<idempotency key>", "sha256:<request digest>"]``. The upgrade moves
those tags into the new columns and leaves ``files`` with the file names only; the
downgrade writes the tags back. No tag recorded the signing key, so ``key_id`` of old rows
stays NULL.
"""

from collections.abc import Iterator, Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

API_TAG = "api"
TAG_COLUMNS = {"by": "submitter", "key": "idempotency_key", "sha256": "request_sha256"}
"""Tag prefix in ``files`` -> the column that now holds its value."""

_batches = sa.table(
    "import_batches",
    sa.column("id", sa.Integer()),
    sa.column("files", sa.JSON()),
    sa.column("channel", sa.String()),
    *(sa.column(name, sa.String()) for name in TAG_COLUMNS.values()),
)


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("import_batches", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("channel", sa.String(length=16), server_default="file", nullable=False)
        )
        batch_op.add_column(sa.Column("submitter", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("key_id", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("idempotency_key", sa.String(length=128), nullable=True))
        batch_op.add_column(sa.Column("request_sha256", sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f("ix_import_batches_submitter"), ["submitter"])
    _update_rows(_untagged(row) for row in _api_rows())


def downgrade() -> None:
    """Downgrade schema."""
    _update_rows(_tagged(row) for row in _api_rows(by_column=True))
    with op.batch_alter_table("import_batches", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_import_batches_submitter"))
        for name in ("request_sha256", "idempotency_key", "key_id", "submitter", "channel"):
            batch_op.drop_column(name)


def _api_rows(*, by_column: bool = False) -> list[Any]:
    """The rows of API batches: by their first ``files`` element (before the upgrade) or
    by ``channel`` (before the downgrade)."""
    c = _batches.c
    condition = c.channel == API_TAG if by_column else sa.cast(c.files, sa.String).like('%"api"%')
    rows = op.get_bind().execute(sa.select(_batches).where(condition)).all()
    if by_column:
        return list(rows)
    return [r for r in rows if isinstance(r.files, list) and r.files[:1] == [API_TAG]]


def _untagged(row: Any) -> dict[str, Any]:
    """The column values of an old API batch row, its tags moved out of ``files``."""
    values: dict[str, Any] = {"b_id": row.id, "channel": API_TAG, "files": []}
    values.update({column: None for column in TAG_COLUMNS.values()})
    for item in row.files[1:]:
        prefix, _, value = str(item).partition(":")
        column = TAG_COLUMNS.get(prefix)
        if column is not None and value and values[column] is None:
            values[column] = value
        else:
            values["files"].append(item)
    return values


def _tagged(row: Any) -> dict[str, Any]:
    """The old form of an API batch row: its origin as tags before its files."""
    tags = [f"{prefix}:{getattr(row, column)}" for prefix, column in TAG_COLUMNS.items()
            if getattr(row, column) is not None]  # fmt: skip
    values: dict[str, Any] = {"b_id": row.id, "channel": "file", "files": [API_TAG, *tags]}
    values["files"] += list(row.files or [])
    values.update({column: None for column in TAG_COLUMNS.values()})
    return values


def _update_rows(values: Iterator[dict[str, Any]]) -> None:
    """Set the given columns of each row (``b_id``: the row's id), in one ``executemany``."""
    rows = [{f"v_{name}": value for name, value in row.items()} for row in values]
    if not rows:
        return
    columns = [name[2:] for name in rows[0] if name != "v_b_id"]
    statement = (
        sa.update(_batches)
        .where(_batches.c.id == sa.bindparam("v_b_id"))
        .values({name: sa.bindparam(f"v_{name}", type_=_batches.c[name].type) for name in columns})
    )
    op.get_bind().execute(statement, rows)
