"""One counted item of an event phrase: quantity, noun, kind, weapon, flow and location,
and the assessments that refine it."""

from __future__ import annotations

import re
from dataclasses import dataclass

from trucewatch.narrative.lexicon import (
    APPROXIMATE,
    AT_LEAST,
    AT_MOST,
    EVENT_NOUN_RE,
    EVENT_NOUNS,
    NUMBER_RE,
    VAGUE_QUANTITIES,
    WEAPON_CLASSES,
    WEAPON_RE,
    parse_number,
    weapon_class,
)
from trucewatch.narrative.locations import (
    Loc,
)

VERB_RE = re.compile(
    r"\b(?:heard|observed|recorded|saw|registered|counted|documented|noted|spotted|detected)\b"
    r"|\bdid,?\s+(?:however,?\s+|also\s+)?(?:record|hear|see|observe|register)\b"
    r"|\bcould\s+(?:also\s+|furthermore\s+|still\s+)?(?:hear|see|observe)\b"
)
PASSIVE_BEFORE = re.compile(r"\b(?:was|were|been|being)\s+(?:also\s+|later\s+|then\s+)?$")
"""The auxiliary of a perception verb in the passive: the items come before it."""
SEPARATORS = re.compile(
    r"\s*(?:,|;|:|/|\s–\s|\bas\s+well\s+as\b|\bfollowed\s+by\b|\bplus\b"
    r"|(?<=\s)(?=(?:including|beginning\s+with|consisting\s+of)\b))\s*"
)
_QTY_START = (
    rf"(?:(?:{'|'.join(APPROXIMATE + AT_LEAST + AT_MOST)})\s+)?"
    rf"(?:(?:{NUMBER_RE}|an?|another|one|their)\b"
    rf"|(?:{'|'.join(re.escape(v) for v in VAGUE_QUANTITIES)})(?![\w-]))"
)
AND_SPLIT = re.compile(rf"(?<!hundred)(?<!thousand)\s+and\s+(?={_QTY_START}|⟦)", re.IGNORECASE)
QTY_RE = re.compile(
    r"^\s*(?:the\s+sounds?\s+of\s+)?"
    r"(?:(?:followed\s+by\s+)?(?:(?:an?\s+)?aggregated\s+totals?|totals)\s+of\s+)?"
    rf"(?:(?P<mod>{'|'.join(APPROXIMATE + AT_LEAST + AT_MOST)})\s+)?"
    rf"(?:(?P<a>{NUMBER_RE})(?:\s*(?:-|to|or)\s*(?P<b>{NUMBER_RE}))?(?![\w-])"
    rf"|(?P<vague>{'|'.join(re.escape(v) for v in VAGUE_QUANTITIES)})(?![\w-])"
    r"|(?P<one>an?|another|one|a\s+single)\b)",
    re.IGNORECASE,
)
MODIFIER_RE = re.compile(
    r"^\s*(?:all\s+|both\s+|each\s+)?(?:(?:which\s+(?:it|the\s+SMM)\s+)?(?:assessed|estimated)"
    r"\s+(?:as|to\s+be)|(?:most\s+likely\s+|probably\s+|possibly\s+|likely\s+)?caused\s+by"
    r"|(?:mostly\s+|most\s+likely\s+|probably\s+)?consistent\s+with"
    r"|most\s+likely|probably|possibly"
    r"|fired\s+from|impacting|originating|landing)\b",
    re.IGNORECASE,
)
FIRE_WORDS = re.compile(rf"{EVENT_NOUN_RE}|\bfire\b|\bfiring\b|{WEAPON_RE}|\d", re.IGNORECASE)
INCOMING_RE = re.compile(r"\b(?:incoming|impacts?|impacting|impacted|landed|landing)\b", re.I)
OUTGOING_RE = re.compile(r"\boutgoing\b", re.I)
UNDETERMINED_RE = re.compile(r"\b(?:undetermined|unknown|unidentified|unspecified)\b", re.I)


@dataclass
class Item:
    """One thing counted in an event phrase, before neighbours fill its gaps."""

    text: str
    count: int | None = None
    count_note: str | None = None
    has_qty: bool = False
    noun: str | None = None
    kind: str | None = None
    weapon: str | None = None
    flow: str | None = None
    loc: Loc | None = None
    as_form: bool = False
    their: bool = False
    borrowed_from: int | None = None
    subset: bool = False
    """Introduced by "including"/"beginning with": part of the item before it."""
    after_colon: bool = False
    """First item after a colon or a dash: perhaps the breakdown of the item before."""
    drop: bool = False
    full: str = ""
    """The whole piece of text the item was read from (with its assessment)."""


_LOCATION_TAIL = re.compile(
    r"(?:\s+(?:at\s+(?:locations?|distances?|a\s+distance)|in\s+(?:areas?|an?\s+area)"
    r"|from\s+(?:the\s+)?direction)\b.*"
    r"|\s+(?:at|from|of|in|to)\s+(?:its|their|the\s+SMM'?s?|the\s+patrol'?s?)\s+(?:own\s+)?"
    r"(?:position|location)\b.*"
    r"|\s+(?:during|in)\s+the\s+(?:day|morning|afternoon|evening|night)\b.*"
    r"|\s+(?:mainly|mostly|predominantly)\b.*|\s*\((?:the\s+)?closer\s+distance\)"
    r"|(?:\s+(?:at|from|in|to|towards|ranging))+)$",
    re.IGNORECASE,
)


def _clean_weapon(text: str) -> str | None:
    s = text
    fired = re.search(r"\b(?:fired|launched)\s+from\s+(.+)$", s, re.I)
    if fired:
        s = fired.group(1)
    m = re.search(r"\b(?:rounds?|shells?|fire)\s+(?:of|from)\s+(.+)$", s, re.I)
    if m and re.search(WEAPON_RE, m.group(1), re.I):
        s = m.group(1)
    elif m:  # "artillery rounds of an unknown calibre"
        s = s[: m.start()] + " (" + m.group(1) + ")"
    s = re.sub(
        r"\b(?:an?|the|impacts?\s+of|impacting|impacts?|outgoing|incoming|most\s+likely"
        r"|probably|possibly|likely|caused\s+by|rounds?|shells?|fire|salvos?\s+of|projectiles?"
        r"|explosions?|of)\b",
        " ",
        s,
        flags=re.I,
    )
    s = re.sub(r"\(\s*", "(", re.sub(r"[\s.,;]*\)", ")", s))
    s = re.sub(r"\s+", " ", s).strip(" ,;.")
    # the remains of a location ("at locations ranging", "at distances", "from its position")
    while (cut := _LOCATION_TAIL.sub("", s).strip(" ,;.")) != s:
        s = cut
    s = re.sub(r"^(?:and|or)\s+", "", s)  # "incoming and outgoing mortar" minus the flows
    s = re.sub(r"(\d)\s+mm\b", r"\1mm", s)
    if not s or re.fullmatch(
        r"(?:\(?(?:undetermined|unknown|unidentified)\)?\s*)?(?:weapons?(?:\s+systems?)?|type|"
        r"undetermined|unknown)?\s*(?:\((?:type\s+)?undetermined\))?",
        s,
        flags=re.I,
    ):
        return None
    if re.match(r"^(?:undetermined|unknown|unidentified)\s+weapons?", s, re.I):
        return None
    return s


def _kind(noun: str | None, weapon: str | None, text: str) -> str | None:
    if re.search(r"\btracers?\b", text, re.I) or noun == "projectile":
        return "projectile"
    if noun in ("burst", "shot", "flare", "grenade"):
        return noun
    if noun in ("violation", "exchange", "flash"):
        return "undetermined"
    if noun == "duel":  # "artillery duels": the weapon's kind, rounds not counted
        cls = weapon_class(weapon)
        return {"gun": "explosion", None: "undetermined"}.get(cls, cls)
    cls = weapon_class(weapon)
    if noun == "round" and cls == "small_arms":  # "ten small-arms rounds"
        return "shot"
    if noun in ("explosion", "impact", "round", "salvo", "airburst"):
        if cls in ("mortar", "artillery", "grenade"):
            return cls
        return "explosion"
    if noun is None and cls is not None:
        return {"gun": "explosion"}.get(cls, cls)
    if noun is None and weapon and _small_arms_and_guns(weapon):
        return "small_arms"  # "anti-aircraft and small-arms fire"
    return None


def _small_arms_and_guns(weapon: str) -> bool:
    found = {c for pattern, c in WEAPON_CLASSES if re.search(pattern, weapon, re.IGNORECASE)}
    return "small_arms" in found and found <= {"small_arms", "gun"}


def _flow(item_text: str, noun: str | None) -> str | None:
    inc = INCOMING_RE.search(item_text) is not None or noun == "impact"
    out = OUTGOING_RE.search(item_text) is not None
    if inc and out:
        return None
    if inc:
        return "incoming"
    if out:
        return "outgoing"
    if noun in ("explosion", "round", None):
        q = re.search(rf"\b(?:undetermined|unknown|unidentified)(?:\s+(?:[\w-]+\s+)?{EVENT_NOUN_RE}"
                      r"|\s*$)",
                      item_text.strip(), re.I)  # fmt: skip
        if q:
            return "undetermined"
    return None


def _weapon_in(text: str, noun_span: tuple[int, int] | None) -> str | None:
    """The weapon named in an item: "of X fire" after the noun, or words before the noun."""
    if noun_span is not None:
        after = text[noun_span[1] :]
        m = re.match(rf"\s*(?:\([^)]*\)\s*)?(?:and\s+(?:single\s+)?{EVENT_NOUN_RE}\s+)?"
                     r"(?:of|from|by|fired\s+from)\s+(.+)$", after, re.I)  # fmt: skip
        if m and re.search(WEAPON_RE, m.group(1), re.I):
            return _clean_weapon(m.group(1))
        before = text[: noun_span[0]]
        calibre = re.match(r"\s*(\((?:\d+mm|type\s+undetermined|[A-Z][^)]*)\))", after)
        ws = list(re.finditer(WEAPON_RE, before, re.I))
        if ws:
            w = before[ws[0].start() :]
            if calibre:
                w += " " + calibre.group(1)
            return _clean_weapon(w)
        return None
    m = re.search(rf"({WEAPON_RE}(?:[\s-]+(?:and|or)[\s-]+{WEAPON_RE})*)\s+fire\b", text, re.I)
    if m:
        return _clean_weapon(m.group(1))
    return None


_ITEM_PREFIX = re.compile(
    r"^(?:(?:in|during)\s+the\s+(?:early\s+|late\s+)?(?:morning|afternoon|evening|night)"
    r"(?:\s+hours)?\s+|(?:later|then|subsequently|also|again)\s+"
    rf"|(?:an\s+additional|a\s+further|another|an\s+extra)\s+(?={NUMBER_RE}))+"
    r"|^what\s+(?:was|were|appeared|sounded|seemed)\s+(?:(?:assessed\s+)?(?:to\s+be|as|like)\s+)?"
    r"|^the\s+(?:whistling|whizzing)\s+sounds?\s+of\s+",
    re.IGNORECASE,
)
"""Words before an item's quantity that do not change it ("in the afternoon four
explosions", "what were assessed to be two bullets", "the whistling sound of two bullets")."""


def read_item(raw: str, locs: list[tuple[int, int, Loc]]) -> Item:
    """Quantity, flow, noun, weapon and location of one item of an event phrase."""
    loc: Loc | None = None
    for tag in re.findall(r"⟦(\d+)⟧", raw):
        piece = locs[int(tag)][2]
        loc = piece if loc is None else loc.merge(piece)
    text = re.sub(r"⟦\d+⟧", " ", raw)
    text = re.sub(r"\s+", " ", text).strip(" ,.;")
    item = Item(text=raw.strip(), loc=loc)
    text = _ITEM_PREFIX.sub("", text)
    # "the use of small arms": the fire of that weapon, count unknown
    text = re.sub(r"^(?:the\s+)?use\s+of\s+(.+?)(?:\s+fire)?$", r"\1 fire", text, flags=re.I)
    rest = text
    if re.match(r"^their\s+(?:subsequent\s+|later\s+|eventual\s+)?impacts?\b", text, re.I):
        item.their = True
        item.flow = "incoming"
        return item
    q = QTY_RE.match(text)
    if q:
        item.has_qty = True
        if q.group("a"):
            a = int(parse_number(q.group("a")))
            item.count = a if a > 0 else None
            mod = (q.group("mod") or "").lower()
            if q.group("b"):
                item.count_note = f"{q.group(0).strip()!r} read as {a} (the lower bound)"
            elif mod in APPROXIMATE:
                item.count_note = f"{q.group(0).strip()!r} read as {a} (approximate)"
            elif mod in AT_LEAST:
                item.count_note = f"{q.group(0).strip()!r} read as {a} (at least)"
            elif mod in AT_MOST:
                item.count_note = f"{q.group(0).strip()!r} read as {a} (at most)"
        elif q.group("vague"):
            item.count = None
            item.count_note = f"{q.group('vague')!r}: no count"
        else:
            item.count = 1
        rest = text[q.end() :]
        if re.match(r"^\s+as\b", rest, re.I):
            item.as_form = True
    noun_m = re.search(EVENT_NOUN_RE, rest, re.I)
    noun = EVENT_NOUNS[noun_m.group(0).lower()] if noun_m else None
    if noun_m and noun == "exchange" and not re.search(r"exchanges?\s+of\s+fire", rest, re.I):
        noun = None
    weapon_only = noun is None and re.fullmatch(rf"\s*{WEAPON_RE}\s*", rest, re.I)
    if weapon_only and item.has_qty and not re.search(r"s\s*$", rest):
        item.weapon = _clean_weapon(rest)  # "ten mortar and 24 ... impacts": a noun follows
        return item
    if weapon_only and item.has_qty:
        noun = "round"  # "eleven 82mm mortars": rounds of that weapon
        item.noun, item.weapon = noun, _clean_weapon(rest)
        item.kind = _kind(noun, item.weapon, rest)
        return item
    item.noun = noun
    span = (noun_m.start(), noun_m.end()) if noun_m else None
    item.weapon = _weapon_in(rest, span)
    if noun is None and item.weapon is not None and re.search(r"\bfire\b", rest, re.I):
        item.noun = "fire"
    item.flow = _flow(rest, noun)
    item.kind = (
        _kind(noun, item.weapon, rest) if item.noun != "fire" else _kind(None, item.weapon, rest)
    )
    if noun == "airburst":
        item.flow = None
    if noun == "duel":
        # an exchange of fire between two sides: neither its rounds nor one flow
        word = noun_m.group(0) if noun_m else "duel"
        item.count_note = f"{word!r}: rounds not counted"
        item.count, item.flow = None, None
    return item


def apply_assessment(item: Item, text: str) -> None:
    """Refine an item with an assessment ("assessed as impacts of artillery rounds",
    "caused by mortar and light weapons")."""
    body = re.sub(MODIFIER_RE, "", text, count=1).strip()
    body = re.sub(r"⟦\d+⟧", " ", body)
    noun_m = re.search(EVENT_NOUN_RE, body, re.I)
    noun = EVENT_NOUNS[noun_m.group(0).lower()] if noun_m else None
    flow = _flow(body, noun if noun == "impact" else None)
    if flow in ("incoming", "outgoing"):
        item.flow = flow
    if re.search(r"\bairbursts?\b", body, re.I):
        item.flow = None
    weapon = _clean_weapon(body)
    if weapon and re.search(WEAPON_RE, weapon, re.I):
        item.weapon = weapon
    elif re.search(r"\b(?:undetermined|unknown)\s+weapons?", body, re.I):
        item.weapon = None
    if item.noun in (None, "explosion", "impact", "round", "salvo", "airburst", "fire"):
        grenade = noun == "grenade" and not re.search(r"grenade[\s-]+launcher", body, re.I)
        new = _kind("grenade" if grenade else "round", item.weapon, body)
        if new is not None and (item.weapon or grenade):
            item.kind = new
    if item.kind is None:
        item.kind = _kind(item.noun, item.weapon, body)
