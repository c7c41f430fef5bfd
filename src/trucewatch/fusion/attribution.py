"""Attribution: from which party's territory did the fire come?

First method ("flow"): a monitor who judges fire *outgoing* places its origin near the
monitor, on the side of the line the monitor stands on; *incoming* places the origin on
the other side. Judgements of flow are wrong about one time in five (outgoing) to three
(incoming) in SMM practice, so each report gives that party 0.8 or 0.7. Reports without a
flow, and satellite fire detections (which show the impact, not the origin), say nothing
about the origin: the incident stays ``undetermined`` unless a party reaches 0.6.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from trucewatch.fusion.confidence import logit
from trucewatch.types import UNDETERMINED_PARTY, Attribution, Flow

P_OUTGOING = 0.8
P_INCOMING = 0.7
DECISION_THRESHOLD = 0.6


@dataclass(frozen=True)
class FlowReport:
    """One report's flow judgement and who holds the observer's position (party code)."""

    source_key: str
    flow: Flow | None
    observer_held_by: str | None


def attribute(
    reports: Sequence[FlowReport], parties: tuple[str, str]
) -> Attribution:
    """Attribution of an incident from the flow judgements of its reports.

    ``parties`` are the two party codes of the line (controlled_by, other_party).
    Each independent source contributes one vote (the mean of its reports); votes are
    averaged.
    """
    votes: dict[str, list[dict[str, float]]] = {}
    for r in reports:
        if r.flow not in (Flow.INCOMING, Flow.OUTGOING) or r.observer_held_by not in parties:
            continue
        own = r.observer_held_by
        other = parties[1] if own == parties[0] else parties[0]
        if r.flow is Flow.OUTGOING:
            probs = {own: P_OUTGOING, other: 1.0 - P_OUTGOING}
        else:
            probs = {other: P_INCOMING, own: 1.0 - P_INCOMING}
        votes.setdefault(r.source_key, []).append(probs)
    if not votes:
        return Attribution(party=UNDETERMINED_PARTY, probabilities={}, method="none")
    per_source = [
        {p: sum(v.get(p, 0.0) for v in vs) / len(vs) for p in parties} for vs in votes.values()
    ]
    probs = {p: round(sum(s[p] for s in per_source) / len(per_source), 4) for p in parties}
    best = max(probs, key=lambda p: probs[p])
    party = best if probs[best] >= DECISION_THRESHOLD else UNDETERMINED_PARTY
    return Attribution(party=party, probabilities=probs, method="flow")


P_SIDE = 0.9
"""Probability that a launch lies on the firing party's side of the line, and that an
impact lies on the side fired at (fire across the line is what a truce forbids; own-side
impacts, accidents and provocations make up the rest)."""
P_ACCUSATION = 0.65
"""Weight of a party's complaint naming who fired at it (an interested party)."""


def place_log_odds(parties: tuple[str, str], held_by: str | None, signature: int,
                   side_probability: float = 1.0) -> float | None:
    """log P(first party fired) / P(second fired) from where a launch (``signature`` -1)
    or an impact (+1) lies: a launch at a place held by X was fired by X, an impact there by
    the other party (:data:`P_SIDE`), discounted by ``side_probability``, the probability
    that it really lies on ``held_by``'s side. None when the place or signature is unknown."""
    first, second = parties
    if held_by not in parties or signature == 0:
        return None
    fired = held_by if signature < 0 else (second if held_by == first else first)
    q = min(max(side_probability, 0.5), 1.0)
    p_side = P_SIDE * q + (1.0 - P_SIDE) * (1.0 - q)
    return logit(p_side) if fired == first else -logit(p_side)


def attribute_incident(
    reports: Sequence[FlowReport],
    parties: tuple[str, str],
    *,
    held_by: str | None,
    signature: int,
    side_probability: float = 1.0,
    accusations: Sequence[tuple[str, str]] = (),
    paired_place: float | None = None,
    threshold: float = DECISION_THRESHOLD,
) -> Attribution:
    """Probability that each party fired, from independent pieces of evidence combined
    in log-odds from an even prior:

    * **place and signature** (:func:`place_log_odds`);
    * **the paired site** (``paired_place``): the place log-odds of the other end of the
      same firing (its impact for a launch, its launch for an impact,
      :mod:`trucewatch.fusion.pairing`), independent evidence of who fired;
    * **flow**: each independent observer's incoming/outgoing judgement
      (:func:`attribute`'s per-source vote);
    * **accusations**: each complaining party's named culprit (:data:`P_ACCUSATION`).

    ``undetermined`` when no party reaches ``threshold``. ``method`` lists the evidence
    used (``place``, ``pair``, ``flow``, ``complaint``).
    """
    first, second = parties
    log_odds = 0.0  # log P(first fired) / P(second fired)
    used: list[str] = []
    place = place_log_odds(parties, held_by, signature, side_probability)
    if place is not None:
        log_odds += place
        used.append("place")
    if paired_place is not None:
        log_odds += paired_place
        used.append("pair")
    flow = attribute(reports, parties)
    if flow.method == "flow":
        p = min(max(flow.probabilities[first], 0.01), 0.99)
        log_odds += logit(p)
        used.append("flow")
    accused = {}
    for source, party in accusations:
        if party in parties:
            accused[source] = party
    for party in accused.values():
        log_odds += logit(P_ACCUSATION) if party == first else -logit(P_ACCUSATION)
    if accused:
        used.append("complaint")
    if not used:
        return Attribution(party=UNDETERMINED_PARTY, probabilities={}, method="none")
    p_first = 1.0 / (1.0 + math.exp(-log_odds))
    probs = {first: round(p_first, 4), second: round(1.0 - p_first, 4)}
    best = max(probs, key=lambda q: probs[q])
    party = best if probs[best] >= threshold else UNDETERMINED_PARTY
    return Attribution(party=party, probabilities=probs, method="+".join(used))
