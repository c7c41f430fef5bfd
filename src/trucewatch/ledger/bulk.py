"""Digests of many log entries at once: compiled (numba) loops over byte buffers, for
imports of millions of rows whose entries and row digests (:mod:`trucewatch.ledger.rows`)
Python would otherwise build one object at a time.

A text is described by a **program**: rows of ``(source, start, length)`` segments whose
bytes are concatenated (:data:`CONST`: ``length`` bytes of the constants buffer from
``start``; any other source: the row's bytes of that numbered column, given by the caller).
:func:`emit` writes a program's text for one row; :func:`crc32_update` and :func:`sha256_into`
digest it. SHA-256 runs in OpenSSL's ``libcrypto`` (the library Python's own ``hashlib``
is linked with, found in the running process), called from the compiled loop without the
interpreter; when it cannot be found, :data:`AVAILABLE` is False and callers keep their
per-row path. The digests are the standard ones (tested against ``hashlib`` and ``zlib``),
so the entries are byte for byte those :mod:`trucewatch.ledger.entry` builds.
"""

from __future__ import annotations

import ctypes
import hashlib  # noqa: F401  (loads libcrypto into the process, where it is found)
from pathlib import Path
from typing import Any

import numba
import numpy as np
from llvmlite import binding as llvm
from numba import types

CONST = 0
"""Segment source: the constants buffer."""

CTX_BYTES = 256
"""Room for one OpenSSL ``SHA256_CTX`` (112 bytes in OpenSSL 3)."""


def _libcrypto_path() -> str | None:
    """The libcrypto this process already loaded for ``hashlib`` (Linux), or None."""
    try:
        import _hashlib  # noqa: F401

        maps = Path("/proc/self/maps").read_text()
    except (ImportError, OSError):
        return None
    for line in maps.splitlines():
        path = line.split()[-1]
        if "libcrypto" in Path(path).name:
            try:
                lib = ctypes.CDLL(path)
                lib.SHA256_Init, lib.SHA256_Update, lib.SHA256_Final  # noqa: B018
            except (OSError, AttributeError):
                return None
            return path
    return None


_LIB_PATH = _libcrypto_path()
AVAILABLE = _LIB_PATH is not None
"""True when the compiled digests can run (libcrypto found)."""

if _LIB_PATH is not None:  # the symbols, resolved by name when the compiled code is loaded
    llvm.load_library_permanently(_LIB_PATH)

# pointers are passed as integers (intp: the same registers on every 64-bit ABI)
_init: Any = types.ExternalFunction("SHA256_Init", types.int32(types.intp))
_update: Any = types.ExternalFunction("SHA256_Update",
                                      types.int32(types.intp, types.intp, types.intp))
_final: Any = types.ExternalFunction("SHA256_Final", types.int32(types.intp, types.intp))


def _crc_table() -> np.ndarray:
    table = np.zeros(256, np.int64)
    for n in range(256):
        c = n
        for _ in range(8):
            c = (0xEDB88320 ^ (c >> 1)) if c & 1 else c >> 1
        table[n] = c
    return table


CRC_TABLE = _crc_table()
"""zlib's CRC-32 table (reflected polynomial 0xEDB88320)."""

HEX = np.frombuffer(b"0123456789abcdef", np.uint8).copy()


@numba.njit(nogil=True, cache=True)
def crc32_update(table: np.ndarray, crc: int, buf: np.ndarray, start: int, stop: int) -> int:
    """zlib's ``crc32(buf[start:stop], crc)`` (64-bit integers holding 32-bit values)."""
    c = (crc ^ 0xFFFFFFFF) & 0xFFFFFFFF
    for k in range(start, stop):
        c = table[(c ^ buf[k]) & 0xFF] ^ (c >> 8)
    return (c ^ 0xFFFFFFFF) & 0xFFFFFFFF


@numba.njit(nogil=True, cache=True)
def hex_into(src: np.ndarray, s: int, n: int, dst: np.ndarray, d: int) -> int:
    """Lowercase hex of ``src[s:s+n]`` written at ``dst[d:]``; returns the end offset."""
    for k in range(n):
        b = src[s + k]
        dst[d + 2 * k] = HEX[b >> 4]
        dst[d + 2 * k + 1] = HEX[b & 15]
    return d + 2 * n


@numba.njit(nogil=True, cache=True)
def crc_hex_into(crc: int, dst: np.ndarray, d: int) -> int:
    """The CRC as 8 lowercase hex digits (``format(crc, "08x")``) at ``dst[d:]``."""
    for k in range(8):
        dst[d + k] = HEX[(crc >> (28 - 4 * k)) & 15]
    return d + 8


@numba.njit(nogil=True, cache=True)
def sha256_into(ctx: np.ndarray, buf: np.ndarray, start: int, stop: int,
                out: np.ndarray, at: int) -> None:  # fmt: skip
    """SHA-256 of ``buf[start:stop]`` written as 32 bytes at ``out[at:]`` (OpenSSL)."""
    c = ctx.ctypes.data
    _init(c)
    _update(c, buf.ctypes.data + start, stop - start)
    _final(out.ctypes.data + at, c)


@numba.njit(nogil=True, cache=True)
def copy_into(src: np.ndarray, s: int, n: int, dst: np.ndarray, d: int) -> int:
    """``dst[d:d+n] = src[s:s+n]``; returns ``d + n``."""
    for k in range(n):
        dst[d + k] = src[s + k]
    return d + n


def sha256_rows(buf: np.ndarray, starts: np.ndarray, stops: np.ndarray) -> np.ndarray:
    """SHA-256 of each ``buf[starts[i]:stops[i]]``, as an ``(n, 32)`` byte array."""
    out = np.zeros(32 * len(starts), np.uint8)
    _sha256_rows(np.ascontiguousarray(buf), starts.astype(np.int64), stops.astype(np.int64),
                 out, np.zeros(CTX_BYTES, np.uint8))  # fmt: skip
    return out.reshape(-1, 32)


@numba.njit(nogil=True, cache=True)
def _sha256_rows(buf: np.ndarray, starts: np.ndarray, stops: np.ndarray, out: np.ndarray,
                 ctx: np.ndarray) -> None:  # fmt: skip
    for i in range(len(starts)):
        sha256_into(ctx, buf, starts[i], stops[i], out, 32 * i)


__all__ = ["AVAILABLE", "CONST", "CRC_TABLE", "copy_into", "crc32_update", "crc_hex_into",
           "hex_into", "sha256_into", "sha256_rows"]  # fmt: skip
