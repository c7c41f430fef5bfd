"""The ledger: append rate, inclusion proofs at 10 million entries, verifying 1 million.

Targets (issue 8): append at least 20,000 entries/s; an inclusion proof in under 1 ms at
10,000,000 entries; verifying 1,000,000 entries in under 30 s.

Measured, in one process run:

* ``append``: building observation entries (canonical bytes), appending them to a fresh
  SQLite store in one transaction (decode check, leaf hash, insert, key checks), and the
  in-memory tree alone (hash + append).
* ``proof_10M``: an in-memory tree of 10,000,000 entries; inclusion proofs at its full size
  and at random earlier sizes (not cached), a consistency proof, and checking a proof.
* ``verify_1M``: :func:`verify_store` over the 1,000,000 stored entries (recompute every
  leaf from the bytes, the root at every signed tree head, strict decoding, key replay),
  and the same recomputation in memory.
* Peers: ``pymerkle`` (PyPI; Python, node objects) on 100,000 entries when installed, and
  a naive recursive transcription of RFC 9162 (the definition, recomputing every subtree)
  on 2**14 entries, extrapolated linearly to 10 million (it is O(n) per proof).
"""

from __future__ import annotations

import random
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from trucewatch.ledger.entry import observation_entry, sha256_hex
from trucewatch.ledger.merkle import (
    MerkleTree,
    RootAccumulator,
    largest_power_of_two_below,
    leaf_hash,
    node_hash,
    verify_consistency,
    verify_inclusion,
)
from trucewatch.ledger.signing import Role, generate_key
from trucewatch.store import Store
from trucewatch.store.ledger import Ledger
from trucewatch.store.ledger_verify import verify_store

TREE_ENTRIES = 10_000_000
STORE_ENTRIES = 1_000_000
PEER_ENTRIES = 100_000
NAIVE_ENTRIES = 1 << 14
PROOFS = 10_000
T0 = datetime(2025, 8, 12, 6, 30, tzinfo=UTC)


def _timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    t0 = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - t0


def _percentiles_us(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "mean_us": round(statistics.fmean(ordered) * 1e6, 1),
        "p50_us": round(ordered[len(ordered) // 2] * 1e6, 1),
        "p99_us": round(ordered[int(len(ordered) * 0.99)] * 1e6, 1),
        "max_us": round(ordered[-1] * 1e6, 1),
    }


def _entries(n: int) -> list[bytes]:
    """Canonical observation entries (64-hex uid, payload hash, time)."""
    return [
        observation_entry(f"{i:064x}", sha256_hex(i.to_bytes(8, "big")), T0).encode()
        for i in range(n)
    ]


# --------------------------------------------------------------------------- append + verify


def bench_store(tmp: Path, n: int) -> dict[str, Any]:
    """Append ``n`` entries to SQLite, sign a head, then verify the whole store."""
    key = generate_key()
    store = Store.open(f"sqlite:///{tmp / 'ledger.db'}")
    ledger = Ledger()
    with store.engine.begin() as conn:
        ledger.add_key(conn, key, Role.MISSION, "mission")
    build_n = min(n, 200_000)
    _, t_build = _timed(lambda: [
        observation_entry(f"{i:064x}", sha256_hex(str(i).encode()), T0) for i in range(build_n)
    ])  # fmt: skip
    blobs = _entries(n)
    with store.engine.begin() as conn:
        _, t_append = _timed(lambda: ledger.append(conn, blobs))
        head = ledger.sign_tree_head(conn, key)
    with store.engine.connect() as conn:
        report, t_verify = _timed(lambda: verify_store(conn))
        cold = Ledger()  # a new process: loads the stored leaf hashes once
        _, t_first_proof = _timed(lambda: cold.inclusion_proof(conn, n // 2))
        proof_times = [_timed(lambda i=i: ledger.inclusion_proof(conn, i))[1]
                       for i in random.Random(1).sample(range(n), 200)]  # fmt: skip
    store.close()
    return {
        "entries": n,
        "build_entries_per_s": round(build_n / t_build),
        "append_entries_per_s": round(n / t_append),
        "append_s": round(t_append, 2),
        "verify_store_s": round(t_verify, 2),
        "verify_ok": report.ok and report.root_hash == head.root_hash,
        "store_first_proof_loading_tree_s": round(t_first_proof, 2),
        "store_proof": _percentiles_us(proof_times),
        "_blobs": blobs,
    }


def bench_memory_verify(blobs: list[bytes]) -> dict[str, Any]:
    """Recompute every leaf hash and the root from entry bytes, in memory."""

    def recompute() -> bytes:
        acc = RootAccumulator()
        for blob in blobs:
            acc.add(leaf_hash(blob))
        return acc.root()

    _, seconds = _timed(recompute)
    return {"entries": len(blobs), "recompute_leaves_and_root_s": round(seconds, 2)}


# --------------------------------------------------------------------------- 10M tree


def bench_tree(n: int) -> dict[str, Any]:
    """Build an in-memory tree of ``n`` entries and time proofs on it."""
    tree = MerkleTree()
    chunk = 1_000_000

    def build() -> None:
        for start in range(0, n, chunk):
            tree.extend(b"entry %d" % i for i in range(start, min(n, start + chunk)))

    _, t_build = _timed(build)
    rng = random.Random(8)
    root = tree.root()
    indices = [rng.randrange(n) for _ in range(PROOFS)]
    full = [_timed(lambda i=i: tree.inclusion_proof(i))[1] for i in indices]
    sizes = [rng.randrange(n // 2, n) for _ in range(1000)]
    earlier = [_timed(lambda s=s: tree.inclusion_proof(rng.randrange(s), s))[1] for s in sizes]
    path = tree.inclusion_proof(indices[0])
    checks = [_timed(lambda: verify_inclusion(tree.leaf_hash(indices[0]), indices[0], n, path,
                                              root))[1] for _ in range(1000)]  # fmt: skip
    consistency, t_consistency = _timed(lambda: tree.consistency_proof(n // 3))
    assert verify_consistency(n // 3, n, tree.root(n // 3), root, consistency)
    return {
        "entries": n,
        "build_s": round(t_build, 2),
        "append_entries_per_s_in_memory": round(n / t_build),
        "inclusion_proof_full_size": _percentiles_us(full),
        "inclusion_proof_earlier_size": _percentiles_us(earlier),
        "verify_inclusion": _percentiles_us(checks),
        "consistency_proof_us": round(t_consistency * 1e6, 1),
        "proof_length": len(path),
    }


# --------------------------------------------------------------------------- peers


def _naive_mth(hashes: list[bytes]) -> bytes:
    if len(hashes) == 1:
        return hashes[0]
    k = largest_power_of_two_below(len(hashes))
    return node_hash(_naive_mth(hashes[:k]), _naive_mth(hashes[k:]))


def _naive_path(m: int, hashes: list[bytes]) -> list[bytes]:
    if len(hashes) == 1:
        return []
    k = largest_power_of_two_below(len(hashes))
    if m < k:
        return [*_naive_path(m, hashes[:k]), _naive_mth(hashes[k:])]
    return [*_naive_path(m - k, hashes[k:]), _naive_mth(hashes[:k])]


def bench_naive(n: int, target: int) -> dict[str, Any]:
    """RFC 9162's recursive definition over leaf hashes (every subtree recomputed)."""
    hashes = [leaf_hash(b"entry %d" % i) for i in range(n)]
    times = [_timed(lambda i=i: _naive_path(i, hashes))[1] for i in (0, n // 3, n - 1)]
    per_proof = statistics.fmean(times)
    return {
        "entries": n,
        "inclusion_proof_ms": round(per_proof * 1e3, 1),
        "extrapolated_proof_at_target_s": round(per_proof * target / n, 1),
    }


def bench_pymerkle(n: int) -> dict[str, Any]:
    """pymerkle's in-memory tree (RFC 9162 hashing, Python node objects)."""
    try:
        import pymerkle  # type: ignore[import-not-found]
    except ImportError:
        return {"skipped": "pymerkle is not installed (pip install pymerkle)"}
    entries = [b"entry %d" % i for i in range(n)]
    tree = pymerkle.InmemoryTree(algorithm="sha256")

    def append_all() -> None:
        for entry in entries:
            tree.append_entry(entry)

    _, t_append = _timed(append_all)
    rng = random.Random(3)
    proofs = [_timed(lambda: tree.prove_inclusion(rng.randrange(1, n + 1)))[1]
              for _ in range(200)]  # fmt: skip
    ours = MerkleTree()
    ours.extend(entries)
    same_root = tree.get_root() == ours.root()
    return {
        "version": getattr(pymerkle, "__version__", "?"),
        "entries": n,
        "append_entries_per_s": round(n / t_append),
        "inclusion_proof": _percentiles_us(proofs),
        "same_root_as_trucewatch": same_root,
    }


def run() -> dict[str, Any]:
    """Run all measurements (about 2-3 minutes on 2 cores) and return JSON-able results."""
    out: dict[str, Any] = {
        "targets": {"append_entries_per_s": 20_000, "inclusion_proof_ms_at_10M": 1.0,
                    "verify_1M_s": 30.0},
    }  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        store = bench_store(Path(tmp), STORE_ENTRIES)
    blobs = store.pop("_blobs")
    out["store_sqlite"] = store
    out["verify_in_memory"] = bench_memory_verify(blobs)
    del blobs
    out["tree_in_memory"] = bench_tree(TREE_ENTRIES)
    out["peer_naive_rfc9162"] = bench_naive(NAIVE_ENTRIES, TREE_ENTRIES)
    out["peer_pymerkle"] = bench_pymerkle(PEER_ENTRIES)
    proof = out["tree_in_memory"]["inclusion_proof_full_size"]
    out["meets_targets"] = {
        "append": store["append_entries_per_s"] >= 20_000,
        "inclusion_proof_10M": proof["p99_us"] < 1000,
        "verify_1M": store["verify_store_s"] < 30.0,
    }
    return out


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=2))
