"""The API's request and response bodies (they make the OpenAPI schema at /v1/openapi.json, examples
included). Buyer and document text travel as plain strings: clients must render them as text."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from assistant.pipeline import MAX_MESSAGE_CHARS
from assistant.verdict import Verdict

CONVERSATION_ID = "Qm9vdHN0cmFwcGVkLWV4YW1wbGUtaWQtMDAx"
TOKEN = "kX2vJ8qVfN3yTq7hC1sWm0eR5uZb9dLpA4gHjK6oUiY"
ANSWER_TEXT = (
    "Yes, that is documented. Customer data can be kept in the EU: the EU-Central (Frankfurt) region "
    "keeps data, backups and logs in the EU. [1]"
)


def _examples(*examples: dict[str, Any]) -> ConfigDict:
    return ConfigDict(json_schema_extra={"examples": list(examples)})


class ErrorDetail(BaseModel):
    code: str = Field(description="A stable, typed code: clients branch on it, never on the message.")
    message: str = Field(description="What went wrong, for a person to read.")


class ErrorBody(BaseModel):
    model_config = _examples(
        {"error": {"code": "conversation_not_found", "message": "no such conversation"}},
        {"error": {"code": "rate_limited", "message": "too many requests; try again in 12 s"}},
    )
    error: ErrorDetail


class ConversationCreated(BaseModel):
    model_config = _examples({"conversation_id": CONVERSATION_ID, "token": TOKEN})
    conversation_id: str = Field(description="The conversation's id, used in every later path.")
    token: str = Field(
        description="The conversation token: send it as `Authorization: Bearer <token>` on every later "
        "call. Shown once; the server keeps only its hash."
    )


class ConversationIn(BaseModel):
    """Where the buyer opened the chat (all optional): kept per conversation for the segment insights. Only
    the landing page without its query, the referrer's host and the UTM values are stored."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "landing_url": "https://vendor.example/pricing?utm_source=newsletter&utm_campaign=q3",
                    "referrer": "https://news.example/issue-12",
                }
            ]
        },
    )
    landing_url: str = Field(default="", max_length=2000, description="The page the chat was opened on.")
    referrer: str = Field(default="", max_length=2000, description="The page that led the buyer there.")
    utm_source: str = Field(default="", max_length=200)
    utm_medium: str = Field(default="", max_length=200)
    utm_campaign: str = Field(default="", max_length=200)
    utm_term: str = Field(default="", max_length=200)
    utm_content: str = Field(default="", max_length=200)


class ContactIn(BaseModel):
    """The buyer's contact details; stored only with `consent: true` (the consent text is the server's,
    returned in the response). Never needed to get answers."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "name": "Dana White",
                    "email": "dana@halcyonfreight.example",
                    "company": "Halcyon Freight",
                    "consent": True,
                }
            ]
        },
    )
    name: str = Field(min_length=1, max_length=200, pattern=r"[^\s\x00-\x1f\x7f]")  # something printable
    email: str = Field(
        max_length=320,
        pattern=r'^[^@\s<>()\[\],;:"\x00-\x1f\x7f]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+$',
        description="A work e-mail address.",
    )
    company: str = Field(default="", max_length=200)
    company_size: str = Field(default="", max_length=40, description='Employees: "60", "200-500", "5k".')
    industry: str = Field(default="", max_length=120)
    consent: Literal[True] = Field(
        description="The buyer ticked the consent box showing the consent text: nothing is stored without it."
    )


class ContactOut(BaseModel):
    name: str
    email: str
    company: str
    consent_text: str = Field(description="What the buyer agreed to, stored with the contact.")
    consented_at: datetime


class ConsentText(BaseModel):
    consent_text: str = Field(description="Show this beside an unticked box before sending contact details.")


class MessageIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"text": "Can we keep all our data in the EU?"}]},
    )
    text: str = Field(
        min_length=1,
        max_length=MAX_MESSAGE_CHARS,
        description="The buyer's message (plain text; the same checks as every surface apply).",
    )


class CitationOut(BaseModel):
    marker: int = Field(description="The [n] in the answer text.")
    source: str = Field(description="Document id (its path in the knowledge base).")
    title: str = Field(description="Document title.")
    quote: str = Field(description="The verbatim sentence of the document that supports the claim.")
    heading: str = Field(default="", description="The section the quote comes from.")
    page: int | None = Field(default=None, description="The page, for paged documents.")


class ClaimOut(BaseModel):
    text: str = Field(description="One sentence of the answer, without its markers.")
    citations: list[int] = Field(description="The markers of the citations that support it (none: framing).")


class IntentsOut(BaseModel):
    probabilities: dict[str, float] = Field(
        description="clarification / confirmation / confidence, each in [0, 1]."
    )
    labels: list[str] = Field(description="The labels over their tuned thresholds.")
    wants_human: bool
    out_of_scope: bool


class HandoffOut(BaseModel):
    handed_off: bool = Field(description="Whether a person takes this question (the widget shows a banner).")
    handoff_id: int | None = Field(default=None, description="The handoff this turn opened or joined.")
    reasons: list[str] = Field(description="Why it was handed off (or refused), for people to read.")
    knowledge_gap: bool = Field(description="Handed off because the documents lack the answer.")


class ConditionOut(BaseModel):
    kind: str = Field(description="tier, version, region, edition or limit.")
    value: str


class ClaimVerdictOut(BaseModel):
    """One claim of a confirmation and the verdict the documents give it."""

    claim: str = Field(description="The claim, in the buyer's words (plain text).")
    polarity: Literal["asserted", "denied"] = Field(
        description="denied: the buyer says it is NOT so or NOT needed; the verdict is on that."
    )
    verdict: Literal["yes", "yes_with_conditions", "no", "not_documented", "abstain"] = Field(
        description="abstain: the documents found do not settle it (no verdict; the quotes show them)."
    )
    conditions: list[ConditionOut] = Field(default_factory=list)
    alternative: str = Field(default="", description="For a no: what the documents say instead.")
    evidence: str = Field(default="", description="The sentence the verdict rests on, verbatim.")
    source: str = Field(default="", description="The document it comes from.")
    citation: int | None = Field(default=None, description="Its [n] marker in the answer text.")


class AnswerEvent(BaseModel):
    """The data of the final `answer` event of a streamed reply: the whole answer."""

    model_config = _examples(
        {
            "message_id": 42,
            "text": ANSWER_TEXT,
            "verdict": "supported",
            "claims": [
                {"text": "Yes, that is documented.", "citations": []},
                {
                    "text": "Customer data can be kept in the EU: the EU-Central (Frankfurt) region keeps "
                    "data, backups and logs in the EU.",
                    "citations": [1],
                },
            ],
            "citations": [
                {
                    "marker": 1,
                    "source": "deployment-options.md",
                    "title": "Deployment options",
                    "quote": "EU-Central (Frankfurt) keeps data, backups and logs in the EU.",
                    "heading": "Data residency",
                    "page": None,
                }
            ],
            "intents": {
                "probabilities": {"clarification": 0.12, "confirmation": 0.91, "confidence": 0.08},
                "labels": ["confirmation"],
                "wants_human": False,
                "out_of_scope": False,
            },
            "confidence": 0.78,
            "groundedness": 1.0,
            "handoff": {"handed_off": False, "handoff_id": None, "reasons": [], "knowledge_gap": False},
            "composer": "extractive",
        }
    )
    message_id: int = Field(description="The answer's message id: read the transcript after it.")
    text: str = Field(description="The whole answer, with [n] citation markers; plain text.")
    verdict: Verdict | None = Field(
        description="For a confirmation question, the answer's verdict on what the buyer asked to confirm."
    )
    claims: list[ClaimOut] = Field(description="The answer's sentences, each with the citations behind it.")
    claim_verdicts: list[ClaimVerdictOut] = Field(
        default_factory=list,
        description="For a confirmation: a verdict per claim the buyer made, with its evidence (data, not text).",
    )
    citations: list[CitationOut]
    intents: IntentsOut
    confidence: float = Field(ge=0, le=1)
    groundedness: float | None = Field(description="Share of the composed claims a passage supports.")
    handoff: HandoffOut
    composer: str = Field(description="extractive or llm.")


class TokenEvent(BaseModel):
    """The data of a `token` event: the next piece of the answer text."""

    text: str


class MessageOut(BaseModel):
    id: int
    role: Literal["buyer", "assistant", "rep"]
    text: str = Field(description="Plain text: render it as text, never as HTML or Markdown.")
    author: str = Field(description="The rep's name for rep messages, else empty.")
    created_at: datetime
    answer: AnswerEvent | None = Field(
        default=None, description="For assistant answers: citations, intents, confidence, handoff."
    )


class HandoffState(BaseModel):
    handoff_id: int
    state: Literal["open", "claimed", "replied", "resolved"] = Field(
        description="open → claimed (a rep took it) → replied → resolved."
    )


class Transcript(BaseModel):
    model_config = _examples(
        {
            "conversation_id": CONVERSATION_ID,
            "messages": [
                {
                    "id": 43,
                    "role": "rep",
                    "text": "Yes: the Frankfurt region keeps backups in the EU too. I'll send the DPA.",
                    "author": "rita",
                    "created_at": "2025-05-01T10:15:00",
                    "answer": None,
                }
            ],
            "handoff": {"handoff_id": 7, "state": "replied"},
            "ended": False,
        }
    )
    conversation_id: str
    messages: list[MessageOut] = Field(description="The messages after `after`, oldest first.")
    handoff: HandoffState | None = Field(description="The latest handoff, if any: the widget's banner.")
    ended: bool


class HumanRequested(BaseModel):
    model_config = _examples({"handoff_id": 7, "state": "open"})
    handoff_id: int
    state: Literal["open", "claimed", "replied", "resolved"]


class ConversationEnded(BaseModel):
    model_config = _examples({"conversation_id": CONVERSATION_ID, "ended": True})
    conversation_id: str
    ended: bool


class Health(BaseModel):
    status: Literal["ok"]
