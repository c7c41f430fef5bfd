"""The ``media`` group: attach an evidence file to an observation, check the stored files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from trucewatch.cli.common import DbOpt, JsonOpt, _fail, out, read_on_store, run_on_store

media_app = typer.Typer(help="Evidence media: attach a photograph, video or audio file to an "
                        "observation; check the stored files.", no_args_is_help=True)  # fmt: skip


def _read_file(path: Path) -> bytes:
    """The file's bytes, refusing one over :data:`trucewatch.limits.MAX_MEDIA_BYTES`
    before reading it."""
    from trucewatch import limits

    try:
        size = path.stat().st_size
        if size > limits.MAX_MEDIA_BYTES:
            _fail(f"{path}: {size} bytes, larger than the limit of {limits.MAX_MEDIA_BYTES}")
        return path.read_bytes()
    except OSError as exc:
        _fail(f"{path}: {exc.strerror or exc}")
        raise


def _show_added(r: dict[str, Any]) -> None:
    what = "stored" if r["stored"] else "already attached"
    out.print(f"{what}: {r['sha256']} ({r['media_type']}, {r['size_bytes']} bytes) on "
              f"observation {r['observation']}; ledger entries "
              f"{', '.join(map(str, r['ledger_entries']))}", highlight=False)  # fmt: skip
    exif = r["exif"]
    if exif["time"] or exif["lat"] is not None:
        out.print(f"  EXIF: time {exif['time'] or '-'}, lat {exif['lat']}, lon {exif['lon']}",
                  highlight=False)  # fmt: skip
    c2pa = r["c2pa"]
    extra = "".join(f", {k} {c2pa[k]}" for k in ("signer", "reason") if c2pa[k])
    out.print(f"  C2PA: {c2pa['status']}{extra}", highlight=False, soft_wrap=True)


@media_app.command("add")
def media_add(
    observation: Annotated[str, typer.Argument(help="Observation uid (64 hex digits).")],
    file: Annotated[Path, typer.Argument(help="JPEG, PNG, WebP, MP4, WAV, MP3 or Ogg file.")],
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Attach a file: hashed and logged first, then its EXIF and C2PA manifest read."""
    from trucewatch.app import media

    data = _read_file(file)
    run_on_store(db, as_json, _show_added, media.add_media, observation, data)


@media_app.command("verify")
def media_verify(db: DbOpt = None, as_json: JsonOpt = False) -> None:
    """Check that every stored media file is there and still hashes to its name."""
    from trucewatch.app import media

    def show(r: dict[str, Any]) -> None:
        state = "OK" if r["ok"] else "FAILED"
        out.print(f"{state}: {r['checked']} media files in {r['folder']}", highlight=False)
        for p in r["problems"][:50]:
            out.print(f"  {p['message']}", highlight=False, soft_wrap=True)

    if not read_on_store(db, as_json, show, media.verify_media)["ok"]:
        raise typer.Exit(code=1)
