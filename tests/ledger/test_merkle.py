"""The Merkle tree against RFC 9162's definitions, published test vectors and corruptions."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trucewatch.ledger.merkle import (
    EMPTY_ROOT,
    MerkleTree,
    RootAccumulator,
    largest_power_of_two_below,
    leaf_hash,
    merkle_root,
    node_hash,
    root_from_inclusion_proof,
    verify_consistency,
    verify_inclusion,
)

# ---------------------------------------------------------------------------- reference
# A direct transcription of RFC 9162 section 2.1.1 (MTH), 2.1.3.1 (PATH) and 2.1.4.1
# (PROOF / SUBPROOF), recursive and slow, to compare the incremental tree against.


def ref_mth(d: list[bytes]) -> bytes:
    n = len(d)
    if n == 0:
        return hashlib.sha256(b"").digest()
    if n == 1:
        return hashlib.sha256(b"\x00" + d[0]).digest()
    k = largest_power_of_two_below(n)
    return hashlib.sha256(b"\x01" + ref_mth(d[:k]) + ref_mth(d[k:])).digest()


def ref_path(m: int, d: list[bytes]) -> list[bytes]:
    n = len(d)
    if n == 1:
        return []
    k = largest_power_of_two_below(n)
    if m < k:
        return [*ref_path(m, d[:k]), ref_mth(d[k:])]
    return [*ref_path(m - k, d[k:]), ref_mth(d[:k])]


def ref_subproof(m: int, d: list[bytes], b: bool) -> list[bytes]:
    n = len(d)
    if m == n:
        return [] if b else [ref_mth(d)]
    k = largest_power_of_two_below(n)
    if m <= k:
        return [*ref_subproof(m, d[:k], b), ref_mth(d[k:])]
    return [*ref_subproof(m - k, d[k:], False), ref_mth(d[:k])]


def ref_proof(m: int, d: list[bytes]) -> list[bytes]:
    return ref_subproof(m, d, True)


def data(n: int) -> list[bytes]:
    return [f"entry {i}".encode() for i in range(n)]


# ---------------------------------------------------------------------------- test vectors
# The Certificate Transparency test vectors (published with Google's CT implementation and
# transparency-dev/merkle, Apache-2.0): eight leaves and the roots of their prefixes.

CT_LEAVES = [
    bytes.fromhex(h)
    for h in (
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    )
]
CT_ROOTS = [
    bytes.fromhex(h)
    for h in (
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    )
]
CT_INCLUSION = [  # (1-based leaf, tree size, audit path)
    (
        1,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        6,
        8,
        [
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (3, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (
        2,
        5,
        [
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
]
CT_CONSISTENCY = [  # (old size, new size, proof)
    (
        1,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        6,
        8,
        [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (
        2,
        5,
        [
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
    (
        6,
        7,
        [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
]


@pytest.fixture(scope="module")
def ct_tree() -> MerkleTree:
    tree = MerkleTree()
    tree.extend(CT_LEAVES)
    return tree


def test_empty_tree_root_is_hash_of_empty_string() -> None:
    assert MerkleTree().root() == EMPTY_ROOT == hashlib.sha256(b"").digest()
    assert RootAccumulator().root() == EMPTY_ROOT


@pytest.mark.parametrize("size", range(1, 9))
def test_ct_vector_roots(ct_tree: MerkleTree, size: int) -> None:
    assert ct_tree.root(size) == CT_ROOTS[size - 1]
    assert merkle_root([leaf_hash(d) for d in CT_LEAVES[:size]]) == CT_ROOTS[size - 1]


@pytest.mark.parametrize(("leaf", "size", "path"), CT_INCLUSION)
def test_ct_vector_inclusion(ct_tree: MerkleTree, leaf: int, size: int, path: list[str]) -> None:
    expected = [bytes.fromhex(p) for p in path]
    assert ct_tree.inclusion_proof(leaf - 1, size) == expected
    assert verify_inclusion(
        leaf_hash(CT_LEAVES[leaf - 1]), leaf - 1, size, expected, CT_ROOTS[size - 1]
    )


@pytest.mark.parametrize(("old", "new", "proof"), CT_CONSISTENCY)
def test_ct_vector_consistency(ct_tree: MerkleTree, old: int, new: int, proof: list[str]) -> None:
    expected = [bytes.fromhex(p) for p in proof]
    assert ct_tree.consistency_proof(old, new) == expected
    assert verify_consistency(old, new, CT_ROOTS[old - 1], CT_ROOTS[new - 1], expected)


# ---------------------------------------------------------------------------- reference


@pytest.fixture(scope="module")
def tree64() -> tuple[MerkleTree, list[bytes]]:
    d = data(64)
    tree = MerkleTree()
    for item in d:  # one at a time: exercises the incremental path
        tree.append(item)
    return tree, d


def test_all_sizes_to_64_match_the_rfc_definitions(tree64: tuple[MerkleTree, list[bytes]]) -> None:
    tree, d = tree64
    for n in range(0, 65):
        root = ref_mth(d[:n])
        assert tree.root(n) == root
        for m in range(n):
            path = tree.inclusion_proof(m, n)
            assert path == ref_path(m, d[:n]), (m, n)
            assert verify_inclusion(leaf_hash(d[m]), m, n, path, root)
        for m in range(1, n):
            proof = tree.consistency_proof(m, n)
            assert proof == ref_proof(m, d[:n]), (m, n)
            assert verify_consistency(m, n, ref_mth(d[:m]), root, proof)
        assert tree.consistency_proof(0, n) == []
        assert tree.consistency_proof(n, n) == []


@settings(max_examples=40, deadline=None)
@given(st.integers(65, 700), st.data())
def test_random_larger_sizes_match_the_rfc_definitions(n: int, draw: st.DataObject) -> None:
    d = data(n)
    tree = MerkleTree()
    cut = draw.draw(st.integers(0, n))
    tree.extend(d[:cut])
    tree.extend(d[cut:])
    m = draw.draw(st.integers(0, n - 1))
    old = draw.draw(st.integers(1, n))
    assert tree.root() == ref_mth(d)
    assert tree.inclusion_proof(m) == ref_path(m, d)
    assert tree.consistency_proof(old) == (ref_proof(old, d) if old < n else [])
    assert tree.root(old) == ref_mth(d[:old])


def test_bulk_and_incremental_building_agree() -> None:
    d = data(1000)
    one, bulk, hashes = MerkleTree(), MerkleTree(), MerkleTree()
    for item in d:
        one.append(item)
    bulk.extend(d)
    hashes.extend_leaf_hashes(b"".join(leaf_hash(x) for x in d))
    for n in (1, 2, 3, 511, 512, 513, 999, 1000):
        assert one.root(n) == bulk.root(n) == hashes.root(n)
    assert one.leaf_hashes(10, 12) == leaf_hash(d[10]) + leaf_hash(d[11])


def test_accumulator_matches_tree() -> None:
    d = data(300)
    tree, acc = MerkleTree(), RootAccumulator()
    for i, item in enumerate(d):
        tree.append(item)
        acc.add(leaf_hash(item))
        assert acc.root() == tree.root() == tree.root(i + 1)


def test_out_of_range_requests_raise() -> None:
    tree = MerkleTree()
    tree.extend(data(5))
    with pytest.raises(IndexError):
        tree.root(6)
    with pytest.raises(IndexError):
        tree.inclusion_proof(5, 5)
    with pytest.raises(IndexError):
        tree.consistency_proof(6)
    with pytest.raises(ValueError):
        tree.extend_leaf_hashes(b"short")


def test_pymerkle_computes_the_same_roots() -> None:
    pymerkle = pytest.importorskip("pymerkle")
    d = data(100)
    peer = pymerkle.InmemoryTree(algorithm="sha256")
    for item in d:
        peer.append_entry(item)
    tree = MerkleTree()
    tree.extend(d)
    for n in (1, 2, 3, 7, 64, 99, 100):
        assert peer.get_root(n) == tree.root(n)


# ---------------------------------------------------------------------------- corruptions


def _flip(h: bytes, bit: int = 3) -> bytes:
    return bytes([h[0] ^ (1 << bit)]) + h[1:]


def inclusion_corruptions(m: int, n: int, path: list[bytes], root: bytes, leaf: bytes):
    yield m - 1, n, path, root, leaf
    yield m + 1, n, path, root, leaf
    yield m ^ 2, n, path, root, leaf
    yield m, n * 2, path, root, leaf
    yield m, n // 2, path, root, leaf
    yield m, n, path, root, b"WrongLeaf"
    yield m, n, path, EMPTY_ROOT, leaf
    yield m, n, path, _flip(root), leaf
    yield m, n, [*path, b""], root, leaf
    yield m, n, [*path, root], root, leaf
    yield m, n, [root, *path], root, leaf
    for i in range(len(path)):
        yield m, n, [*path[:i], _flip(path[i]), *path[i + 1 :]], root, leaf
    if path:
        yield m, n, path[:-1], root, leaf
    if len(path) > 1:
        yield m, n, [path[0], EMPTY_ROOT, *path[1:]], root, leaf


def test_corrupted_inclusion_proofs_fail(tree64: tuple[MerkleTree, list[bytes]]) -> None:
    tree, d = tree64
    for n in (1, 2, 5, 8, 33, 64):
        root = tree.root(n)
        for m in range(n):
            good = tree.inclusion_proof(m, n)
            leaf = leaf_hash(d[m])
            assert root_from_inclusion_proof(leaf, m, n, good) == root
            for cm, cn, path, croot, cleaf in inclusion_corruptions(m, n, good, root, leaf):
                assert not verify_inclusion(cleaf, cm, cn, path, croot), (m, n, cm, cn)


def consistency_corruptions(m: int, n: int, r1: bytes, r2: bytes, proof: list[bytes]):
    yield m - 1, n, r1, r2, proof
    yield m + 1, n, r1, r2, proof
    yield m ^ 2, n, r1, r2, proof
    yield m, n * 2, r1, r2, proof
    yield m, n // 2, r1, r2, proof
    yield m, n, b"WrongRoot" + bytes(23), r2, proof
    yield m, n, r1, b"WrongRoot" + bytes(23), proof
    yield m, n, r2, r1, proof
    yield m, n, r1, r2, []
    yield m, n, r1, r2, [*proof, b""]
    yield m, n, r1, r2, [*proof, r1]
    yield m, n, r1, r2, [*proof, r2]
    yield m, n, r1, r2, [b"", *proof]
    yield m, n, r1, r2, [r1, *proof]
    yield m, n, r1, r2, [r2, *proof]
    yield m, n, r1, r2, [proof[0], *proof]
    yield m, n, r1, r2, proof[:-1]
    for i in range(len(proof)):
        yield m, n, r1, r2, [*proof[:i], _flip(proof[i], 4), *proof[i + 1 :]]


def test_corrupted_consistency_proofs_fail(tree64: tuple[MerkleTree, list[bytes]]) -> None:
    tree, _ = tree64
    for n in range(2, 40):
        for m in range(1, n):
            proof = tree.consistency_proof(m, n)
            r1, r2 = tree.root(m), tree.root(n)
            assert verify_consistency(m, n, r1, r2, proof)
            for cm, cn, c1, c2, cp in consistency_corruptions(m, n, r1, r2, proof):
                assert not verify_consistency(cm, cn, c1, c2, cp), (m, n, cm, cn)


@pytest.mark.parametrize(
    ("old", "new", "r1", "r2", "proof", "ok"),
    [
        (0, 0, EMPTY_ROOT, EMPTY_ROOT, [], True),
        (0, 5, EMPTY_ROOT, bytes(32), [], True),
        (1, 1, bytes(32), bytes(32), [], True),
        (1, 1, bytes(32), b"\x01" * 32, [], False),
        (1, 0, bytes(32), bytes(32), [], False),
        (2, 1, bytes(32), bytes(32), [], False),
        (1, 2, bytes(32), bytes(32), [], False),
        (0, 1, EMPTY_ROOT, EMPTY_ROOT, [EMPTY_ROOT], False),
        (1, 1, EMPTY_ROOT, EMPTY_ROOT, [EMPTY_ROOT], False),
    ],
)
def test_consistency_edge_cases(old, new, r1, r2, proof, ok) -> None:  # type: ignore[no-untyped-def]
    assert verify_consistency(old, new, r1, r2, proof) is ok


def test_removing_an_entry_breaks_consistency() -> None:
    d = data(20)
    tree = MerkleTree()
    tree.extend(d)
    old_root = tree.root(10)
    forged = MerkleTree()
    forged.extend(d[:4] + d[5:] + [b"late 1", b"late 2"])  # entry 4 silently dropped
    proof = forged.consistency_proof(10)
    assert not verify_consistency(10, len(forged), old_root, forged.root(), proof)


def test_node_hash_is_domain_separated_from_leaf_hash() -> None:
    a, b = leaf_hash(b"a"), leaf_hash(b"b")
    assert node_hash(a, b) != leaf_hash(a + b)
