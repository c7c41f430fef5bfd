"""The parties' claims and accusations in open-source text (news reports), and a check of
territorial claims against a control map.

:func:`extract_claims` finds, sentence by sentence, who says what about whom: a speaker
(a person or institution, mapped to an actor code: ``UA``, ``RU`` for the parties,
``US`` and others for third parties), a verb of saying or accusing ("said", "accused ...
of", "claimed", "urged", "told ..."), the quoted or reported span as evidence (character
offsets into the input text), the party the claim is about, the places it names (geocoded
with the gazetteer when found) and its date (the document date, or a weekday "on Thursday"
resolved against it).

Claim types:

``accusation``
    one actor blames another ("accused Russia of deliberately setting conditions");
``claim``
    an assertion of fact about the battlefield (troops "completely surrounded", a place
    captured, shelled, controlled);
``statement``
    anything else said (positions, proposals, intentions).

Grading (NATO Admiralty code): every record defaults to reliability **F** (the reliability
of the source cannot be judged: a news report relaying a party's, or an interested third
party's, statement; we have no track record of either for this use) and credibility **6**
(the truth of the information cannot be judged: a party's claim about its adversary is
uncorroborated by definition). A territorial claim contradicted by the control map of its
date can be downgraded to credibility 5 (improbable) by :func:`check_claim_against_control`;
one consistent with it stays at 6 until independent sources confirm it (the map itself is
another party's reading, DeepStateMap). Nothing here raises a claim above 6 by itself.
"""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import shapely
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

from trucewatch.geo.gazetteer import find_place
from trucewatch.ids import observation_uid, sha256_hex
from trucewatch.types import EventKind, Observation, PointLocation, SourceKind
from trucewatch.units import KM_PER_DEG_EQUATOR

__all__ = [
    "Claim",
    "Span",
    "check_claim_against_control",
    "claim_observation",
    "encirclement_share",
    "extract_claims",
    "place_holder",
]

DEFAULT_RELIABILITY = "F"
DEFAULT_CREDIBILITY = 6

ACTORS: tuple[tuple[str, str], ...] = (
    (r"Zelensk[yi]y?|Zelenskiy|Kyiv|Kiev|Ukrain(?:e|ian)(?:'s)?|Sybiha|Yermak|Syrskyi", "UA"),
    (r"Putin|Kremlin|Moscow|Russia(?:n)?(?:'s)?|Peskov|Lavrov|Ushakov|Shoigu|Gerasimov|KGB", "RU"),
    (r"Trump|Witkoff|Vance|Rubio|Waltz|White\s+House|Washington|US|U\.S\.|United\s+States"
     r"|Oval\s+Office", "US"),
    (r"NATO|European\s+Union|EU|Macron|Starmer|Scholz|Merz", "EU/NATO"),
)  # fmt: skip
"""Patterns naming an actor, and its code (UA and RU are the parties)."""

SAY_VERBS = (
    r"said|says|say|told|stated|declared|announced|wrote|added|warned|urged|insisted|"
    r"reiterated|claimed|claims|alleged|alleges|asserted|denied|stressed|noted|reported|"
    r"confirmed|proposed|called|argued|accused|accuses|blamed|blames|charged"
)
ACCUSE = re.compile(r"\b(?:accus(?:ed|es|ing)|blam(?:ed|es|ing)|charg(?:ed|es)|alleg(?:ed|es))\b")
CLAIM_WORDS = re.compile(
    r"\b(?:surrounded|encircled|encirclement|cauldron|captured|liberated|seized|took\s+control"
    r"|under\s+(?:our\s+|their\s+)?control|taken|shelled|shelling|struck|destroyed|killed"
    r"|advanced|retreated|withdrew|troops)\b",
    re.IGNORECASE,
)
ENCIRCLEMENT = re.compile(r"\b(?:surrounded|encircled|encirclement|cauldron|trapped)\b", re.I)
QUOTE = re.compile(r"[“\"]([^”\"]{3,})[”\"]")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_NOT_PLACES = re.compile(
    r"^(?:President|Prime|Minister|Vice|US|Russian|Ukrainian|Ukraine|Russia|Kremlin|The|His|"
    r"Her|Their|Then|But|God|World|War|II|AP|File|Truth|Social|Friday|Thursday|Monday|"
    r"Tuesday|Wednesday|Saturday|Sunday|January|February|March|April|May|June|July|August|"
    r"September|October|November|December|Oval|Office|White|House|KGB|BUT|AT|THIS|VERY|"
    r"MOMENT)$"
)


@dataclass(frozen=True, kw_only=True)
class Span:
    """Characters ``start:end`` of the input text, and that text."""

    start: int
    end: int
    text: str


@dataclass(frozen=True, kw_only=True)
class Claim:
    """Who says what about whom, when and where, with the quoted span as evidence."""

    speaker: str
    party: str | None
    target: str | None
    claim_type: str
    evidence: Span
    sentence: Span
    places: list[dict[str, Any]] = field(default_factory=list)
    date: str | None = None
    topic: str | None = None
    reliability: str = DEFAULT_RELIABILITY
    credibility: int = DEFAULT_CREDIBILITY

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return asdict(self)


# --------------------------------------------------------------------------- helpers


def _actor(text: str) -> str | None:
    for pattern, code in ACTORS:
        if re.search(rf"\b(?:{pattern})\b", text):
            return code
    return None


def _sentences(text: str) -> list[Span]:
    """Sentences with offsets (paragraph breaks and full stops outside quotes end one)."""
    out: list[Span] = []
    start = 0
    depth = False
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch in '“”"':
            depth = ch == "“" or (ch == '"' and not depth)
        end_here = False
        if (ch == "\n" and i + 1 < n and text[i + 1] == "\n") or (
            ch in ".!?" and not depth and (i + 1 >= n or text[i + 1] in ' \n”"')
        ):
            end_here = True
        if end_here:
            seg = text[start : i + 1]
            if seg.strip():
                lead = len(seg) - len(seg.lstrip())
                out.append(Span(start=start + lead, end=i + 1, text=seg.strip()))
            start = i + 1
            depth = False
        i += 1
    seg = text[start:]
    if seg.strip():
        lead = len(seg) - len(seg.lstrip())
        out.append(Span(start=start + lead, end=start + lead + len(seg.strip()),
                        text=seg.strip()))  # fmt: skip
    return out


def _doc_date(text: str, default: date | None) -> date | None:
    m = re.match(r"\s*date\s+(\d{4}-\d{2}-\d{2})", text)
    if m:
        return date.fromisoformat(m.group(1))
    return default


def _claim_date(sentence: str, doc: date | None) -> date | None:
    if doc is None:
        return None
    sentence = QUOTE.sub(" ", sentence)
    m = re.search(r"\b(?:on|last|this)\s+(" + "|".join(WEEKDAYS) + r")\b", sentence, re.I)
    if m:
        target = WEEKDAYS.index(m.group(1).lower())
        back = (doc.weekday() - target) % 7
        return doc - timedelta(days=back)
    if re.search(r"\byesterday\b", sentence, re.I):
        return doc - timedelta(days=1)
    return doc


def _places(text: str, offset: int) -> list[dict[str, Any]]:
    """Capitalized names that the gazetteer knows (Ukraine, Russia and neighbours)."""
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for m in re.finditer(
        r"\b(?:in|near|around|outside|at|into|from|towards|of|to|shelled|struck|attacked|captured"
        r"|liberated|seized|hold|holds|held|took|take|encircled|surrounded)\s+(?:the\s+)?"
        r"(?P<name>[A-Z][a-z][\w'’-]+(?:\s+[A-Z][a-z][\w'’-]+)*)",
        text,
    ):
        for name in (m.group("name"), *m.group("name").split()):
            if name in seen or _NOT_PLACES.match(name) or _actor(name) is not None:
                continue
            seen.add(name)
            hit = find_place(name, countries=("UA", "RU", "BY", "MD"))
            if hit is None or hit.population < 1000:
                continue
            start = offset + m.start("name") + m.group("name").find(name)
            out.append(
                {
                    "name": name,
                    "start": start,
                    "end": start + len(name),
                    "gazetteer_name": hit.name,
                    "lon": hit.lon,
                    "lat": hit.lat,
                    "country": hit.country,
                }
            )
            break
    return out


# --------------------------------------------------------------------------- extraction

_SPEAKER = (
    r"(?P<speaker>(?:(?:the|Ukraine|US|Russian|Ukrainian)\s+)?(?:(?:President|Prime\s+Minister|"
    r"Foreign\s+Minister|vice-president|leader|envoy|aide|officer|spokesman|spokeswoman)\s+)*"
    r"(?:[A-Z][\w.'’-]+(?:\s+[A-Z][\w.'’-]+){0,3}|the\s+(?:Kremlin|former\s+KGB\s+officer|"
    r"Russian\s+leader|US\s+president|Russian\s+side|Ukrainian\s+side)))(?<!'s)(?<!’s)"
)
PATTERNS: tuple[re.Pattern[str], ...] = (
    # Zelensky accused Russia of ...
    re.compile(
        rf"{_SPEAKER}\s+(?P<verb>accused|blamed|charged)\s+(?P<target>[A-Z][\w'’]+)"
        r"\s+(?:of|for)\s+(?P<what>.+)$"
    ),
    # "...," the Kremlin said in a statement.   /  ..., said the former KGB officer.
    re.compile(rf"[”\"],?\s+{_SPEAKER}\s+(?P<verb>{SAY_VERBS})\b"),
    re.compile(rf",?\s+(?P<verb>said|says|added)\s+{_SPEAKER}\.?$"),
    # Trump said, “...”  /  Putin said he wanted ...
    re.compile(
        rf"{_SPEAKER},?\s+(?:had\s+|has\s+|have\s+)?(?:also\s+|reportedly\s+|again\s+)?"
        rf"(?P<verb>{SAY_VERBS})\b(?P<what>.*)$"
    ),
)


def _evidence(sentence: Span, m: re.Match[str]) -> Span:
    """What the speaker said: the quotation when the sentence reports one directly
    ("Trump said, “...”", "“...,” the Kremlin said"), else the reported clause from the
    verb to the end of the sentence ("accused Russia of deliberately setting ...")."""
    q = list(QUOTE.finditer(sentence.text))
    what = m.groupdict().get("what")
    direct = not what or re.match(r"^\s*[,:]?\s*[“\"]", what) is not None
    if q and direct and not ACCUSE.search(m.group("verb")):
        first, last = q[0], q[-1]
        s, e = first.start(1), last.end(1)
        return Span(start=sentence.start + s, end=sentence.start + e, text=sentence.text[s:e])
    if what:
        s = m.start("verb")
        e = len(sentence.text.rstrip("."))
        return Span(start=sentence.start + s, end=sentence.start + e, text=sentence.text[s:e])
    return Span(start=sentence.start, end=sentence.end, text=sentence.text)


def _narrow(evidence: Span, longest: int = 200) -> Span:
    """The part of a long quotation that holds a battlefield claim (its sentence)."""
    if len(evidence.text) <= longest:
        return evidence
    m = ENCIRCLEMENT.search(evidence.text) or CLAIM_WORDS.search(evidence.text)
    if m is None:
        return evidence
    bounds = [0] + [b.end() for b in re.finditer(r"[.;!?—]+\s*", evidence.text)]
    s = max(b for b in bounds if b <= m.start())
    ends = [b.start() for b in re.finditer(r"[.;!?]", evidence.text) if b.start() >= m.end()]
    e = ends[0] if ends else len(evidence.text)
    text = evidence.text[s:e]
    return Span(start=evidence.start + s, end=evidence.start + s + len(text), text=text)


def _target(evidence: str, speaker_party: str | None, explicit: str | None) -> str | None:
    if explicit:
        code = _actor(explicit)
        if code:
            return code
    found: list[tuple[int, str]] = []
    for pattern, code in ACTORS[:2]:
        m = re.search(rf"\b(?:{pattern})\b", evidence, re.IGNORECASE)
        if m and code != speaker_party:
            found.append((m.start(), code))
    return min(found)[1] if found else None


def extract_claims(text: str, *, doc_date: date | str | None = None) -> list[Claim]:
    """Claims, accusations and statements of the actors in a news text.

    Parameters
    ----------
    text : str
        The article (a leading ``date YYYY-MM-DD`` dateline sets its date).
    doc_date : date or "YYYY-MM-DD", optional
        Date of the article when it has no dateline.

    Returns
    -------
    list of Claim
        In text order; character offsets refer to ``text``.
    """
    default = date.fromisoformat(doc_date) if isinstance(doc_date, str) else doc_date
    doc = _doc_date(text, default)
    out: list[Claim] = []
    for sent in _sentences(text):
        body = re.sub(r"^\s*date\s+\d{4}-\d{2}-\d{2}\s*", "", sent.text)
        shift = len(sent.text) - len(body)
        sentence = Span(start=sent.start + shift, end=sent.end, text=body)
        for pattern in PATTERNS:
            m = pattern.search(sentence.text)
            if m is None:
                continue
            speaker = re.sub(r"^(?:the)\s+", "", m.group("speaker")).strip()
            party = _actor(speaker)
            if party is None and not re.search(r"KGB|leader|side", speaker):
                continue
            if party is None:
                party = "RU" if re.search(r"KGB|Russian", speaker) else None
            evidence = _narrow(_evidence(sentence, m))
            explicit = m.groupdict().get("target")
            target = _target(evidence.text, party, explicit)
            enc = ENCIRCLEMENT.search(evidence.text)
            if enc and not explicit:
                clause = re.split(r"[.;!?—]", evidence.text[: enc.start()])[-1]
                target = _target(clause, None, None) or target
            if ACCUSE.search(m.group("verb")):
                kind = "accusation"
            elif CLAIM_WORDS.search(evidence.text):
                kind = "claim"
            else:
                kind = "statement"
            topic = "encirclement" if ENCIRCLEMENT.search(evidence.text) else None
            if topic is None and re.search(r"ceasefire|truce|cessation", evidence.text, re.I):
                topic = "ceasefire"
            day = _claim_date(sentence.text, doc)
            claim = Claim(
                speaker=speaker, party=party, target=target, claim_type=kind,
                evidence=evidence, sentence=sentence,
                places=_places(evidence.text, evidence.start),
                date=day.isoformat() if day else None, topic=topic,
            )  # fmt: skip
            out.append(claim)
            break
    return out


# --------------------------------------------------------------------------- control checks


def place_holder(
    lon: float, lat: float, control: BaseGeometry, *, controlled_by: str = "RU",
    other_party: str = "UA",
) -> str:  # fmt: skip
    """Code of the party holding a point: ``controlled_by`` inside ``control`` (the area it
    holds, WGS84), else ``other_party``."""
    geom = shapely.make_valid(control)
    return controlled_by if geom.covers(Point(lon, lat)) else other_party


def encirclement_share(
    lon: float, lat: float, control: BaseGeometry, *, radius_km: float = 15.0, rays: int = 72
) -> float:
    """Share (0-1) of directions from a point in which a ray of ``radius_km`` meets the
    ``control`` area (WGS84): 1 means enclosed on every side within the radius.

    Rays are straight lines in a local equirectangular approximation (error < 1% within
    tens of km).
    """
    geom = shapely.make_valid(control)
    km_per_deg_lat = KM_PER_DEG_EQUATOR
    km_per_deg_lon = KM_PER_DEG_EQUATOR * math.cos(math.radians(lat))
    hits = 0
    origin = Point(lon, lat)
    for k in range(rays):
        b = 2 * math.pi * k / rays
        end = (lon + radius_km * math.sin(b) / km_per_deg_lon,
               lat + radius_km * math.cos(b) / km_per_deg_lat)  # fmt: skip
        ray = shapely.LineString([(origin.x, origin.y), end])
        if ray.intersects(geom):
            hits += 1
    return hits / rays


def check_claim_against_control(
    claim: Claim,
    control: BaseGeometry,
    *,
    controlled_by: str = "RU",
    other_party: str = "UA",
    radius_km: float = 15.0,
    surrounded_share: float = 0.75,
) -> dict[str, Any]:
    """Check the places of a territorial claim against the area held by ``controlled_by``.

    For each geocoded place: which party holds it and, for an encirclement claim, the share
    of directions in which the other side's area lies within ``radius_km``. An encirclement
    claim is **consistent** when a named place is held by the party said to be surrounded
    and at least ``surrounded_share`` of directions meet the other side; **inconsistent**
    otherwise (credibility 5: improbable); a claim naming no place cannot be checked.
    """
    results = []
    for p in claim.places:
        holder = place_holder(p["lon"], p["lat"], control, controlled_by=controlled_by,
                              other_party=other_party)  # fmt: skip
        entry: dict[str, Any] = {"name": p["name"], "held_by": holder}
        if claim.topic == "encirclement":
            if holder == controlled_by:
                entry["share_enclosed"] = 0.0
            else:
                entry["share_enclosed"] = round(
                    encirclement_share(p["lon"], p["lat"], control, radius_km=radius_km), 3
                )
        results.append(entry)
    if not results:
        return {"verdict": "cannot be checked", "reason": "no place named", "places": [],
                "credibility": claim.credibility}  # fmt: skip
    if claim.topic == "encirclement":
        surrounded = claim.target or other_party
        ok = any(
            r["held_by"] == surrounded and r.get("share_enclosed", 0) >= surrounded_share
            for r in results
        )
    else:
        # a claim that a party holds / captured a place: the place is in its area
        holder_said = claim.party if claim.claim_type == "claim" else claim.target
        ok = any(r["held_by"] == holder_said for r in results)
    return {
        "verdict": "consistent" if ok else "inconsistent",
        "places": results,
        "credibility": claim.credibility if ok else 5,
    }


def claim_observation(claim: Claim, *, source_id: str = "news") -> Observation | None:
    """An open-source observation of a claim that names a geocoded place (the first one),
    over the whole UTC day of the claim; ``None`` when it names no place or has no date."""
    if not claim.places or claim.date is None:
        return None
    p = claim.places[0]
    day = date.fromisoformat(claim.date)
    start = datetime.combine(day, time(0), tzinfo=UTC)
    payload = claim.evidence.text.replace("\n", " ")
    return Observation(
        uid=observation_uid("claim", payload, 0),
        source_kind=SourceKind.OPEN_SOURCE,
        source_format="claim",
        source_id=source_id,
        time_start=start,
        time_end=start + timedelta(days=1),
        location=PointLocation.isotropic(p["lon"], p["lat"], 5.0),
        kind=EventKind.UNDETERMINED,
        reliability=claim.reliability,
        credibility=claim.credibility,
        payload=payload,
        payload_sha256=sha256_hex(payload),
        attributes={"claim": claim.as_dict()},
    )
