"""Re-verifying a whole log from its entries: leaves, roots, keys, signatures, rows.

:class:`LogAudit` takes the entries in order (each with the leaf hash a store kept for it,
if any), and checks in one pass with O(log n) memory for the tree:

* every leaf hash recomputed from the entry bytes (an altered entry is named by index) and
  every index present;
* every entry strictly decoded (canonical bytes, :mod:`trucewatch.ledger.entry`);
* the keys the log registers and revokes, replayed in order, and every signed entry's
  signer active at that point and its signature valid;
* the root at the size of every signed tree head, and the head's signature by a mission
  key registered in the log (and not revoked inside the signed prefix);
* optionally, the stored rows against the latest entry about each of them.

The store runs it over its tables (:func:`trucewatch.store.ledger_verify.verify_store`); a party
holding a full copy of the entries and its tree heads can run :func:`audit_log`. Standard
library and ``cryptography`` only.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

from trucewatch.ledger.entry import EntryError, EntryType, check_entry
from trucewatch.ledger.merkle import EMPTY_ROOT, RootAccumulator, leaf_hash
from trucewatch.ledger.rows import WITHDRAWN
from trucewatch.ledger.signing import Role, binding_problem, verify_submission_digest
from trucewatch.ledger.verify import SignedTreeHead, VerificationError, check_tree_head


class Logged(NamedTuple):
    """The latest entry about a ``(type, ref)``: index, ``sha256``, the row digest it
    records (:mod:`trucewatch.ledger.rows`), its time text and whether it withdraws."""

    seq: int
    sha256: str
    digest: str
    time: str
    withdrawn: bool


def _logged(seq: int, obj: dict[str, Any]) -> Logged:
    meta = obj.get("meta") or {}
    return Logged(seq, obj["sha256"], meta.get("row") or obj["sha256"], obj["time"],
                  meta.get("status") == WITHDRAWN)  # fmt: skip


Reference = tuple[str, str, str]
"""``(entry_type, ref, sha256)`` of a stored row, e.g. ``("observation", uid, SHA-256 of
its payload)``: what the log should record about it."""


@dataclass(frozen=True, kw_only=True)
class Problem:
    """One finding: ``index`` is the log entry concerned (``None`` for a tree head, a key
    or a stored row without entry), ``kind`` a stable code, ``message`` one line; ``table``,
    ``row`` and ``field`` name the stored row and column concerned, when there is one.

    Kinds: ``missing_entry``, ``leaf_hash``, ``not_canonical``, ``columns``, ``key``,
    ``signature``, ``tree_head``, ``reference``, ``row_altered``, ``row_inserted``,
    ``row_removed``, ``binding``, ``media_file`` (a stored media file missing, or whose
    bytes no longer hash to its name).
    """

    index: int | None
    kind: str
    message: str
    table: str | None = None
    row: str | None = None
    field: str | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"index": self.index, "kind": self.kind, "message": self.message}
        for name in ("table", "row", "field"):
            if getattr(self, name) is not None:
                out[name] = getattr(self, name)
        return out


@dataclass(kw_only=True)
class LedgerReport:
    """Outcome of an audit; ``ok`` when there is no problem.

    ``entries`` is the number of entries seen, ``root_hash`` the root recomputed from their
    bytes, ``unsigned`` the entries after the latest signed tree head.
    """

    entries: int
    root_hash: bytes
    tree_heads: int
    latest_tree_head: SignedTreeHead | None
    unsigned: int
    signatures_checked: int
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready summary (what ``trucewatch ledger verify --json`` prints)."""
        latest = self.latest_tree_head
        return {
            "ok": self.ok,
            "entries": self.entries,
            "root_hash": self.root_hash.hex(),
            "tree_heads": self.tree_heads,
            "latest_tree_head": None if latest is None else latest.to_json(),
            "unsigned_entries": self.unsigned,
            "signatures_checked": self.signatures_checked,
            "problems": [p.as_dict() for p in self.problems],
        }


@dataclass
class LoggedKey:
    """A key as the log registered it: ``added_seq``/``revoked_seq`` are entry indices."""

    public_key: bytes
    role: str
    owner: str
    added_seq: int
    added_at: datetime | None = None
    party: str | None = None
    revoked_seq: int | None = None
    revoked_at: datetime | None = None


@dataclass(frozen=True)
class HeadToCheck:
    """A signed tree head to check, with a ``label`` for messages and the ``key_id`` it
    claims (a store keeps it apart from the public key)."""

    label: str
    key_id: str
    head: SignedTreeHead
    row: str | None = None
    """The ``ledger_tree_heads`` id, for a stored head."""


class LogAudit:
    """One pass over a log's entries; feed :meth:`visit` in index order, then call
    :meth:`check_heads` (and :meth:`check_references`), then :meth:`report`."""

    def __init__(
        self, head_sizes: Collection[int], *, check_signatures: bool = True, track_refs: bool
    ) -> None:
        self.acc = RootAccumulator()
        self.head_sizes = set(head_sizes)
        self.roots: dict[int, bytes] = {0: EMPTY_ROOT}
        self.keys: dict[str, LoggedKey] = {}
        self.latest: dict[tuple[str, str], Logged] = {}
        self.problems: list[Problem] = []
        self.check_signatures = check_signatures
        self.signatures_checked = 0
        self.track_refs = track_refs
        self.next_seq = 0

    def problem(self, index: int | None, kind: str, message: str, **where: str) -> None:
        """Record a finding (``where``: ``table``, ``row``, ``field``)."""
        self.problems.append(Problem(index=index, kind=kind, message=message, **where))

    # ------------------------------------------------------------------ entries

    def visit(
        self,
        seq: int,
        blob: bytes,
        stored_leaf: bytes | None = None,
        columns: tuple[str, str] | None = None,
        appended_at: datetime | None = None,
    ) -> None:
        """Check entry ``seq`` (its bytes); ``stored_leaf``, ``columns`` (type, ref) and
        ``appended_at`` (must be the entry's time) are what a store kept beside it, compared
        when given."""
        if seq != self.next_seq:
            self.problem(
                self.next_seq, "missing_entry",
                f"entries {self.next_seq} to {seq - 1} are missing", table="ledger_entries",
                row=str(self.next_seq), field="seq",
            )
        self.next_seq = seq + 1
        leaf = leaf_hash(blob)
        if stored_leaf is not None and leaf != stored_leaf:
            self.problem(
                seq,
                "leaf_hash",
                f"entry {seq}: its bytes do not match the stored leaf hash: the entry or its "
                "leaf hash was altered",
                table="ledger_entries", row=str(seq), field="leaf_hash",
            )
        self.acc.add(leaf)
        if self.acc.size in self.head_sizes:
            self.roots[self.acc.size] = self.acc.root()
        try:
            obj, time = check_entry(blob)
        except EntryError as exc:
            self.problem(seq, "not_canonical", f"entry {seq}: {exc}", table="ledger_entries",
                         row=str(seq), field="entry")  # fmt: skip
            return
        if appended_at is not None and appended_at != time:
            self.problem(seq, "columns", f"entry {seq}: stored appended_at {appended_at} is not "
                         f"the entry's time {obj['time']}", table="ledger_entries", row=str(seq),
                         field="appended_at")  # fmt: skip
        if columns is not None and (obj["type"], obj["ref"]) != columns:
            name = "entry_type" if obj["type"] != columns[0] else "ref"
            self.problem(
                seq,
                "columns",
                f"entry {seq}: stored columns say {columns[0]} "
                f"{columns[1]}, the entry says {obj['type']} {obj['ref']}",
                table="ledger_entries", row=str(seq), field=name,
            )
        self._replay_key(seq, obj, time)
        if "signer" in obj:
            self._check_signature(seq, obj)
        if self.track_refs:
            self.latest[(obj["type"], obj["ref"])] = _logged(seq, obj)

    def _replay_key(self, seq: int, obj: dict[str, Any], time: datetime) -> None:
        ref = obj["ref"]
        if obj["type"] == EntryType.KEY_ADDED:
            if ref in self.keys:
                self.problem(seq, "key", f"entry {seq}: key {ref} is added a second time")
            pubkey = bytes.fromhex(obj["pubkey"])
            party = (obj.get("meta") or {}).get("party")
            self.keys[ref] = LoggedKey(pubkey, obj["role"], obj["owner"], seq, time, party)
        elif obj["type"] == EntryType.KEY_REVOKED:
            key = self.keys.get(ref)
            if key is None or key.revoked_seq is not None:
                self.problem(
                    seq,
                    "key",
                    f"entry {seq}: revokes key {ref}, which is not registered or already revoked",
                )
            else:
                key.revoked_seq, key.revoked_at = seq, time

    def _check_signature(self, seq: int, obj: dict[str, Any]) -> None:
        signer = obj["signer"]
        key = self.keys.get(signer)
        if key is None:
            self.problem(
                seq, "signature", f"entry {seq}: signer {signer} was not registered before it"
            )
            return
        if key.revoked_seq is not None:
            self.problem(
                seq,
                "signature",
                f"entry {seq}: signer {signer} was revoked at entry {key.revoked_seq}",
            )
            return
        unbound = binding_problem(key.role, key.party, (obj.get("meta") or {}).get("source"))
        if unbound is not None:
            self.problem(seq, "binding", f"entry {seq}: signer {signer}: {unbound}")
        if not self.check_signatures:
            return
        self.signatures_checked += 1
        if not verify_submission_digest(key.public_key, obj["sha256"], obj["sig"]):
            self.problem(
                seq, "signature", f"entry {seq}: signature does not verify with key {signer}"
            )

    # ------------------------------------------------------------------ tree heads

    def check_heads(self, heads: Sequence[HeadToCheck]) -> None:
        """Check signed tree heads (in the order they were signed) against the entries."""
        previous_size, last_good = 0, 0
        for item in heads:
            size = item.head.tree_size
            where = f"{item.label} ({size} entries)"
            if size < previous_size:
                self._head(item, f"{where} has fewer entries than an earlier one", "tree_size")
            previous_size = max(previous_size, size)
            if size > self.acc.size:
                self._head(item, f"{where}: the log has only {self.acc.size} entries: entries "
                           "were removed", "tree_size")  # fmt: skip
            elif self.roots.get(size) != item.head.root_hash:
                self._head(item, f"{where}: the root hash of the entries differs: an entry in "
                           f"{last_good}..{size - 1} was altered", "root_hash")  # fmt: skip
            else:
                last_good = max(last_good, size)
            self._check_head_key(item, where)

    def _head(self, item: HeadToCheck, message: str, field: str | None = None) -> None:
        where = {"table": "ledger_tree_heads", "row": item.row} if item.row else {}
        if field is not None and where:
            where["field"] = field
        self.problem(None, "tree_head", message, **where)

    def _check_head_key(self, item: HeadToCheck, where: str) -> None:
        key = self.keys.get(item.key_id)
        if key is None or key.role != Role.MISSION.value:
            self._head(item, f"{where}: key {item.key_id} is not a mission key registered in "
                       "the log", "key_id")  # fmt: skip
            return
        if key.public_key != item.head.public_key:
            self._head(item, f"{where}: the public key given for {item.key_id} differs from the "
                       "one the log registered", "key_id")  # fmt: skip
            return
        if key.revoked_seq is not None and key.revoked_seq < item.head.tree_size:
            self._head(item, f"{where}: signed after its key was revoked at entry "
                       f"{key.revoked_seq}")  # fmt: skip
        try:
            check_tree_head(item.head)
        except VerificationError as exc:
            self._head(item, f"{where}: {exc}", "signature")

    # ------------------------------------------------------------------ stored rows

    def check_references(
        self, references: Iterable[Reference], complete_types: Collection[str]
    ) -> None:
        """Each stored row must match the latest entry about it; for ``complete_types`` a
        logged ref missing from ``references`` means its row was removed. Needs
        ``track_refs=True``."""
        seen: set[tuple[str, str]] = set()
        for entry_type, ref, sha in references:
            key = (str(entry_type), ref)
            seen.add(key)
            logged = self.latest.get(key)
            if logged is None:
                self.problem(None, "reference", f"{key[0]} {ref}: stored but not in the log")
            elif logged.sha256 != sha:
                self.problem(
                    logged.seq,
                    "reference",
                    f"{key[0]} {ref}: its content has SHA-256 "
                    f"{sha}, the log recorded {logged.sha256} at entry {logged.seq}: the "
                    "stored row was altered",
                )
        complete = {str(c) for c in complete_types}
        for (entry_type, ref), logged in self.latest.items():
            seq = logged.seq
            if entry_type in complete and (entry_type, ref) not in seen:
                self.problem(
                    seq,
                    "reference",
                    f"{entry_type} {ref}: in the log (entry {seq}) "
                    "but no longer stored: the row was removed",
                )

    def report(self, heads: Sequence[HeadToCheck]) -> LedgerReport:
        """The outcome, with the latest of ``heads``."""
        latest = heads[-1].head if heads else None
        return LedgerReport(
            entries=self.acc.size,
            root_hash=self.acc.root(),
            tree_heads=len(heads),
            latest_tree_head=latest,
            unsigned=self.acc.size - (latest.tree_size if latest else 0),
            signatures_checked=self.signatures_checked,
            problems=self.problems,
        )


def audit_log(
    entries: Iterable[bytes],
    heads: Sequence[SignedTreeHead],
    *,
    references: Iterable[Reference] | None = None,
    check_signatures: bool = True,
) -> LedgerReport:
    """Audit a full copy of a log: its entries in index order and its signed tree heads."""
    items = [HeadToCheck(f"tree head {i + 1}", h.key_id, h) for i, h in enumerate(heads)]
    audit = LogAudit(
        {h.tree_size for h in heads},
        check_signatures=check_signatures,
        track_refs=references is not None,
    )
    for seq, blob in enumerate(entries):
        audit.visit(seq, blob)
    audit.check_heads(items)
    if references is not None:
        audit.check_references(references, ())
    return audit.report(items)
