"""The parties' statements and news text read into claims: counts of violations over a
period, and strikes at named places (docs/claims.md, "Statements and news").

:func:`read_statements` reads a text in English, Ukrainian or Russian sentence by sentence
(a sentence with two speakers, "..., while Russia's defence ministry said ...", clause by
clause) and gives, for each claim it can read:

* an **aggregate** when a number of violations, attacks, strikes or shellings is stated
  with no named settlement ("Ukraine recorded 2,935 violations by Russian forces between
  18:00 on 19 April and 10:00 on 21 April", "зафіксовано 2935 порушень", "Минобороны
  России зафиксировало 4900 нарушений");
* an **item** for each settlement named as struck ("a drone struck Kherson at 14:20",
  "удар по Херсону", "обстрел Горловки"), geocoded with the gazetteer, Cyrillic case forms
  included (:mod:`trucewatch.narrative.placenames`); a count stated with it ("attacked
  Kherson 35 times") is the item's count;

with the **claimant** (the party whose statement it is: the speaker of the sentence,
"Генштаб ЗСУ", "Russia's defence ministry", "according to Moscow"; a sentence relaying the
other side's claim is that side's claim), the **accused** (named, or "the enemy": the other
party), the period or time (UTC, from the local time of the claimant unless a zone is
stated), the weapon and the target when stated. What cannot be read is reported with the
sentence and the reason, never guessed: a denial ("Kyiv denied ...") or a negated claim ("no
violations were recorded") is not a claim; a count with no readable period, a strike with
no named settlement, an area that is not a settlement, a sentence with no speaker (unless a
default claimant is given) are listed in :attr:`StatementReading.unread`.

Times are aware datetimes in UTC; positions WGS84 degrees.
"""

from __future__ import annotations

import functools
import itertools
import re
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from trucewatch.geo.gazetteer import get_gazetteer, normalize_name
from trucewatch.narrative.claims import Span
from trucewatch.narrative.placenames import PlaceMention, place_mentions
from trucewatch.narrative.statement_words import (
    ACCORDING,
    ACCUSE,
    AGENTS,
    BARE_AGENTS,
    BARE_SPEAKERS,
    BY_AGENT,
    CALIBRE_RE,
    CALIBRES,
    COUNT_NOUNS,
    DEFENCE,
    DENIAL,
    LANGUAGES,
    MONTH_RE,
    MONTHS,
    MUNITIONS,
    NEGATED,
    NUMBER,
    QUALIFIER,
    SAY,
    SPEAKERS,
    STRIKE,
    TARGETS,
    TIMES_VERBS,
    TRUCE_WORDS,
    VIOLATE,
    WEAPONS,
    normalize_statement,
    number_value,
)

__all__ = [
    "PARTY_ZONES",
    "StatementClaim",
    "StatementReading",
    "Unread",
    "read_statements",
]

PARTY_ZONES: dict[str, str] = {"UA": "Europe/Kyiv", "RU": "Europe/Moscow"}
"""The local time of each party's statements when no zone is stated."""
DEFAULT_ZONE = "Europe/Kyiv"
OTHER = {"UA": "RU", "RU": "UA"}
NIGHT_START_H = 20
"""A night ("overnight", "вночі", "в ночь на 20 апреля") runs from 20:00 local the evening
before to :data:`NIGHT_END_H` on the day."""
NIGHT_END_H = 6
_F = re.IGNORECASE


@dataclass(frozen=True, kw_only=True)
class StatementClaim:
    """One claim read from a sentence (an item or an aggregate)."""

    type: str
    """``item`` or ``aggregate``."""
    claimant: str
    """Party code of whose claim it is (``UA``, ``RU``)."""
    claimant_text: str
    """The words naming it ("Генштаб ЗСУ"; empty when it came from the default or the
    previous sentence: see ``notes``)."""
    accused: str | None
    accused_text: str | None
    start: datetime
    """Start of the claimed window or period (UTC)."""
    end: datetime
    count: int | None = None
    count_text: str | None = None
    count_bound: str | None = None
    """``at least`` ("more than 120") or ``about`` ("almost 5,000"); the count is the number."""
    kind: str | None = None
    """What an aggregate counts: violations, attacks, shelling, assaults, drones."""
    place: str | None = None
    """The settlement as written ("Херсону")."""
    place_name: str | None = None
    """The gazetteer's name of it ("Kherson")."""
    lon: float | None = None
    lat: float | None = None
    weapon: str | None = None
    target: str | None = None
    sentence: Span
    notes: tuple[str, ...] = ()
    """How uncertain parts were read (default zone, period from the statement's date, ...)."""
    index: int = 0
    """Which claim of its sentence (0, 1, ...)."""

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready dict (times in ISO 8601)."""
        out = asdict(self)
        out["start"] = self.start.isoformat()
        out["end"] = self.end.isoformat()
        return out


@dataclass(frozen=True, kw_only=True)
class Unread:
    """A sentence (or clause) that reads as a claim but gives none, and why."""

    sentence: Span
    reason: str
    status: str = "unread"
    """``unread`` (a part could not be read), ``denial`` or ``negated``."""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(kw_only=True)
class StatementReading:
    """What :func:`read_statements` read."""

    claims: list[StatementClaim] = field(default_factory=list)
    unread: list[Unread] = field(default_factory=list)
    stated_at: datetime | None = None
    """When the statement was made (UTC), if the time was given."""
    statement_date: date | None = None


# --------------------------------------------------------------------------- sentences

_ABBREV = re.compile(
    r"(?:\b(?:[A-ZА-ЯІЇЄ]|no|st|mr|ms|dr|gen|lt|col|maj|approx|vs|incl|etc|jan|feb|mar|apr|jun"
    r"|jul|aug|sept?|oct|nov|dec|обл|р|рр|вул|ст|тис|тыс|г|гг|им|див|напр|т\.д|т\.п|т\.ч"
    r"|ін|др|млн|млрд|U\.S|U\.K))\.$", re.IGNORECASE)  # fmt: skip


def _sentences(text: str) -> list[tuple[Span, int]]:
    """Sentences with their offsets, and the paragraph each belongs to."""
    out: list[tuple[Span, int]] = []
    para = 0
    pos = 0
    for block in re.split(r"(\n\s*\n)", text):
        if re.fullmatch(r"\n\s*\n", block):
            pos += len(block)
            para += 1
            continue
        start = 0
        for m in re.finditer(r"(?<=[.!?])[\"')]*\s+(?=[\"'(«„“]?[A-ZА-ЯІЇЄҐЁ0-9])", block):
            before = block[start : m.start()]
            if _ABBREV.search(before.rstrip("\"')")):
                continue
            _add(out, block, start, m.start() + len(m.group()) - len(m.group().lstrip("\"')")),
                 pos, para)  # fmt: skip
            start = m.end()
        _add(out, block, start, len(block), pos, para)
        pos += len(block)
    return out


def _add(out: list[tuple[Span, int]], block: str, s: int, e: int, pos: int, para: int) -> None:
    seg = block[s:e]
    if not seg.strip():
        return
    lead = len(seg) - len(seg.lstrip())
    body = seg.strip()
    out.append((Span(start=pos + s + lead, end=pos + s + lead + len(body), text=body), para))


_CLAUSE_BREAK = re.compile(
    r",?\s+(?:while|whereas|meanwhile)\s+|;\s+|,\s+а\s+|,\s+тоді\s+як\s+|,\s+тоді\s+коли\s+"
    r"|,\s+в\s+то\s+время\s+как\s+|,\s+тогда\s+как\s+|,\s+while\s+", re.IGNORECASE)  # fmt: skip


def _clauses(sentence: Span) -> list[Span]:
    """A sentence cut where a second speaker begins ("..., while Russia said ...")."""
    cuts = [0]
    for m in _CLAUSE_BREAK.finditer(sentence.text):
        cuts.append(m.end())
    cuts.append(len(sentence.text))
    out = []
    for a, b in itertools.pairwise(cuts):
        seg = sentence.text[a:b]
        if seg.strip():
            lead = len(seg) - len(seg.lstrip())
            body = seg.strip()
            out.append(Span(start=sentence.start + a + lead,
                            end=sentence.start + a + lead + len(body), text=body))  # fmt: skip
    return out


# --------------------------------------------------------------------------- who


@dataclass(frozen=True)
class _Hit:
    start: int
    end: int
    text: str
    party: str


def _find(patterns: tuple[tuple[str, str], ...], text: str) -> list[_Hit]:
    out = []
    for pattern, party in patterns:
        for m in re.finditer(rf"(?<![\w-])(?:{pattern})(?![\w])", text, _F):
            out.append(_Hit(m.start(), m.end(), m.group(), party))
    return sorted(out, key=lambda h: (h.start, -h.end))


def _overlaps(a: tuple[int, int], spans: list[tuple[int, int]]) -> bool:
    return any(a[0] < e and s < a[1] for s, e in spans)


def _speaker(text: str, lang: str) -> tuple[_Hit | None, bool]:
    """The speaker of a clause, and whether it was found by a verb of saying or "according
    to" (``True``) or only named ("Генштаб ЗСУ: ...", ``False``)."""
    say, according = SAY[lang], ACCORDING[lang]
    strong: list[_Hit] = []
    weak: list[_Hit] = []
    hits = _find(SPEAKERS[lang], text) + [
        h for h in _find(BARE_SPEAKERS, text) if not _overlaps((h.start, h.end), [
            (x.start, x.end) for x in _find(SPEAKERS[lang], text)])]  # fmt: skip
    bare = {(h.start, h.end) for h in _find(BARE_SPEAKERS, text)}
    for h in hits:
        after = text[h.end : h.end + 60]
        before = text[max(0, h.start - 40) : h.start]
        said = re.match(rf"(?:\s*,)?(?:\s+\S+){{0,4}}?\s+(?:{say})\b", after, _F) is not None
        said = said and not re.match(r"\s*(?:,\s*)?(?:that|що|что)\b", after, _F)
        colon = re.match(r"\s*:", after) is not None
        by = re.search(rf"(?:{according})\s+(?:the\s+|в\s+|у\s+)?$", before, _F) is not None
        inverted = re.search(rf"(?:{say})\s+(?:в|у|із|из|the)?\s*$", before, _F) is not None
        if said or by or inverted or colon:
            strong.append(h)
        elif (h.start, h.end) not in bare:
            weak.append(h)
    # an institution named as an agent ("the Russian military shelled ...") is not a speaker
    agents = [(a.start, a.end) for a in _find(AGENTS[lang], text)]
    weak = [h for h in weak if not _overlaps((h.start, h.end), agents)]
    if strong:
        return strong[0], True
    if weak:
        return weak[0], False
    return None, False


def _accused(text: str, lang: str, claimant: str, skip: list[tuple[int, int]]
             ) -> tuple[str | None, str | None, str | None, list[tuple[int, int]]]:  # fmt: skip
    """``(party, words, note, spans)`` of the accused in a clause (``skip``: the speaker's
    words); ``spans`` are the words read as parties (never places)."""
    violate = VIOLATE[lang] + "|" + STRIKE[lang]
    hits = [h for h in _find(AGENTS[lang], text) if not _overlaps((h.start, h.end), skip)]
    for h in _find(BARE_AGENTS, text):
        if _overlaps((h.start, h.end), skip + [(x.start, x.end) for x in hits]):
            continue
        after = text[h.end : h.end + 40]
        before = text[max(0, h.start - 25) : h.start]
        subject = re.match(rf"(?:'s)?(?:\s+\S+){{0,3}}?\s+(?:{violate})\b", after, _F)
        by = re.search(rf"\b(?:{BY_AGENT[lang]})\s+(?:the\s+)?$", before, _F)
        accused = re.search(rf"\b(?:{ACCUSE[lang]})\s+$", before, _F)
        if subject or by or accused:
            hits.append(h)
    hits.sort(key=lambda h: h.start)
    spans = [(h.start, h.end) for h in hits]
    other = OTHER.get(claimant)
    resolved = [(other if h.party == "enemy" else h.party, h) for h in hits]
    for party, h in resolved:
        if party is not None and party != claimant:
            return party, h.text, None, spans
    if resolved and re.search(rf"\b(?:{DEFENCE[lang]})", text, _F) is None:
        return None, resolved[0][1].text, "own side", spans
    return other, None, "accused not named: the other party of the claimant", spans


# --------------------------------------------------------------------------- when


@dataclass(frozen=True)
class _Anchor:
    start: int
    end: int
    day: date | None
    clock: tuple[int, int] | None
    zone: str | None


_ZONES = (
    (r"\(?(?:Kyiv|Kiev)\s+time\)?|\(?за\s+київським\s+часом\)?|\(?по\s+киевскому\s+времени\)?"
     r"|\bEEST\b|\bEET\b", "Europe/Kyiv"),
    (r"\(?Moscow\s+time\)?|\(?за\s+московським\s+часом\)?|\(?по\s+московскому\s+времени\)?"
     r"|\(?\bмск\b\)?|\bMSK\b", "Europe/Moscow"),
    (r"\(?\b(?:UTC|GMT)\b\)?", "UTC"),
)  # fmt: skip
_ZONE_RE = "|".join(p for p, _ in _ZONES)
_CLOCK = re.compile(
    r"(?<![\d:.,])(?P<h>[01]?\d|2[0-4])[:.](?P<m>[0-5]\d)(?![\d]|\.\d)(?:\s*(?:hrs|h|год\.?))?"
    r"|(?<![\d:.,])(?P<h2>[01]?\d|2[0-4])\s+(?:годин[иау]?|час(?:ов|а)?)\b"
    r"|(?<![\d:.,])(?P<h3>[01]?\d|2[0-4])\s*(?P<ampm>[ap])\.?m\.?", re.IGNORECASE)  # fmt: skip
_DATE = re.compile(
    rf"(?<![\d.])(?P<d>[0-3]?\d)(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<mon>{MONTH_RE})"
    rf"(?:,?\s+(?P<y>(?:19|20)\d\d)(?:\s*(?:року|р\.|года|г\.))?)?"
    rf"|(?P<mon2>{MONTH_RE})\s+(?P<d2>[0-3]?\d)(?:st|nd|rd|th)?\b(?:,?\s+(?P<y2>(?:19|20)\d\d))?"
    r"|(?<![\d.])(?P<dn>[0-3]?\d)\.(?P<mn>[01]\d)\.(?P<yn>(?:19|20)\d\d)(?![\d.])"
    r"|(?P<iso>(?:19|20)\d\d-[01]\d-[0-3]\d)", re.IGNORECASE)  # fmt: skip
_DAY_RANGE = re.compile(
    rf"(?<![\d:.])(?P<a>[0-3]?\d)\s*(?:-|–|—|and|to|until|through|до|по|і|и|та)\s*"
    rf"(?P<b>[0-3]?\d)\s+(?P<mon>{MONTH_RE})", re.IGNORECASE)  # fmt: skip
_RELATIVE_DAY = (
    (r"\byesterday\b|\bвчора\b|\bучора\b|\bвчера\b", -1),
    (r"\btoday\b|\bсьогодні\b|\bсегодня\b|\bthis\s+morning\b", 0),
)
_WEEKDAYS = (
    ("monday", "понеділ", "понедельник"), ("tuesday", "вівтор", "вторник"),
    ("wednesday", "серед", "сред"), ("thursday", "четвер", "четверг"),
    ("friday", "п'ятниц", "пятниц"), ("saturday", "субот", "суббот"),
    ("sunday", "неділ", "воскресень"),
)  # fmt: skip
_FROM = r"(?:between|from|since|starting\s+(?:from|at)|з|із|від|с|со|начиная\s+с)"
_TO = r"(?:and|to|until|till|through|до|по|і|й|и|та|[-–—])"
_SINCE = r"(?:since|from|starting\s+(?:from|at)|з|із|від|с|со|начиная\s+с)"
_AS_OF = r"(?:as\s+of|by|until|up\s+to|станом\s+на|по\s+состоянию\s+на|до)"
_PAST_DAY = re.compile(
    r"\b(?:(?:over|in|during|for)\s+the\s+(?:past|last|previous)\s+(?:24\s+hours|day)"
    r"|over\s+the\s+past\s+day|in\s+a\s+day|за\s+(?:минулу\s+|останню\s+)?добу"
    r"|протягом\s+(?:минулої\s+|останньої\s+)?доби|упродовж\s+(?:минулої\s+)?доби"
    r"|за\s+(?:прошедшие\s+|последние\s+|минувшие\s+)?сутки"
    r"|в\s+течение\s+(?:прошедших\s+|последних\s+|минувших\s+)?суток)", re.IGNORECASE)  # fmt: skip
_NIGHT = re.compile(
    rf"\b(?:overnight|at\s+night|last\s+night|during\s+the\s+night|on\s+the\s+night\s+"
    rf"(?:of|to)\s+(?P<en>[0-3]?\d(?:\s*(?:-|to|into)\s*[0-3]?\d)?\s+{MONTH_RE})"
    rf"|(?:у|в)\s+ніч\s+(?:на|проти)\s+(?P<uk>[0-3]?\d\s+{MONTH_RE})|(?:уночі|вночі|цієї\s+ночі"
    rf"|минулої\s+ночі)|в\s+ночь\s+на\s+(?P<ru>[0-3]?\d\s+{MONTH_RE})|(?:ночью|этой\s+ночью"
    rf"|минувшей\s+ночью|прошлой\s+ночью))", re.IGNORECASE)  # fmt: skip


def _year_for(month: int, day: int, ref: date | None) -> int | None:
    if ref is None:
        return None
    y = ref.year
    try:
        if date(y, month, day) > ref + timedelta(days=2):
            y -= 1
    except ValueError:
        return None
    return y


def _day_of(m: re.Match[str], ref: date | None) -> date | None:
    g = m.groupdict()
    try:
        if g.get("iso"):
            return date.fromisoformat(g["iso"])
        if g.get("dn"):
            return date(int(g["yn"]), int(g["mn"]), int(g["dn"]))
        mon = g.get("mon") or g.get("mon2")
        d = g.get("d") or g.get("d2")
        y = g.get("y") or g.get("y2")
        if mon is None or d is None:
            return None
        month = MONTHS[mon.lower().rstrip(".")]
        year = int(y) if y else _year_for(month, int(d), ref)
        return date(year, month, int(d)) if year else None
    except (ValueError, KeyError):
        return None


def _zone_at(text: str, start: int, end: int) -> str | None:
    for pattern, zone in _ZONES:
        if re.match(rf"\s*(?:{pattern})", text[end:], _F):
            return zone
    return None


_TIME_THEN_DATE = re.compile(r"\s*(?:on|of|,)?\s*", _F)
"""Between a clock time and its date: "18:00 on 19 April", "18:00 19 квітня"."""
_DATE_THEN_TIME = re.compile(r"\s*(?:at|,|о|об|в|around|about|близько|около)?\s*(?:about\s+)?",
                             _F)  # fmt: skip
"""Between a date and its clock time: "19 April at 18:00", "19 квітня о 18:00"."""


def _anchors(text: str, ref: date | None) -> tuple[list[_Anchor], list[str]]:
    """Dates and clock times of a clause, a time paired with the date next to it
    ("18:00 on 19 April", "19 квітня о 18:00"); and what could not be read."""
    problems: list[str] = []
    dates: list[tuple[int, int, date | None]] = []
    for m in _DATE.finditer(text):
        day = _day_of(m, ref)
        if day is None:
            problems.append(f"no year for {m.group().strip()!r} (give the statement's date)")
        dates.append((m.start(), m.end(), day))
    for pattern, shift in _RELATIVE_DAY:
        for m in re.finditer(pattern, text, _F):
            dates.append((m.start(), m.end(), ref + timedelta(days=shift) if ref else None))
            if ref is None:
                problems.append(f"{m.group()!r} needs the statement's date")
    for k, names in enumerate(_WEEKDAYS):
        for m in re.finditer(r"\b(?:on\s+|у\s+|в\s+|во\s+)?(?:" + "|".join(names) + r")\w*",
                             text, _F):  # fmt: skip
            if ref is None:
                problems.append(f"{m.group()!r} needs the statement's date")
                dates.append((m.start(), m.end(), None))
            else:
                dates.append((m.start(), m.end(), ref - timedelta(days=(ref.weekday() - k) % 7)))
    dates.sort()
    clocks = []
    for m in _CLOCK.finditer(text):
        if _overlaps((m.start(), m.end()), [(a, b) for a, b, _ in dates]):
            continue
        h = int(m.group("h") or m.group("h2") or m.group("h3"))
        mi = int(m.group("m") or 0)
        if m.group("ampm"):
            h = h % 12 + (12 if m.group("ampm").lower() == "p" else 0)
        end = m.end()
        zm = re.match(rf"\s*(?:{_ZONE_RE})", text[end:], _F)
        zone = _zone_at(text, m.start(), end)
        if zm:
            end += zm.end()
        clocks.append((m.start(), end, (h, mi), zone))
    anchors: list[_Anchor] = []
    used: set[int] = set()
    for cs, ce, clock, zone in clocks:
        pair = None
        for k, (ds, de, _day) in enumerate(dates):
            if k in used:
                continue
            gap_after = text[ce:ds] if ds >= ce else None
            gap_before = text[de:cs] if cs >= de else None
            if (gap_after is not None and _TIME_THEN_DATE.fullmatch(gap_after)) or (
                    gap_before is not None and _DATE_THEN_TIME.fullmatch(gap_before)):
                pair = k
                break
        if pair is None:
            anchors.append(_Anchor(cs, ce, None, clock, zone))
        else:
            used.add(pair)
            ds, de, day = dates[pair]
            anchors.append(_Anchor(min(cs, ds), max(ce, de), day, clock, zone))
    for k, (ds, de, day) in enumerate(dates):
        if k not in used:
            anchors.append(_Anchor(ds, de, day, None, None))
    anchors.sort(key=lambda a: a.start)
    return anchors, problems


def _instant(day: date, clock: tuple[int, int] | None, zone: str, *, end: bool = False
             ) -> datetime:  # fmt: skip
    """A local day and clock time as UTC (no clock: the start of the day, or with ``end``
    the end of it; 24:00 is the next midnight)."""
    if clock is None:
        local = datetime.combine(day + timedelta(days=1 if end else 0), time(0), ZoneInfo(zone))
    else:
        h, m = clock
        local = datetime.combine(day, time(0), ZoneInfo(zone)) + timedelta(hours=h, minutes=m)
    return local.astimezone(UTC)


@dataclass(frozen=True)
class _Window:
    """A claimed period or time (UTC; ``start == end`` for an instant) and how it was read."""

    start: datetime
    end: datetime
    notes: tuple[str, ...] = ()


_Found = tuple[_Window | None, str | None]
"""A window read, or ``None`` and why not."""


@dataclass(frozen=True)
class _When:
    """What the time of a clause is read from: its text and anchors (dates and clock
    times), the statement's date ``ref`` and time ``stated`` (UTC), the claimant's zone,
    whether an item's time (``item``) or an aggregate's period is read, and the truce's
    period (UTC) when given."""

    text: str
    anchors: list[_Anchor]
    ref: date | None
    stated: datetime | None
    zone: str
    item: bool
    truce: tuple[datetime, datetime] | None

    def zone_of(self, *anchors: _Anchor) -> str:
        """The zone stated with the first of ``anchors`` that has one, else the claimant's."""
        return next((a.zone for a in anchors if a.zone), self.zone)


def _period(text: str, ref: date | None, stated: datetime | None, zone: str, *, item: bool,
            truce: tuple[datetime, datetime] | None) -> _Found:  # fmt: skip
    """The claimed period (an aggregate) or time (an item) of a clause, or why not.

    The forms are tried in order: a range of days, a range of two anchors, an open period
    ("since ...", "as of ..."), a night, "the past day", a single date or time, the truce;
    an item with none of them is on the statement's day."""
    anchors, problems = _anchors(text, ref)
    if problems and not any(a.day or a.clock for a in anchors):
        return None, problems[0]
    when = _When(text, anchors, ref, stated, zone, item, truce)
    for form in (_day_range, _anchor_range, _open_period, _night, _past_day, _dated, _truce):
        found = form(when)
        if found is not None:
            return found
    return _undated(when)


def _day_range(w: _When) -> _Found | None:
    """Whole local days: "between 19 and 21 April", "з 19 по 21 квітня" (no clock time)."""
    rng = _DAY_RANGE.search(w.text)
    if not rng or any(a.clock for a in w.anchors):
        return None
    month = MONTHS[rng.group("mon").lower().rstrip(".")]
    y = _year_for(month, int(rng.group("b")), w.ref)
    if y is None:
        return None, f"no year for {rng.group()!r} (give the statement's date)"
    try:
        first = date(y, month, int(rng.group("a")))
        last = date(y, month, int(rng.group("b")))
    except ValueError:
        return None, f"not a date: {rng.group()!r}"
    return _Window(_instant(first, None, w.zone), _instant(last, None, w.zone, end=True),
                   (f"whole days {first} to {last}, local time",)), None  # fmt: skip


def _anchor_range(w: _When) -> _Found | None:
    """From one anchor to the next: "between A and B", "from A to B", "з A до B", "с A по
    B" (a day missing on one side is the other's, or the statement's date)."""
    for a, b in itertools.pairwise(w.anchors):
        gap = w.text[a.end : b.start]
        lead = w.text[max(0, a.start - 20) : a.start]
        if re.fullmatch(rf"\s*{_TO}\s*", gap, _F) and re.search(rf"\b{_FROM}\s*$", lead, _F):
            return _between(w, a, b)
    return None


def _between(w: _When, a: _Anchor, b: _Anchor) -> _Found:
    """The period from anchor ``a`` to anchor ``b`` (a clock time before the start on the
    same unstated day runs past midnight)."""
    day_a = a.day or b.day or w.ref
    day_b = b.day or a.day or w.ref
    if day_a is None or day_b is None:
        return None, "no date for the period (give the statement's date)"
    notes = ("period on the statement's date",) if a.day is None and b.day is None else ()
    z = w.zone_of(a, b)
    start = _instant(day_a, a.clock, z)
    end = _instant(day_b, b.clock, z, end=b.clock is None)
    if end <= start and b.day is None and b.clock is not None:
        end += timedelta(days=1)
    if end <= start:
        return None, f"the period ends before it starts: {w.text[a.start : b.end]!r}"
    return _Window(start, end, notes), None


def _open_period(w: _When) -> _Found | None:
    """A period given by one end: "since A" (to the statement's time or the end of its
    day) or, for an aggregate, "as of A" (the 24 hours before, when "the past day" is
    said). The first dated anchor with no day and no statement's date is an error."""
    past_day = _PAST_DAY.search(w.text) is not None
    for a in w.anchors:
        lead = w.text[max(0, a.start - 25) : a.start]
        if a.day is None and a.clock is None:
            continue
        day = a.day or w.ref
        if day is None:
            return None, "no date (give the statement's date)"
        if re.search(rf"\b{_SINCE}\s*$", lead, _F):
            return _since(w, a, day)
        if re.search(rf"\b{_AS_OF}\s*$", lead, _F) and not w.item:
            return _as_of(w, a, day, past_day)
    return None


def _since(w: _When, a: _Anchor, day: date) -> _Found:
    """A period "since A": to the statement's time, else to the end of the statement's day
    (or of A's day when later)."""
    z = w.zone_of(a)
    start = _instant(day, a.clock, z)
    if w.stated is not None and w.stated > start:
        return _Window(start, w.stated, ("period ends at the statement's time",)), None
    if w.ref is not None:
        end = _instant(max(w.ref, day), None, z, end=True)
        if end > start:
            return _Window(start, end, ("period ends at the end of the statement's "
                                        "day",)), None  # fmt: skip
    return None, "a period with a start and no end"


def _as_of(w: _When, a: _Anchor, day: date, past_day: bool) -> _Found:
    """A period "as of A over the past 24 hours": the 24 hours before A (without "the past
    day" the period has no start)."""
    end = _instant(day, a.clock, w.zone_of(a), end=a.clock is None)
    if past_day:
        return _Window(end - timedelta(hours=24), end, ("the 24 hours before the "
                                                        "time stated",)), None  # fmt: skip
    return None, "a period with an end and no start"


def _night(w: _When) -> _Found | None:
    """A night ("overnight", "on the night of 19 April", "в ночь на 20 апреля"): from
    :data:`NIGHT_START_H` local the evening before to :data:`NIGHT_END_H` on the day."""
    night = _NIGHT.search(w.text)
    if not night:
        return None
    day, why = _night_day(w, night)
    if day is None:
        return None, why
    start = _instant(day - timedelta(days=1), (NIGHT_START_H, 0), w.zone)
    end = _instant(day, (NIGHT_END_H, 0), w.zone)
    return _Window(start, end, (f"night read as {NIGHT_START_H}:00-0{NIGHT_END_H}:00 "
                                "local",)), None  # fmt: skip


def _night_day(w: _When, night: re.Match[str]) -> tuple[date | None, str | None]:
    """The morning a night ends on: the date named ("the night of 19 April" runs into the
    20th, "в ночь на 20 апреля" ends on it), else the statement's date; or why none."""
    words = night.group("en") or night.group("uk") or night.group("ru")
    if not words:
        if w.ref is None:
            return None, "a night with no date (give the statement's date)"
        return w.ref, None
    dm = re.search(rf"(?:(?P<a>[0-3]?\d)\s*(?:-|to|into)\s*)?(?P<d>[0-3]?\d)\s+"
                   rf"(?P<mon>{MONTH_RE})", words, _F)  # fmt: skip
    if dm is None:
        return None, f"not a date: {words!r}"
    month = MONTHS[dm.group("mon").lower().rstrip(".")]
    y = _year_for(month, int(dm.group("d")), w.ref)
    if y is None:
        return None, "a night with no year (give the statement's date)"
    day = date(y, month, int(dm.group("d")))
    if night.group("en") and dm.group("a") is None:
        day += timedelta(days=1)  # "the night of 19 April" runs into the 20th
    return day, None


def _past_day(w: _When) -> _Found | None:
    """The past day ("over the past 24 hours", "за минулу добу"): the 24 hours before the
    statement, else the calendar day before its date."""
    if not _PAST_DAY.search(w.text):
        return None
    if w.stated is not None:
        return _Window(w.stated - timedelta(hours=24), w.stated,
                       ("the 24 hours before the statement",)), None  # fmt: skip
    if w.ref is not None:
        start = _instant(w.ref - timedelta(days=1), None, w.zone)
        return _Window(start, _instant(w.ref, None, w.zone),
                       ("the past day read as the calendar day before the statement's "
                        "date",)), None  # fmt: skip
    return None, "'the past day' needs the statement's date"


def _dated(w: _When) -> _Found | None:
    """A single date or time: an item's time (the first one), or an aggregate over the one
    whole day stated."""
    dated = [a for a in w.anchors if a.day is not None or a.clock is not None]
    if not dated:
        return None
    if w.item:
        return _item_time(w, dated[0])
    days = [a for a in dated if a.day is not None and a.clock is None]
    if len(days) == 1 and len(dated) == 1:
        z = w.zone_of(days[0])
        d = days[0].day
        assert d is not None
        return _Window(_instant(d, None, z), _instant(d, None, z, end=True),
                       ("the whole day stated",)), None  # fmt: skip
    return None, "a time without a period"


def _item_time(w: _When, a: _Anchor) -> _Found:
    """An item's time: the instant of ``a`` (its day, or the statement's date), or its
    whole day when no clock time is stated."""
    day = a.day or w.ref
    if day is None:
        return None, "no date (give the statement's date)"
    notes = ("time on the statement's date",) if a.day is None else ()
    z = w.zone_of(a)
    if a.clock is None:
        return _Window(_instant(day, None, z), _instant(day, None, z, end=True),
                       (*notes, "no time stated: the whole day")), None  # fmt: skip
    t = _instant(day, a.clock, z)
    return _Window(t, t, notes), None


def _truce(w: _When) -> _Found | None:
    """The truce ("during the truce"): its period when given."""
    if not re.search(TRUCE_WORDS, w.text, _F):
        return None
    if w.truce is not None:
        return _Window(w.truce[0], w.truce[1], ("the truce's period (given)",)), None
    return None, "the period is the truce's, not stated (give --truce START/END)"


def _undated(w: _When) -> _Found:
    """No time stated: an item is on the statement's day; an aggregate has no period."""
    if not w.item:
        return None, "no period stated"
    if w.ref is not None:
        return _Window(_instant(w.ref, None, w.zone), _instant(w.ref, None, w.zone, end=True),
                       ("no time stated: the statement's day",)), None  # fmt: skip
    return None, "no date or time (give the statement's date)"


# --------------------------------------------------------------------------- what


@dataclass(frozen=True)
class _Count:
    start: int
    end: int
    value: int | None
    text: str
    kind: str
    bound: str | None
    breakdown: bool


def _kind_of_times(text: str, lang: str) -> str:
    """What "N times" counts: the verb's (attacked: attacks, shelled: shelling), else
    violations."""
    for pattern, kind in TIMES_VERBS[lang]:
        if re.search(rf"(?<![\w])(?:{pattern})", text, _F):
            return kind
    return "violations"


def _counts(text: str, lang: str) -> list[_Count]:
    """Counted claims of a clause ("2,935 violations", "4 900 раз", "понад 120 ударів")."""
    out: list[_Count] = []
    qual = "|".join(f"(?P<q{k}>{p})" for k, p in enumerate(QUALIFIER.values()))
    bounds = list(QUALIFIER)
    for pattern, kind in (*COUNT_NOUNS[lang], (MUNITIONS[lang], "munitions")):
        rx = re.compile(
            rf"(?<![\w.,])(?:(?:{qual})\s+)?(?P<n>{NUMBER})\s+(?:[^\W\d][\w'-]*\s+){{0,3}}?"
            rf"(?P<noun>{pattern})(?![\w])", _F)  # fmt: skip
        for m in rx.finditer(text):
            if _overlaps((m.start("n"), m.end()), [(c.start, c.end) for c in out]):
                continue
            if re.search(r"[:.]\d\d\s*$|\d[:.]$", text[: m.start("n")]):
                continue
            between = text[m.end("n") : m.start("noun")]
            if re.search(rf"\b(?:{MONTH_RE}|годин\w*|час\w*|hours?|minutes?|km|метр\w*)",
                         between, _F):  # fmt: skip
                continue
            bound = next((bounds[k] for k in range(len(bounds)) if m.group(f"q{k}")), None)
            lead = text[max(0, m.start() - 40) : m.start()]
            breakdown = re.search(
                r"(?:including|of\s+which|of\s+them|among\s+them|у\s+тому\s+числі|зокрема"
                r"|з\s+них|в\s+том\s+числе|из\s+них|в\s+частности)[\s:,]*(?:\S+\s+){0,6}$",
                lead, _F) is not None  # fmt: skip
            if kind == "times":
                kind = _kind_of_times(text, lang)
            out.append(_Count(m.start(), m.end(), number_value(m.group("n")), m.group("n"), kind,
                              bound, breakdown))  # fmt: skip
    return sorted(out, key=lambda c: c.start)


def _first(table: tuple[tuple[str, str], ...], text: str) -> str | None:
    found = [(m.start(), word) for pattern, word in table
             for m in [re.search(rf"(?<![\w])(?:{pattern})", text, _F)] if m]  # fmt: skip
    return min(found)[1] if found else None


_STOP = frozenset(normalize_name(w) for w in (
    "Ukraine", "Russia", "General", "Staff", "Defence", "Defense", "Ministry", "Armed", "Forces",
    "Air", "Force", "Easter", "Shahed", "Grad", "Iskander", "HIMARS", "Lancet", "President",
    "Kremlin", "Telegram", "The", "A", "An", "On", "In", "At", "By", "It", "This", "They",
    "Україна", "Україні", "України", "Росія", "Росії", "Росію", "Генштаб", "ЗСУ", "ВСУ",
    "Міноборони", "Минобороны", "Повітряні", "Сили", "РФ", "Россия", "России", "Россию",
    "Украина", "Украины", "Украине", "Украину", "Кремль", "Великдень", "Пасха", "Херсонщина",
    "Телеграм", "Шахед", "Град", "Ланцет", "Сьогодні", "Сегодня", "Вчора", "Вчера",
    "Противник", "Ворог", "Окупанти", "Оккупанты", "Удар", "Удары", "Удари", "Атака",
    "Обстріл", "Обстрел", "Внаслідок", "В", "У", "На", "По", "За", "З", "С", "О",
    "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December", "Orthodox", "Catholic", "European", "Union", "NATO",
    "Генштабу", "ОВА", "МВА", "ДСНС", "ДПСУ", "Сил", "Оборони", "Збройних", "Збройні",
))  # fmt: skip
"""Capitalized words that are never read as settlements."""


def _places(text: str, skip: list[tuple[int, int]]) -> list[PlaceMention]:
    return place_mentions(text, skip=skip, stop_words=_STOP, gazetteer=get_gazetteer())


# --------------------------------------------------------------------------- the reader


def _doc_date(text: str) -> date | None:
    m = re.match(r"\s*date:?\s+(\d{4}-\d{2}-\d{2})", text)
    return date.fromisoformat(m.group(1)) if m else None


def read_statements(
    text: str,
    lang: str,
    *,
    statement_date: date | datetime | str | None = None,
    claimant: str | None = None,
    truce: tuple[datetime, datetime] | None = None,
) -> StatementReading:
    """Claims of a statement or news text.

    Parameters
    ----------
    text : str
        The text; paragraphs separated by blank lines. A leading ``date YYYY-MM-DD`` line
        sets the statement's date.
    lang : "en", "uk" or "ru"
    statement_date : date, datetime or ISO string, optional
        When the statement was made: the year of dates written without one, "yesterday",
        "over the past day", and the day of a strike with no date. A datetime (with a zone,
        or local time of the claimant) also ends a period "since ...".
    claimant : "UA" or "RU", optional
        Whose statement it is when a sentence names no speaker (an official statement
        file); without it such a sentence is reported unread. A sentence naming a speaker
        is that speaker's claim either way.
    truce : (start, end), optional
        The truce's period (UTC) for claims "during the truce" that state no times.

    Returns
    -------
    StatementReading
    """
    if lang not in LANGUAGES:
        raise ValueError(f"language must be one of {', '.join(LANGUAGES)}, not {lang!r}")
    stated: datetime | None = None
    ref: date | None = None
    if isinstance(statement_date, str):
        statement_date = (datetime.fromisoformat(statement_date) if "T" in statement_date
                          else date.fromisoformat(statement_date))  # fmt: skip
    if isinstance(statement_date, datetime):
        local = statement_date
        if local.tzinfo is None:
            local = local.replace(tzinfo=ZoneInfo(PARTY_ZONES.get(claimant or "", DEFAULT_ZONE)))
        stated = local.astimezone(UTC)
        ref = local.date()
    elif isinstance(statement_date, date):
        ref = statement_date
    ref = _doc_date(text) or ref
    claimant = claimant.upper() if claimant else None
    norm = normalize_statement(text)
    reading = StatementReading(stated_at=stated, statement_date=ref)
    last: tuple[int, str] | None = None
    for sentence, para in _sentences(norm):
        body = re.sub(r"^\s*date:?\s+\d{4}-\d{2}-\d{2}\s*", "", sentence.text)
        if body != sentence.text:
            sentence = Span(start=sentence.end - len(body), end=sentence.end, text=body)
        sentence_speaker: tuple[str, str] | None = None
        for clause in _clauses(sentence):
            got = _read_clause(clause, lang, reading, ref, stated, truce,
                               default=claimant, carried=last if last and last[0] == para
                               else None, sentence_speaker=sentence_speaker)  # fmt: skip
            if got is not None:
                sentence_speaker = got
                last = (para, got[0])
    return reading


_Speaker = tuple[str, str]
"""A speaker named in a clause: ``(party, words)``."""


@dataclass(frozen=True)
class _Claimant:
    """Whose claim a clause is: the party, the words naming it (empty when not named in
    the clause), the spans of those words, the speaker the clause itself names (returned
    to the caller) and how the claimant was found when not named."""

    party: str
    words: str
    skip: list[tuple[int, int]]
    named: _Speaker | None
    notes: tuple[str, ...] = ()


def _read_clause(clause: Span, lang: str, reading: StatementReading,
                 ref: date | None, stated: datetime | None,
                 truce: tuple[datetime, datetime] | None, *, default: str | None,
                 carried: tuple[int, str] | None, sentence_speaker: _Speaker | None
                 ) -> _Speaker | None:  # fmt: skip
    """Read one clause into ``reading``; returns the speaker ``(party, words)`` it named.

    A clause that is not a claim is passed over or listed as unread (:func:`_screen`);
    otherwise its claimant, accused, count and places are read, and it gives one item per
    settlement struck (:func:`_read_items`) or aggregates over a period
    (:func:`_read_aggregates`)."""
    t = clause.text
    counts = _counts(t, lang)
    strike = re.search(rf"(?<![\w])(?:{STRIKE[lang]})(?![\w])", t, _F) is not None
    screened, named = _screen(clause, lang, reading, counts, strike)
    if screened:
        return named
    who = _claimant(clause, lang, reading, default=default, carried=carried,
                    sentence_speaker=sentence_speaker)  # fmt: skip
    if who is None:
        return None
    notes = list(who.notes)
    accused, accused_text, note, party_spans = _accused(t, lang, who.party, who.skip)
    if note == "own side":
        reason = f"the claimant reports its own side's action ({accused_text!r}), not a claim "
        reading.unread.append(Unread(sentence=clause, reason=reason + "against the other"))
        return who.named
    if note:
        notes.append(note)
    zone = PARTY_ZONES.get(who.party, DEFAULT_ZONE)
    if _CLOCK.search(t) and not re.search(_ZONE_RE, t, _F):
        notes.append(f"clock times read as {zone} (the claimant's)")
    count, main, extra = _main_count(counts, notes)
    if count is not None and count.value is None:
        reading.unread.append(Unread(sentence=clause,
                                     reason=f"count not readable: {count.text!r}"))  # fmt: skip
        return who.named
    towns, areas = _towns_and_areas(t, lang, who.skip + party_spans)
    base: dict[str, Any] = {
        "claimant": who.party, "claimant_text": who.words, "accused": accused,
        "accused_text": accused_text, "sentence": clause, **_weapon_and_target(t),
    }  # fmt: skip
    if count is not None and count.bound:
        notes.append(f"count is {count.bound} {count.value}")
    when = functools.partial(_period, t, ref, stated, zone, truce=truce)
    if towns and (strike or count is not None):
        _read_items(clause, reading, when(item=True), towns, areas, count, notes, base)
    elif _aggregate_readable(clause, reading, count, areas):
        assert count is not None
        _read_aggregates(clause, reading, when(item=False), count, main, extra, notes, base)
    return who.named


def _screen(clause: Span, lang: str, reading: StatementReading, counts: list[_Count],
            strike: bool) -> tuple[bool, _Speaker | None]:  # fmt: skip
    """Whether a clause is not a claim (``True``: passed over, or listed as unread: a denial,
    a negated claim, violations named with no count and no strike), and the speaker it
    names then (none for a negated claim)."""
    t = clause.text
    nouns = "|".join([p for p, _ in COUNT_NOUNS[lang][:1]] + [VIOLATE[lang]])
    if not counts and not strike and not re.search(rf"(?<![\w])(?:{nouns})", t, _F):
        return True, _named_speaker(t, lang)
    if re.search(rf"(?<![\w])(?:{DENIAL[lang]})(?![\w])", t, _F):
        reading.unread.append(Unread(sentence=clause, reason="a denial is not a claim",
                                     status="denial"))  # fmt: skip
        return True, _named_speaker(t, lang)
    if re.search(NEGATED[lang], t, _F):
        reading.unread.append(Unread(sentence=clause, reason="the claim is negated",
                                     status="negated"))  # fmt: skip
        return True, None
    if not counts and not strike:
        reading.unread.append(Unread(sentence=clause, reason="violations or attacks named, with "
                                     "no count and no strike read"))  # fmt: skip
        return True, _named_speaker(t, lang)
    return False, None


def _named_speaker(text: str, lang: str) -> _Speaker | None:
    """``(party, words)`` of the speaker a clause names, if any."""
    hit, _ = _speaker(text, lang)
    return (hit.party, hit.text) if hit else None


def _claimant(clause: Span, lang: str, reading: StatementReading, *, default: str | None,
              carried: tuple[int, str] | None, sentence_speaker: _Speaker | None
              ) -> _Claimant | None:  # fmt: skip
    """The claimant of a clause: the speaker it names, else the speaker of its sentence's
    first clause, else the one carried from the previous sentence of the paragraph, else
    the statement's party (``default``); ``None`` (and the clause listed as unread) when
    there is none."""
    hit, _strong = _speaker(clause.text, lang)
    if hit is not None:
        return _Claimant(hit.party, hit.text, [(hit.start, hit.end)], (hit.party, hit.text))
    if sentence_speaker is not None:
        party, words = sentence_speaker
        return _Claimant(party, words, [], None, ("claimant from the sentence's first clause",))
    if carried is not None:
        return _Claimant(carried[1], "", [], None,
                         ("claimant carried from the previous sentence",))  # fmt: skip
    if default is not None:
        return _Claimant(default, "", [], None, ("claimant: the statement's party (given)",))
    reading.unread.append(Unread(sentence=clause, reason="no claimant: the sentence names "
                                 "no speaker (give the statement's party)"))  # fmt: skip
    return None


def _main_count(counts: list[_Count], notes: list[str]
                ) -> tuple[_Count | None, list[_Count], list[_Count]]:  # fmt: skip
    """The count a clause claims (the first that is not a breakdown), the counts that are
    not breakdowns, and the other counts stated (noted in ``notes`` as not read)."""
    main = [c for c in counts if not c.breakdown]
    extra = [c for c in counts if c.breakdown] + main[1:]
    count = main[0] if main else (counts[0] if counts else None)
    if extra and count is not None:
        notes.append("also stated, not read: " + "; ".join(
            f"{c.text} {c.kind}" for c in extra if c is not count))  # fmt: skip
    return count, main, extra


def _towns_and_areas(text: str, lang: str, skip: list[tuple[int, int]]
                     ) -> tuple[list[PlaceMention], list[PlaceMention]]:  # fmt: skip
    """The settlements and the areas (regions, districts, directions) a clause names,
    outside the words read as the speaker and the parties (``skip``) and the agents."""
    mentions = _places(text, skip + [(a.start, a.end) for a in _find(AGENTS[lang], text)])
    return ([m for m in mentions if m.area is None],
            [m for m in mentions if m.area is not None])  # fmt: skip


def _weapon_and_target(text: str) -> dict[str, str | None]:
    """The weapon (named, or from a calibre in mm) and the target a clause states."""
    weapon = _first(WEAPONS, text)
    if weapon is None and (cal := re.search(CALIBRE_RE, text, _F)):
        weapon = CALIBRES.get(int(cal.group("mm")))
    return {"weapon": weapon, "target": _first(TARGETS, text)}


def _read_items(clause: Span, reading: StatementReading, found: _Found,
                towns: list[PlaceMention], areas: list[PlaceMention], count: _Count | None,
                notes: list[str], base: dict[str, Any]) -> None:  # fmt: skip
    """One item claim per settlement struck, at the time ``found`` (else the clause is
    listed as unread with why); areas named beside them are noted, not read."""
    window, why = found
    if window is None:
        reading.unread.append(Unread(sentence=clause, reason=f"time: {why}"))
        return
    if areas:
        notes.append("not read (an area, not a settlement): " + ", ".join(
            f"{a.text} {a.area}" for a in areas))  # fmt: skip
    if len(towns) > 1:
        notes.append(f"one claim per settlement named ({len(towns)})")
    for k, town in enumerate(towns):
        reading.claims.append(StatementClaim(
            type="item", start=window.start, end=window.end,
            count=count.value if count else None, count_text=count.text if count else None,
            count_bound=count.bound if count else None, place=town.text,
            place_name=town.place.name, lon=town.place.lon, lat=town.place.lat,
            notes=(*window.notes, *notes), index=k, **base))  # fmt: skip


def _aggregate_readable(clause: Span, reading: StatementReading, count: _Count | None,
                        areas: list[PlaceMention]) -> bool:  # fmt: skip
    """Whether a clause with no settlement struck is an aggregate: it has a count and
    names no area (else it is listed as unread with why)."""
    if count is None:
        where = ", ".join(f"{a.text} {a.area}" for a in areas)
        reading.unread.append(Unread(sentence=clause, reason=(
            f"a strike on an area, not a settlement ({where})" if areas
            else "a strike with no named settlement and no count")))  # fmt: skip
        return False
    if areas:
        reading.unread.append(Unread(sentence=clause, reason=(
            "a count in an area the claim formats cannot hold without guessing its extent: "
            + ", ".join(f"{a.text} {a.area}" for a in areas))))  # fmt: skip
        return False
    return True


def _read_aggregates(clause: Span, reading: StatementReading, found: _Found, count: _Count,
                     main: list[_Count], extra: list[_Count], notes: list[str],
                     base: dict[str, Any]) -> None:  # fmt: skip
    """Aggregate claims over the period ``found`` (else the clause is listed as unread
    with why): counts of different kinds side by side ("96 assaults and 1,882 shellings")
    are claims of their own; a breakdown ("including ...") and munitions are parts, noted
    only."""
    window, why = found
    if window is None:
        reading.unread.append(Unread(sentence=clause, reason=f"period: {why}"))
        return
    own = [count] + [c for c in main[1:] if c.kind != "munitions" and c.value is not None
                     and c.kind != count.kind]  # fmt: skip
    if len(own) > 1:
        notes = [n for n in notes if not n.startswith("also stated")]
        rest = [c for c in extra if c not in own]
        if rest:
            notes.append("also stated, not read: " + "; ".join(f"{c.text} {c.kind}"
                                                                for c in rest))  # fmt: skip
    for k, c in enumerate(own):
        reading.claims.append(StatementClaim(
            type="aggregate", start=window.start, end=window.end, count=c.value,
            count_text=c.text, count_bound=c.bound, kind=c.kind, index=k,
            notes=(*window.notes, *notes), **base))  # fmt: skip
