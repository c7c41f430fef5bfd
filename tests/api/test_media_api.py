"""Evidence media over the API: attach (raw body or multipart), fetch back with its type,
only by whoever may see the observation (404 for everyone else, the same answer as for a
file that does not exist), listed in the observation's detail; refused types and sizes."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
from tests.api.conftest import Api, MakeApi, auth, patrol_record
from tests.media.samples import exif_of, image_bytes, signed_jpeg, wav_bytes

PHOTO = image_bytes("JPEG", exif_of(original="2025:08:14 08:15:00", offset="+03:00",
                                    lat=("N", (48.0, 21.0, 0.0)),
                                    lon=("E", (37.0, 18.0, 0.0))))  # fmt: skip


@pytest.fixture
def api(make_api: MakeApi, tmp_path: Path) -> Api:
    return make_api(media_dir=tmp_path / "media")


def _submit(api: Api, role: str, key: str) -> str:
    answer = api.post("/api/observations", role=role, key=key,
                      json={"records": [patrol_record(source_id=f"post-{key}")]})  # fmt: skip
    assert answer.status_code == 201, answer.text
    return str(answer.json()["observations"][0])


def _attach(api: Api, uid: str, data: bytes, role: str = "monitor", **kw: Any) -> Any:
    headers = {**auth(role), "Content-Type": "application/octet-stream"}
    if "files" in kw:
        del headers["Content-Type"]
    body = {"files": kw["files"]} if "files" in kw else {"content": data}
    return api.client.post(f"/api/observations/{uid}/media", headers=headers, **body)


def test_attach_fetch_and_list(api: Api) -> None:
    uid = _submit(api, "monitor", "m1")
    first = _attach(api, uid, PHOTO)
    assert first.status_code == 201, first.text
    body = first.json()
    sha = hashlib.sha256(PHOTO).hexdigest()
    assert (body["sha256"], body["media_type"], body["size_bytes"]) == (sha, "image/jpeg",
                                                                        len(PHOTO))  # fmt: skip
    assert body["exif"] == {"time": "2025-08-14T05:15:00Z", "lat": 48.35, "lon": 37.3}
    assert body["c2pa"]["status"] == "none" and body["submitted_by"] == "mon"
    assert len(body["ledger_entries"]) == 2
    again = _attach(api, uid, b"", files={"file": ("x.bin", PHOTO, "text/html")})  # multipart
    assert again.status_code == 200 and again.json()["stored"] is False
    got = api.get(f"/api/media/{sha}", role="monitor")
    assert got.status_code == 200 and got.content == PHOTO
    assert got.headers["content-type"] == "image/jpeg"
    assert got.headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in got.headers["content-security-policy"]
    assert api.get(f"/api/media/{sha.upper()}", role="analyst").content == PHOTO
    for role in ("monitor", "analyst"):
        listed = api.get(f"/api/observations/{uid}", role=role).json()["media"]
        assert [m["sha256"] for m in listed] == [sha]


def test_only_who_may_see_the_observation_gets_the_file(api: Api) -> None:
    uid = _submit(api, "liaison", "l1")  # the UA liaison's complaint
    sent = _attach(api, uid, wav_bytes(), role="liaison")
    assert sent.status_code == 201, sent.text
    sha = sent.json()["sha256"]
    absent = "0" * 64
    for role in ("liaison_ru", "monitor", "public", None):
        headers = auth(role) if role else {}
        hidden = api.client.get(f"/api/media/{sha}", headers=headers)
        missing = api.client.get(f"/api/media/{absent}", headers=headers)
        assert hidden.status_code == missing.status_code == 404, (role, hidden.text)
        assert hidden.text.replace(sha, "X") == missing.text.replace(absent, "X"), role
    ok = api.get(f"/api/media/{sha}", role="liaison")
    assert ok.status_code == 200 and ok.headers["content-type"] == "audio/wav"
    assert api.get(f"/api/media/{sha}", role="analyst").status_code == 200
    # and nobody attaches to an observation they cannot see
    assert _attach(api, uid, PHOTO, role="liaison_ru").status_code == 404
    assert _attach(api, uid, PHOTO, role="monitor").status_code == 404
    assert _attach(api, uid, PHOTO, role="public").status_code == 403


def test_refused_types_and_sizes(make_api: MakeApi, tmp_path: Path) -> None:
    api = make_api(media_dir=tmp_path / "media", max_media_bytes=2048)
    uid = _submit(api, "monitor", "m2")
    html = _attach(api, uid, b"<html><script>alert(1)</script></html>")
    assert html.status_code == 415 and html.json()["error"]["code"] == "unsupported_media_type"
    assert "JPEG, PNG, WebP, MP4, WAV, MP3 or Ogg" in html.json()["error"]["message"]
    big = _attach(api, uid, wav_bytes(frames=4000))
    assert big.status_code == 413
    form = _attach(api, uid, b"", files={"other": ("x.jpg", PHOTO, "image/jpeg")})
    assert form.status_code == 422 and form.json()["error"]["field"] == "file"
    assert not (tmp_path / "media").exists()


def test_a_signed_photo_reports_its_signer(api: Api) -> None:
    uid = _submit(api, "monitor", "m3")
    answer = _attach(api, uid, signed_jpeg())
    assert answer.status_code == 201, answer.text
    c2pa = answer.json()["c2pa"]
    assert c2pa["status"] == "valid" and c2pa["signer"] == "test camera (trucewatch tests)"
