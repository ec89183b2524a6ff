"""The reply pipeline: the one place a turn's stages run in order.

understand (check, classify, resolve follow-ups) → retrieve → select evidence → compose → ground →
confidence → decide; the answer carries the buyer's reply, the rep's draft and the trace of every stage.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import replace

import numpy as np

from assistant.authority import authoritative
from assistant.composition import Composer, Composition, CompositionRequest, TokenSink
from assistant.confidence import ConfidenceParts, confidence_parts
from assistant.confidence_model import ConfidenceModel
from assistant.confirm import ClaimChecker, vet_verdicts
from assistant.decision import Decision, TurnFacts, decide
from assistant.evidence import Evidence, coverage_of, select_evidence, stored_first
from assistant.evidence_scorer import EvidenceCandidate, EvidenceScorer
from assistant.extractive import FRAMING
from assistant.followup import retrieval_query
from assistant.grounding import Grounding, ground
from assistant.injection import looks_like_injection
from assistant.intents import IntentClassifier
from assistant.ports import Retriever, SentenceVectors, Vocabulary
from assistant.sentences import question_focus
from assistant.trace import Trace, Understanding
from assistant.tuning import DEFAULT_TUNING, Tuning
from assistant.types import Answer, ClaimVerdict
from knowledge.embedder import Embedder
from knowledge.retriever import RRF_K, Mode
from knowledge.types import Hit

_SURROGATE = re.compile("[\ud800-\udfff]")
MAX_MESSAGE_CHARS = 4000  # a buyer message longer than this is refused, not truncated silently


def unknown_entities(question: str, unseen: set[str]) -> list[str]:
    """Capitalised names in the question (products, vendors, standards) that no document mentions."""
    names = re.findall(r"(?<![.?!]\s)(?<!^)\b([A-Z][\w.+-]*)", question.strip())
    # A sentence's last word keeps its full stop here: "with Segment. Is there a Segment ..." is one name.
    names = [name.rstrip(".") for name in names]
    return [name for name in dict.fromkeys(names) if name.lower() in unseen]


class MessageRejected(ValueError):
    """A buyer message that cannot be processed (empty, too long); the message says why."""


def check_message(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise MessageRejected("the message is empty")
    if _SURROGATE.search(text):  # bytes that were not UTF-8 (argv, stdin) or a lone "\ud800" escape in JSON
        raise MessageRejected("the message is not valid UTF-8 text")
    if len(text) > MAX_MESSAGE_CHARS:
        raise MessageRejected(
            f"the message is too long: {len(text):,} characters, the limit is {MAX_MESSAGE_CHARS:,}"
        )
    return text


class Assistant:
    def __init__(
        self,
        *,
        retriever: Retriever,
        embedder: Embedder,
        vocabulary: Vocabulary,
        classifier: IntentClassifier,
        composer: Composer,
        scorer: EvidenceScorer | None = None,
        sentence_vectors: SentenceVectors | None = None,
        confidence_model: ConfidenceModel | None = None,
        checker: ClaimChecker | None = None,
        top_k: int = 5,
        handoff_threshold: float = 0.5,
        retrieval_mode: Mode = "hybrid",
        semantic_evidence: bool = True,
        tuning: Tuning = DEFAULT_TUNING,
    ) -> None:
        self.retriever = retriever
        self.embedder = embedder
        self.vocabulary = vocabulary
        self.classifier = classifier
        self.composer = composer
        self.scorer = scorer  # P(answers) per evidence sentence: which quote leads, how sure the answer is
        self.confidence_model = confidence_model  # None: the hand-set formula (assistant/confidence.py)
        self.sentence_vectors = sentence_vectors  # stored at ingest: a turn embeds only the message
        self.checker = checker or ClaimChecker(vocabulary)  # a verdict per claim of a confirmation
        self.top_k = top_k
        self.handoff_threshold = handoff_threshold
        self.retrieval_mode = retrieval_mode
        self.semantic_evidence = semantic_evidence
        self.tuning = tuning

    def ask(self, question: str, *, history: Sequence[str] = (), on_token: TokenSink | None = None) -> Answer:
        understanding, query_vector = self._understand(question, history)
        query = understanding.retrieval_query
        hits = self.retriever.search(query, k=self.top_k, mode=self.retrieval_mode, query_vector=query_vector)
        evidence = self._evidence(query, hits, query_vector)
        # The claims are the buyer's own message's; a follow-up's earlier question only helped retrieval.
        followed = query[: -len(understanding.question)].strip() if query != understanding.question else ""
        claims = self.checker.check(understanding.question, hits, context=followed)
        request = CompositionRequest(
            question=query,
            intents=understanding.intents,
            hits=hits,
            evidence=evidence,
            injection_suspected=understanding.injection_suspected,
            claims=claims,
        )
        composition = self._vetted(self.composer.compose(request, on_token=on_token), claims)
        grounding = ground(composition.text, hits, framing=FRAMING | composition.framing, tuning=self.tuning)
        top_similarity = max((hit.similarity or 0.0 for hit in hits), default=0.0)
        parts = self._confidence(understanding, hits, evidence, composition, grounding, top_similarity)
        decision = decide(
            self._facts(understanding, composition, grounding, parts, top_similarity, hits),
            threshold=self.handoff_threshold,
            tuning=self.tuning,
        )
        trace = Trace(understanding, hits, evidence, composition, grounding, parts, top_similarity, claims)
        return self._answer(decision, composition, grounding, parts, trace)

    # --- stages ------------------------------------------------------------------------------------

    def _understand(self, question: str, history: Sequence[str]) -> tuple[Understanding, np.ndarray]:
        question = check_message(question)
        vector = self.embedder.embed([question])[0]
        query = retrieval_query(question, list(history))
        query_vector = vector if query == question else self.embedder.embed([query])[0]
        understanding = Understanding(
            question=question,
            retrieval_query=query,
            intents=self.classifier.classify(question, vector),
            injection_suspected=looks_like_injection(question),
            unknown_names=unknown_entities(question, self.vocabulary.unseen_terms(question)),
        )
        return understanding, query_vector

    @staticmethod
    def _vetted(composition: Composition, claims: list[ClaimVerdict]) -> Composition:
        """A generative answer's verdicts pass the claim check: one the evidence does not settle (or
        settles the other way) is removed. The extractive composer writes only checked verdicts."""
        if composition.composer == "extractive" or not composition.text:
            return composition
        text, removed = vet_verdicts(composition.text, claims)
        if not removed:
            return composition
        return replace(composition, text=text)

    def _evidence(self, query: str, hits: list[Hit], query_vector: np.ndarray) -> list[Evidence]:
        stored: Mapping[str, np.ndarray] = {}
        if self.sentence_vectors is not None and (self.semantic_evidence or self.scorer is not None):
            stored = self.sentence_vectors.vectors(
                [hit.chunk.id for hit in hits[: self.tuning.evidence_hits]]
            )
        embed = stored_first(stored, self.embedder.embed) if self.semantic_evidence else None
        evidence = select_evidence(query, hits, embed=embed, question_vector=query_vector, tuning=self.tuning)
        if self.scorer is None or not evidence:
            return evidence
        candidates = [
            EvidenceCandidate(
                e.sentence,
                e.context,
                e.vector if e.vector is not None else stored.get(e.sentence),
                stored.get(e.context) if e.context else None,
            )
            for e in evidence
        ]
        scores = self.scorer.score(query, candidates, question_vector=query_vector)
        return [replace(e, answers=s.answers) for e, s in zip(evidence, scores, strict=True)]

    def _confidence(
        self,
        understanding: Understanding,
        hits: list[Hit],
        evidence: list[Evidence],
        composition: Composition,
        grounding: Grounding,
        top: float,
    ) -> ConfidenceParts:
        quotes = [c.quote for c in grounding.citations]
        scored = {e.sentence: e.answers for e in evidence if e.answers is not None}
        ranked = sorted(scored.values(), reverse=True)
        return confidence_parts(
            top_similarity=top,
            coverage=coverage_of(question_focus(understanding.retrieval_query), quotes),
            groundedness=grounding.groundedness if composition.text else None,
            verdict=composition.verdict,
            unknown_entities=len(understanding.unknown_names),
            answers=ranked[0] if ranked else None,
            answers_cited=scored.get(quotes[0]) if quotes else None,
            answers_second=ranked[1] if len(ranked) > 1 else None,
            agreement=self._agreement(hits),
            intents=understanding.intents.probabilities(),
            model=self.confidence_model,
            tuning=self.tuning,
        )

    def _agreement(self, hits: list[Hit]) -> float | None:
        """Whether dense and lexical search agree on the top passage: its fused score over the most a
        chunk can get (first in both rankings); None outside hybrid retrieval."""
        if self.retrieval_mode != "hybrid" or not hits:
            return None
        return min(1.0, hits[0].score * (RRF_K + 1) / 2)

    @staticmethod
    def _facts(
        understanding: Understanding,
        composition: Composition,
        grounding: Grounding,
        parts: ConfidenceParts,
        top_similarity: float,
        hits: list[Hit],
    ) -> TurnFacts:
        chunks = {hit.chunk.id: hit.chunk for hit in hits}
        return TurnFacts(
            question=understanding.question,
            wants_human=understanding.intents.wants_human,
            out_of_scope=understanding.intents.out_of_scope,
            injection_suspected=understanding.injection_suspected,
            confidence=parts.score,
            top_similarity=top_similarity,
            verdict=composition.verdict,
            cited_quotes=[c.quote for c in grounding.citations],
            unsupported=[(s.text, s.reason) for s in grounding.unsupported],
            unknown_names=understanding.unknown_names,
            unvetted_quotes=[
                c.quote
                for c in grounding.citations
                if c.chunk_id not in chunks or not authoritative(chunks[c.chunk_id])
            ],
        )

    @staticmethod
    def _answer(
        decision: Decision,
        composition: Composition,
        grounding: Grounding,
        parts: ConfidenceParts,
        trace: Trace,
    ) -> Answer:
        if decision.reply is None:
            text, citations = grounding.supported_text, grounding.citations
        elif decision.quote_evidence:
            text, citations = f"{grounding.supported_text}\n\n{decision.reply.text}", grounding.citations
        else:
            text, citations = decision.reply.text, []
        return Answer(
            text=text,
            citations=citations,
            outcome=decision.outcome,
            reasons=[*decision.reasons, *composition.notes],
            confidence=parts.score,
            intents=trace.understanding.intents,
            verdict=composition.verdict,
            composer=composition.composer,
            draft=grounding.supported_text,
            draft_citations=grounding.citations,
            trace=trace,
            claim_verdicts=list(trace.claim_verdicts),
        )
