"""Checking stored rows against the log: every row of a covered table must match the
latest entry about it (:mod:`trucewatch.ledger.rows`), and every logged row that was not
withdrawn must still be stored. Findings name the table, the row and the field."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from typing import TYPE_CHECKING, Any, Protocol

from trucewatch.ledger.rows import changed_columns, row_digest

if TYPE_CHECKING:  # the audit loads the signatures' cryptography
    from trucewatch.ledger.audit import LogAudit

LINK = "link"
"""Entry type given to an evidence link whose incident is not stored (never logged)."""

UNREADABLE = "unreadable"
"""Entry type given to a table whose rows the database driver could not read."""


class RowLike(Protocol):
    """A stored row as the checker needs it (:class:`trucewatch.store.coverage.StoredRow`)."""

    @property
    def entry_type(self) -> str: ...
    @property
    def table(self) -> str: ...
    @property
    def ref(self) -> str: ...
    @property
    def values(self) -> dict[str, Any]: ...
    @property
    def stamp(self) -> str | None: ...
    @property
    def stamp_column(self) -> str | None: ...


def check_rows(
    audit: LogAudit,
    rows: Iterable[RowLike],
    entry_cols: Callable[[int], str | None],
    covered_types: Collection[str],
    tables: Mapping[str, str],
) -> int:
    """Compare ``rows`` with ``audit.latest`` (the audit must track refs); ``entry_cols``
    gives an entry's ``meta.cols`` by index (read only for an altered row);
    ``covered_types`` are the entry types whose every logged row must be stored and
    ``tables`` names their tables. Returns the number of rows checked."""
    seen: set[tuple[str, str]] = set()
    count = 0
    for row in rows:
        count += 1
        if row.entry_type == LINK:
            audit.problem(None, "row_inserted", f"{row.table} row {row.ref}: its incident "
                          "is not stored (inserted after the fact)", table=row.table,
                          row=row.ref)  # fmt: skip
            continue
        if row.entry_type == UNREADABLE:
            audit.problem(None, "row_altered", f"{row.table}: a row cannot be read, a column "
                          f"holds a value of the wrong type ({row.values.get('error')})",
                          table=row.table)  # fmt: skip
            continue
        seen.add((row.entry_type, row.ref))
        _check_row(audit, row, entry_cols)
    for (entry_type, ref), logged in audit.latest.items():
        if entry_type in covered_types and not logged.withdrawn and (entry_type, ref) not in seen:
            table = tables.get(entry_type, entry_type)
            audit.problem(logged.seq, "row_removed", f"{table} row {ref}: logged at entry "
                          f"{logged.seq} but no longer stored: the row was deleted",
                          table=table, row=ref)  # fmt: skip
    return count


def _check_row(audit: LogAudit, row: RowLike, entry_cols: Callable[[int], str | None]) -> None:
    where = {"table": row.table, "row": row.ref}
    logged = audit.latest.get((row.entry_type, row.ref))
    if logged is None:
        audit.problem(None, "row_inserted", f"{row.table} row {row.ref}: stored but not in the "
                      "log (inserted after the fact)", **where)  # fmt: skip
        return
    if logged.withdrawn:
        audit.problem(logged.seq, "row_inserted", f"{row.table} row {row.ref}: withdrawn at "
                      f"entry {logged.seq} but stored again", **where)  # fmt: skip
        return
    if row_digest(row.values) != logged.digest:
        for name in changed_columns(row.values, entry_cols(logged.seq)) or ["?"]:
            audit.problem(logged.seq, "row_altered", f"{row.table} row {row.ref}: field {name} "
                          f"differs from what entry {logged.seq} logged", **where,
                          field=name)  # fmt: skip
    if row.stamp is not None and row.stamp != logged.time:
        audit.problem(logged.seq, "row_altered", f"{row.table} row {row.ref}: its time stamp "
                      f"{row.stamp} is not that of entry {logged.seq} ({logged.time})", **where,
                      field=row.stamp_column or "stamp")  # fmt: skip
