"""Everything read from a media file after its hash is logged: its EXIF time and place and
its C2PA result (:class:`MediaFacts`)."""

from __future__ import annotations

from dataclasses import dataclass

from trucewatch.media.exif import ExifFacts, read_exif
from trucewatch.media.provenance import C2paResult, check_c2pa


@dataclass(frozen=True)
class MediaFacts:
    """The EXIF facts (time UTC, place degrees WGS84) and the C2PA result of one file."""

    exif: ExifFacts
    c2pa: C2paResult


def analyse(data: bytes, media_type: str, trust_anchors: str | None = None) -> MediaFacts:
    """Read the EXIF and check the C2PA manifest of ``data`` against the trust list
    ``trust_anchors`` (PEM certificates, when the mission holds one); never raises."""
    return MediaFacts(read_exif(data, media_type),
                      check_c2pa(data, media_type, trust_anchors))  # fmt: skip
