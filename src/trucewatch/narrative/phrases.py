"""Event phrases: the items after a perception verb, totals and their breakdowns, and what
neighbouring items say about each other."""

from __future__ import annotations

import re
from dataclasses import replace

from trucewatch.narrative.items import (
    AND_SPLIT,
    FIRE_WORDS,
    MODIFIER_RE,
    QTY_RE,
    SEPARATORS,
    Item,
    _clean_weapon,
    _flow,
    _kind,
    apply_assessment,
    read_item,
)
from trucewatch.narrative.lexicon import (
    APPROXIMATE,
    AT_LEAST,
    AT_MOST,
    EVENT_NOUN_RE,
    EVENT_NOUNS,
    NUMBER_RE,
    WEAPON_RE,
    parse_number,
)
from trucewatch.narrative.locations import Loc, read_locations

_AND_WEAPON_FIRE = re.compile(rf"^(.*?{EVENT_NOUN_RE})\s+and\s+({WEAPON_RE}[\s-]+fire\b.*)$", re.I)
""""140 explosions and small-arms fire": two things heard."""
_FIRE_AND_NOUN = re.compile(
    rf"^(.*?{EVENT_NOUN_RE}\b.*?\bfire)\s+and\s+({EVENT_NOUN_RE}\s+of\b.*)$", re.I
)
""""four shots of cannon fire and bursts of anti-aircraft cannon": two things heard."""


def split_items(text: str) -> list[str]:
    """Top-level pieces of an event phrase (brackets are not split)."""
    depth = 0
    masked = []
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(0, depth - 1)
        masked.append("\0" if depth and ch in ",;/–" else "\1" if depth and ch == " " else ch)
    s = "".join(masked)
    parts: list[str] = []
    for chunk in SEPARATORS.split(s):
        pieces = AND_SPLIT.split(chunk)
        parts.extend(pieces)
    out = []
    for p in parts:
        out.append(p.replace("\0", ",").replace("\1", " "))
    # "bursts and shots" is one item; "airbursts and bursts" two
    final: list[str] = []
    for p in out:
        m = re.match(rf"^(.*?{EVENT_NOUN_RE})\s+and\s+((?:{EVENT_NOUN_RE}).*)$", p, re.I)
        pair = (
            {EVENT_NOUNS[w.lower()] for w in re.findall(EVENT_NOUN_RE, m.group(0), re.I)[:2]}
            if m
            else set()
        )
        fire = _AND_WEAPON_FIRE.match(p) or _FIRE_AND_NOUN.match(p)
        if m and len(pair) == 2 and pair != {"burst", "shot"}:
            final.extend([m.group(1), m.group(2)])
        elif fire:
            final.extend([fire.group(1), fire.group(2)])
        else:
            final.append(p)
    final = [re.sub(r"^\s*(?:and|or)\s+", "", p, flags=re.I) for p in final]
    return [p for p in final if p and p.strip()]


_PART_RE = rf"(?:{NUMBER_RE}|an?|one)"
_REL_CONTINUES = re.compile(
    rf"(?:\s+and\s+|\s*,\s*(?:and\s+)?)(?=(?:{NUMBER_RE})\s+(?!as\b|of\b)"
    rf"|an?\s+(?:[\w-]+\s+)?{EVENT_NOUN_RE})",
    re.IGNORECASE,
)
_RELATIVE_BREAKDOWN = re.compile(
    rf"^,?\s*(?P<first>{_PART_RE})\s+of\s+(?:which|them)\s+(?:was|were)\s+(?:assessed|estimated)"
    rf"\s+(?:as|to\s+be)\s+(?P<rest>.+)$",
    re.IGNORECASE,
)
_NEXT_PART = re.compile(rf"\s*(?:,\s*(?:and\s+)?|\s+and\s+)(?P<n>{_PART_RE})\s+(?:were\s+)?as\s+",
                        re.IGNORECASE)  # fmt: skip


def _relative_breakdown(text: str) -> list[tuple[int, str]] | None:
    """"..., one of which was assessed as an 82mm mortar round impact and 19 as
    automatic-grenade-launcher round impacts": (count, assessment) of each part."""
    m = _RELATIVE_BREAKDOWN.match(text)
    if m is None:
        return None
    rest = re.split(r"\s*,\s*(?:all|both|each)\b|;", m.group("rest"))[0]
    parts: list[tuple[int, str]] = []
    count = int(parse_number(m.group("first"))) if m.group("first")[0].isdigit() else None
    first = count if count is not None else _word_count(m.group("first"))
    pos, n = 0, first
    for nm in _NEXT_PART.finditer(rest):
        parts.append((n, rest[pos : nm.start()]))
        n, pos = _word_count(nm.group("n")), nm.end()
    parts.append((n, rest[pos:]))
    return parts if len(parts) > 1 else None


def _word_count(word: str) -> int:
    return 1 if word.lower() in ("a", "an", "one") else int(parse_number(word))


def _split_by_assessment(item: Item, parts: list[tuple[int, str]]) -> list[Item]:
    """The item as its assessed parts, when their counts add up to its count."""
    if item.count is None or sum(n for n, _ in parts) != item.count:
        return [item]
    out = []
    for n, assessment in parts:
        sub = replace(item, count=n, count_note=None, text=f"{n} of: {item.text}")
        apply_assessment(sub, assessment)
        out.append(sub)
    return out


def _remainder(text: str, total: Item) -> str:
    """"two airbursts, the remainder undetermined" (of eight explosions) as "two airbursts,
    6 explosions undetermined"."""
    rest = re.search(r"\bthe\s+(?:remainder|rest)\b", text, re.I)
    if rest is None or total.count is None or total.noun is None:
        return text
    known, _ = read_event_phrase(text[: rest.start()])
    left = total.count - sum(x.count or 0 for x in known)
    if left <= 0 or any(x.count is None for x in known):
        return text
    return f"{text[: rest.start()]}{left} {total.noun}s{text[rest.end() :]}"


def _bracket_breakdown(item: Item) -> list[Item]:
    """"13 explosions assessed as caused by 82mm mortar round (five impacts and eight
    outgoing rounds)": the item as the parts in its bracket, when their counts add up."""
    m = re.search(r"\(([^()]*)\)", item.full or item.text)
    if m is None or item.count is None or "⟦" in m.group(1) or item.drop:
        return [item]
    subs, _ = read_event_phrase(_remainder(m.group(1), item))
    if len(subs) < 2 or any(x.count is None for x in subs):
        return [item]
    if all(x.noun is None and x.flow is None for x in subs):  # "(14 from west to east ...)"
        return [item]
    if sum(x.count or 0 for x in subs) != item.count:
        return [item]
    weapon = item.weapon
    if weapon:
        weapon = re.sub(r"\s*\([^()]*(?:\)|$)", "", weapon).strip() or None
    for x in subs:
        x.weapon = x.weapon or weapon
        if x.noun is None:
            x.noun = item.noun
            x.kind = x.kind or _kind(item.noun, x.weapon, x.text)
        if item.kind in ("mortar", "artillery", "grenade"):
            x.kind = item.kind
        x.loc = x.loc or item.loc
    return subs


ASSESSED = re.compile(
    r"\b(?:assessed\s+(?:as|to\s+be)|(?:mostly\s+|most\s+likely\s+|probably\s+)?"
    r"(?:caused\s+by|consistent\s+with))\b",
    re.IGNORECASE,
)
"""Where an item's assessment starts ("assessed as", "assessed to be", "caused by",
"consistent with")."""
_SUBSET_INTRO = re.compile(r"^\s*(?:including|beginning\s+with|consisting\s+of)\s+", re.I)
_EXPLOSIONS = ("explosion", "mortar", "artillery", "grenade")


def _parts_of_totals(items: list[Item]) -> list[Item]:
    """Totals and their parts: "an exchange of fire including 57 projectiles" is the
    projectiles; "157 explosions including 36 mortar explosions" keeps the total (the part is
    already counted in it); "15 explosions: three undetermined, one mortar impact and eleven
    mortars" is its parts, when they add up to it."""
    live = [it for it in items if not it.drop]
    for k, it in enumerate(live):
        if k == 0 or not (it.subset or it.after_colon):
            continue
        parent, parts = live[k - 1], _run(live, k)
        if parent.drop or not parts:
            continue
        if it.subset and parent.noun in ("exchange", "violation"):
            parent.drop = True
        elif it.subset and (parent.count is None or sum(p.count or 0 for p in parts)
                            <= parent.count):  # fmt: skip
            placed = parent.loc is not None
            for p in parts:  # already counted in the total (placed where they are, if not)
                p.drop = True
                if p.loc is not None and not placed:
                    parent.loc = p.loc if parent.loc is None else parent.loc.merge(p.loc)
        elif it.after_colon and len(parts) >= 2 and _adds_up(parts, parent.count):
            parent.drop = True
        if parent.drop:
            for p in parts:
                p.loc = p.loc or parent.loc
                p.weapon = p.weapon or parent.weapon
    return items


def _adds_up(parts: list[Item], total: int | None) -> bool:
    return total is not None and all(p.count is not None for p in parts) and (
        sum(p.count or 0 for p in parts) == total
    )


def _run(live: list[Item], k: int) -> list[Item]:
    """Items from ``k`` on that can be parts of the item before ``k`` (explosions of an
    explosion total; anything of an exchange of fire)."""
    parent = live[k - 1]
    family = parent.kind in _EXPLOSIONS and parent.noun not in ("exchange", "violation")
    out: list[Item] = []
    for it in live[k:]:
        if out and (it.subset or it.after_colon):
            break
        if family and it.kind not in _EXPLOSIONS:
            break
        out.append(it)
    return out


_FLOW_ONLY = re.compile(
    r"(?:both\s+|all\s+|mostly\s+)?(?P<first>incoming|outgoing)"
    r"(?:\s+(?:and|or)\s+(?P<second>incoming|outgoing))?",
    re.IGNORECASE,
)


_WEAPON_LIST = re.compile(
    rf"(?:(?:and|or)\s+)?{WEAPON_RE}(?:[\s-]+(?:and|or)[\s-]+{WEAPON_RE})*(?:\s+fire)?",
    re.IGNORECASE,
)
"""The rest of a comma-separated weapon list ("consistent with automatic grenade launcher,
heavy machine gun and small-arms fire")."""
PERCENT_OF = _PERCENT = re.compile(
    rf"^(?:(?P<mod>{'|'.join(APPROXIMATE + AT_LEAST + AT_MOST)})\s+)?(?P<pct>\d+(?:\.\d+)?)\s*"
    r"(?:%|per\s*cent\b|percent\b)\s*(?:of\s+(?:these|them|those|which|the\s+[\w-]+|all)\s+)?"
    r"(?:(?:were|was|are|is)\s+)?(?P<rest>.*)$",
    re.IGNORECASE,
)
"""A share of the item before ("approximately 20% of these were caused by 82mm mortar
rounds"): a part of its count."""


_PERCENT_OF_WHICH = re.compile(
    rf",?\s*((?:(?:{'|'.join(APPROXIMATE + AT_LEAST + AT_MOST)})\s+)?\d+(?:\.\d+)?\s*"
    r"(?:%|per\s*cent\b|percent\b)\s+of)\s+(?:which|whom)\b",
    re.IGNORECASE,
)


def split_percentage(total: Item, text: str) -> list[Item] | None:
    """``total`` as the share a percentage names ("20% of these were caused by 82mm mortar
    rounds", assessed as said) and the rest (as it was); ``None`` when ``text`` is not a
    share of a count (no count, or a share that rounds to nothing or to all)."""
    m = _PERCENT.match(text.strip())
    if m is None or total.count is None or not m.group("rest").strip(" ,.;"):
        return None
    pct = float(m.group("pct"))
    part = round(total.count * pct / 100)
    if not 0 < part < total.count:
        return None
    mod = (m.group("mod") or "").lower()
    how = " (approximate)" if mod in APPROXIMATE else f" ({mod})" if mod else ""
    exact = "" if total.count * pct / 100 == part else ", rounded"
    share = replace(total, count=part, text=f"{m.group(0)}",
                    count_note=f"{m.group('pct')}% of {total.count} read as {part}{exact}{how}")
    apply_assessment(share, m.group("rest"))
    rest = replace(total, count=total.count - part,
                   count_note=f"{total.count} less the {part} ({m.group('pct')}%) assessed apart")
    return [rest, share]


def read_event_phrase(phrase: str) -> tuple[list[Item], list[str]]:
    """Items of the object of a perception verb, and the pieces it could not read."""
    unread: list[str] = []
    masked, locs, breakdown = _located_phrase(phrase)
    items: list[Item] = []
    cursor = 0
    assessed = False  # the piece before ended in an assessment ("consistent with X")
    for raw in split_items(masked):
        at = masked.find(raw.strip(), cursor)
        cursor = max(cursor, at)
        after_colon = at > 0 and bool(re.search(r"(?::|\s–)\s*$", masked[:at]))
        intro = _SUBSET_INTRO.match(raw)
        if intro:
            raw = raw[intro.end() :]
        text = re.sub(r"⟦\d+⟧", " ", raw).strip(" ,.;")
        if re.match(r"no\s", text, re.I):  # "the SMM heard no explosions"
            continue
        was_assessed, assessed = assessed, bool(ASSESSED.search(text) or MODIFIER_RE.match(text))
        if items and was_assessed and items[-1].weapon and _WEAPON_LIST.fullmatch(text):
            more = _clean_weapon(text)
            if more:  # one weapon list split by its commas: all of it is the assessment
                last = items[-1]
                last.weapon = f"{last.weapon}, {more}"
                last.kind = _kind(last.noun if last.noun != "fire" else None, last.weapon,
                                  last.text) or last.kind  # fmt: skip
                piece = read_item(raw, locs)
                if piece.loc is not None and last.loc is None:
                    last.loc = piece.loc
                assessed = True
                continue
        if items and _PERCENT.match(text):
            parts = split_percentage(items[-1], text)
            if parts is not None:
                items[-1:] = parts
            else:
                unread.append(text)
            continue
        if MODIFIER_RE.match(text) and items:
            apply_assessment(items[-1], raw)
            piece = read_item(raw, locs)
            if piece.loc is not None and items[-1].loc is None:
                items[-1].loc = piece.loc
            continue
        if ASSESSED.search(text):
            item, total = _read_assessed(raw, locs)
        else:
            item, total = read_item(raw, locs), False
        if total:
            items.append(item)
            continue
        if item.as_form:
            body = re.sub(r"^.*?\bas\b", "", item.text, count=1, flags=re.I)
            apply_assessment(item, body)
        if not (item.has_qty or item.noun or item.their or item.kind):
            _uncounted(item, raw, text, items, unread)
            continue
        item.full = raw
        item.subset, item.after_colon = bool(intro), after_colon
        items.append(item)
    if breakdown and items:
        items[-1:] = _split_by_assessment(items[-1], breakdown)
    items = [sub for it in items for sub in _bracket_breakdown(it)]
    return _parts_of_totals(_fill(items)), unread


def _located_phrase(
    phrase: str,
) -> tuple[str, list[tuple[int, int, Loc]], list[tuple[int, str]] | None]:
    """The phrase with its locations taken out (:func:`read_locations`), and the breakdown
    of a total in a relative clause. A relative clause keeps only its locations ("the
    majority of which were 3-4km east") unless it breaks a total down ("one of which was
    assessed as ... and 19 as ..."), and it ends where a new counted item starts. A share
    ("..., about 30% of which were outgoing") is an item of its own (:func:`split_percentage`)."""
    phrase = _PERCENT_OF_WHICH.sub(r"; \1 these", phrase)
    rel = re.search(r",?\s*\b(?:\w+\s+of\s+(?:which|whom)|which|who|whom)\b", phrase)
    if rel is None:
        masked, locs = read_locations(phrase)
        return masked, list(locs), None
    breakdown = _relative_breakdown(phrase[rel.start() :])
    continued = ""
    if breakdown is None:
        # "18 explosions, half of which it assessed as caused by mortar and 100 rounds of
        # small-arms fire": the relative clause ends where a new counted item starts
        cont = _REL_CONTINUES.search(phrase, rel.end())
        if cont:
            phrase, continued = phrase[: cont.start()], phrase[cont.end() :]
    _, tail_locs = read_locations(phrase[rel.end() :])
    phrase = phrase[: rel.start()] + " ".join(f"⟦L{i}⟧" for i in range(len(tail_locs)))
    if continued:
        phrase = phrase + ", " + continued
    masked, found = read_locations(phrase)
    locs = list(found)
    for i, (_, _, loc) in enumerate(tail_locs):
        masked = masked.replace(f"⟦L{i}⟧", f"⟦{len(locs)}⟧")
        locs.append((0, 0, loc))
    return masked, locs, breakdown


def _read_assessed(raw: str, locs: list[tuple[int, int, Loc]]) -> tuple[Item, bool]:
    """An item with its assessment ("12 explosions assessed as mortar impacts"), and
    whether the assessment is a counted total of its own ("700 explosions assessed as 680
    outgoing artillery rounds": the item is then the 680)."""
    head = raw[: ASSESSED.search(raw).start()]  # type: ignore[union-attr]
    tail = raw[len(head) :]
    tail_text = re.sub(rf"^\s*{ASSESSED.pattern}\s*", "", tail, flags=re.I)
    if (
        QTY_RE.match(re.sub(r"⟦\d+⟧", " ", tail_text))
        and re.search(EVENT_NOUN_RE, tail_text, re.I)
        and not re.match(r"^\s*(?:an?|the)\b", tail_text, re.I)
    ):
        sub = read_item(tail_text, locs)
        sub.loc = read_item(raw, locs).loc if sub.loc is None else sub.loc
        return sub, True
    item = read_item(head, locs)
    if item.loc is None:
        item.loc = read_item(tail, locs).loc
    apply_assessment(item, tail)
    return item, False


def _uncounted(item: Item, raw: str, text: str, items: list[Item], unread: list[str]) -> None:
    """A piece with no quantity, noun or kind: flow words for the item before it ("41
    explosions – outgoing –"), a location, a continued weapon list, or unreadable."""
    flow_words = _FLOW_ONLY.fullmatch(text)
    if flow_words and items:
        # "– both incoming and outgoing –" says nothing
        if not flow_words.group("second"):
            items[-1].flow = flow_words.group("first").lower()
        if item.loc is not None and items[-1].loc is None:
            items[-1].loc = item.loc
    elif item.loc is not None:
        items.append(Item(text=raw, loc=item.loc, drop=True))
    elif items and FIRE_WORDS.search(text) and not re.search(r"\d", text):
        items[-1].text += ", " + text  # a continued weapon list
        if items[-1].weapon:
            apply_assessment(items[-1], "caused by " + items[-1].weapon + ", " + text)
    elif FIRE_WORDS.search(text) and re.search(EVENT_NOUN_RE + r"|\d", text, re.I):
        unread.append(text)


_BARE_REST = re.compile(
    r"^(?:\s*(?:incoming|outgoing|undetermined|unknown|unidentified|more|other|further|"
    r"single|separate|loud|of\s+them|fired|launched|flying|seen|⟦\d+⟧|[,.;]))*\s*$",
    re.IGNORECASE,
)


def _bare(item: Item) -> bool:
    """A quantity with only flow words ("three incoming", "19 undetermined", "two") or only
    a weapon ("ten mortar and 24 automatic-grenade-launcher impacts")."""
    text = re.sub(r"⟦\d+⟧", " ", item.text)
    q = QTY_RE.match(text)
    if q is None:
        return False
    rest = text[q.end() :]
    return _BARE_REST.match(rest) is not None or (
        item.weapon is not None and re.fullmatch(rf"\s*{WEAPON_RE}[\s,.;]*", rest, re.I) is not None
    )


def _fill(items: list[Item]) -> list[Item]:
    """Give items what their neighbours say: nouns, weapons, "their impact" counts, and the
    breakdown of a total."""
    own = [it.noun is not None and not it.drop for it in items]
    for i, it in enumerate(items):
        if it.drop:
            continue
        if it.their and i > 0:
            prev = next((p for p in reversed(items[:i]) if not p.drop and not p.their), None)
            if prev is not None:
                it.count, it.noun, it.weapon = prev.count, prev.noun, prev.weapon
                it.kind = prev.kind
                it.count_note = prev.count_note
            continue
        if it.noun is None and it.kind is None and it.has_qty and _bare(it):
            donor: Item | None = None
            donor_i = next((j for j in range(i + 1, len(items)) if own[j]), None)
            run = i > 0 and items[i - 1].borrowed_from is not None
            if it.after_colon or run:  # "63 projectiles, in sequence: 43 fired ..., five ..."
                donor_i = None
            if donor_i is not None and all(
                items[k].noun is None and items[k].has_qty for k in range(i, donor_i)
            ):
                donor = items[donor_i]
            else:
                donor_i = next(
                    (j for j in range(i - 1, -1, -1) if own[j]),
                    None,
                )
                donor = items[donor_i] if donor_i is not None else None
                if donor is not None and donor_i is not None:
                    it.borrowed_from = donor_i
            if donor is not None:
                it.noun = donor.noun
                it.weapon = it.weapon or donor.weapon
                it.kind = _kind(donor.noun, it.weapon, donor.text)
                if it.flow is None:
                    plain = re.sub(r"⟦\d+⟧", " ", it.text).strip(" ,.;")
                    it.flow = _flow(plain + " " + (donor.noun or ""), donor.noun)
                if donor.noun == "airburst":
                    it.flow = None
        elif it.as_form and it.noun is None:
            prev = next((p for p in reversed(items[:i]) if p.noun and not p.drop), None)
            if prev is not None:
                it.noun = prev.noun
                if it.kind is None:
                    it.kind = _kind(prev.noun, it.weapon, it.text)
    # a total followed by its breakdown ("26 mortar rounds - three incoming, four outgoing
    # and 19 undetermined -") is replaced by the breakdown
    for i, it in enumerate(items):
        parts = [p for p in items if p.borrowed_from == i]
        adds_up = sum(p.count or 0 for p in parts) == it.count or all(p.flow for p in parts)
        if parts and parts[0].subset:  # "37 explosions overall, including two ...": a total
            continue
        if len(parts) >= 2 and it.count is not None and adds_up:
            it.drop = True
            for p in parts:
                p.loc = p.loc or it.loc
    # weapon of "22 bursts and 43 single shots of heavy-machine-gun fire" applies to both
    for i in range(len(items) - 1, 0, -1):
        cur, prev = items[i], items[i - 1]
        if (
            cur.weapon
            and prev.weapon is None
            and prev.kind in ("burst", "shot")
            and cur.kind in ("burst", "shot", "small_arms")
            and not prev.drop
        ):
            prev.weapon = cur.weapon
    return items
