"""Evidence reranking on real parts: the sample product ingested with the real embedder, Chroma and
SQLite, the hybrid retriever and the shipped evidence scorer.

The case is a dev-split sample question where fusion ranks a chunk that shares the question's words
(admin-roles.md: who may manage clusters, cluster policies) above the one whose sentence answers it (query-engine.md:
idle clusters auto-suspend and bill nothing); the reranker, at its default weight, must swap them.
"""

from __future__ import annotations

import pytest

from assistant.evidence_rerank import DEFAULT_WEIGHT, EvidenceReranker, best_answer_scores, combined
from assistant.settings import Settings
from assistant.wiring import build_evidence_scorer, build_reranker, build_retriever
from evals.retrieval import CANDIDATE_CHUNKS, document_ranking

QUESTION = "Do we pay for clusters when nobody is using them?"  # qm-086, dev split
ANSWERING, SHARING = "query-engine.md", "admin-roles.md"


def test_evidence_reranker_lifts_the_answering_chunk_over_one_that_shares_words(sample_kb, sample_home):
    plain = build_retriever(Settings(home=sample_home), sample_kb).search(QUESTION, k=CANDIDATE_CHUNKS)
    before = document_ranking(plain)
    assert before.index(SHARING) < before.index(ANSWERING), "precondition: fusion ranks the sharer first"

    retriever = build_retriever(Settings(home=sample_home, evidence_rerank=True), sample_kb)
    assert isinstance(retriever.reranker, EvidenceReranker)
    assert retriever.reranker.weight == DEFAULT_WEIGHT
    reranked = retriever.search(QUESTION, k=CANDIDATE_CHUNKS)
    after = document_ranking(reranked)
    assert after.index(ANSWERING) < after.index(SHARING)
    assert {h.chunk.id for h in reranked} == {h.chunk.id for h in plain}, "it re-orders, it adds nothing"
    # The hits keep their fused scores (confidence reads the top one as dense/lexical agreement).
    assert {h.chunk.id: h.score for h in reranked} == {h.chunk.id: h.score for h in plain}

    scorer = build_evidence_scorer(sample_kb.embedder)
    assert scorer is not None
    best: dict[str, float] = {}
    for hit, answers in zip(plain, best_answer_scores(scorer, QUESTION, plain), strict=True):
        best[hit.chunk.document_id] = max(best.get(hit.chunk.document_id, 0.0), answers)
    assert best[ANSWERING] > best[SHARING] + 0.1


def test_evidence_rerank_is_off_by_default_and_the_weight_mixes_both_signals(sample_kb, sample_home):
    assert build_reranker(Settings(home=sample_home), sample_kb) is None
    # weight 0 keeps the fused order, weight 1 is the scorer alone; fused scores are min-max normalised.
    assert combined([0.9, 0.1], [0.02, 0.03], 0.0) == [0.0, 1.0]
    assert combined([0.9, 0.1], [0.02, 0.03], 1.0) == [0.9, 0.1]
    assert combined([0.9, 0.1], [0.02, 0.03], 0.5) == pytest.approx([0.45, 0.55])
