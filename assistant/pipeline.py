"""The reply pipeline: the one place a turn's stages run in order.

classify → retrieve → compose → confidence → answer or handoff.
"""

from __future__ import annotations

from assistant.extractive import ExtractiveComposer
from assistant.intents import IntentClassifier
from assistant.types import Answer
from knowledge.retriever import HybridRetriever, Mode

HANDOFF_MESSAGE = (
    "I can't answer this reliably from our documentation, so I've passed your question to a product "
    "expert, who will reply here."
)


class Assistant:
    def __init__(
        self,
        *,
        retriever: HybridRetriever,
        classifier: IntentClassifier,
        composer: ExtractiveComposer,
        top_k: int = 5,
        handoff_threshold: float = 0.45,
        retrieval_mode: Mode = "hybrid",
    ) -> None:
        self.retriever = retriever
        self.classifier = classifier
        self.composer = composer
        self.top_k = top_k
        self.handoff_threshold = handoff_threshold
        self.retrieval_mode = retrieval_mode

    def ask(self, question: str) -> Answer:
        vector = self.retriever.embed_query(question)
        intents = self.classifier.classify(question, vector)
        hits = self.retriever.search(question, k=self.top_k, mode=self.retrieval_mode, query_vector=vector)
        text, citations = self.composer.compose(question, intents, hits)
        top_similarity = max((hit.similarity or 0.0) for hit in hits) if hits else 0.0
        confidence = max(0.0, min(1.0, top_similarity))
        reasons: list[str] = []
        if not hits:
            reasons.append("nothing retrieved")
        elif confidence < self.handoff_threshold:
            reasons.append(f"weak retrieval: best passage similarity {top_similarity:.2f}")
        if not citations and hits:
            reasons.append("no supporting sentence found")
        if intents.wants_human:
            reasons.append("buyer asked for a human")
        handoff = bool(reasons)
        if handoff:
            text = HANDOFF_MESSAGE
        return Answer(
            text=text,
            citations=citations if not handoff else [],
            hits=hits,
            confidence=confidence,
            handoff=handoff,
            handoff_reasons=reasons,
            intents=intents,
            composer=self.composer.name,
        )
