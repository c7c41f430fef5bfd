"""Evidence media attached to an observation (photographs, video, audio): what the bytes
are (:mod:`.sniff`, an allow-list read from the first bytes), and what they say about
themselves (:mod:`.exif`: the time and place a camera wrote; :mod:`.provenance`: a C2PA
manifest and its signer). Pure: bytes in, facts out, nothing stored and nothing raised for
a malformed file (a parser's failure is a fact about the file). Stored by
:mod:`trucewatch.store.media`; the use cases are :mod:`trucewatch.app.media`."""

from trucewatch.media.analysis import MediaFacts, analyse
from trucewatch.media.exif import ExifFacts, read_exif
from trucewatch.media.provenance import C2paResult, check_c2pa
from trucewatch.media.sniff import MEDIA_TYPES, MediaRefused, MediaTooLarge, check_size, sniff

__all__ = [
    "MEDIA_TYPES", "C2paResult", "ExifFacts", "MediaFacts", "MediaRefused", "MediaTooLarge",
    "analyse", "check_c2pa", "check_size", "read_exif", "sniff",
]  # fmt: skip
