"""Typed values of an agreement document (a TOML table as a dict).

Each reader names the dotted key it reads (``clauses[1].zone``, indices from 0) and raises
an :class:`~trucewatch.agreements.problem.AgreementProblem` for a value of the wrong type
or out of range. Distances in km.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from typing import Any

from trucewatch import limits
from trucewatch.agreements.problem import AgreementProblem, did_you_mean, one_of

__all__ = [
    "as_id",
    "as_str_list",
    "as_table",
    "as_tables",
    "check_choice",
    "check_keys",
    "get_km",
    "get_str",
    "new_id",
    "slugify",
]


def check_keys(table: Mapping[str, Any], allowed: Sequence[str], prefix: str) -> None:
    """Every key of ``table`` (at dotted ``prefix``; "" at the top) is in ``allowed``."""
    for key in table:
        if key not in allowed:
            field = f"{prefix}.{key}" if prefix else key
            where = f"in [{prefix}]" if prefix else "at the top level"
            raise AgreementProblem(
                field, f"unknown key {key!r} {where}{did_you_mean(key, allowed)} "
                f"(allowed: {', '.join(allowed)})"
            )


def as_table(value: Any, field: str) -> Mapping[str, Any]:
    """``value`` as a table."""
    if not isinstance(value, Mapping):
        raise AgreementProblem(field, "must be a table")
    return value


def as_tables(value: Any, field: str) -> list[Mapping[str, Any]]:
    """``value`` as an array of tables (``[[field]]``)."""
    if not isinstance(value, list):
        raise AgreementProblem(field, f"must be an array of tables ([[{field}]])")
    for i, item in enumerate(value):
        as_table(item, f"{field}[{i}]")
    return value


def get_str(table: Mapping[str, Any], key: str, field: str, *, required: bool = False,
            default: str = "") -> str:
    """The string at ``key``, stripped (``default`` when absent and not required)."""
    if key not in table:
        if required:
            raise AgreementProblem(field, "is required")
        return default
    value = table[key]
    if not isinstance(value, str):
        raise AgreementProblem(field, f"must be a string, not {type(value).__name__}")
    if required and not value.strip():
        raise AgreementProblem(field, "must not be empty")
    return value.strip()


def as_id(value: Any, field: str) -> str:
    """Clause and exception ids: a string, or an integer (clause numbers)."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise AgreementProblem(field, "must be a string or a number")
    text = str(value).strip()
    if not text:
        raise AgreementProblem(field, "must not be empty")
    return text


def get_km(table: Mapping[str, Any], key: str, field: str) -> float | None:
    """The positive finite distance (km) at ``key``; None when absent."""
    if key not in table:
        return None
    value = table[key]
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise AgreementProblem(field, "must be a number (km)")
    if not value > 0 or value != value or value == float("inf"):
        raise AgreementProblem(field, f"must be a positive distance in km, not {value}")
    if value > limits.MAX_DISTANCE_KM:
        raise AgreementProblem(field, f"must be at most {limits.MAX_DISTANCE_KM:g} km, "
                               f"not {value:g}")
    return float(value)


def as_str_list(value: Any, field: str) -> list[str]:
    """A string or a list of strings, as a list."""
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise AgreementProblem(field, "must be a list of strings")
    return list(value)


def check_choice(value: str, choices: Sequence[str], field: str, what: str) -> str:
    """``value`` when it is one of ``choices`` (``what`` names them in the message)."""
    if value not in choices:
        raise AgreementProblem(
            field, f"unknown {what} {value!r}{did_you_mean(value, choices)} "
            f"({one_of(choices)})"
        )
    return value


def slugify(name: str) -> str:
    """A slug made from a name (lower-case letters, digits and hyphens; at most 100)."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return slug[:100] or "agreement"


def new_id(table: Mapping[str, Any], field: str, taken: Collection[str], what: str,
           missing: str = "is required") -> str:
    """The ``id`` of an item of an array of tables (a clause, an exception): required
    (``missing`` says so) and not in ``taken``, the ids of the items before it."""
    if "id" not in table:
        raise AgreementProblem(f"{field}.id", missing)
    item_id = as_id(table["id"], f"{field}.id")
    if item_id in taken:
        raise AgreementProblem(f"{field}.id", f"{what} id {item_id!r} is used twice")
    return item_id
