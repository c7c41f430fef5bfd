"""Line numbers of keys in a TOML text (``tomllib`` does not report them).

A light scan, good for the files people write: ``[table]`` and ``[[array]]`` headers,
``key = value`` lines (dotted and quoted keys too), multi-line strings and arrays skipped.
Keys inside inline tables are not indexed: a path falls back to its nearest indexed
parent (``parties[1].code`` -> the ``parties = [...]`` line).
"""

from __future__ import annotations

import re

__all__ = ["KeyLines"]

_ARRAY_HEADER = re.compile(r"^\s*\[\[\s*([^\[\]]+?)\s*\]\]")
_TABLE_HEADER = re.compile(r"^\s*\[\s*([^\[\]]+?)\s*\]")
_PART = r"""(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*')"""
_KEY = re.compile(rf"^\s*({_PART}(?:\s*\.\s*{_PART})*)\s*=")
_INDEX = re.compile(r"\[\d+\]$")


def _clean_key(key: str) -> str:
    parts = re.findall(r"""[A-Za-z0-9_-]+|"[^"]*"|'[^']*'""", key)
    return ".".join(p.strip("\"'") for p in parts)


def _bracket_balance(text: str) -> int:
    """Open minus closed brackets outside strings and comments."""
    depth, quote, i = 0, "", 0
    while i < len(text):
        c = text[i]
        if quote:
            if c == "\\" and quote == '"':
                i += 1
            elif c == quote:
                quote = ""
        elif c in "\"'":
            quote = c
        elif c == "#":
            break
        elif c in "[{":
            depth += 1
        elif c in "]}":
            depth -= 1
        i += 1
    return depth


class KeyLines:
    """Map dotted key paths (array-of-tables indices from 0) to 1-based line numbers.

    >>> kl = KeyLines('name = "x"\\n[[clauses]]\\nid = "1"\\n[[clauses]]\\nzone = "z"\\n')
    >>> kl.line("clauses[1].zone"), kl.line("clauses[1].text"), kl.line("name")
    (5, 4, 1)
    """

    def __init__(self, text: str) -> None:
        self._lines: dict[str, int] = {}
        counts: dict[str, int] = {}
        prefix = ""
        depth = 0
        multiline: str | None = None
        for n, raw in enumerate(text.splitlines(), start=1):
            if multiline is not None:
                if raw.count(multiline) % 2 == 1:
                    multiline = None
                continue
            if depth > 0:
                depth += _bracket_balance(raw)
                continue
            m = _ARRAY_HEADER.match(raw)
            if m:
                name = _clean_key(m[1])
                counts[name] = counts.get(name, -1) + 1
                prefix = f"{name}[{counts[name]}]"
                self._lines.setdefault(prefix, n)
                self._lines.setdefault(name, n)
                continue
            m = _TABLE_HEADER.match(raw)
            if m and not raw.lstrip().startswith("[["):
                prefix = _clean_key(m[1])
                self._lines.setdefault(prefix, n)
                continue
            m = _KEY.match(raw)
            if not m:
                continue
            key = _clean_key(m[1])
            self._lines.setdefault(f"{prefix}.{key}" if prefix else key, n)
            value = raw[m.end():]
            for q in ('"""', "'''"):
                if value.count(q) % 2 == 1:
                    multiline = q
                    break
            if multiline is None:
                depth = max(_bracket_balance(value), 0)

    def line(self, path: str) -> int | None:
        """Line of ``path`` or of its nearest indexed parent; ``None`` if none."""
        while path:
            if path in self._lines:
                return self._lines[path]
            if _INDEX.search(path):
                path = _INDEX.sub("", path)
            elif "." in path:
                path = path.rsplit(".", 1)[0]
            else:
                break
        return None
