"""The daily report as PDF, printed from its HTML page by headless Chromium.

Chromium is the browser the dashboard tests already drive (Debian package ``chromium``;
``$TRUCEWATCH_CHROMIUM`` names another binary). It prints the self-contained page exactly
as a browser shows it (maps and charts are embedded PNGs), A4 with the page's print
style. Without Chromium no PDF is written and :func:`print_pdf` says why; the HTML and
JSON are written either way.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
"""Executables looked for on ``PATH``, in order."""
TIMEOUT_S = 120.0
"""Longest wait for one page to print (s)."""


class PdfError(Exception):
    """The PDF could not be printed (message: why)."""


def find_browser() -> str | None:
    """``$TRUCEWATCH_CHROMIUM`` if set, else the first of :data:`BROWSERS` on ``PATH``."""
    env = os.environ.get("TRUCEWATCH_CHROMIUM")
    if env:
        return env
    return next((p for p in map(shutil.which, BROWSERS) if p), None)


def print_pdf(html: Path, pdf: Path, *, browser: str | None = None) -> Path:
    """Print ``html`` to ``pdf`` (written beside, then renamed: never half a file)."""
    exe = browser or find_browser()
    if exe is None:
        raise PdfError(f"no Chromium found ({', '.join(BROWSERS)}; or set "
                       "TRUCEWATCH_CHROMIUM): report.pdf not written")  # fmt: skip
    tmp = pdf.with_name(f".{pdf.name}.tmp")
    with tempfile.TemporaryDirectory(prefix="trucewatch-chromium-") as profile:
        args = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--disable-dev-shm-usage", f"--user-data-dir={profile}",
                "--no-pdf-header-footer", "--virtual-time-budget=5000",
                f"--print-to-pdf={tmp}", html.resolve().as_uri()]  # fmt: skip
        try:
            done = subprocess.run(args, capture_output=True, timeout=TIMEOUT_S, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            tmp.unlink(missing_ok=True)
            raise PdfError(f"{exe}: {exc}") from exc
    if done.returncode != 0 or not tmp.is_file() or tmp.stat().st_size == 0:
        tmp.unlink(missing_ok=True)
        last = done.stderr.decode(errors="replace").strip().splitlines()[-1:] or [""]
        raise PdfError(f"{exe} could not print {html.name} (exit {done.returncode}): {last[0]}")
    readable(tmp)
    os.replace(tmp, pdf)
    return pdf


def readable(path: Path) -> None:
    """Make ``path`` readable by others: mode 0644 less the process's umask."""
    umask = os.umask(0)
    os.umask(umask)
    path.chmod(0o644 & ~umask)
