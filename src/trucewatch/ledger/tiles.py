"""The log as C2SP tiles (c2sp.org/tlog-tiles): static files anyone can fetch and check
against a cosigned checkpoint, without any dynamic API.

``tile/<L>/<N>[.p/<W>]`` holds 256 (or, for the rightmost partial tile, ``W``) consecutive
hashes at level ``L``: level 0 the leaf hashes, level ``L`` the roots of the full tiles of
level ``L - 1``. ``tile/entries/<N>[.p/<W>]`` holds the entries of the level-0 tile ``N``,
each prefixed by its length as a big-endian uint16. ``N`` is written in 3-digit groups,
all but the last prefixed by ``x`` (1234067 -> ``x001/x234/067``). Standard library only.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from trucewatch.ledger.merkle import leaf_hash, merkle_root

WIDTH = 256
"""Hashes in a full tile."""


def tile_index_path(n: int) -> str:
    """``N`` as a tile path: zero-padded 3-digit groups, all but the last prefixed ``x``."""
    groups = []
    while True:
        groups.append(f"{n % 1000:03d}")
        n //= 1000
        if n == 0:
            break
    groups.reverse()
    return "/".join([f"x{g}" for g in groups[:-1]] + [groups[-1]])


def tile_path(level: int | str, n: int, width: int = WIDTH) -> str:
    """Path of tile ``n`` at ``level`` (``"entries"`` for entry bundles), partial if
    ``width`` < 256."""
    suffix = "" if width == WIDTH else f".p/{width}"
    return f"tile/{level}/{tile_index_path(n)}{suffix}"


def tile_levels(leaf_hashes: Sequence[bytes]) -> list[list[bytes]]:
    """The hashes of every level that has any: level 0 the leaves, then the roots of the
    full tiles of the level below."""
    levels = [list(leaf_hashes)]
    while len(levels[-1]) >= WIDTH:
        below = levels[-1]
        levels.append([merkle_root(below[i : i + WIDTH])
                       for i in range(0, len(below) - WIDTH + 1, WIDTH)])  # fmt: skip
    return levels


def tiles_of(entries: Sequence[bytes]) -> dict[str, bytes]:
    """Path -> content of every tile and entry bundle of a log of ``entries``."""
    out: dict[str, bytes] = {}
    for level, hashes in enumerate(tile_levels([leaf_hash(e) for e in entries])):
        for start in range(0, len(hashes), WIDTH):
            chunk = hashes[start : start + WIDTH]
            out[tile_path(level, start // WIDTH, len(chunk))] = b"".join(chunk)
    for start in range(0, len(entries), WIDTH):
        bundle = entries[start : start + WIDTH]
        data = b"".join(len(e).to_bytes(2, "big") + e for e in bundle)
        out[tile_path("entries", start // WIDTH, len(bundle))] = data
    return out


def write_tiles(out: Path, entries: Sequence[bytes]) -> int:
    """Write every tile and entry bundle of ``entries`` under ``out``; returns how many
    files (full tiles already there are immutable and left as they are)."""
    count = 0
    for name, data in tiles_of(entries).items():
        path = out / name
        if path.exists() and ".p/" not in name:
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        count += 1
    return count
