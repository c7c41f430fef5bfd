"""The standalone verifier, as a party runs it: files in, OK or the reason out."""

from __future__ import annotations

import ast
import json
import shutil
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

import trucewatch.ledger.verify as verify_module
from trucewatch.ledger.entry import observation_entry, sha256_hex
from trucewatch.ledger.merkle import MerkleTree
from trucewatch.ledger.signing import generate_key, public_key_bytes, sign_tree_head
from trucewatch.ledger.verify import (
    ConsistencyProof,
    FormatError,
    InclusionProof,
    SignedTreeHead,
    main,
)

T0 = datetime(2025, 8, 12, 6, 30, tzinfo=UTC)
MISSION = generate_key()
PAYLOAD = b'{"n": 41}\n'


@pytest.fixture(scope="module")
def log() -> tuple[MerkleTree, list[bytes]]:
    entries = [
        observation_entry(
            f"{i:064x}", sha256_hex(PAYLOAD if i == 41 else str(i).encode()), T0
        ).encode()
        for i in range(100)
    ]
    tree = MerkleTree()
    tree.extend(entries)
    return tree, entries


def write(path: Path, doc: object) -> Path:
    path.write_text(json.dumps(doc, indent=2))
    return path


def head(tree: MerkleTree, size: int, key=MISSION) -> SignedTreeHead:  # type: ignore[no-untyped-def]
    return sign_tree_head(key, size, tree.root(size), 1_755_027_000_000 + size)


def inclusion(tree: MerkleTree, entries: list[bytes], index: int, size: int) -> InclusionProof:
    return InclusionProof(
        index=index,
        tree_size=size,
        leaf_hash=tree.leaf_hash(index),
        path=tuple(tree.inclusion_proof(index, size)),
        entry=entries[index],
    )


def run(capsys: pytest.CaptureFixture[str], *args: object) -> tuple[int, str]:
    code = main([str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out + out.err


def test_tree_head_signature(tmp_path: Path, log, capsys) -> None:  # type: ignore[no-untyped-def]
    tree, _ = log
    sth = write(tmp_path / "sth.json", head(tree, 100).to_json())
    code, out = run(capsys, sth)
    assert code == 0 and out.startswith("OK: tree head of 100 entries")
    code, out = run(capsys, sth, "--key-id", head(tree, 100).key_id)
    assert code == 0 and "--key-id" not in out
    code, out = run(capsys, sth, "--key-id", "00" * 32)
    assert code == 1 and out.startswith("FAILED") and "not by the expected key" in out
    forged = head(tree, 100).to_json() | {"tree_size": 99}
    code, out = run(capsys, write(tmp_path / "forged.json", forged))
    assert code == 1 and "signature of the tree head" in out


def test_inclusion_proof(tmp_path: Path, log, capsys) -> None:  # type: ignore[no-untyped-def]
    tree, entries = log
    sth = write(tmp_path / "sth.json", head(tree, 100).to_json())
    proof = write(tmp_path / "proof.json", inclusion(tree, entries, 41, 100).to_json())
    payload = tmp_path / "payload.jsonl"
    payload.write_bytes(PAYLOAD)
    code, out = run(capsys, proof, sth, "--content", payload)
    assert code == 0, out
    assert "entry 41 (observation" in out and "matches the logged SHA-256" in out
    payload.write_bytes(PAYLOAD.replace(b"41", b"42"))
    code, out = run(capsys, proof, sth, "--content", payload)
    assert code == 1 and "no part of" in out


def test_inclusion_proof_against_another_tree_fails(tmp_path: Path, log, capsys) -> None:  # type: ignore[no-untyped-def]
    tree, entries = log
    proof = write(tmp_path / "proof.json", inclusion(tree, entries, 41, 99).to_json())
    sth99 = write(tmp_path / "sth99.json", head(tree, 99).to_json())
    sth100 = write(tmp_path / "sth100.json", head(tree, 100).to_json())
    assert run(capsys, proof, sth99)[0] == 0
    code, out = run(capsys, proof, sth100)
    assert code == 1 and "proof is for a log of 99 entries" in out
    doc = inclusion(tree, entries, 41, 99).to_json()
    doc["path"][2] = "00" * 32
    code, out = run(capsys, write(tmp_path / "bad.json", doc), sth99)
    assert code == 1 and "does not lead to the root hash" in out


def test_altered_entry_text_is_refused(tmp_path: Path, log, capsys) -> None:  # type: ignore[no-untyped-def]
    tree, entries = log
    doc = inclusion(tree, entries, 41, 100).to_json()
    doc["entry"] = doc["entry"].replace("observation", "report")
    sth = write(tmp_path / "sth.json", head(tree, 100).to_json())
    code, out = run(capsys, write(tmp_path / "proof.json", doc), sth)
    assert code == 2 and "not the leaf hash of field 'entry'" in out


def test_consistency_proof(tmp_path: Path, log, capsys) -> None:  # type: ignore[no-untyped-def]
    tree, entries = log
    old = write(tmp_path / "old.json", head(tree, 60).to_json())
    new = write(tmp_path / "new.json", head(tree, 100).to_json())
    proof = ConsistencyProof(old_size=60, new_size=100, path=tuple(tree.consistency_proof(60, 100)))
    proof_file = write(tmp_path / "consistency.json", proof.to_json())
    code, out = run(capsys, proof_file, old, new)
    assert code == 0 and "log of 60 entries is unchanged" in out
    # a log that dropped entry 10 and was re-signed cannot prove it extends the old head
    forged_tree = MerkleTree()
    forged_tree.extend(entries[:10] + entries[11:] + [b"x"])
    forged = write(tmp_path / "forged.json", head(forged_tree, 100).to_json())
    forged_proof = replace(proof, path=tuple(forged_tree.consistency_proof(60, 100)))
    code, out = run(capsys, write(tmp_path / "fp.json", forged_proof.to_json()), old, forged)
    assert code == 1 and "earlier log is not a prefix" in out


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ({"v": 1, "kind": "nonsense"}, "field 'kind'"),
        ({"v": 2, "kind": "tree_head"}, "field 'v'"),
        ({"v": 1, "kind": "tree_head", "tree_size": -1}, "tree_size"),
        ([], "field 'kind'"),
    ],
)
def test_unreadable_files_exit_2(tmp_path: Path, capsys, doc, message) -> None:  # type: ignore[no-untyped-def]
    code, out = run(capsys, write(tmp_path / "x.json", doc))
    assert code == 2 and message in out and "x.json" in out


def test_missing_file_and_wrong_combination(tmp_path: Path, log, capsys) -> None:  # type: ignore[no-untyped-def]
    tree, _ = log
    assert run(capsys, tmp_path / "nope.json")[0] == 2
    sth = write(tmp_path / "sth.json", head(tree, 1).to_json())
    code, out = run(capsys, sth, sth)
    assert code == 2 and "give sth.json" in out


def test_sth_json_rejects_mismatched_key_id(log) -> None:  # type: ignore[no-untyped-def]
    tree, _ = log
    doc = head(tree, 5).to_json() | {"public_key": public_key_bytes(generate_key()).hex()}
    with pytest.raises(FormatError, match="key_id"):
        SignedTreeHead.from_json(doc)


def test_verifier_imports_only_stdlib_and_cryptography() -> None:
    tree = ast.parse(Path(verify_module.__file__).read_text())
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            roots.add(node.module.split(".")[0])
    assert roots - set(sys.stdlib_module_names) == {"cryptography"}


def test_copied_verifier_runs_alone(tmp_path: Path, log) -> None:  # type: ignore[no-untyped-def]
    tree, entries = log
    alone = tmp_path / "alone"
    alone.mkdir()
    shutil.copy(verify_module.__file__, alone / "verify.py")
    sth = write(alone / "sth.json", head(tree, 100).to_json())
    proof = write(alone / "proof.json", inclusion(tree, entries, 7, 100).to_json())
    result = subprocess.run(
        [sys.executable, "-I", "verify.py", proof.name, sth.name],
        cwd=alone,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("OK: entry 7")


def test_module_entry_point_does_not_load_the_store(tmp_path: Path, log) -> None:  # type: ignore[no-untyped-def]
    tree, _ = log
    sth = write(tmp_path / "sth.json", head(tree, 3).to_json())
    code = (
        "import runpy, sys; sys.argv = ['verify', sys.argv[1]]\n"
        "try:\n    runpy.run_module('trucewatch.ledger.verify', run_name='__main__')\n"
        "except SystemExit as e:\n    code = e.code\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('numpy', 'sqlalchemy'))\n"
        "print('HEAVY', heavy, code)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(sth)], capture_output=True, text=True, check=False
    )
    assert "HEAVY [] 0" in result.stdout, result.stdout + result.stderr


def test_deeply_nested_files_are_refused_in_one_line(tmp_path: Path, log, capsys) -> None:  # type: ignore[no-untyped-def]
    tree, entries = log
    nested = tmp_path / "nested.json"
    nested.write_text("[" * 100_000 + "]" * 100_000)
    sth = write(tmp_path / "sth.json", head(tree, 100).to_json())
    code, out = run(capsys, nested, sth)
    assert code == 2 and "nested too deeply" in out and "Traceback" not in out
    proof = write(tmp_path / "proof.json", inclusion(tree, entries, 41, 100).to_json())
    content = tmp_path / "content.json"
    content.write_text('{"records": ' + "[" * 100_000 + "]" * 100_000 + "}")
    code, out = run(capsys, proof, sth, "--content", content)
    assert code == 1 and out.startswith("FAILED: no part of")


def test_content_forms_are_the_ways_a_submission_is_logged() -> None:
    from trucewatch.ledger.verify import content_forms

    body = b'\xef\xbb\xbf{"b": 1, "a": "\xc3\xa9"}\r\n{"c": 2.50}\n'
    forms = dict(content_forms(body))
    assert forms["the whole file"] == body
    assert forms["line 1"] == b'{"b": 1, "a": "\xc3\xa9"}' and forms["line 2"] == b'{"c": 2.50}'
    assert forms["line 1 (canonical JSON line)"] == b'{"a":"\xc3\xa9","b":1}'
    assert forms["line 2 (canonical JSON line)"] == b'{"c":2.5}'
    request = dict(content_forms(b'{"records": [{"z": 1, "y": [1, 2]}], "lines": "x\\ny"}'))
    first = "record 0 of the request's records (canonical JSON line)"
    assert request[first] == b'{"y":[1,2],"z":1}'
    assert request["line 2 of the request's lines"] == b"y"
