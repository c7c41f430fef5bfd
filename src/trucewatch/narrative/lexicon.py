"""Words of monitoring narratives: numbers, compass directions, distances, months, and the
event and weapon vocabulary of OSCE SMM reports.

Everything here is plain data and small pure functions, so the grammar in
:mod:`trucewatch.narrative.smm` reads as rules over these names.
"""

from __future__ import annotations

import re

from trucewatch.types import COMPASS_16

# --------------------------------------------------------------------------- numbers

UNITS: dict[str, int] = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19,
}  # fmt: skip
TENS: dict[str, int] = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90,
}  # fmt: skip
SCALES: dict[str, int] = {"hundred": 100, "thousand": 1000}

_UNIT_WORD = r"(?:" + "|".join(sorted(UNITS, key=len, reverse=True)) + r")"
_DIGIT_WORD = r"(?:one|two|three|four|five|six|seven|eight|nine)"
_TENS_WORD = r"(?:" + "|".join(TENS) + r")"
_BELOW_100 = rf"(?:{_TENS_WORD}(?:[\s-]{_DIGIT_WORD}\b)?|{_UNIT_WORD})"
_BELOW_1000 = rf"(?:(?:a|{_BELOW_100})\s+hundred(?:\s+(?:and\s+)?{_BELOW_100})?|{_BELOW_100})"
NUMBER_WORDS_RE = (
    rf"(?:{_BELOW_1000}\s+thousand(?:\s+(?:and\s+)?{_BELOW_1000})?|{_BELOW_1000})"
)
"""A number written in words: "three", "twenty-one", "one hundred and fifty"."""

DIGITS_RE = r"\d{1,3}(?:,\d{3})+(?![\d,]*\d)|\d+(?:\.\d+)?"
"""Digits with optional thousands separators ("1,900") or a decimal point ("4.5")."""

NUMBER_RE = rf"(?:{DIGITS_RE}|\b{NUMBER_WORDS_RE}\b)"


def words_to_int(text: str) -> int:
    """Value of a number in English words (up to the thousands).

    >>> words_to_int("one hundred and twenty-three")
    123
    >>> words_to_int("nineteen")
    19
    """
    total = 0
    current = 0
    seen = False
    for token in re.split(r"[\s-]+", text.strip().lower()):
        if token in ("and", ""):
            continue
        if token == "a":
            current = 1
            seen = True
        elif token in UNITS:
            current += UNITS[token]
            seen = True
        elif token in TENS:
            current += TENS[token]
            seen = True
        elif token == "hundred":
            current = max(current, 1) * 100
            seen = True
        elif token == "thousand":
            total += max(current, 1) * 1000
            current = 0
            seen = True
        else:
            raise ValueError(f"not a number in words: {text!r}")
    if not seen:
        raise ValueError(f"not a number in words: {text!r}")
    return total + current


def int_to_words(n: int) -> str:
    """English words for 0 <= n < 1,000,000 in the style of SMM reports
    ("one hundred and twenty-three").

    >>> int_to_words(42)
    'forty-two'
    """
    if n < 0 or n >= 1_000_000:
        raise ValueError(f"out of range: {n}")
    units = {v: k for k, v in UNITS.items()}
    tens = {v: k for k, v in TENS.items()}

    def below_100(k: int) -> str:
        if k < 20:
            return units[k]
        t, u = divmod(k, 10)
        return tens[t * 10] + (f"-{units[u]}" if u else "")

    def below_1000(k: int) -> str:
        h, rest = divmod(k, 100)
        if not h:
            return below_100(rest)
        head = f"{units[h]} hundred"
        return head + (f" and {below_100(rest)}" if rest else "")

    th, rest = divmod(n, 1000)
    if not th:
        return below_1000(rest)
    head = f"{below_1000(th)} thousand"
    if not rest:
        return head
    return head + (" and " if rest < 100 else " ") + below_1000(rest)


def parse_number(text: str) -> float:
    """Value of a number in digits ("1,900", "4.5", "18,5") or words ("three").

    A comma followed by exactly three digits is a thousands separator; any other comma
    between digits is a decimal comma (European style, "18,5km").
    """
    s = text.strip().lower()
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+", s):
        return float(s.replace(",", ""))
    if re.fullmatch(r"\d+,\d{1,2}", s):
        return float(s.replace(",", "."))
    if re.fullmatch(r"\d+(?:\.\d+)?", s):
        return float(s)
    return float(words_to_int(s))


VAGUE_QUANTITIES: tuple[str, ...] = (
    "several", "an increasing number of", "a growing number of", "a large number of",
    "a high number of", "a significant number of", "a small number of", "a number of",
    "numerous", "multiple", "a few", "few", "some", "many",
    "hundreds of", "dozens of", "scores of", "tens of", "uncountable", "countless",
    "continuous", "sporadic", "intense", "heavy", "constant", "intermittent",
)  # fmt: skip
"""Quantities that are not a count: the parser gives ``count: null`` for them."""

APPROXIMATE = (
    "approximately", "about", "around", "some", "roughly", "an estimated", "circa", "a total of",
)  # fmt: skip
AT_LEAST = ("over", "more than", "at least", "in excess of", "upwards of")
AT_MOST = ("up to", "fewer than", "less than", "almost", "nearly", "under")

# --------------------------------------------------------------------------- directions

_POINT = r"(?:north|south|east|west)"
COMPASS_RE = (
    rf"(?:{_POINT}(?:[\s-]?{_POINT}){{0,2}})(?:erly\b|\b(?!ern))"
    r"|\b(?:N|NNE|NE|ENE|E|ESE|SE|SSE|S|SSW|SW|WSW|W|WNW|NW|NNW)\b(?=[\s,.;)]|$)"
)
"""A 16-point compass word in any of the spellings of SMM reports."""

_ABBREV = {"n": "north", "e": "east", "s": "south", "w": "west"}


def compass_word(text: str) -> str | None:
    """Canonical 16-point word ("north-north-east") for a spelling such as "north north east",
    "northeast", "south-westerly", "NNE"; ``None`` when it is not one.

    >>> compass_word("south-westerly")
    'south-west'
    """
    s = text.strip().lower()
    s = re.sub(r"(erly|ern)$", "", s)
    if re.fullmatch(r"[nesw]{1,3}", s):
        s = "-".join(_ABBREV[c] for c in s)
    parts = re.findall(_POINT, s)
    if not parts or "".join(parts) != re.sub(r"[\s-]", "", s):
        return None
    word = "-".join(parts)
    return word if word in COMPASS_16 else None


# --------------------------------------------------------------------------- distances

UNIT_KM: dict[str, float] = {
    "km": 1.0, "kilometre": 1.0, "kilometres": 1.0, "kilometer": 1.0, "kilometers": 1.0,
    "m": 0.001, "metre": 0.001, "metres": 0.001, "meter": 0.001, "meters": 0.001,
}  # fmt: skip
UNIT_RE = r"(?:km|kilomet(?:re|er)s?|metres?|meters?|m)\b"

# --------------------------------------------------------------------------- dates and times

MONTHS: dict[str, int] = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
    "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
MONTH_RE = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.?"
)
TIME_RE = r"(?:[01]?\d|2[0-4])[:.][0-5]\d(?:\s*hrs)?"

# --------------------------------------------------------------------------- events

EVENT_NOUNS: dict[str, str] = {
    "explosion": "explosion", "explosions": "explosion", "blast": "explosion",
    "blasts": "explosion", "detonation": "explosion", "detonations": "explosion",
    "airburst": "airburst", "airbursts": "airburst", "impact": "impact", "impacts": "impact",
    "burst": "burst", "bursts": "burst", "shot": "shot", "shots": "shot",
    "round": "round", "rounds": "round", "shell": "round", "shells": "round",
    "projectile": "projectile", "projectiles": "projectile",
    "flare": "flare", "flares": "flare", "grenade": "grenade", "grenades": "grenade",
    "salvo": "salvo", "salvos": "salvo", "salvoes": "salvo",
    "violation": "violation", "violations": "violation",
    "bullet": "shot", "bullets": "shot", "shelling": "explosion",
    "muzzle flash": "flash", "muzzle flashes": "flash",
    "exchange": "exchange", "exchanges": "exchange", "duel": "duel", "duels": "duel",
}  # fmt: skip
"""Nouns that name what was heard or seen, mapped to a noun class."""

EVENT_NOUN_RE = (
    r"\b(?:" + "|".join(sorted(EVENT_NOUNS, key=len, reverse=True)) + r")\b(?![\s-]+launchers?)"
)
"""An event noun ("grenade" in "automatic-grenade-launcher impacts" names the weapon)."""

WEAPON_CLASSES: tuple[tuple[str, str], ...] = (
    (r"\bmortars?\b", "mortar"),
    (r"\bartillery\b|\bhowitzers?\b|\bMLRS\b|\bGrad\b|\bBM-\d+|\bUragan\b|\bSmerch\b"
     r"|\brocket(?!-propelled)\b|\bmultiple-launch", "artillery"),
    (r"grenade|\bAGS\b|\bSPG-\d+|\bRPG\b|\bGP-25\b|\bVOG\b", "grenade"),
    (r"small[\s-]arms?|machine[\s-]?guns?|\bHMG\b|\blight weapons\b|\brifles?\b", "small_arms"),
    (r"\btank\b|\bcannon\b|\bBMP|\bIFV\b|\bAPC\b|\brecoilless\b|\banti-aircraft\b|\bZU-23"
     r"|(?<!machine )(?<!machine-)\bgun\b", "gun"),
)  # fmt: skip
"""Weapon words and the class they belong to (``gun`` maps to kind ``explosion``)."""

WEAPON_RE = (
    r"(?:\d+\s?mm\s+)?(?:"
    r"heavy[\s-]machine[\s-]gun|machine[\s-]gun|small[\s-]arms?|light weapons|"
    r"automatic[\s-]grenade[\s-]launchers?|under-barrel grenade launchers?|grenade[\s-]launchers?|"
    r"mortars?|artillery|howitzers?|tanks?|MLRS|multiple-launch rocket systems?|"
    r"anti-aircraft(?:[\s-](?:cannon|gun)s?)?|recoilless guns?|infantry fighting vehicles?|"
    r"armoured[\s-](?:personnel[\s-]carrier|combat[\s-]vehicle)s?|"
    r"(?:BMP|SPG|ZU|BM|AGS|RPG)-\d+\w*|Grad|rockets?|cannons?|weapons?"
    r")"
)
"""A weapon phrase head, optionally with its calibre."""


def weapon_class(weapon: str | None) -> str | None:
    """The single class of a weapon phrase (mortar, artillery, grenade, small_arms, gun), or
    ``None`` when it names none or several classes ("mortar or artillery")."""
    if not weapon:
        return None
    found = {cls for pattern, cls in WEAPON_CLASSES if re.search(pattern, weapon, re.IGNORECASE)}
    if len(found) == 1:
        return found.pop()
    if found == {"grenade", "artillery"} and re.search(r"rocket-propelled", weapon, re.I):
        return "grenade"
    return None
