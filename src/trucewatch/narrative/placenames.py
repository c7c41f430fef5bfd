"""Settlement names in running text, in English, Ukrainian and Russian, geocoded with the
gazetteer (:mod:`trucewatch.geo.gazetteer`), including the inflected (oblique) Cyrillic
forms that statements use: "удар по Херсону", "обстріл Херсона", "у Покровську",
"по Кривому Рогу", "обстрел Авдеевки", "в Харкові".

The gazetteer holds the nominative ("Херсон", "Кривий Ріг"). An inflected form is found by
its stem: each Cyrillic name word gives a few stems (the word without its ending, with the
Ukrainian alternations of the last syllable: і → о/е as in Харків → Харкова, ї → є as in
Київ → Києва, the fleeting vowel of -ець/-ок as in Марганець → Марганця, and к/г/х → ц/з/с
before the dative and locative -і as in Авдіївка → Авдіївці), and a word of the text
matches a name word when it is one of its stems followed by a case ending
(:data:`ENDINGS`). A whole name matches when all its words do, in order.

Limits (docs/claims.md, "Statements and news"): a stem is at least 3 letters (2 inside a name
of several words), so very short names ("Ям") are found only in the nominative; irregular
forms (suppletive or stress-shifted ones) are not derived; and when two settlements share
a stem the one whose GeoNames name matches the form exactly wins, then the larger.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from trucewatch.geo.gazetteer import Gazetteer, Place, get_gazetteer, name_agrees, normalize_name

__all__ = ["ENDINGS", "PlaceMention", "area_word_after", "find_place_forms", "place_mentions"]

ENDINGS: frozenset[str] = frozenset({
    "", "а", "я", "у", "ю", "і", "ї", "и", "ы", "е", "є", "о", "ь", "ом", "ем", "єм", "ям",
    "ою", "ею", "ой", "ей", "ові", "еві", "ах", "ях", "ам", "ями", "ами", "ої", "ій", "ий",
    "ый", "ого", "его", "ому", "ему", "им", "ім", "ым", "ую", "юю", "ая", "ое", "ее", "ью",
    "ії", "ие", "ия", "ии", "ию", "ья", "ье", "ьем", "ьи",
})  # fmt: skip
"""Case endings a Cyrillic place name may take in Ukrainian or Russian."""

_VOWELS = "аеєиіїоуюяыэь"
_ADJECTIVE = ("ий", "ій", "ой", "ый", "ая", "яя", "ое", "ее", "ье", "ья", "ое")
_SOFTEN = {"к": "ц", "г": "з", "х": "с"}
_CYRILLIC = re.compile(r"[а-яіїєґё]", re.IGNORECASE)
def _word_stems(word: str) -> set[str]:
    """The stems of one nominative name word (lower case, apostrophes removed)."""
    bases = {word}
    for end in _ADJECTIVE:
        if word.endswith(end) and len(word) > len(end) + 1:
            bases.add(word[: -len(end)])
            break
    else:
        if word[-1] in _VOWELS + "й":
            bases.add(word[:-1])
    out = set(bases)
    for s in bases:
        if s.endswith(("ець", "ец")):
            out.add(s[: -3 if s.endswith("ець") else -2] + "ц")
        if s.endswith("ок") and len(s) > 4:
            out.add(s[:-2] + "к")
        m = re.fullmatch(rf"(.*?)([іе])([^{_VOWELS}й]+)", s)
        if m and s[-1] not in _VOWELS:
            out.add(m.group(1) + "о" + m.group(3))
            out.add(m.group(1) + "е" + m.group(3))
        m = re.fullmatch(rf"(.*?)ї([^{_VOWELS}й]+)", s)
        if m:
            out.add(m.group(1) + "є" + m.group(2))
    for s in list(out):
        if s and s[-1] in _SOFTEN:
            out.add(s[:-1] + _SOFTEN[s[-1]])
    return {s for s in out if s}


@dataclass(frozen=True)
class _Name:
    key: str
    words: tuple[frozenset[str], ...]
    """Stems of each word of the name."""
    indices: tuple[int, ...]
    primary: bool


_INDEXES: dict[int, tuple[Gazetteer, dict[str, list[_Name]]]] = {}


def _stem_index(gz: Gazetteer) -> dict[str, list[_Name]]:
    """Cyrillic names of the gazetteer by the stems of their last word (built once)."""
    cached = _INDEXES.get(id(gz))
    if cached is not None and cached[0] is gz:
        return cached[1]
    index: dict[str, list[_Name]] = {}
    for key, idx, primary in gz.name_keys():
        if not _CYRILLIC.search(key):
            continue
        words = key.split()
        if not words or len(words) > 4:
            continue
        name = _Name(key, tuple(frozenset(_word_stems(w)) for w in words), tuple(idx), primary)
        for stem in name.words[-1]:
            index.setdefault(stem, []).append(name)
    _INDEXES[id(gz)] = (gz, index)
    return index


def _word_matches(word: str, stems: frozenset[str], minimum: int) -> bool:
    for cut in range(0, min(4, len(word)) + 1):
        stem, ending = word[: len(word) - cut], word[len(word) - cut :]
        if ending in ENDINGS and stem in stems and (len(stem) >= minimum or cut == 0):
            return True
    return False


def _best(gz: Gazetteer, form: str, indices: list[tuple[int, int]]) -> int | None:
    """The best of candidate ``(rank, index)`` pairs: lowest rank (exact primary 0, exact
    alternate 1, stem 2), then a Latin name that agrees with the form's first letter (GeoNames
    gives some names to two places), then the largest population."""
    if not indices:
        return None
    return min(indices, key=lambda ri: (
        ri[0], not name_agrees(form, str(gz.name[ri[1]])), -int(gz.population[ri[1]]),
        int(gz.geonameid[ri[1]])))[1]  # fmt: skip


def _exact(gz: Gazetteer, key: str) -> list[tuple[int, int]]:
    """``(rank, index)`` of the places named exactly ``key``: rank 0 by their GeoNames
    name, 1 by an alternate name."""
    return [(0 if normalize_name(str(gz.name[i])) == key else 1, i) for i in gz.lookup(key)]


def find_place_forms(words: list[str], *, gazetteer: Gazetteer | None = None) -> Place | None:
    """The settlement named by consecutive words of a text, in any case form (Latin names
    only as written: "Kherson", "Kryvyi Rih")."""
    gz = gazetteer or get_gazetteer()
    text = " ".join(words)
    key = normalize_name(text)
    if not key:
        return None
    cand = _exact(gz, key)
    if cand or not _CYRILLIC.search(key):
        best = _best(gz, key, cand)
        return gz.place(best) if best is not None else None
    index = _stem_index(gz)
    norm = key.split()
    last = norm[-1]
    found: list[tuple[int, int]] = []
    minimum = 3 if len(norm) == 1 else 2
    for cut in range(0, min(4, len(last)) + 1):
        stem, ending = last[: len(last) - cut], last[len(last) - cut :]
        if ending not in ENDINGS or len(stem) < minimum:
            continue
        for name in index.get(stem, ()):
            if len(name.words) != len(norm):
                continue
            if all(_word_matches(w, s, 2) for w, s in zip(norm[:-1], name.words[:-1],
                                                           strict=True)):  # fmt: skip
                found.extend((2, i) for i in name.indices)
    best = _best(gz, key, found)
    return gz.place(best) if best is not None else None


@dataclass(frozen=True, kw_only=True)
class PlaceMention:
    """A settlement named in a text: the words as written (``start:end`` offsets) and the
    gazetteer's place; ``area`` when the name is that of a region, district or direction
    ("Kherson region", "Херсонській області" is not read, "Покровському напрямку" is not a
    settlement either)."""

    text: str
    start: int
    end: int
    place: Place
    area: str | None = None


_CAP_WORD = r"[A-ZА-ЯІЇЄҐЁ][\w'’ʼ]*(?:-[\w'’ʼ]+)*"
_NAME_RUN = re.compile(rf"{_CAP_WORD}(?:\s+{_CAP_WORD}){{0,2}}")
_AREA_WORDS = re.compile(
    r"\s*(?P<w>regions?|oblasts?|provinces?|districts?|directions?|axis|sector|area|community"
    r"|област[іьи]|обл\.|район[іуа]?|напрям(?:ку|ок|і)|направлени[еия]|громад[иіа]|округ[аеу]?"
    r"|краю|край)\b",
    re.IGNORECASE,
)


def area_word_after(text: str, end: int) -> str | None:
    """The region/district/direction word right after a name ("Kherson region"), if any."""
    m = _AREA_WORDS.match(text, end)
    return m.group("w") if m else None


def place_mentions(text: str, *, skip: list[tuple[int, int]] | tuple[()] = (),
                   stop_words: frozenset[str] = frozenset(),
                   gazetteer: Gazetteer | None = None) -> list[PlaceMention]:  # fmt: skip
    """Settlements named in ``text`` by capitalized words (runs of up to three words, the
    longest name first), except inside the ``skip`` spans and words of ``stop_words``
    (normalized with :func:`normalize_name`). The first word of the text is read as a
    place only when it names one exactly (not by a stem: a capitalized first word is more
    often a common word)."""
    gz = gazetteer or get_gazetteer()
    out: list[PlaceMention] = []
    for run in _NAME_RUN.finditer(text):
        tokens = [(m.start() + run.start(), m.end() + run.start(), m.group())
                  for m in re.finditer(_CAP_WORD, run.group())]  # fmt: skip
        k = 0
        while k < len(tokens):
            hit = None
            for n in range(min(3, len(tokens) - k), 0, -1):
                s, e = tokens[k][0], tokens[k + n - 1][1]
                if any(a < e and s < b for a, b in skip):
                    continue
                words = [re.sub(r"['’ʼ]s$", "", t[2]) for t in tokens[k : k + n]]
                if n == 1 and normalize_name(words[0]) in stop_words:
                    continue
                if any(normalize_name(w) in stop_words for w in words):
                    continue
                place = find_place_forms(words, gazetteer=gz)
                if place is None:
                    continue
                if s == len(text) - len(text.lstrip()) and not _exact(
                        gz, normalize_name(" ".join(words))):
                    continue
                hit = PlaceMention(text=text[s:e], start=s, end=e, place=place,
                                   area=area_word_after(text, e))  # fmt: skip
                k += n
                break
            if hit is None:
                k += 1
            else:
                out.append(hit)
    return out
