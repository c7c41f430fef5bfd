"""RFC 6962 / RFC 9162 Merkle tree: hashing, an incremental in-memory tree and its proofs.

The tree is the Certificate Transparency tree of RFC 9162 section 2.1: leaf hash
``SHA-256(0x00 || d)``, node hash ``SHA-256(0x01 || left || right)``, and for ``n > 1``
leaves ``MTH(D[n]) = node(MTH(D[0:k]), MTH(D[k:n]))`` with ``k`` the largest power of two
smaller than ``n``. Indices are 0-based; a "size" is a number of leaves.

:class:`MerkleTree` keeps, for every level ``h``, the hashes of all *complete* subtrees of
``2**h`` leaves, left to right, in one ``bytearray`` (32 bytes each): about 64 bytes per
leaf in all. Appending computes only the nodes that the new leaves complete (amortized one
node per leaf); complete nodes never change, so the same arrays answer ``root(n)`` and
proofs for every earlier size ``n``. A range ``D[a:n]`` that is not complete (the right
edge of a tree of size ``n``) is folded from the ``popcount(n)`` complete subtrees of
``n``, once per size, and cached. A proof is then O(log n) array lookups.

The verification functions are those of the standalone verifier
(:mod:`trucewatch.ledger.verify`), re-exported here so that the tree and its checks are in
one namespace.
"""

from __future__ import annotations

import hashlib
import itertools
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from threading import Lock

from trucewatch.ledger.verify import (
    EMPTY_ROOT,
    HASH_SIZE,
    LEAF_PREFIX,
    NODE_PREFIX,
    VerificationError,
    check_consistency,
    check_inclusion,
    leaf_hash,
    node_hash,
    root_from_inclusion_proof,
    verify_consistency,
    verify_inclusion,
)

__all__ = [
    "EMPTY_ROOT",
    "HASH_SIZE",
    "MerkleTree",
    "RootAccumulator",
    "VerificationError",
    "check_consistency",
    "check_inclusion",
    "largest_power_of_two_below",
    "leaf_hash",
    "merkle_root",
    "node_hash",
    "root_from_inclusion_proof",
    "verify_consistency",
    "verify_inclusion",
]

_CHUNK = 1 << 16
"""Entries hashed per batch in :meth:`MerkleTree.extend` (bounds temporary memory)."""

_SPINE_CACHE = 16
"""Number of tree sizes whose right-edge hashes are kept."""


def largest_power_of_two_below(n: int) -> int:
    """The largest power of two strictly smaller than ``n`` (``n >= 2``): RFC 9162's ``k``."""
    if n < 2:
        raise ValueError(f"no power of two below {n} splits a tree")
    return 1 << ((n - 1).bit_length() - 1)


def _is_complete(start: int, width: int) -> bool:
    """True when ``D[start:start+width]`` is a complete, aligned subtree."""
    return width & (width - 1) == 0 and start % width == 0


class MerkleTree:
    """An append-only RFC 9162 Merkle tree held in memory.

    >>> tree = MerkleTree()
    >>> tree.extend([b"a", b"b", b"c"])
    range(0, 3)
    >>> tree.root(3) == node_hash(node_hash(leaf_hash(b"a"), leaf_hash(b"b")), leaf_hash(b"c"))
    True
    >>> tree.root(0) == EMPTY_ROOT
    True

    Appends and reads are guarded by one lock, so a tree can be shared between threads.
    """

    def __init__(self) -> None:
        self._levels: list[bytearray] = [bytearray()]
        self._size = 0
        self._spines: OrderedDict[int, dict[int, bytes]] = OrderedDict()
        self._lock = Lock()

    def __len__(self) -> int:
        return self._size

    @property
    def size(self) -> int:
        """Number of leaves."""
        return self._size

    # ------------------------------------------------------------------ appending

    def append(self, entry: bytes) -> int:
        """Append one entry (its bytes; hashed as a leaf); return its index."""
        return self.extend_leaf_hashes(leaf_hash(entry)).start

    def extend(self, entries: Iterable[bytes]) -> range:
        """Append entries in order (each hashed as a leaf); return their indices."""
        start = self._size
        sha256 = hashlib.sha256
        iterator = iter(entries)
        while chunk := list(itertools.islice(iterator, _CHUNK)):
            self.extend_leaf_hashes(b"".join([sha256(LEAF_PREFIX + e).digest() for e in chunk]))
        return range(start, self._size)

    def extend_leaf_hashes(self, hashes: bytes | bytearray | Iterable[bytes]) -> range:
        """Append leaves given by their leaf hashes (32 bytes each, or concatenated)."""
        data = hashes if isinstance(hashes, bytes | bytearray) else b"".join(hashes)
        if len(data) % HASH_SIZE:
            raise ValueError(f"leaf hashes must be {HASH_SIZE} bytes each")
        with self._lock:
            start = self._size
            self._levels[0] += data
            self._size += len(data) // HASH_SIZE
            self._complete_parents(start)
            return range(start, self._size)

    def _complete_parents(self, old_count: int) -> None:
        """Compute the nodes completed since level 0 held ``old_count`` hashes."""
        sha256, prefix, level = hashlib.sha256, NODE_PREFIX, 0
        while True:
            nodes = self._levels[level]
            first, last = old_count // 2, len(nodes) // (2 * HASH_SIZE)
            if first == last:
                return
            if len(self._levels) == level + 1:
                self._levels.append(bytearray())
            with memoryview(nodes) as mv:
                self._levels[level + 1] += b"".join(
                    [sha256(prefix + mv[64 * j : 64 * j + 64]).digest() for j in range(first, last)]
                )
            old_count, level = first, level + 1

    # ------------------------------------------------------------------ reading

    def leaf_hash(self, index: int) -> bytes:
        """Leaf hash of leaf ``index``."""
        if not 0 <= index < self._size:
            raise IndexError(f"leaf {index} is outside a tree of {self._size} leaves")
        return bytes(self._levels[0][HASH_SIZE * index : HASH_SIZE * (index + 1)])

    def leaf_hashes(self, start: int = 0, stop: int | None = None) -> bytes:
        """Leaf hashes of leaves ``[start, stop)``, concatenated."""
        stop = self._size if stop is None else stop
        if not 0 <= start <= stop <= self._size:
            raise IndexError(f"range {start}:{stop} is outside a tree of {self._size} leaves")
        return bytes(self._levels[0][HASH_SIZE * start : HASH_SIZE * stop])

    def root(self, size: int | None = None) -> bytes:
        """Root hash ``MTH(D[0:size])`` for the current or any earlier size."""
        n = self._check_size(size)
        if n == 0:
            return EMPTY_ROOT
        with self._lock:
            return self._range_hash(0, n)

    def inclusion_proof(self, index: int, size: int | None = None) -> list[bytes]:
        """Audit path ``PATH(index, D[0:size])`` of RFC 9162 section 2.1.3.1, leaf upwards."""
        n = self._check_size(size)
        if not 0 <= index < n:
            raise IndexError(f"leaf {index} is outside a tree of {n} leaves")
        path: list[bytes] = []
        start, end = 0, n
        with self._lock:
            while end - start > 1:
                k = largest_power_of_two_below(end - start)
                if index < start + k:
                    path.append(self._range_hash(start + k, end))
                    end = start + k
                else:
                    path.append(self._range_hash(start, start + k))
                    start += k
        path.reverse()
        return path

    def consistency_proof(self, old_size: int, new_size: int | None = None) -> list[bytes]:
        """Consistency proof ``PROOF(old_size, D[0:new_size])`` of RFC 9162 section 2.1.4.1.

        Empty when ``old_size`` is 0 or equal to ``new_size`` (nothing to prove).
        """
        n = self._check_size(new_size)
        if not 0 <= old_size <= n:
            raise IndexError(f"old size {old_size} is not within 0..{n}")
        if old_size in (0, n):
            return []
        proof: list[bytes] = []
        start, end, whole = 0, n, True
        with self._lock:
            while old_size != end:
                k = largest_power_of_two_below(end - start)
                if old_size - start <= k:
                    proof.append(self._range_hash(start + k, end))
                    end = start + k
                else:
                    proof.append(self._range_hash(start, start + k))
                    start, whole = start + k, False
            if not whole:
                proof.append(self._range_hash(start, end))
        proof.reverse()
        return proof

    # ------------------------------------------------------------------ internals

    def _check_size(self, size: int | None) -> int:
        n = self._size if size is None else size
        if not 0 <= n <= self._size:
            raise IndexError(f"size {n} is not within 0..{self._size}")
        return n

    def _range_hash(self, start: int, end: int) -> bytes:
        """``MTH(D[start:end])`` for a complete aligned range or a right edge ``D[a:n]``."""
        width = end - start
        if _is_complete(start, width):
            level = width.bit_length() - 1
            offset = HASH_SIZE * (start >> level)
            return bytes(self._levels[level][offset : offset + HASH_SIZE])
        return self._spine(end)[start]

    def _spine(self, n: int) -> dict[int, bytes]:
        """Hashes of the ranges ``D[a:n]`` that a tree of size ``n`` is built from, by ``a``:
        folded right to left from the complete subtrees ("peaks") of ``n``."""
        cached = self._spines.get(n)
        if cached is not None:
            self._spines.move_to_end(n)
            return cached
        starts, start = [], 0
        for bit in reversed(range(n.bit_length())):
            if n >> bit & 1:
                starts.append((start, 1 << bit))
                start += 1 << bit
        spine: dict[int, bytes] = {}
        acc: bytes | None = None
        for a, width in reversed(starts):
            peak = self._range_hash(a, a + width)
            acc = peak if acc is None else node_hash(peak, acc)
            spine[a] = acc
        self._spines[n] = spine
        if len(self._spines) > _SPINE_CACHE:
            self._spines.popitem(last=False)
        return spine


class RootAccumulator:
    """Streaming root hash in O(log n) memory: feed leaf hashes in order, read the root of
    the leaves so far at any point (used to re-verify a stored log in one pass).

    >>> acc = RootAccumulator()
    >>> acc.add(leaf_hash(b"a")); acc.add(leaf_hash(b"b"))
    >>> acc.root() == node_hash(leaf_hash(b"a"), leaf_hash(b"b"))
    True
    """

    def __init__(self) -> None:
        self._peaks: list[bytes] = []
        self.size = 0

    def add(self, leaf: bytes) -> None:
        """Add the next leaf hash."""
        peaks, n = self._peaks, self.size
        peaks.append(leaf)
        self.size = n + 1
        while n & 1:
            right = peaks.pop()
            peaks[-1] = node_hash(peaks[-1], right)
            n >>= 1

    def root(self) -> bytes:
        """Root hash of the leaves added so far (RFC 9162 ``MTH``)."""
        if not self._peaks:
            return EMPTY_ROOT
        acc = self._peaks[-1]
        for peak in reversed(self._peaks[:-1]):
            acc = node_hash(peak, acc)
        return acc


def merkle_root(leaf_hashes: Sequence[bytes]) -> bytes:
    """Root hash of a list of leaf hashes."""
    acc = RootAccumulator()
    for h in leaf_hashes:
        acc.add(h)
    return acc.root()
