"""``trucewatch media add`` and ``media verify``: the file beside a SQLite store, its EXIF
and C2PA result printed, a refused type as one line, an altered file named."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.cli.test_cli import PATROL, invoke
from tests.media.samples import exif_of, image_bytes


@pytest.fixture
def stored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[str, str]:
    """A SQLite store with one observation: ``(db url, observation uid)``."""
    monkeypatch.delenv("TRUCEWATCH_MEDIA_DIR", raising=False)
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    records = tmp_path / "patrol.jsonl"
    records.write_text(json.dumps(PATROL) + "\n", encoding="utf-8")
    done = invoke("import", str(records), "--db", db, "--json")
    assert done.exit_code == 0, done.output
    return db, _first_uid(db)


def _first_uid(db: str) -> str:
    from trucewatch.store import Store

    store = Store.open(db)
    try:
        return store.observations()[0].uid
    finally:
        store.close()


def test_media_add_and_verify(stored: tuple[str, str], tmp_path: Path) -> None:
    db, uid = stored
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(image_bytes("JPEG", exif_of(
        original="2025:08:13 10:00:00", offset="+03:00", lat=("N", (48.0, 21.0, 0.0)),
        lon=("E", (37.0, 33.0, 0.0)))))  # fmt: skip
    added = invoke("media", "add", uid, str(photo), "--db", db)
    assert added.exit_code == 0, added.output
    assert "stored:" in added.stdout and "C2PA: none" in added.stdout
    assert "time 2025-08-13 07:00:00+00:00, lat 48.35, lon 37.55" in added.stdout
    as_json = json.loads(invoke("media", "add", uid, str(photo), "--db", db, "--json").stdout)
    assert as_json["stored"] is False and as_json["media_type"] == "image/jpeg"
    folder = tmp_path / "cli.db-media"  # beside the database file
    stored_file = folder / "sha256" / as_json["sha256"][:2] / as_json["sha256"][2:]
    assert stored_file.read_bytes() == photo.read_bytes()
    ok = invoke("media", "verify", "--db", db)
    assert ok.exit_code == 0 and ok.stdout.startswith("OK: 1 media files")
    stored_file.write_bytes(b"\xff\xd8\xff" + b"\x00" * 10)
    bad = invoke("media", "verify", "--db", db)
    assert bad.exit_code == 1 and "no longer hash to its name" in bad.stdout
    ledger = invoke("ledger", "verify", "--db", db)
    assert ledger.exit_code == 1 and "media_file" in ledger.stdout


def test_a_refused_file_is_one_line(stored: tuple[str, str], tmp_path: Path) -> None:
    db, uid = stored
    page = tmp_path / "page.html"
    page.write_text("<html></html>", encoding="utf-8")
    refused = invoke("media", "add", uid, str(page), "--db", db)
    assert refused.exit_code == 1
    assert "not an accepted media type" in refused.stderr and "Traceback" not in refused.output
    missing = invoke("media", "add", uid, str(tmp_path / "nope.jpg"), "--db", db)
    assert missing.exit_code == 1 and "nope.jpg" in missing.stderr


def test_a_party_checks_a_photo_against_the_log(stored: tuple[str, str], tmp_path: Path) -> None:
    """The inclusion proof of a media file's entry, checked by the standalone verifier on
    the photo itself (``--content``): the entry records the SHA-256 of its bytes."""
    from trucewatch.ledger.verify import VerificationError, run_check

    db, uid = stored
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(image_bytes("JPEG"))
    sha = json.loads(invoke("media", "add", uid, str(photo), "--db", db, "--json").stdout)["sha256"]
    key = tmp_path / "mission.pem"
    assert invoke("ledger", "init-key", "--key", str(key), "--db", db).exit_code == 0
    assert invoke("ledger", "sign", "--key", str(key), "--db", db).exit_code == 0
    proof = json.loads(invoke("ledger", "proof", sha, "--db", db).stdout)
    (tmp_path / "proof.json").write_text(json.dumps(proof["proof"]), encoding="utf-8")
    (tmp_path / "sth.json").write_text(json.dumps(proof["tree_head"]), encoding="utf-8")
    line = run_check([tmp_path / "proof.json", tmp_path / "sth.json"], None, photo)
    assert line.startswith("OK:") and f"media {sha}" in line
    photo.write_bytes(photo.read_bytes() + b"\x00")
    with pytest.raises(VerificationError, match="no part of"):
        run_check([tmp_path / "proof.json", tmp_path / "sth.json"], None, photo)
