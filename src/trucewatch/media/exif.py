"""The time and place a camera wrote into an image's EXIF (JPEG, PNG and WebP, read with
Pillow). Times are returned in UTC and only when the file says which zone they are in:
``DateTimeOriginal`` with its ``OffsetTimeOriginal``, else the GPS date and time stamps
(UTC by definition), else ``DateTimeDigitized`` with its offset; a time without a zone is
left out rather than guessed. The place is the GPS latitude and longitude in degrees
(WGS84, which GPS receivers write; north and east positive). Values out of range, or a
file Pillow cannot read, give no fact: nothing here raises."""

from __future__ import annotations

import io
import math
import re
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from trucewatch import limits

EXIF_IFD, GPS_IFD = 0x8769, 0x8825
DATETIME_ORIGINAL, OFFSET_ORIGINAL = 0x9003, 0x9011
DATETIME_DIGITIZED, OFFSET_DIGITIZED = 0x9004, 0x9012
GPS_LAT_REF, GPS_LAT, GPS_LON_REF, GPS_LON = 1, 2, 3, 4
GPS_TIME, GPS_DATE = 7, 29
IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/webp"})
"""Media types whose EXIF is read (video and audio carry none)."""

_OFFSET = re.compile(r"^([+-])([01][0-9]|2[0-3]):([0-5][0-9])$")


@dataclass(frozen=True)
class ExifFacts:
    """What the EXIF says: ``time`` (UTC, aware) and ``lat``/``lon`` (degrees WGS84),
    each None when absent or unreadable."""

    time: datetime | None = None
    lat: float | None = None
    lon: float | None = None


def read_exif(data: bytes, media_type: str) -> ExifFacts:
    """The EXIF time and place of an image (:class:`ExifFacts`; empty for other media
    and for files Pillow cannot read)."""
    if media_type not in IMAGE_TYPES:
        return ExifFacts()
    try:
        exif = _exif_of(data)
        return ExifFacts(_time(exif.get_ifd(EXIF_IFD), exif.get_ifd(GPS_IFD)),
                         *_place(exif.get_ifd(GPS_IFD)))  # fmt: skip
    except Exception:  # a hostile or broken file: Pillow raises many kinds of errors
        return ExifFacts()


def _exif_of(data: bytes) -> Any:
    """Pillow's ``Exif`` of the image, read without decoding its pixels: a PNG whose
    ``eXIf`` chunk comes after the image data gives none (Pillow would decode the whole
    image to reach it)."""
    from PIL import Image

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # DecompressionBombWarning: the pixels are not read
        with Image.open(io.BytesIO(data)) as img:
            if img.format == "PNG" and "exif" not in img.info:
                return Image.Exif()
            return img.getexif()


# --------------------------------------------------------------------------- time


def _time(exif_ifd: Mapping[int, Any], gps: Mapping[int, Any]) -> datetime | None:
    """The first of: original time with its offset, GPS time (UTC), digitized time with
    its offset; within :data:`trucewatch.limits.YEARS`."""
    for found in (_local_time(exif_ifd.get(DATETIME_ORIGINAL), exif_ifd.get(OFFSET_ORIGINAL)),
                  _gps_time(gps.get(GPS_DATE), gps.get(GPS_TIME)),
                  _local_time(exif_ifd.get(DATETIME_DIGITIZED), exif_ifd.get(OFFSET_DIGITIZED))):
        if found is not None and limits.EARLIEST <= found < limits.LATEST:
            return found
    return None  # fmt: skip


def _local_time(text: Any, offset: Any) -> datetime | None:
    """``YYYY:MM:DD HH:MM:SS`` at UTC offset ``±HH:MM``, in UTC; None without an offset."""
    if not isinstance(text, str) or not isinstance(offset, str):
        return None
    m = _OFFSET.match(offset.strip("\x00 "))
    if m is None:
        return None
    try:
        local = datetime.strptime(text.strip("\x00 "), "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None
    sign = 1 if m[1] == "+" else -1
    shift = timedelta(hours=int(m[2]), minutes=int(m[3])) * sign
    return (local - shift).replace(tzinfo=UTC)


def _gps_time(date_text: Any, hms: Any) -> datetime | None:
    """GPS date stamp ``YYYY:MM:DD`` and time stamp (hours, minutes, seconds), UTC."""
    if not isinstance(date_text, str) or not isinstance(hms, tuple) or len(hms) != 3:
        return None
    try:
        day = datetime.strptime(date_text.strip("\x00 "), "%Y:%m:%d").replace(tzinfo=UTC)
        h, m, s = (float(v) for v in hms)
    except (ValueError, TypeError, ZeroDivisionError):
        return None
    if not (0 <= h < 24 and 0 <= m < 60 and 0 <= s < 61):
        return None
    return day + timedelta(hours=int(h), minutes=int(m), seconds=int(s))


# --------------------------------------------------------------------------- place


def _place(gps: Mapping[int, Any]) -> tuple[float | None, float | None]:
    """``(lat, lon)`` in degrees from the GPS IFD, both or neither."""
    lat = _degrees(gps.get(GPS_LAT), gps.get(GPS_LAT_REF), "N", "S", 90.0)
    lon = _degrees(gps.get(GPS_LON), gps.get(GPS_LON_REF), "E", "W", 180.0)
    if lat is None or lon is None:
        return None, None
    return lat, lon


def _degrees(dms: Any, ref: Any, plus: str, minus: str, bound: float) -> float | None:
    """Degrees, minutes, seconds (rationals) and a hemisphere letter as signed degrees,
    None when malformed or beyond ``±bound``."""
    if not isinstance(dms, tuple) or len(dms) != 3 or not isinstance(ref, str):
        return None
    hemisphere = ref.strip("\x00 ").upper()
    if hemisphere not in (plus, minus):
        return None
    try:
        d, m, s = (float(v) for v in dms)
    except (ValueError, TypeError, ZeroDivisionError):
        return None
    value = d + m / 60.0 + s / 3600.0
    if not math.isfinite(value) or min(d, m, s) < 0 or value > bound:
        return None
    return -value if hemisphere == minus else value
