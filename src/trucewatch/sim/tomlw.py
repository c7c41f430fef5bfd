"""A minimal TOML writer for resolved scenarios (the standard library only reads TOML).

Handles what :func:`trucewatch.sim.scenario_file.scenario_to_dict` produces: nested
tables, strings, booleans, integers, finite floats, dates, aware datetimes, lists of
scalars and lists of tables (written as arrays of tables). Output is deterministic: keys
in the order given, scalars before sub-tables.
"""

from __future__ import annotations

import json
import math
from datetime import date, datetime
from typing import Any

__all__ = ["dumps"]


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"TOML cannot hold {value!r}")
        return repr(value)
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: give a time zone")
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_scalar(v) for v in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} to TOML")


def _key(key: str) -> str:
    if key and all(c.isalnum() or c in "_-" for c in key):
        return key
    return json.dumps(key, ensure_ascii=False)


def _is_table_list(value: Any) -> bool:
    return (isinstance(value, list | tuple) and bool(value)
            and all(isinstance(v, dict) for v in value))  # fmt: skip


def _emit(table: dict[str, Any], path: list[str], out: list[str]) -> None:
    scalars = [(k, v) for k, v in table.items()
               if v is not None and not isinstance(v, dict) and not _is_table_list(v)]  # fmt: skip
    for k, v in scalars:
        out.append(f"{_key(k)} = {_scalar(v)}")
    for k, v in table.items():
        if isinstance(v, dict):
            sub = [*path, _key(k)]
            out.append("")
            out.append(f"[{'.'.join(sub)}]")
            _emit(v, sub, out)
        elif _is_table_list(v):
            sub = [*path, _key(k)]
            for item in v:
                out.append("")
                out.append(f"[[{'.'.join(sub)}]]")
                _emit(item, sub, out)


def dumps(data: dict[str, Any], header: str = "") -> str:
    """TOML text of ``data`` (``None`` values are left out); ``header`` lines become
    comments at the top."""
    out: list[str] = [f"# {line}".rstrip() for line in header.splitlines()]
    _emit(data, [], out)
    return "\n".join(out).strip("\n") + "\n"
