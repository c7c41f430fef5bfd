"""Which kind of media the bytes are, from their first bytes (never from a file name or a
client's ``Content-Type``): an allow-list of JPEG, PNG, WebP, MP4 (video or audio), WAV,
MP3 and Ogg. Anything else is refused with :class:`MediaRefused`."""

from __future__ import annotations

from trucewatch.errors import TrucewatchError

MEDIA_TYPES: dict[str, str] = {
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/webp": ".webp",
    "video/mp4": ".mp4",
    "audio/mp4": ".m4a",
    "audio/wav": ".wav",
    "audio/mpeg": ".mp3",
    "audio/ogg": ".ogg",
}
"""The accepted media types (the type served back) and their usual file suffix."""

MP4_BRANDS = frozenset({
    b"isom", b"iso2", b"iso3", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"avc1",
    b"M4V ", b"M4VH", b"M4VP", b"f4v ", b"dash", b"mmp4", b"MSNV", b"3gp4", b"3gp5",
    b"3gp6", b"3g2a", b"M4A ",
})  # fmt: skip
"""Major brands of an ISO base media file accepted as MP4 (``M4A `` is audio); HEIF,
AVIF and QuickTime brands are not (they are not on the allow-list)."""

SNIFF_BYTES = 16
"""Bytes looked at (the longest signature: RIFF's 12, an ``ftyp`` box's 12)."""


class MediaRefused(TrucewatchError):
    """The bytes are not media of an accepted type (or there are none)."""


class MediaTooLarge(TrucewatchError):
    """A media file over the size limit."""


def check_size(size: int, limit: int) -> None:
    """Raise :class:`MediaTooLarge` when ``size`` (bytes) is over ``limit`` (bytes)."""
    if size > limit:
        raise MediaTooLarge(f"media file of {size} bytes: larger than the limit of {limit} "
                            "bytes")  # fmt: skip


def _riff(head: bytes) -> str | None:
    if head[:4] != b"RIFF":
        return None
    return {b"WEBP": "image/webp", b"WAVE": "audio/wav"}.get(head[8:12])


def _mp4(head: bytes) -> str | None:
    if head[4:8] != b"ftyp" or head[8:12] not in MP4_BRANDS:
        return None
    return "audio/mp4" if head[8:12] == b"M4A " else "video/mp4"


def _mp3(head: bytes) -> str | None:
    """An ID3 tag, or an MPEG audio frame header: 11 sync bits, layer III."""
    if head[:3] == b"ID3":
        return "audio/mpeg"
    if len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0 and (head[1] >> 1) & 3 == 1:
        return "audio/mpeg"
    return None


def sniff(data: bytes) -> str:
    """The media type of ``data`` (a key of :data:`MEDIA_TYPES`); :class:`MediaRefused`
    when the bytes are none of them."""
    if not data:
        raise MediaRefused("the media file is empty")
    head = data[:SNIFF_BYTES]
    if head[:3] == b"\xff\xd8\xff":
        return "image/jpeg"
    if head[:8] == b"\x89PNG\r\n\x1a\n":
        return "image/png"
    if head[:4] == b"OggS":
        return "audio/ogg"
    found = _riff(head) or _mp4(head) or _mp3(head)
    if found is None:
        raise MediaRefused("not an accepted media type: the bytes are not JPEG, PNG, WebP, "
                           f"MP4, WAV, MP3 or Ogg (they start {head[:8].hex()})")  # fmt: skip
    return found
