"""The media package: the allow-list read from the bytes, EXIF time (UTC) and place
(degrees) from images Pillow wrote, and C2PA results on a manifest signed here with
c2pa-python's own Builder (valid), the same file altered (invalid), a manifest whose bytes
are corrupted (invalid) and files without one (none)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from tests.media.samples import (
    HEIC_HEAD,
    M4A_HEAD,
    MP3_FRAME,
    MP3_ID3,
    MP4_HEAD,
    OGG_HEAD,
    SIGNER_NAME,
    SIGNER_ORG,
    exif_of,
    image_bytes,
    signed_jpeg,
    signed_jpeg_and_ca,
    wav_bytes,
)

from trucewatch.media import MediaRefused, MediaTooLarge, analyse, check_c2pa, check_size, sniff
from trucewatch.media.exif import read_exif
from trucewatch.media.provenance import TRUSTED_NOTE

KYIV_DMS = (("N", (50.0, 27.0, 0.0)), ("E", (30.0, 31.0, 24.0)))
"""50°27'N 30°31'24"E = 50.45, 30.5233... degrees."""


# --------------------------------------------------------------------------- sniffing


@pytest.mark.parametrize(("data", "expected"), [
    (image_bytes("JPEG"), "image/jpeg"),
    (image_bytes("PNG"), "image/png"),
    (image_bytes("WEBP"), "image/webp"),
    (MP4_HEAD, "video/mp4"),
    (M4A_HEAD, "audio/mp4"),
    (wav_bytes(), "audio/wav"),
    (MP3_ID3, "audio/mpeg"),
    (MP3_FRAME, "audio/mpeg"),
    (OGG_HEAD, "audio/ogg"),
], ids=["jpeg", "png", "webp", "mp4", "m4a", "wav", "mp3-id3", "mp3-frame", "ogg"])  # fmt: skip
def test_accepted_types_are_sniffed_from_the_bytes(data: bytes, expected: str) -> None:
    assert sniff(data) == expected


@pytest.mark.parametrize("data", [
    b"<html><script>alert(1)</script></html>",
    b"%PDF-1.7\n",
    b"GIF89a\x01\x00\x01\x00",
    HEIC_HEAD,
    b"RIFF\x00\x00\x00\x00AVI LIST",
    b"\xff\xd8",  # too short to be a JPEG
], ids=["html", "pdf", "gif", "heic", "avi", "short"])  # fmt: skip
def test_other_types_are_refused_with_the_list(data: bytes) -> None:
    with pytest.raises(MediaRefused, match="JPEG, PNG, WebP, MP4, WAV, MP3 or Ogg"):
        sniff(data)


def test_empty_and_oversized_files_are_refused() -> None:
    with pytest.raises(MediaRefused, match="empty"):
        sniff(b"")
    check_size(1000, 1000)
    with pytest.raises(MediaTooLarge, match="1001 bytes"):
        check_size(1001, 1000)


# --------------------------------------------------------------------------- EXIF


def test_exif_original_time_with_its_offset_and_gps_place() -> None:
    exif = exif_of(original="2025:08:12 09:30:15", offset="+03:00", lat=KYIV_DMS[0],
                   lon=KYIV_DMS[1])  # fmt: skip
    facts = read_exif(image_bytes("JPEG", exif), "image/jpeg")
    assert facts.time == datetime(2025, 8, 12, 6, 30, 15, tzinfo=UTC)
    assert facts.lat == pytest.approx(50.45, abs=1e-9)
    assert facts.lon == pytest.approx(30.0 + 31 / 60 + 24 / 3600, abs=1e-9)


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_exif_is_read_from_png_and_webp(fmt: str) -> None:
    exif = exif_of(original="2025:08:12 23:30:00", offset="-02:30", lat=("S", (33.0, 30.0, 0.0)),
                   lon=("W", (70.0, 15.0, 0.0)))  # fmt: skip
    facts = read_exif(image_bytes(fmt, exif), f"image/{fmt.lower()}")
    assert facts.time == datetime(2025, 8, 13, 2, 0, tzinfo=UTC)
    assert (facts.lat, facts.lon) == (-33.5, -70.25)


def test_a_time_without_zone_is_not_guessed_but_gps_time_is_utc() -> None:
    no_zone = exif_of(original="2025:08:12 09:30:15")
    assert read_exif(image_bytes("JPEG", no_zone), "image/jpeg").time is None
    with_gps = exif_of(original="2025:08:12 09:30:15", gps_date="2025:08:12",
                       gps_time=(6.0, 30.0, 14.0))  # fmt: skip
    assert read_exif(image_bytes("JPEG", with_gps), "image/jpeg").time == datetime(
        2025, 8, 12, 6, 30, 14, tzinfo=UTC)


def test_out_of_range_or_malformed_exif_gives_no_fact() -> None:
    bad_place = exif_of(lat=("N", (91.0, 0.0, 0.0)), lon=("E", (30.0, 0.0, 0.0)))
    assert read_exif(image_bytes("JPEG", bad_place), "image/jpeg").lat is None
    bad_ref = exif_of(lat=("Q", (50.0, 0.0, 0.0)), lon=("E", (30.0, 0.0, 0.0)))
    assert read_exif(image_bytes("JPEG", bad_ref), "image/jpeg").lon is None
    bad_time = exif_of(original="2025:13:45 99:00:00", offset="+03:00")
    assert read_exif(image_bytes("JPEG", bad_time), "image/jpeg").time is None
    too_old = exif_of(original="1901:01:01 00:00:00", offset="+00:00")
    assert read_exif(image_bytes("JPEG", too_old), "image/jpeg").time is None
    broken = b"\xff\xd8\xff\xe1\x00\x10Exif\x00\x00MM\x00*garbage"
    assert read_exif(broken, "image/jpeg") == read_exif(image_bytes("JPEG"), "image/jpeg")
    assert read_exif(wav_bytes(), "audio/wav").time is None


def _chunks(png: bytes) -> list[bytes]:
    """The chunks of a PNG (length, type, data and CRC each), after its signature."""
    out, at = [], 8
    while at < len(png):
        size = int.from_bytes(png[at:at + 4], "big")
        out.append(png[at:at + 12 + size])
        at += 12 + size
    return out


def test_a_png_is_never_decoded_to_reach_its_exif(monkeypatch: pytest.MonkeyPatch) -> None:
    """An ``eXIf`` chunk after the image data is not read: Pillow would decode every pixel
    of the image first (a small file can hold a huge image)."""
    from PIL import PngImagePlugin

    png = image_bytes("PNG", exif_of(original="2025:08:12 09:30:15", offset="+03:00"))
    chunks = _chunks(png)
    exif = next(c for c in chunks if c[4:8] == b"eXIf")
    rest = [c for c in chunks if c is not exif]
    late = png[:8] + b"".join(rest[:-1]) + exif + rest[-1]  # eXIf after IDAT, before IEND
    loads: list[int] = []
    original = PngImagePlugin.PngImageFile.load

    def counted(self: Any) -> Any:
        loads.append(1)
        return original(self)

    monkeypatch.setattr(PngImagePlugin.PngImageFile, "load", counted)
    assert read_exif(late, "image/png").time is None and loads == []
    assert read_exif(png, "image/png").time is not None and loads == []


# --------------------------------------------------------------------------- C2PA


@pytest.fixture(scope="module")
def signed() -> bytes:
    return signed_jpeg()


def test_a_manifest_signed_with_a_test_certificate_is_valid(signed: bytes) -> None:
    result = check_c2pa(signed, "image/jpeg")
    assert result.status == "valid", result
    assert result.signer == f"{SIGNER_NAME} ({SIGNER_ORG})"
    assert result.reason is not None and "no trust list" in result.reason


def test_a_signer_chaining_to_the_trust_list_is_trusted() -> None:
    data, ca = signed_jpeg_and_ca()
    result = check_c2pa(data, "image/jpeg", ca.decode())
    assert (result.status, result.reason) == ("valid", TRUSTED_NOTE)
    assert result.signer == f"{SIGNER_NAME} ({SIGNER_ORG})"
    _, other_ca = signed_jpeg_and_ca()
    elsewhere = check_c2pa(data, "image/jpeg", other_ca.decode())
    assert elsewhere.status == "valid"
    assert elsewhere.reason is not None and "no trust list" in elsewhere.reason


def test_media_altered_after_signing_is_invalid(signed: bytes) -> None:
    altered = bytearray(signed)
    altered[-20] ^= 0xFF  # in the image data, which the manifest's hash covers
    result = check_c2pa(bytes(altered), "image/jpeg")
    assert result.status == "invalid"
    assert result.reason is not None and "assertion.dataHash.mismatch" in result.reason
    assert result.signer is None


def test_a_corrupted_manifest_is_invalid_not_raised(signed: bytes) -> None:
    at = signed.find(b"c2pa.signature")
    assert at > 0
    corrupted = bytearray(signed)
    corrupted[at + 200] ^= 0xFF  # inside the claim's CBOR
    result = check_c2pa(bytes(corrupted), "image/jpeg")
    assert result.status == "invalid"
    assert result.reason is not None and result.reason.startswith("the manifest cannot be read")


def test_files_without_a_manifest_are_none() -> None:
    assert check_c2pa(image_bytes("PNG"), "image/png").status == "none"
    assert check_c2pa(wav_bytes(), "audio/wav").status == "none"
    ogg = check_c2pa(OGG_HEAD, "audio/ogg")
    assert (ogg.status, ogg.reason) == ("none", "C2PA defines no manifest for audio/ogg")


def test_analyse_gives_both(signed: bytes) -> None:
    facts = analyse(signed, "image/jpeg")
    assert facts.c2pa.status == "valid"
    assert facts.exif.time is None
