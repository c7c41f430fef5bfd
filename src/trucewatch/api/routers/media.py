"""Evidence media: attach a photograph, video or audio file to an observation, and fetch
it back (only whoever may see that observation; anyone else gets 404)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from trucewatch.api.auth import CurrentPrincipal, Permission, Principal, require
from trucewatch.api.errors import ERROR_RESPONSES, ErrorResponse, Invalid, TooLarge, not_found
from trucewatch.api.schemas import MediaModel
from trucewatch.api.state import AppState, app_state
from trucewatch.app import media
from trucewatch.app.views import media as views
from trucewatch.media import MEDIA_TYPES

router = APIRouter(tags=["media"], responses={
    **ERROR_RESPONSES,
    503: {"model": ErrorResponse, "description": "no media folder, or a stored file is "
                                                 "missing or altered"},
})  # fmt: skip
State = Annotated[AppState, Depends(app_state)]
Submitter = Annotated[
    Principal, Depends(require(Permission.SUBMIT_OBSERVATIONS, Permission.SUBMIT_COMPLAINTS))
]
HEX64 = r"^[0-9a-fA-F]{64}$"
FILE_PART = "file"
"""Name of the multipart part holding the file."""
SERVED_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; sandbox",
    "Cache-Control": "private, max-age=3600",
}
"""Headers of a served file: browsers take the sniffed type as given, run nothing in it,
and shared caches keep no copy."""

_BINARY = {"schema": {"type": "string", "format": "binary"}}
MEDIA_BODY: dict[str, Any] = {"requestBody": {"required": True, "content": {
    "application/octet-stream": _BINARY,
    **{t: _BINARY for t in MEDIA_TYPES},
    "multipart/form-data": {"schema": {"type": "object", "required": [FILE_PART],
                                       "properties": {FILE_PART: _BINARY["schema"]}}},
}}}  # fmt: skip
"""The file as the raw body (any content type: the type is sniffed from the bytes), or as
the part ``file`` of a multipart form."""


@router.post(
    "/observations/{uid}/media", response_model=MediaModel, status_code=201,
    summary="Attach a photograph, video or audio file to an observation",
    openapi_extra=MEDIA_BODY,
    responses={
        200: {"model": MediaModel, "description": "these bytes were already attached to it"},
        **not_found("no such observation among those you may attach media to"),
        413: {"model": ErrorResponse, "description": "file over the media limit"},
        415: {"model": ErrorResponse, "description": "not JPEG, PNG, WebP, MP4, WAV, MP3 or Ogg"},
    },
)  # fmt: skip
async def add_media(
    uid: Annotated[str, Path(pattern=HEX64, description="observation uid (hex)")],
    request: Request, response: Response, state: State, principal: Submitter,
) -> MediaModel:  # fmt: skip
    """The file is hashed and logged before anything reads it, then its EXIF time and place
    are read and its C2PA manifest checked. Monitors and liaisons attach media to their own
    submissions, analysts to any observation. 201 when stored, 200 when these bytes were
    already attached to this observation."""
    limit = min(state.settings.max_media_bytes, state.settings.max_body_bytes)
    data = await _file_bytes(request, limit)
    result = await run_in_threadpool(lambda: media.add_media(
        state.store, uid, data, principal=principal, max_bytes=limit))  # fmt: skip
    response.status_code = 201 if result["stored"] else 200
    return MediaModel(**result)


async def _file_bytes(request: Request, limit: int) -> bytes:
    """The file: the part ``file`` of a multipart form, else the whole body (bytes; 413
    past ``limit`` bytes)."""
    if request.headers.get("content-type", "").lower().startswith("multipart/form-data"):
        form = await request.form(max_files=1, max_fields=4)
        part = form.get(FILE_PART)
        if not isinstance(part, UploadFile):
            raise Invalid(f"send the file as the form part {FILE_PART!r}", field=FILE_PART)
        data = await part.read(limit + 1)
    else:
        body = bytearray()
        async for chunk in request.stream():
            body.extend(chunk)
            if len(body) > limit:
                break
        data = bytes(body)
    if len(data) > limit:
        raise TooLarge(f"media file larger than {limit} bytes")
    return data


@router.get(
    "/media/{sha256}", response_class=Response,
    summary="An evidence media file (whoever may see its observation)",
    responses={
        200: {"description": "the file's bytes, as sniffed at intake",
              "content": {t: _BINARY for t in MEDIA_TYPES}},
        **not_found("no such media, or none you may see"),
    },
)  # fmt: skip
def get_media(
    sha256: Annotated[str, Path(pattern=HEX64, description="SHA-256 of the bytes (hex)")],
    state: State, principal: CurrentPrincipal,
) -> Response:  # fmt: skip
    """The bytes, checked against their SHA-256 before they are sent, with the type sniffed
    at intake. Analysts see every file; monitors and liaisons the files of observations they
    submitted; anyone else gets 404, the same as for a file that does not exist."""
    found = views.media_file(state.store, sha256, principal=principal)
    name = f"{found.sha256}{MEDIA_TYPES.get(found.media_type, '')}"
    headers = {**SERVED_HEADERS, "ETag": f'"{found.sha256}"',
               "Content-Disposition": f'inline; filename="{name}"'}  # fmt: skip
    return Response(found.data, media_type=found.media_type, headers=headers)
