"""Text clean-up for narrative reports: one-line normalized text, sentences and passages."""

from __future__ import annotations

import re


def normalize_text(text: str) -> str:
    """One-line text with straight quotes, hyphens between numbers and decimal points.

    Keeps the words; only spelling variants that the rules need not care about are unified.
    """
    s = text.replace("\u00a0", " ").replace("\u202f", " ")
    s = re.sub("[\u2010\u2011]", "-", s)
    s = re.sub(r"\[\d{1,2}\]", "", s)  # footnote markers of the reports ("[1]")
    s = re.sub(r"[‘’ʼ`´]", "'", s)
    s = re.sub(r"[“”„«»]", '"', s)
    s = re.sub(
        r"[\"']?(Donetsk|Luhansk|Lugansk) People'?s Republic[\"']?"
        r"\s*\(\s*[\"']?(DPR|LPR)[\"']?\s*\)",
        r'"\2"',
        s,
    )
    s = re.sub(r"(?<=\d)\s*[-–—]\s*(?=\d)", "-", s)
    s = re.sub(r"\s[–—-]\s|\s--\s", " – ", s)
    s = re.sub(r"(\d),(\d{1,2})(?=\s?(?:km|m|metres|meters)\b)", r"\1.\2", s)
    s = re.sub(r"(\d)\s+(mm)\b", r"\1\2", s)
    s = re.sub(
        r"(?<![\d,.])(\d{1,3})((?:,\d{3})+)(?![\d,])",
        lambda m: m.group(1) + m.group(2).replace(",", ""),
        s,
    )
    return re.sub(r"\s+", " ", s).strip()


_ABBREVIATIONS = {
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
    "no", "st", "mr", "ms", "dr", "approx", "ca", "vs", "e.g", "i.e", "incl", "etc",
}  # fmt: skip


def split_sentences(text: str) -> list[str]:
    """Sentences of a normalized paragraph (a full stop followed by a capital starts one)."""
    out: list[str] = []
    start = 0
    for m in re.finditer(r"(?<=[.!?])\s+(?=[\"'(]?[A-Z])", text):
        before = text[start : m.start()]
        last = re.search(r"([\w.]+)\.$", before)
        if last and last.group(1).lower() in _ABBREVIATIONS:
            continue
        out.append(before.strip())
        start = m.end()
    tail = text[start:].strip()
    if tail:
        out.append(tail)
    return out


def split_passages(text: str) -> list[tuple[int, str]]:
    """Paragraphs of a plain-text file (blank-line separated) with their 1-based first line."""
    out: list[tuple[int, str]] = []
    buf: list[str] = []
    first = 0
    for n, line in enumerate(text.splitlines(), 1):
        if line.strip():
            if not buf:
                first = n
            buf.append(line.strip())
        elif buf:
            out.append((first, " ".join(buf)))
            buf = []
    if buf:
        out.append((first, " ".join(buf)))
    return out


def _blank(s: str, start: int, end: int) -> str:
    return s[:start] + " " * (end - start) + s[end:]
