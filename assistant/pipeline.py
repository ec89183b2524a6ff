"""The reply pipeline: the one place a turn's stages run in order.

classify → retrieve (follow-ups resolved against the conversation) → select evidence → compose
→ ground → confidence → answer or handoff.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from assistant.confidence import confidence as score_confidence
from assistant.evidence import coverage_of, select_evidence
from assistant.extractive import FRAMING, Composition, ExtractiveComposer
from assistant.followup import retrieval_query
from assistant.grounding import Grounding, ground
from assistant.injection import looks_like_injection
from assistant.intents import IntentClassifier
from assistant.llm_composer import LLMUnavailable, OpenAIComposer
from assistant.sentences import content_terms, question_focus
from assistant.topics import sensitive_topics, unstated
from assistant.types import Answer, Intents
from knowledge.retriever import HybridRetriever, Mode

MAX_MESSAGE_CHARS = 4000  # a buyer message longer than this is refused, not truncated silently
HANDOFF_MESSAGE = (
    "I can't answer this reliably from our documentation, so I've passed your question to a product "
    "expert, who will reply here."
)
SENSITIVE_HANDOFF = (
    "Questions like this one are answered by our team rather than by me, so I've passed it to a product "
    "expert, who will reply here."
)
HUMAN_REQUESTED = "Of course: I've asked a product expert to join this conversation. They will reply here."
OUT_OF_SCOPE = (
    "I can help with questions about our product, answered from its documentation. "
    "What would you like to know?"
)
REFUSAL = (
    "I can only answer questions about our product from its documentation: I can't change how I work, "
    "reveal my instructions or make offers. If you need something else, ask to talk to an expert."
)


SMALL_TALK_TERMS = 1  # "hi there", "thanks a lot": at most this many content words
OUT_OF_SCOPE_SIMILARITY = (
    0.30  # above this the message is near the documents: a real question, whatever the label
)


@dataclass(frozen=True)
class Decision:
    handoff: bool
    reasons: list[str]
    knowledge_gap: bool
    text: str | None  # a fixed reply, or None to send the grounded answer


def unknown_entities(question: str, unseen: set[str]) -> list[str]:
    """Capitalised names in the question (products, vendors, standards) that no document mentions."""
    names = re.findall(r"(?<![.?!]\s)(?<!^)\b([A-Z][\w.+-]*)", question.strip())
    return [name for name in dict.fromkeys(names) if name.lower().strip(".") in unseen]


class MessageRejected(ValueError):
    """A buyer message that cannot be processed (empty, too long); the message says why."""


def check_message(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise MessageRejected("the message is empty")
    if len(text) > MAX_MESSAGE_CHARS:
        raise MessageRejected(
            f"the message is too long: {len(text):,} characters, the limit is {MAX_MESSAGE_CHARS:,}"
        )
    return text


class Assistant:
    def __init__(
        self,
        *,
        retriever: HybridRetriever,
        classifier: IntentClassifier,
        composer: ExtractiveComposer,
        llm_composer: OpenAIComposer | None = None,
        top_k: int = 5,
        handoff_threshold: float = 0.5,
        retrieval_mode: Mode = "hybrid",
        semantic_evidence: bool = True,
    ) -> None:
        self.retriever = retriever
        self.classifier = classifier
        self.composer = composer
        self.llm_composer = llm_composer
        self.top_k = top_k
        self.handoff_threshold = handoff_threshold
        self.retrieval_mode = retrieval_mode
        self.semantic_evidence = semantic_evidence

    def ask(
        self,
        question: str,
        *,
        history: Sequence[str] = (),
        on_token: Callable[[str], None] | None = None,
    ) -> Answer:
        question = check_message(question)
        embed = self.retriever.kb.embedder.embed
        vector = embed([question])[0]
        intents = self.classifier.classify(question, vector)
        query = retrieval_query(question, list(history))
        query_vector = vector if query == question else embed([query])[0]
        hits = self.retriever.search(query, k=self.top_k, mode=self.retrieval_mode, query_vector=query_vector)
        evidence = select_evidence(
            query, hits, embed=embed if self.semantic_evidence else None, question_vector=query_vector
        )
        top_similarity = max((hit.similarity or 0.0 for hit in hits), default=0.0)
        injection = looks_like_injection(question)
        unknown = unknown_entities(question, self.retriever.kb.lexical.unseen_terms(question))

        composer_name = self.composer.name
        notes: list[str] = []
        composition = Composition(text="")
        if self.llm_composer is not None and not injection:
            try:
                composition = self.llm_composer.compose(question, intents, hits, on_token=on_token)
                composer_name = self.llm_composer.name
            except LLMUnavailable as error:
                notes.append(f"LLM unavailable, answered extractively: {error}")
        if composer_name != "llm":
            composition = self.composer.compose(query, intents, evidence)
        grounding = ground(composition.text, hits, framing=FRAMING)
        cited_quotes = [c.quote for c in grounding.citations]
        confidence = score_confidence(
            top_similarity=top_similarity,
            coverage=coverage_of(question_focus(query), cited_quotes),
            groundedness=grounding.groundedness if composition.text else None,
            verdict=composition.verdict,
            unknown_entities=len(unknown),
        )

        decision = self._decide(
            question, intents, confidence, composition, grounding, injection, top_similarity, unknown
        )
        answer_text = decision.text if decision.text is not None else grounding.supported_text
        citations = grounding.citations if decision.text is None else []
        if (
            decision.text == SENSITIVE_HANDOFF
            and grounding.citations
            and confidence >= self.handoff_threshold
        ):
            # The documented policy is still worth quoting while a person takes the question.
            answer_text, citations = f"{grounding.supported_text}\n\n{SENSITIVE_HANDOFF}", grounding.citations
        return Answer(
            text=answer_text,
            citations=citations,
            hits=hits,
            confidence=confidence,
            handoff=decision.handoff,
            handoff_reasons=decision.reasons + notes,
            intents=intents,
            composer=composer_name,
            verdict=composition.verdict,
            groundedness=grounding.groundedness,
            knowledge_gap=decision.knowledge_gap,
            draft=grounding.supported_text,
            draft_citations=grounding.citations,
            retrieval_query=query,
        )

    def _decide(
        self,
        question: str,
        intents: Intents,
        confidence: float,
        composition: Composition,
        grounding: Grounding,
        injection: bool,
        top_similarity: float,
        unknown: list[str],
    ) -> Decision:
        weak = confidence < self.handoff_threshold
        if injection and (weak or not grounding.citations):
            return Decision(False, ["prompt injection suspected"], False, REFUSAL)
        # Only small talk is declined: the out-of-scope label also fires on short real questions (HINT3), and a
        # real question the documents do not cover belongs with a person.
        small_talk = len(content_terms(question)) <= SMALL_TALK_TERMS
        if (
            intents.out_of_scope
            and small_talk
            and not intents.wants_human
            and top_similarity < OUT_OF_SCOPE_SIMILARITY
        ):
            return Decision(False, ["out of scope"], False, OUT_OF_SCOPE)
        if intents.wants_human:
            return Decision(True, ["buyer asked for a human"], False, HUMAN_REQUESTED)
        reasons: list[str] = []
        evidence_text = " ".join(c.quote for c in grounding.citations)
        for topic in sensitive_topics(question):
            if topic.needs_human:
                reasons.append(f"sensitive topic: {topic.name} is decided by people, not documents")
            elif unstated(topic, evidence_text):
                reasons.append(f"sensitive topic: {topic.name} not stated in the documents")
        if reasons:
            return Decision(True, reasons, any("not stated" in r for r in reasons), SENSITIVE_HANDOFF)
        if composition.verdict == "not_documented":
            reasons.append("confirmation not documented")
        for sentence in grounding.unsupported:
            reasons.append(f"unsupported claim: {sentence.text[:120]!r} ({sentence.reason})")
        if not grounding.citations:
            reasons.append("no supporting passage found")
        if weak:
            reasons.append(f"low confidence {confidence:.2f} < threshold {self.handoff_threshold:.2f}")
        if reasons:
            if unknown:  # worth telling the rep, not a reason on its own: buyers name their own tools too
                reasons.append(f"not mentioned in the documents: {', '.join(n.strip('.') for n in unknown)}")
            return Decision(True, reasons, True, HANDOFF_MESSAGE)
        if injection:
            return Decision(
                False, ["prompt injection suspected: answered from the documents only"], False, None
            )
        return Decision(False, [], False, None)
