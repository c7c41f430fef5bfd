"""C2PA content credentials (c2pa.org): whether the media carries a manifest, whether it
validates, and who signed it, read with the ``c2pa-python`` package (imported only when a
file is checked; its native library reads the bytes, never the network: remote manifests
and OCSP are not fetched).

Results (:class:`C2paResult`):

* ``none``: no manifest (most media: messaging platforms strip them), or a type C2PA
  defines no manifest for;
* ``valid``: the manifest, its signature and its hash of the media check out; ``signer``
  names the certificate's subject (common name and organization). Given the mission's
  trust list (``trust_anchors``: PEM certificates of the certification authorities it
  accepts, e.g. the C2PA trust list or the mission's own CA for its cameras), ``reason``
  says whether the signer's certificate chains to one of them; a signer on no trust list
  is said so in ``reason``: valid then says *these bytes are what that key signed*, not
  *that key is who it claims to be*;
* ``invalid``: a manifest is there but fails (``reason`` lists the failure codes, e.g.
  ``assertion.dataHash.mismatch`` for media altered after signing) or cannot be read;
* ``unchecked``: ``c2pa-python`` is not installed.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

NONE, VALID, INVALID, UNCHECKED = "none", "valid", "invalid", "unchecked"
UNTRUSTED = "signingCredential.untrusted"
"""The failure code of a signer on no trust list: reported, not counted as invalid."""
MAX_REASON = 500
"""Longest reason kept (characters)."""
SETTINGS = {"verify": {"remote_manifest_fetch": False, "ocsp_fetch": False}}
"""The reader's settings: nothing fetched over the network while reading hostile bytes."""
TRUSTED_NOTE = "signer on the mission's C2PA trust list"


def reader_settings(trust_anchors: str | None) -> dict[str, Any]:
    """:data:`SETTINGS`, with the trust list ``trust_anchors`` (PEM text) checked when given."""
    if not trust_anchors:
        return SETTINGS
    return {"verify": {**SETTINGS["verify"], "verify_trust": True},
            "trust": {"trust_anchors": trust_anchors}}  # fmt: skip


@dataclass(frozen=True)
class C2paResult:
    """``status`` (none, valid, invalid, unchecked), ``reason`` (why, or a note on a
    valid manifest), ``signer`` (a valid manifest's signer)."""

    status: str
    reason: str | None = None
    signer: str | None = None


def check_c2pa(data: bytes, media_type: str, trust_anchors: str | None = None) -> C2paResult:
    """The C2PA result of ``data`` (of the sniffed ``media_type``), its signer checked
    against ``trust_anchors`` (PEM certificates) when given; never raises."""
    try:
        import c2pa
    except ImportError:
        return C2paResult(UNCHECKED, "c2pa-python is not installed")
    try:
        if media_type not in c2pa.Reader.get_supported_mime_types():
            return C2paResult(NONE, f"C2PA defines no manifest for {media_type}")
        context = c2pa.Context.from_dict(reader_settings(trust_anchors))
        reader = c2pa.Reader.try_create(media_type, io.BytesIO(data), None, context)
        if reader is None:
            return C2paResult(NONE)
        with reader:
            return _judged(reader.get_validation_state(), reader.get_validation_results(),
                           reader.get_active_manifest())  # fmt: skip
    except Exception as exc:  # the native library refuses a manifest it cannot parse
        return C2paResult(INVALID, _short(f"the manifest cannot be read: {exc}"))


def _judged(state: str | None, results: dict[str, Any] | None,
            manifest: dict[str, Any] | None) -> C2paResult:  # fmt: skip
    """The result from the reader's validation state (Invalid, Valid, Trusted), its
    failure codes and the active manifest's signature information."""
    failures = _failures(results)
    if state not in ("Valid", "Trusted"):
        problems = [f for f in failures if not f.startswith(UNTRUSTED)] or failures
        return C2paResult(INVALID, _short("; ".join(problems) or f"validation state {state}"))
    note = TRUSTED_NOTE if state == "Trusted" else None
    if any(f.startswith(UNTRUSTED) for f in failures):
        note = f"signer on no trust list the mission holds ({UNTRUSTED})"
    return C2paResult(VALID, note, _signer(manifest))


def _failures(results: dict[str, Any] | None) -> list[str]:
    """``code: explanation`` of each failure of the active manifest."""
    active = (results or {}).get("activeManifest") or {}
    out = []
    for f in active.get("failure") or []:
        code, why = str(f.get("code", "?")), f.get("explanation")
        out.append(f"{code}: {why}" if why else code)
    return out


def _signer(manifest: dict[str, Any] | None) -> str | None:
    """``common name (organization)`` of the signing certificate."""
    info = (manifest or {}).get("signature_info") or {}
    name, org = info.get("common_name"), info.get("issuer")
    if not name and not org:
        return None
    return _short(f"{name} ({org})" if name and org else str(name or org))


def _short(text: str) -> str:
    return text if len(text) <= MAX_REASON else text[: MAX_REASON - 1] + "…"
