"""The log in the store, on SQLite and PostgreSQL: appends, proofs, keys, tampering."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, delete, select, update

from trucewatch.ledger.audit import audit_log
from trucewatch.ledger.entry import (
    EntryError,
    LogEntry,
    key_added_entry,
    observation_entry,
    sha256_hex,
)
from trucewatch.ledger.errors import LedgerError, SignatureError
from trucewatch.ledger.merkle import leaf_hash
from trucewatch.ledger.signing import (
    Role,
    generate_key,
    key_id,
    public_key_bytes,
    sign_submission,
)
from trucewatch.ledger.verify import check_consistency, check_inclusion, verify_consistency
from trucewatch.store import Store
from trucewatch.store import schema as t
from trucewatch.store.ledger import Ledger
from trucewatch.store.ledger_verify import verify_store

T0 = datetime(2025, 8, 12, 6, 30, tzinfo=UTC)
MISSION = generate_key()
MONITOR = generate_key()
MONITOR_ID = key_id(public_key_bytes(MONITOR))


def payload(i: int) -> bytes:
    return f'{{"n": {i}}}'.encode()


def obs(i: int, *, signed: bool = False) -> LogEntry:
    sig = sign_submission(MONITOR, payload(i)) if signed else None
    return observation_entry(
        f"{i:064x}",
        sha256_hex(payload(i)),
        T0 + timedelta(seconds=i),
        signer=MONITOR_ID if signed else None,
        sig=sig,
    )


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    store = Store.open(db_url)
    yield store.engine
    store.close()


@pytest.fixture
def ledger(engine: Engine) -> Ledger:
    """A ledger with the mission and one monitor key registered and 40 observations."""
    ledger = Ledger()
    with engine.begin() as conn:
        ledger.add_key(conn, MISSION, Role.MISSION, "OSCE-style mission", now=T0)
        ledger.add_key(conn, public_key_bytes(MONITOR), "monitor", "team 1", now=T0)
        ledger.append(conn, [obs(i, signed=i % 2 == 0) for i in range(40)])
    return ledger


def test_append_returns_indices_and_proofs_verify(engine: Engine, ledger: Ledger) -> None:
    with engine.begin() as conn:
        assert ledger.size(conn) == 42
        first = ledger.sign_tree_head(conn, MISSION)  # logged itself as entry 42
        assert ledger.entry(conn, 42).entry_type == "tree_head"
        added = ledger.append(conn, [obs(i).encode() for i in range(100, 110)])
        assert added == range(43, 53)
        second = ledger.sign_tree_head(conn, MISSION)
        assert ledger.latest_tree_head(conn) == second
        assert ledger.tree_heads(conn) == [first, second]
        proof = ledger.inclusion_proof(conn, 46)
        assert proof.tree_size == 53 and proof.entry == obs(103).encode()
        check_inclusion(leaf_hash(proof.entry), 46, 53, proof.path, second.root_hash)
        older = ledger.inclusion_proof(conn, 3, first.tree_size)
        check_inclusion(older.leaf_hash, 3, 42, older.path, first.root_hash)
        consistency = ledger.consistency_proof(conn, first.tree_size, second.tree_size)
        check_consistency(42, 53, first.root_hash, second.root_hash, consistency.path)
        assert ledger.find(conn, f"{103:064x}") == [46]
        assert ledger.find(conn, f"{103:064x}", "report") == []
        assert ledger.entry(conn, 46).decode() == obs(103)
        assert ledger.leaf_hashes(conn, 46, 47) == [leaf_hash(obs(103).encode())]
        report = verify_store(conn)
    assert report.ok, report.problems
    assert report.entries == 54 and report.unsigned == 1 and report.signatures_checked == 20
    assert report.root_hash != second.root_hash  # the second head's own entry came after it


def test_rolled_back_append_leaves_nothing(engine: Engine, ledger: Ledger) -> None:
    with engine.begin() as conn:
        ledger.inclusion_proof(conn, 0, 42)  # warm the cache
    with pytest.raises(RuntimeError), engine.begin() as conn:
        ledger.append(conn, [obs(i) for i in range(200, 220)])
        ledger.root(conn)  # the cache sees the uncommitted leaves
        raise RuntimeError("crash in the middle of an import")
    with engine.begin() as conn:
        assert ledger.size(conn) == 42
        ledger.append(conn, [obs(i) for i in range(300, 320)])
        fresh = Ledger()
        assert ledger.root(conn) == fresh.root(conn)  # the stale cache was noticed
        assert verify_store(conn).ok


def test_bad_batch_is_refused_whole(engine: Engine, ledger: Ledger) -> None:
    noncanonical = obs(500).encode().replace(b",", b", ")
    with pytest.raises(EntryError, match="entry 1 of the batch"), engine.begin() as conn:
        ledger.append(conn, [obs(501), noncanonical])
    forged = observation_entry(
        "f" * 64,
        sha256_hex(b"forged"),
        T0,
        signer=MONITOR_ID,
        sig=sign_submission(MONITOR, b"original"),
    )
    with pytest.raises(SignatureError, match="does not verify"), engine.begin() as conn:
        ledger.append(conn, [obs(502), forged])
    with engine.begin() as conn:
        assert ledger.size(conn) == 42


def test_keys_add_revoke_and_submissions(engine: Engine, ledger: Ledger) -> None:
    liaison = generate_key()
    with engine.begin() as conn:
        added = ledger.add_key(conn, liaison, Role.LIAISON, "party A liaison", party="A")
        assert added.active and added.role is Role.LIAISON and added.added_seq == 42
        assert (
            ledger.check_submission(
                conn, b"complaint", added.key_id, sign_submission(liaison, b"complaint")
            )
            == added
        )
        with pytest.raises(SignatureError, match="does not verify"):
            ledger.check_submission(
                conn, b"complaint!", added.key_id, sign_submission(liaison, b"complaint")
            )
        with pytest.raises(SignatureError, match="not signed"):
            ledger.check_submission(conn, b"complaint", None, None)
        stranger = generate_key()
        with pytest.raises(SignatureError, match="not registered"):
            ledger.check_submission(
                conn, b"x", key_id(public_key_bytes(stranger)), sign_submission(stranger, b"x")
            )
        with pytest.raises(SignatureError, match="may not submit"):
            ledger.check_submission(
                conn, b"x", key_id(public_key_bytes(MISSION)), sign_submission(MISSION, b"x")
            )
        revoked = ledger.revoke_key(conn, added.key_id, reason="device lost")
        assert not revoked.active and revoked.revoked_seq == 43
        assert ledger.active_key(conn, added.key_id) is None
        with pytest.raises(SignatureError, match="revoked"):
            ledger.check_submission(
                conn, b"complaint", added.key_id, sign_submission(liaison, b"complaint")
            )
        with pytest.raises(LedgerError, match="already revoked"):
            ledger.revoke_key(conn, added.key_id)
        with pytest.raises(LedgerError, match="already registered"):
            ledger.add_key(conn, MONITOR, Role.MONITOR, "again")
        assert [k.owner for k in ledger.keys(conn, active_only=True)] == [
            "OSCE-style mission",
            "team 1",
        ]
        assert verify_store(conn).ok


def test_revoked_key_cannot_sign_entries_or_tree_heads(engine: Engine, ledger: Ledger) -> None:
    with engine.begin() as conn:
        ledger.revoke_key(conn, MONITOR_ID)
    with pytest.raises(SignatureError, match="revoked"), engine.begin() as conn:
        ledger.append(conn, [obs(600, signed=True)])
    with pytest.raises(SignatureError, match="not a registered mission key"), engine.begin() as c:
        ledger.sign_tree_head(c, MONITOR)
    with engine.begin() as conn:
        ledger.revoke_key(conn, key_id(public_key_bytes(MISSION)))
    with pytest.raises(SignatureError, match="revoked"), engine.begin() as conn:
        ledger.sign_tree_head(conn, MISSION)


def test_proofs_need_a_tree_head_and_valid_sizes(engine: Engine, ledger: Ledger) -> None:
    with engine.begin() as conn:
        with pytest.raises(LedgerError, match="no signed tree head"):
            ledger.inclusion_proof(conn, 0)
        with pytest.raises(LedgerError, match="not within"):
            ledger.root(conn, 43)
        with pytest.raises(LedgerError, match="not in the log"):
            ledger.inclusion_proof(conn, 42, 42)
        with pytest.raises(LedgerError, match="does not exist"):
            ledger.entry(conn, 99)


# ---------------------------------------------------------------------------- tampering


def _signed(engine: Engine, ledger: Ledger) -> None:
    with engine.begin() as conn:
        ledger.sign_tree_head(conn, MISSION)


def _problems(engine: Engine, **kwargs: object) -> list[tuple[int | None, str]]:
    with engine.begin() as conn:
        report = verify_store(conn, **kwargs)  # type: ignore[arg-type]
    return [(p.index, p.kind) for p in report.problems]


def test_changed_entry_is_named_by_index(engine: Engine, ledger: Ledger) -> None:
    _signed(engine, ledger)
    altered = obs(7).encode().replace(sha256_hex(payload(7)).encode(), b"0" * 64)
    with engine.begin() as conn:
        conn.execute(
            update(t.ledger_entries).where(t.ledger_entries.c.seq == 9).values(entry=altered)
        )
    problems = _problems(engine)
    assert (9, "leaf_hash") in problems
    assert (None, "tree_head") in problems


def test_changed_entry_and_leaf_hash_break_the_signed_root(engine: Engine, ledger: Ledger) -> None:
    _signed(engine, ledger)
    with engine.begin() as conn:
        ledger.append(conn, [obs(i) for i in range(40, 50)])
        ledger.sign_tree_head(conn, MISSION)
    altered = observation_entry(f"{7:064x}", "0" * 64, T0 + timedelta(seconds=7)).encode()
    with engine.begin() as conn:
        conn.execute(
            update(t.ledger_entries)
            .where(t.ledger_entries.c.seq == 9)
            .values(entry=altered, leaf_hash=leaf_hash(altered))
        )
    with engine.begin() as conn:
        report = verify_store(conn)
        with pytest.raises(LedgerError, match="altered"):
            Ledger().sign_tree_head(conn, MISSION)
    messages = [p.message for p in report.problems]
    assert len(messages) == 2
    assert "(42 entries): the root hash" in messages[0] and "in 0..41 was altered" in messages[0]
    assert "(53 entries): the root hash" in messages[1] and "in 0..52 was altered" in messages[1]


def test_removed_entry_is_detected_and_breaks_consistency(engine: Engine, ledger: Ledger) -> None:
    with engine.begin() as conn:
        old = ledger.sign_tree_head(conn, MISSION)
        conn.execute(delete(t.ledger_entries).where(t.ledger_entries.c.seq == 20))
    assert (20, "missing_entry") in _problems(engine)
    # a careful forger renumbers the later entries and signs a new head: the old one exposes it
    with engine.begin() as conn:
        rows = conn.execute(
            select(t.ledger_entries)
            .where(t.ledger_entries.c.seq > 20)
            .order_by(t.ledger_entries.c.seq)
        ).all()
        for r in rows:
            conn.execute(
                update(t.ledger_entries)
                .where(t.ledger_entries.c.seq == r.seq)
                .values(seq=r.seq - 1)
            )
        conn.execute(delete(t.ledger_tree_heads))
        forger = Ledger()
        forger.append(conn, [obs(i) for i in range(700, 705)])
        new = forger.sign_tree_head(conn, MISSION)
        proof = forger.consistency_proof(conn, old.tree_size, new.tree_size)
    assert not verify_consistency(
        old.tree_size, new.tree_size, old.root_hash, new.root_hash, proof.path
    )


def test_removed_tail_is_detected(engine: Engine, ledger: Ledger) -> None:
    _signed(engine, ledger)
    with engine.begin() as conn:
        conn.execute(delete(t.ledger_entries).where(t.ledger_entries.c.seq >= 40))
        with pytest.raises(LedgerError, match="entries were removed"):
            Ledger().sign_tree_head(conn, MISSION)
    assert _problems(engine) == [(None, "tree_head")]


def test_keys_table_tampering_is_detected(engine: Engine, ledger: Ledger) -> None:
    with engine.begin() as conn:
        conn.execute(
            update(t.ledger_keys).where(t.ledger_keys.c.key_id == MONITOR_ID).values(role="mission")
        )
    assert (1, "key") in _problems(engine)


def test_forged_signature_in_the_store_is_detected(engine: Engine, ledger: Ledger) -> None:
    forged = observation_entry(
        "e" * 64, sha256_hex(b"fake"), T0, signer=MONITOR_ID, sig=sign_submission(MONITOR, b"real")
    )
    blob = forged.encode()
    with engine.begin() as conn:
        conn.execute(
            update(t.ledger_entries)
            .where(t.ledger_entries.c.seq == 2)
            .values(entry=blob, leaf_hash=leaf_hash(blob), ref="e" * 64)
        )
    assert _problems(engine) == [(2, "signature")]
    assert _problems(engine, check_signatures=False) == []


def test_references_detect_altered_missing_and_removed_rows(engine: Engine, ledger: Ledger) -> None:
    rows = [("observation", f"{i:064x}", sha256_hex(payload(i))) for i in range(40)]
    assert _problems(engine, references=rows) == []
    altered = [*rows[:5], ("observation", rows[5][1], sha256_hex(b"edited")), *rows[6:]]
    assert _problems(engine, references=altered) == [(7, "reference")]
    unlogged = [*rows, ("observation", "d" * 64, sha256_hex(b"x"))]
    assert _problems(engine, references=unlogged) == [(None, "reference")]
    assert _problems(engine, references=rows[1:]) == [(2, "reference")]


def test_concurrent_appenders_get_distinct_contiguous_indices(
    engine: Engine, ledger: Ledger
) -> None:
    errors: list[BaseException] = []

    def worker(k: int) -> None:
        try:
            for j in range(4):
                with engine.begin() as conn:
                    ledger.size(conn)  # a read before the append, as callers do
                    time.sleep(0.01)
                    ledger.append(conn, [obs(1000 * k + 10 * j + i) for i in range(10)])
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(1, 4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with engine.begin() as conn:
        assert ledger.size(conn) == 42 + 120
        assert verify_store(conn).ok


def test_refused_batch_with_key_entries_writes_nothing(engine: Engine, ledger: Ledger) -> None:
    newcomer = generate_key()
    newcomer_id = key_id(public_key_bytes(newcomer))
    signed = observation_entry(
        "c" * 64, sha256_hex(b"p"), T0, signer=newcomer_id, sig=sign_submission(newcomer, b"p")
    )
    bad = observation_entry(
        "d" * 64, sha256_hex(b"q"), T0, signer=newcomer_id, sig=sign_submission(newcomer, b"not q")
    )
    batch = [key_added_entry(public_key_bytes(newcomer), "sensor", "sensor 7", T0), signed, bad]
    with engine.begin() as conn:
        with pytest.raises(SignatureError, match="entry 44"):
            ledger.append(conn, batch)
        assert ledger.get_key(conn, newcomer_id) is None  # caught, yet nothing was written
        assert ledger.size(conn) == 42
        assert ledger.append(conn, batch[:2]) == range(42, 44)  # a key used in its own batch
        assert ledger.get_key(conn, newcomer_id).role is Role.SENSOR
        assert verify_store(conn).ok


def test_a_party_can_audit_a_full_copy(engine: Engine, ledger: Ledger) -> None:
    with engine.begin() as conn:
        ledger.sign_tree_head(conn, MISSION)
        ledger.append(conn, [obs(i) for i in range(40, 45)])
        ledger.sign_tree_head(conn, MISSION)
        entries = [e.entry for e in ledger.entries(conn, 0, ledger.size(conn))]
        heads = ledger.tree_heads(conn)
    report = audit_log(entries, heads)
    assert report.ok and report.entries == 49 and report.signatures_checked == 20
    entries[30] = entries[30].replace(b'"v":1', b'"v":1 ')
    problems = [(p.index, p.kind) for p in audit_log(entries, heads).problems]
    assert problems == [(30, "not_canonical"), (None, "tree_head"), (None, "tree_head")]
