"""Agreements as data: truce terms read from TOML files (``docs/agreements.md``).

The package: :mod:`~trucewatch.agreements.model` (the loaded form),
:mod:`~trucewatch.agreements.load` (reading and validating files),
:mod:`~trucewatch.agreements.clauses` and :mod:`~trucewatch.agreements.scopes` (how each
clause type and scope is judged) and :mod:`~trucewatch.agreements.verdicts` (assessing
incidents); this module holds the shipped examples and the JSON Schema.

>>> ag = load_example("easter-truce-2025")
>>> ag.start.isoformat(), ag.scope
('2025-04-19T18:00:00+03:00', 'general')

The shipped examples are in ``trucewatch/agreements/examples/`` (:func:`example_paths`);
the JSON Schema of the file format is ``trucewatch/agreements/agreement.schema.json``
(:func:`schema`).
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

from trucewatch.agreements.load import load_agreement
from trucewatch.agreements.model import LoadedAgreement

__all__ = ["EXAMPLES", "example_path", "example_paths", "load_example", "schema", "schema_path"]

EXAMPLES: dict[str, str] = {
    "ceasefire-30-day-2025": "ceasefire_30_day_2025.toml",
    "energy-moratorium-2025": "energy_moratorium_2025.toml",
    "easter-truce-2025": "easter_truce_2025.toml",
    "minsk-2015-withdrawal": "minsk_2015_withdrawal.toml",
    "christmas-truce-2023": "christmas_truce_2023.toml",
}
"""Shipped example agreements: slug -> file name in ``agreements/examples/``."""

SCHEMA_FILE = "agreement.schema.json"


def _package_dir() -> Path:
    return Path(str(resources.files("trucewatch.agreements")))


def example_path(slug: str) -> Path:
    """Path of a shipped example by slug (KeyError for an unknown slug)."""
    return _package_dir() / "examples" / EXAMPLES[slug]


def example_paths() -> dict[str, Path]:
    """All shipped examples: slug -> path."""
    return {slug: example_path(slug) for slug in EXAMPLES}


def load_example(slug: str) -> LoadedAgreement:
    """Load a shipped example agreement by slug."""
    return load_agreement(example_path(slug))


def schema_path() -> Path:
    """Path of the JSON Schema of agreement files."""
    return _package_dir() / SCHEMA_FILE


def schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of agreement files, as a dict."""
    result: dict[str, Any] = json.loads(schema_path().read_text(encoding="utf-8"))
    return result
