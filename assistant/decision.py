"""The decision stage: from what a turn found to its outcome (answered, handed off, declined, refused),
with typed reasons. The rules, in order: a suspected injection with nothing solid to say is refused; small
talk is declined; a buyer who asks for a person gets one; prices, discounts, contracts, legal commitments
and roadmap dates go to a person unless authoritative evidence states them, and so does evidence that
speaks of a price, discount, contract or roadmap from a document that is not authoritative (its sentence is
never quoted to the buyer); then anything undocumented, unsupported or below the confidence threshold is
handed off.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from assistant.intents import asks_for_contact
from assistant.outcomes import FixedReply, Outcome, Reason, ReasonCode, is_knowledge_gap
from assistant.sentences import content_terms
from assistant.topics import sensitive_topics, statement_topics, unstated
from assistant.tuning import Tuning
from assistant.verdict import Verdict


@dataclass(frozen=True)
class TurnFacts:
    """What the decision needs to know about a turn, and nothing else."""

    question: str
    wants_human: bool
    out_of_scope: bool
    injection_suspected: bool
    confidence: float
    top_similarity: float
    verdict: Verdict | None
    cited_quotes: list[str]  # the grounded answer's quotes
    unsupported: list[tuple[str, str]]  # (sentence, why) of claims no passage supports
    unknown_names: list[str]
    # The cited quotes that come from documents not authoritative (assistant/authority.py): they may answer,
    # but never state a sensitive topic to a buyer.
    unvetted_quotes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Decision:
    outcome: Outcome
    reasons: list[Reason] = field(default_factory=list)
    reply: FixedReply | None = None  # sent instead of the grounded answer; None sends the answer
    quote_evidence: bool = False  # a fixed reply that still shows the documented policy above it

    @property
    def knowledge_gap(self) -> bool:
        return is_knowledge_gap(self.outcome, self.reasons)


def decide(facts: TurnFacts, *, threshold: float, tuning: Tuning) -> Decision:
    weak = facts.confidence < threshold
    if facts.injection_suspected and (weak or not facts.cited_quotes):
        return Decision(
            Outcome.REFUSED,
            [Reason(ReasonCode.PROMPT_INJECTION, "prompt injection suspected")],
            FixedReply.REFUSAL,
        )
    # Only small talk is declined: the out-of-scope label also fires on short real questions (HINT3), and a
    # real question the documents do not cover belongs with a person.
    small_talk = len(content_terms(facts.question)) <= tuning.small_talk_terms
    if (
        facts.out_of_scope
        and small_talk
        and not facts.wants_human
        and facts.top_similarity < tuning.out_of_scope_similarity
    ):
        return Decision(
            Outcome.DECLINED, [Reason(ReasonCode.OUT_OF_SCOPE, "out of scope")], FixedReply.OUT_OF_SCOPE
        )
    # The learned flag also fires on a question about a person the offer includes ("Do we get a named
    # technical account manager?"): a request for a person says how to reach one, or who.
    if facts.wants_human and asks_for_contact(facts.question):
        return Decision(
            Outcome.HANDED_OFF,
            [Reason(ReasonCode.HUMAN_REQUESTED, "buyer asked for a human")],
            FixedReply.HUMAN_REQUESTED,
        )
    sensitive = _sensitive_reasons(facts)
    if sensitive:
        # The documented policy is still worth quoting while a person takes the question, unless part of
        # the evidence is a sensitive statement no authoritative document makes.
        unvetted = any(r.code is ReasonCode.SENSITIVE_UNVETTED_EVIDENCE for r in sensitive)
        quote = bool(facts.cited_quotes) and not weak and not unvetted
        return Decision(Outcome.HANDED_OFF, sensitive, FixedReply.SENSITIVE, quote_evidence=quote)
    reasons = _evidence_reasons(facts, threshold=threshold, weak=weak)
    if reasons:
        if facts.unknown_names:  # worth telling the rep, not a reason on its own: buyers name their tools too
            names = ", ".join(n.strip(".") for n in facts.unknown_names)
            reasons.append(Reason(ReasonCode.UNKNOWN_NAMES, f"not mentioned in the documents: {names}"))
        return Decision(Outcome.HANDED_OFF, reasons, FixedReply.HANDOFF)
    if facts.injection_suspected:
        note = Reason(
            ReasonCode.INJECTION_ANSWERED_FROM_DOCUMENTS,
            "prompt injection suspected: answered from the documents only",
        )
        return Decision(Outcome.ANSWERED, [note])
    return Decision(Outcome.ANSWERED)


def _sensitive_reasons(facts: TurnFacts) -> list[Reason]:
    # Only authoritative evidence states a sensitive topic the buyer asked about.
    authoritative = [quote for quote in facts.cited_quotes if quote not in facts.unvetted_quotes]
    evidence_text = " ".join(authoritative)
    reasons = []
    for topic in sensitive_topics(facts.question):
        if topic.needs_human:
            detail = f"sensitive topic: {topic.name} is decided by people, not documents"
            reasons.append(Reason(ReasonCode.SENSITIVE_DECIDED_BY_PEOPLE, detail))
        elif unstated(topic, evidence_text):
            detail = f"sensitive topic: {topic.name} not stated in the documents"
            reasons.append(Reason(ReasonCode.SENSITIVE_NOT_STATED, detail))
    unvetted = sorted({name for quote in facts.unvetted_quotes for name in statement_topics(quote)})
    if unvetted:
        detail = f"the evidence speaks of {', '.join(unvetted)} in a document that is not authoritative"
        reasons.append(Reason(ReasonCode.SENSITIVE_UNVETTED_EVIDENCE, detail))
    return reasons


def _evidence_reasons(facts: TurnFacts, *, threshold: float, weak: bool) -> list[Reason]:
    reasons = []
    if facts.verdict == "not_documented":
        reasons.append(Reason(ReasonCode.CONFIRMATION_NOT_DOCUMENTED, "confirmation not documented"))
    for sentence, why in facts.unsupported:
        reasons.append(Reason(ReasonCode.UNSUPPORTED_CLAIM, f"unsupported claim: {sentence[:120]!r} ({why})"))
    if not facts.cited_quotes:
        reasons.append(Reason(ReasonCode.NO_EVIDENCE, "no supporting passage found"))
    if weak:
        detail = f"low confidence {facts.confidence:.2f} < threshold {threshold:.2f}"
        reasons.append(Reason(ReasonCode.LOW_CONFIDENCE, detail, by_threshold=True))
    return reasons
