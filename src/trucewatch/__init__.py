"""trucewatch: monitor and verify a ceasefire along a long front line.

For notebooks: ``trucewatch.open(path_or_url)`` gives a :class:`trucewatch.notebook.Desk`
whose ``incidents(...)`` is a GeoDataFrame (docs/formats.md, "Python API")."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from trucewatch.notebook import Desk

__version__ = "0.1.0"


def open(url: Any) -> Desk:
    """Open an existing store for analysis (:func:`trucewatch.notebook.open`)."""
    from trucewatch.notebook import open as open_desk

    return open_desk(url)
