"""Typed outcomes of a turn: why it was handed off (reason codes) and how it ended (the outcome).

Evals, insights, the knowledge-gap report and the UI read these codes; the `detail` is for people only and
nothing may branch on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Outcome(StrEnum):
    ANSWERED = "answered"  # a grounded answer went to the buyer
    HANDED_OFF = "handed_off"  # a person takes the question
    DECLINED = "declined"  # small talk outside the product: a polite pointer, no handoff
    REFUSED = "refused"  # a suspected prompt injection with nothing documented to say


class ReasonCode(StrEnum):
    PROMPT_INJECTION = "prompt_injection"
    INJECTION_ANSWERED_FROM_DOCUMENTS = "injection_answered_from_documents"
    OUT_OF_SCOPE = "out_of_scope"
    HUMAN_REQUESTED = "human_requested"
    SENSITIVE_DECIDED_BY_PEOPLE = "sensitive_decided_by_people"
    SENSITIVE_NOT_STATED = "sensitive_not_stated"
    # The evidence holds a price, discount, contract or roadmap sentence from a document that is not
    # authoritative (a saved rep reply): a person decides whether it applies to this buyer.
    SENSITIVE_UNVETTED_EVIDENCE = "sensitive_unvetted_evidence"
    CONFIRMATION_NOT_DOCUMENTED = "confirmation_not_documented"
    UNSUPPORTED_CLAIM = "unsupported_claim"
    NO_EVIDENCE = "no_evidence"
    LOW_CONFIDENCE = "low_confidence"
    UNKNOWN_NAMES = "unknown_names"
    LLM_FALLBACK = "llm_fallback"
    RECORDED_AS_TEXT = "recorded_as_text"  # a reason stored before reasons had codes: its words only


# Reasons that say the documents lack the answer: such a handoff is a knowledge gap for product teams.
KNOWLEDGE_GAP_CODES = frozenset(
    {
        ReasonCode.SENSITIVE_NOT_STATED,
        ReasonCode.CONFIRMATION_NOT_DOCUMENTED,
        ReasonCode.UNSUPPORTED_CLAIM,
        ReasonCode.NO_EVIDENCE,
        ReasonCode.LOW_CONFIDENCE,
        ReasonCode.UNKNOWN_NAMES,
    }
)
# Remarks attached to any outcome that decide nothing (the turn would have ended the same without them).
NOTE_CODES = frozenset({ReasonCode.LLM_FALLBACK})


@dataclass(frozen=True)
class Reason:
    code: ReasonCode
    detail: str = ""  # for people (the rep console, reports); never parsed
    by_threshold: bool = False  # True when the handoff threshold decided it (lowering it removes the reason)

    @property
    def is_note(self) -> bool:
        return self.code in NOTE_CODES

    def as_dict(self) -> dict:
        return {"code": self.code.value, "detail": self.detail, "by_threshold": self.by_threshold}

    @classmethod
    def from_dict(cls, data: dict) -> Reason:
        return cls(ReasonCode(data["code"]), data.get("detail", ""), bool(data.get("by_threshold", False)))

    @classmethod
    def from_stored(cls, value: dict | str) -> Reason:
        """A reason as stored in a handoff row: a dict, or plain words from before reasons had codes."""
        return (
            cls.from_dict(value) if isinstance(value, dict) else cls(ReasonCode.RECORDED_AS_TEXT, str(value))
        )


def is_knowledge_gap(outcome: Outcome, reasons: list[Reason]) -> bool:
    return outcome is Outcome.HANDED_OFF and any(r.code in KNOWLEDGE_GAP_CODES for r in reasons)


class FixedReply(StrEnum):
    """Replies the assistant sends instead of a composed answer; the value names it, `text` words it."""

    HANDOFF = "handoff"
    SENSITIVE = "sensitive"
    HUMAN_REQUESTED = "human_requested"
    OUT_OF_SCOPE = "out_of_scope"
    REFUSAL = "refusal"

    @property
    def text(self) -> str:
        return FIXED_REPLY_TEXT[self]


FIXED_REPLY_TEXT: dict[FixedReply, str] = {
    FixedReply.HANDOFF: (
        "I can't answer this reliably from our documentation, so I've passed your question to a product "
        "expert, who will reply here."
    ),
    FixedReply.SENSITIVE: (
        "Questions like this one are answered by our team rather than by me, so I've passed it to a product "
        "expert, who will reply here."
    ),
    FixedReply.HUMAN_REQUESTED: (
        "Of course: I've asked a product expert to join this conversation. They will reply here."
    ),
    FixedReply.OUT_OF_SCOPE: (
        "I can help with questions about our product, answered from its documentation. "
        "What would you like to know?"
    ),
    FixedReply.REFUSAL: (
        "I can only answer questions about our product from its documentation: I can't change how I work, "
        "reveal my instructions or make offers. If you need something else, ask to talk to an expert."
    ),
}
