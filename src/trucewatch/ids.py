"""Content identifiers: SHA-256 hex digests of text, and the uid of an observation.

Foundation module (imports nothing from the package): the readers of every input format
(:mod:`trucewatch.sources`), the narrative claims, the permission model and the simulator
all name observations the same way, so the same record imported twice gets the same uid.
"""

from __future__ import annotations

import hashlib


def sha256_hex(text: str) -> str:
    """SHA-256 hex digest of UTF-8 ``text``."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def observation_uid(source_format: str, payload: str, index: int) -> str:
    """The uid of the ``index``-th observation (0-based) in one raw record ``payload``:
    SHA-256 hex of ``f"{source_format}\\n{payload}\\n{index}"`` (UTF-8).

    The same record read again (from any file, at any line) gets the same uid, so import
    is idempotent.

    >>> len(observation_uid("firms", "1,2,2025-01-01", 0))
    64
    """
    return hashlib.sha256(f"{source_format}\n{payload}\n{index}".encode()).hexdigest()
