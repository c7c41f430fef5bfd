"""C2SP signed notes, checkpoints, cosignatures and tiles, with the specifications'
examples as test vectors."""

from __future__ import annotations

import base64
import hashlib

import pytest

from trucewatch.ledger.merkle import MerkleTree
from trucewatch.ledger.note import (
    COSIGNATURE,
    ED25519,
    Checkpoint,
    NoteError,
    Signer,
    Verifier,
    parse_note,
    sign_checkpoint,
)
from trucewatch.ledger.signing import generate_key
from trucewatch.ledger.tiles import tile_index_path, tile_levels, tile_path, tiles_of

# c2sp.org/signed-note, "Example"
SPEC_VKEY = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"
SPEC_NOTE = (
    "This is an example message.\n\n— example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi"
    "2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n"
).encode()
# c2sp.org/tlog-checkpoint, the example's note text
SPEC_CHECKPOINT = (
    b"example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
)


def test_the_signed_note_specification_example_verifies() -> None:
    verifier = Verifier.parse(SPEC_VKEY)
    assert verifier.vkey() == SPEC_VKEY and verifier.kind == ED25519
    note = parse_note(SPEC_NOTE)
    assert note.text == b"This is an example message.\n"
    assert note.verified_by([verifier]) == {"example.com/foo": None}
    assert note.render() == SPEC_NOTE
    altered = parse_note(SPEC_NOTE.replace(b"example message", b"exemplary message"))
    with pytest.raises(NoteError, match="does not verify"):
        altered.verified_by([verifier])
    stranger = Signer("example.com/foo", generate_key()).verifier  # same name, other key
    assert note.verified_by([stranger]) == {}  # unknown keys are ignored


@pytest.mark.parametrize("bad", [
    "example.com/foo+530d903b+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k",  # wrong key ID
    "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2",  # truncated
    "example.com/foo+530d903a",
])  # fmt: skip
def test_malformed_verifier_keys_are_refused(bad: str) -> None:
    with pytest.raises(NoteError):
        Verifier.parse(bad)


def test_checkpoint_text_and_cosignature() -> None:
    checkpoint = Checkpoint.parse(SPEC_CHECKPOINT)
    assert (checkpoint.origin, checkpoint.size) == ("example.com/behind-the-sofa", 20852163)
    assert checkpoint.text() == SPEC_CHECKPOINT
    for text in (b"a\n01\n" + SPEC_CHECKPOINT.split(b"\n")[2] + b"\n", b"a\n1\nnot-base64\n",
                 b"a\n1\n"):  # fmt: skip
        with pytest.raises(NoteError):
            Checkpoint.parse(text)
    log = Signer(checkpoint.origin, generate_key())
    witness = Signer("witness.example/w1", generate_key(), COSIGNATURE)
    note = sign_checkpoint(checkpoint, log)
    cosigned = note.with_lines(witness.sign_line(note.text, timestamp=1679315147))
    seen = parse_note(cosigned.render()).verified_by([log.verifier, witness.verifier])
    assert seen == {checkpoint.origin: None, "witness.example/w1": 1679315147}
    key = witness.verifier
    expected_id = hashlib.sha256(b"witness.example/w1\n\x04" + key.public_key).digest()[:4]
    assert key.key_id == expected_id and Verifier.parse(key.vkey()) == key
    raw = dict(cosigned.signatures)["witness.example/w1"]
    assert len(raw) == 4 + 8 + 64 and int.from_bytes(raw[4:12], "big") == 1679315147


def test_tile_paths_and_levels_follow_the_specification() -> None:
    assert tile_index_path(1234067) == "x001/x234/067" and tile_index_path(5) == "005"
    assert tile_path(0, 1, 112) == "tile/0/001.p/112"
    levels = tile_levels([bytes(32)] * 70_000)  # the specification's example sizes
    assert [len(level) for level in levels] == [70_000, 273, 1]
    entries = [i.to_bytes(4, "big") for i in range(70_000)]
    tiles = tiles_of(entries)
    level0 = [p for p in tiles if p.startswith("tile/0/")]
    assert len(level0) == 274 and "tile/0/273.p/112" in tiles
    assert "tile/1/000" in tiles and "tile/1/001.p/17" in tiles and "tile/2/000.p/1" in tiles
    tree = MerkleTree()
    tree.extend(entries)
    assert tiles["tile/1/000"][:32] == tree.root(256)  # level 1 = roots of full tiles
    assert tiles["tile/0/273.p/112"][-32:] == tree.leaf_hash(69_999)
    bundle = tiles["tile/entries/273.p/112"]
    assert bundle[:2] == b"\x00\x04" and bundle[2:6] == entries[69_888]
    assert base64.b64encode(tree.root()).decode()  # the tiles determine the whole tree
