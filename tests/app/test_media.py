"""Attaching evidence media (app.media): stored by content address (one file for the same
bytes), logged when received and again when analysed, the hash committed even when the
analysis fails, refused types storing nothing, and who may attach and verify."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from tests.media.samples import exif_of, image_bytes, signed_jpeg_and_ca, wav_bytes

from trucewatch.app import ledger as app_ledger
from trucewatch.app import media as app_media
from trucewatch.app.roles import PermissionDenied, Principal, Role
from trucewatch.app.views.errors import NotVisible
from trucewatch.app.views.media import media_file
from trucewatch.app.views.observations import observation_detail
from trucewatch.errors import InputError, StoreError
from trucewatch.media import MediaRefused, MediaTooLarge
from trucewatch.store import Store
from trucewatch.store import schema as t
from trucewatch.store.media import MEDIA_DIR_ENV, blob_path
from trucewatch.types import EventKind, Observation, PointLocation, SourceKind

T0 = datetime(2025, 8, 12, 6, 30, tzinfo=UTC)
MONITOR = Principal("mon", Role.MONITOR)
PUBLIC = Principal("pub", Role.PUBLIC)
PHOTO = image_bytes("JPEG", exif_of(original="2025:08:12 09:30:15", offset="+03:00",
                                    lat=("N", (48.0, 30.0, 0.0)),
                                    lon=("E", (37.0, 45.0, 0.0))))  # fmt: skip


def _obs(i: int) -> Observation:
    payload = f'{{"n": {i}}}'
    return Observation(
        uid=f"{i:064x}", source_kind=SourceKind.PATROL, source_format="patrol",
        source_id="team-1", time_start=T0 + timedelta(minutes=i), time_end=T0 + timedelta(
            minutes=i + 30), location=PointLocation.isotropic(37.5, 48.0, 0.5),
        kind=EventKind.EXPLOSION, count=1, weapon=None, flow=None, reliability="B",
        credibility=2, payload=payload,
        payload_sha256=hashlib.sha256(payload.encode()).hexdigest(), attributes={},
    )  # fmt: skip


@pytest.fixture
def store(db_url: str, tmp_path: Path) -> Any:
    opened = Store.open(db_url, media_dir=tmp_path / "media")
    opened.add_observations([_obs(1), _obs(2)], files=["a.jsonl"])
    yield opened
    opened.close()


def _entries(store: Store, sha: str) -> list[dict[str, Any]]:
    c = t.ledger_entries.c
    with store.engine.connect() as conn:
        blobs = conn.execute(select(c.entry).where(c.ref == sha).order_by(c.seq)).scalars()
        return [json.loads(bytes(b)) for b in blobs]


def test_a_photo_is_stored_by_its_hash_logged_then_analysed(store: Store) -> None:
    sha = hashlib.sha256(PHOTO).hexdigest()
    done = app_media.add_media(store, _obs(1).uid, PHOTO)
    assert (done["sha256"], done["media_type"], done["size_bytes"]) == (sha, "image/jpeg",
                                                                        len(PHOTO))  # fmt: skip
    assert done["exif"] == {"time": datetime(2025, 8, 12, 6, 30, 15, tzinfo=UTC),
                            "lat": 48.5, "lon": 37.75}  # fmt: skip
    assert done["c2pa"] == {"status": "none", "reason": None, "signer": None}
    assert done["stored"] and done["submitted_by"] == "operator"
    assert store.media_root is not None
    path = blob_path(store.media_root, sha)
    assert path == store.media_root / "sha256" / sha[:2] / sha[2:] and path.read_bytes() == PHOTO
    logged = _entries(store, sha)  # the hash first, with the analysis pending; then the facts
    assert [(e["type"], e["sha256"], e["meta"]["stage"]) for e in logged] == [
        ("media", sha, "received"), ("media", sha, "analysed")]
    assert logged[0]["meta"]["observation"] == _obs(1).uid
    assert logged[0]["meta"]["row"] != logged[1]["meta"]["row"]
    assert done["ledger_entries"] == sorted(done["ledger_entries"])
    assert app_ledger.verify(store)["ok"]


def test_the_same_bytes_twice_are_one_file_and_one_row(store: Store) -> None:
    first = app_media.add_media(store, _obs(1).uid, PHOTO)
    again = app_media.add_media(store, _obs(1).uid, PHOTO)
    assert not again["stored"] and again["ledger_entries"] == first["ledger_entries"]
    assert store.media_root is not None
    files = [p for p in store.media_root.rglob("*") if p.is_file()]
    assert len(files) == 1  # no temporary file left either
    with pytest.raises(InputError, match="already attached to another observation"):
        app_media.add_media(store, _obs(2).uid, PHOTO)
    other = app_media.add_media(store, _obs(2).uid, wav_bytes())
    assert other["media_type"] == "audio/wav" and other["stored"]
    detail = observation_detail(store, None, _obs(1).uid, principal=Principal("a", Role.ANALYST))
    assert [m["sha256"] for m in detail.media] == [first["sha256"]]


def test_a_refused_type_stores_and_logs_nothing(store: Store) -> None:
    with pytest.raises(MediaRefused, match="not an accepted media type"):
        app_media.add_media(store, _obs(1).uid, b"<html><script>alert(1)</script>")
    with pytest.raises(MediaTooLarge):
        app_media.add_media(store, _obs(1).uid, PHOTO, max_bytes=len(PHOTO) - 1)
    assert store.media_root is not None and not store.media_root.exists()
    with store.engine.connect() as conn:
        assert conn.execute(select(t.media)).first() is None


def test_the_hash_is_committed_even_when_the_analysis_fails(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(data: bytes, media_type: str, trust_anchors: str | None = None) -> Any:
        raise RuntimeError("parser crashed")

    monkeypatch.setattr(app_media, "analyse", broken)
    with pytest.raises(RuntimeError):
        app_media.add_media(store, _obs(1).uid, PHOTO)
    sha = hashlib.sha256(PHOTO).hexdigest()
    assert [e["meta"]["stage"] for e in _entries(store, sha)] == ["received"]
    assert app_ledger.verify(store)["ok"]  # the pending row is what the log says
    monkeypatch.undo()
    done = app_media.add_media(store, _obs(1).uid, PHOTO)  # sent again: analysed now
    assert not done["stored"] and done["exif"]["lat"] == 48.5
    assert [e["meta"]["stage"] for e in _entries(store, sha)] == ["received", "analysed"]


def test_who_may_attach_and_see(store: Store) -> None:
    uid = _obs(1).uid  # imported from a file: no API submitter, so analysts only
    with pytest.raises(NotVisible):
        app_media.add_media(store, uid, PHOTO, principal=MONITOR)
    with pytest.raises(PermissionDenied):
        app_media.add_media(store, uid, PHOTO, principal=PUBLIC)
    with pytest.raises(NotVisible):
        app_media.add_media(store, "f" * 64, PHOTO)
    sha = app_media.add_media(store, uid, PHOTO)["sha256"]
    assert media_file(store, sha, principal=Principal("a", Role.ANALYST)).data == PHOTO
    for who in (MONITOR, PUBLIC, Principal("l", Role.LIAISON, party="UA")):
        with pytest.raises(NotVisible, match=f"no media {sha}"):
            media_file(store, sha, principal=who)
    with pytest.raises(PermissionDenied):
        app_media.verify_media(store, principal=MONITOR)


def test_verify_media_names_an_altered_file_and_serving_refuses_it(store: Store) -> None:
    sha = app_media.add_media(store, _obs(1).uid, PHOTO)["sha256"]
    assert app_media.verify_media(store) == {"ok": True, "checked": 1, "problems": [],
                                             "folder": str(store.media_root)}  # fmt: skip
    assert store.media_root is not None
    blob_path(store.media_root, sha).write_bytes(PHOTO + b"\x00")
    found = app_media.verify_media(store)
    assert not found["ok"] and found["problems"][0]["sha256"] == sha
    assert "no longer hash to its name" in found["problems"][0]["message"]
    assert [p["kind"] for p in app_ledger.verify(store)["problems"]] == ["media_file"]
    with pytest.raises(StoreError, match="no longer hashes"):
        media_file(store, sha, principal=Principal("a", Role.ANALYST))
    app_media.add_media(store, _obs(1).uid, PHOTO)  # the same bytes again repair the file
    assert app_media.verify_media(store)["ok"]


def test_without_a_media_folder_intake_says_how_to_set_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(MEDIA_DIR_ENV, raising=False)
    store = Store.open("sqlite://")
    try:
        store.add_observations([_obs(1)], files=["a.jsonl"])
        with pytest.raises(StoreError, match=MEDIA_DIR_ENV):
            app_media.add_media(store, _obs(1).uid, PHOTO)
    finally:
        store.close()


def test_a_signer_on_the_missions_trust_list_is_said_trusted(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data, ca = signed_jpeg_and_ca()
    anchors = tmp_path / "trust.pem"
    anchors.write_bytes(ca)
    monkeypatch.setenv(app_media.TRUST_ANCHORS_ENV, str(anchors))
    done = app_media.add_media(store, _obs(1).uid, data)
    assert done["c2pa"]["status"] == "valid"
    assert done["c2pa"]["reason"] == "signer on the mission's C2PA trust list"
    other, _ = signed_jpeg_and_ca()  # signed under another authority
    untrusted = app_media.add_media(store, _obs(2).uid, other)
    assert untrusted["c2pa"]["status"] == "valid"
    assert "no trust list" in untrusted["c2pa"]["reason"]


def test_an_unreadable_trust_list_is_named_and_the_hash_still_kept(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(app_media.TRUST_ANCHORS_ENV, str(tmp_path / "missing.pem"))
    with pytest.raises(StoreError, match=r"TRUCEWATCH_C2PA_TRUST_ANCHORS.*missing\.pem"):
        app_media.add_media(store, _obs(1).uid, PHOTO)
    sha = hashlib.sha256(PHOTO).hexdigest()
    assert [e["meta"]["stage"] for e in _entries(store, sha)] == ["received"]
    not_pem = tmp_path / "not.pem"
    not_pem.write_text("hello", encoding="ascii")
    monkeypatch.setenv(app_media.TRUST_ANCHORS_ENV, str(not_pem))
    with pytest.raises(StoreError, match="no PEM certificate"):
        app_media.add_media(store, _obs(1).uid, PHOTO)
