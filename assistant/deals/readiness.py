"""The readiness signal: a level a rep can read and dispute, with its evidence — what the buyer pulled for
(next steps, a quote, a pilot, a date) and what still stands in the way (contradicted claims, a vetoing
stakeholder, a stated deal-breaker; undocumented claims and skeptics as open items). Never a bare score.
"""

from __future__ import annotations

import re

from assistant.deals.turns import BuyerTurn, sentences
from assistant.deals.types import (
    ClaimItem,
    ClaimVerdict,
    Concern,
    Evidence,
    Readiness,
    ReadinessSignal,
    Signal,
    Stakeholder,
    Stance,
)


def _cues(pattern: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w-])(?:{pattern})(?![\w-])", re.IGNORECASE)


_MONTH = r"january|february|march|april|may|june|july|august|september|october|november|december"
# A concrete step towards buying.
PULL = _cues(
    r"next steps?|get started|pilot|trial(?: account)?(?! data)|poc|proof of concept|sandbox|load test|quote|"
    r"proposal|order form|draft contract|(?:the|your) contract|send (?:me |us )?(?:a |the )?contract|"
    r"sign (?:a |the )?(?:[\w-]+ ){0,2}contract|contract (?:draft|review|terms)|msa|purchase order|"
    r"security questionnaire|"
    r"vendor (?:security )?questionnaire|legal review|start reviewing|security review|budget meeting|"
    r"(?:approved|signed off on) (?:a |the )?(?:\w+ )?budget|budget (?:is |was )?(?:approved|allocated)|"
    r"shortlist\w*|decision by|by (?:the )?end of (?:the )?(?:quarter|month|year)|this quarter|next quarter|"
    rf"(?:in|by|before) (?:{_MONTH}|q[1-4])|go live|live before|live by|roll ?out to|deep dive|"
    r"(?:a )?call with your|talk to (?:sales|someone|your)|book (?:a )?(?:demo|call|meeting)|"
    r"cost projection|three quotes|"
    # Also steps told in other words (dev split, batch 5): a questionnaire, a contract document to review, a
    # date in the calendar, pricing to be sent, starting on the free tier, trying it on something real.
    r"questionnaires?|review (?:the|your|a|our) (?:dpa|msa|contract|order form|terms|agreement)|"
    r"on the calendar|in the calendar|send (?:me |us )?(?:the |a |your )?(?:\w+ )?(?:pricing|price (?:breakdown|list))|"
    r"(?:start|begin|go) (?:with|on) the free tier|try it (?:on|with|in|out)"
)
# A statement that the product is ruled out.
DEAL_BREAKER = _cues(
    r"deal ?breaker|non-?starter|show ?stopper|rules? (?:you|it|this|dataplane) out|"
    r"can'?t (?:move forward|proceed|go ahead|buy)|cannot (?:move forward|proceed|go ahead|buy)|"
    r"won'?t fly|will not fly|have to pass|not an option for us|(?:it'?s|that'?s) a no from (?:us|me)"
)
HYPOTHETICAL = _cues(r"if|unless|without|would be")
EVALUATING_CLAIMS = 2  # one yes/no question is still learning; checking two claims is evaluating (dev split)


def _pulls(turns: list[BuyerTurn]) -> list[Evidence]:
    return [
        Evidence(Signal.PULL, sentence, turn.message_id)
        for turn in turns
        for sentence in sentences(turn.text)
        if PULL.search(sentence)
    ]


def readiness_of(
    turns: list[BuyerTurn],
    claims: list[ClaimItem],
    stakeholders: list[Stakeholder],
    concerns: list[Concern],
) -> ReadinessSignal:
    pulls = _pulls(turns)
    contradicted = any(c.verdict == ClaimVerdict.CONTRADICTED for c in claims)
    hard: list[Evidence] = []
    open_items: list[Evidence] = []
    for claim in claims:
        if claim.verdict == ClaimVerdict.CONTRADICTED:
            hard.append(Evidence(Signal.CONTRADICTED_CLAIM, claim.text, claim.message_id))
        elif claim.verdict == ClaimVerdict.UNDOCUMENTED:
            open_items.append(Evidence(Signal.UNDOCUMENTED_CLAIM, claim.text, claim.message_id))
    for person in stakeholders:
        latest = person.mentions[-1]
        if person.stance == Stance.BLOCKING:
            # "won't approve without SOC 2" blocks only once a claim failed; until then it is a condition.
            if contradicted or not HYPOTHETICAL.search(latest.quote):
                hard.append(Evidence(Signal.VETO, latest.quote, latest.message_id))
            else:
                open_items.append(Evidence(Signal.CONDITIONAL_VETO, latest.quote, latest.message_id))
        elif person.stance == Stance.SKEPTICAL:
            open_items.append(Evidence(Signal.SKEPTIC, latest.quote, latest.message_id))
    for turn in turns:
        for sentence in sentences(turn.text):
            if DEAL_BREAKER.search(sentence):
                # "if X is missing that's a deal-breaker" rules the product out only once a claim failed.
                settled = contradicted or not HYPOTHETICAL.search(sentence)
                (hard if settled else open_items).append(
                    Evidence(Signal.DEAL_BREAKER, sentence, turn.message_id)
                )
    if pulls:
        # A deal-breaker or veto the buyer stepped past ("that's a non-starter" ... "fine, quote us Enterprise
        # then") stays listed but no longer blocks. A contradicted claim still does: the documents have not
        # changed because the buyer asked for a quote.
        passed = [
            item
            for item in hard
            if item.signal in (Signal.DEAL_BREAKER, Signal.VETO) and item.message_id < pulls[-1].message_id
        ]
        hard = [item for item in hard if item not in passed]
        open_items = passed + open_items
    confirmed = [
        Evidence(Signal.CONFIRMED_CLAIM, c.text, c.message_id)
        for c in claims
        if c.verdict == ClaimVerdict.CONFIRMED
    ]
    return ReadinessSignal(
        level=_level(claims, concerns, pulls, hard, stakeholders),
        pulls=tuple(pulls + confirmed),
        blockers=tuple(hard + open_items),
    )


def _level(
    claims: list[ClaimItem],
    concerns: list[Concern],
    pulls: list[Evidence],
    hard: list[Evidence],
    stakeholders: list[Stakeholder],
) -> Readiness:
    if hard:
        return Readiness.BLOCKED
    if pulls:
        return Readiness.READY
    # Beyond learning: the buyer voices a concern, names someone with a position, or checks several claims.
    # The intent profile is not used here: on the dev split the intent model led with confirmation in 3 of
    # 3 turns of a buyer only asking how things work, so "mostly confirmation" did not mean evaluating.
    if concerns or len(claims) >= EVALUATING_CLAIMS or any(p.stance != Stance.UNSTATED for p in stakeholders):
        return Readiness.EVALUATING
    return Readiness.EXPLORING
