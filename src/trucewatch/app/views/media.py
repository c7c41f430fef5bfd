"""Read views of evidence media: the bytes of one file, to whoever may see the observation
it is attached to (analysts, and the token holder who submitted that observation). Anyone
else, whatever their role, gets the same :class:`NotVisible` as for a file that does not
exist, so an answer confirms nothing."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from trucewatch.app.roles import Principal
from trucewatch.app.session import Store
from trucewatch.app.views.errors import NotVisible
from trucewatch.app.views.observations import may_see_observation
from trucewatch.errors import StoreError
from trucewatch.store import media as rows


@dataclass(frozen=True)
class MediaFile:
    """A media file's bytes, its type (``image/jpeg`` ...) and SHA-256 (hex)."""

    data: bytes
    media_type: str
    sha256: str


def media_file(store: Store, sha256: str, *, principal: Principal) -> MediaFile:
    """The bytes of media ``sha256``, checked against their name before they are served;
    :class:`NotVisible` when there is none the caller may see, :class:`StoreError` when the
    stored file is missing or altered (``trucewatch media verify`` names them)."""
    sha = sha256.strip().lower()
    with store.engine.connect() as conn:
        row = rows.get_media(conn, sha)
        if row is None or not may_see_observation(conn, row.observation_uid, principal):
            raise NotVisible(f"no media {sha}")
    root = rows.require_root(store.media_root)
    try:
        data = rows.read_blob(root, sha)
    except FileNotFoundError:
        raise StoreError(f"media {sha}: its file is missing from the media folder") from None
    if hashlib.sha256(data).hexdigest() != sha:
        raise StoreError(f"media {sha}: the stored file no longer hashes to its name")
    return MediaFile(data, row.media_type, sha)
