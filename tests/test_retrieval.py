"""Hybrid retrieval on the real stores: fusion, metadata filters, orphans ignored, reranking plumbing,
and the retrieval eval's metrics.

No cross-encoder model is available offline here, so reranking is exercised with `RuleReranker`, a real
`ScoringReranker` subclass that scores by a deterministic rule; `CrossEncoderReranker` itself is only
checked for refusing a missing model directory.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from pathlib import Path

import pytest

from assistant.settings import Settings
from evals.retrieval import document_ranking, evaluate_retrieval, load_questions, score
from ingest.sync import Syncer
from knowledge.reranker import CrossEncoderReranker, ScoringReranker, build_reranker
from knowledge.retriever import HybridRetriever, reciprocal_rank_fusion
from knowledge.types import Chunk, Hit

DOCS = {
    "sla.md": "# Service Level Agreement\n\n## Uptime\n\nWe commit to 99.9% monthly uptime for Growth.\n\n"
    "## Credits\n\nService credits are 10% of the monthly fee per missed hour.\n",
    "security.md": "# Security\n\n## Encryption\n\nData at rest is encrypted with AES-256.\n\n"
    "## Certifications\n\nWe hold SOC 2 Type II and ISO 27001 certificates.\n",
    "pricing.html": "<html><head><title>Pricing</title></head><body><h2>Tiers</h2>"
    "<p>Growth costs $9,800 per month billed annually.</p><h2>Trial</h2>"
    "<p>Starter can be tried free for 14 days.</p></body></html>",
    "faq.csv": "question,answer\nDo you encrypt backups?,Yes: backups use AES-256 too.\n"
    "What uptime do you commit to?,99.9% on Growth and 99.95% on Enterprise.\n",
}


class RuleReranker(ScoringReranker):
    """Scores a passage by how many times it contains a marker word: a rule, so the order is known."""

    def __init__(self, marker: str) -> None:
        self.marker = marker.lower()
        self.seen: list[tuple[str, int]] = []

    def score(self, query: str, passages: Sequence[str]) -> list[float]:
        self.seen.append((query, len(passages)))
        return [float(passage.lower().count(self.marker)) for passage in passages]


@pytest.fixture(scope="module")
def docs(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("docs")
    for name, text in DOCS.items():
        (folder / name).write_text(text)
    return folder


@pytest.fixture(scope="module")
def loaded_kb(tmp_path_factory, embedder, docs):
    from tests.conftest import make_kb

    kb = make_kb(tmp_path_factory.mktemp("home"), embedder)
    assert not Syncer(kb).sync([docs]).failed
    return kb


def _hit(chunk_id: str) -> Hit:
    return Hit(chunk=Chunk(id=chunk_id, document_id=chunk_id[0], text=chunk_id, title=""), score=0.0)


def test_reciprocal_rank_fusion_rewards_agreement():
    fused = reciprocal_rank_fusion(
        [[_hit("a1"), _hit("b1"), _hit("c1")], [_hit("d1"), _hit("b1"), _hit("e1")]]
    )
    assert [hit.chunk.id for hit in fused] == ["b1", "a1", "d1", "c1", "e1"]  # ties keep first-seen order
    assert fused[0].score == pytest.approx(2 / 62)


@pytest.mark.parametrize("mode", ["hybrid", "dense", "lexical"])
def test_each_mode_finds_the_stated_fact(loaded_kb, mode):
    hits = HybridRetriever(loaded_kb).search("Which certifications like SOC 2 do you hold?", k=3, mode=mode)
    assert hits[0].chunk.document_id == "security.md"
    assert hits[0].chunk.heading == "Certifications"
    assert all(hit.similarity is not None for hit in hits), "every hit carries its cosine similarity"


def test_filters_restrict_both_indexes(loaded_kb):
    retriever = HybridRetriever(loaded_kb)
    question = "Do you encrypt data with AES-256?"
    assert {h.chunk.document_id for h in retriever.search(question, k=10)} >= {"security.md", "faq.csv"}
    only_csv = retriever.search(question, k=10, filters={"type": "csv"})
    assert {h.chunk.document_id for h in only_csv} == {"faq.csv"}
    some = retriever.search(question, k=10, filters={"type": ["markdown", "html"]}, document_ids=["sla.md"])
    assert {h.chunk.document_id for h in some} == {"sla.md"}
    assert retriever.search(question, k=10, filters={"type": "pdf"}) == []
    with pytest.raises(ValueError, match="cannot filter on 'secret'"):
        retriever.search(question, filters={"secret": "x"})


def test_chunks_no_document_owns_are_never_returned(loaded_kb, embedder):
    orphan = Chunk(
        id="orphan-1", document_id="ghost.md", text="We hold SOC 2 Type II certificates.", title="Ghost"
    )
    loaded_kb.dense.add([orphan], embedder.embed([orphan.text]))
    try:
        hits = HybridRetriever(loaded_kb).search("SOC 2 Type II certificates", k=10, mode="dense")
        assert hits
        assert "orphan-1" not in {hit.chunk.id for hit in hits}
    finally:
        loaded_kb.dense.delete(["orphan-1"])


def test_reranker_reorders_the_fused_candidates(loaded_kb):
    plain = HybridRetriever(loaded_kb, candidates=10).search("uptime commitment", k=10)
    reranker = RuleReranker("enterprise")
    reranked = HybridRetriever(loaded_kb, candidates=10, reranker=reranker).search("uptime commitment", k=3)
    assert reranker.seen == [("uptime commitment", len(plain))], "all fused candidates were scored once"
    assert "Enterprise" in reranked[0].chunk.text
    assert reranked[0].score == 1.0
    assert plain[0].chunk.id != reranked[0].chunk.id, "the rule changed the order"
    assert [h.score for h in reranked] == sorted((h.score for h in reranked), reverse=True)


class SignallingSearch:
    """The knowledge base's lexical index, announcing each search it ran."""

    def __init__(self, index, searched: threading.Event) -> None:
        self.index, self.searched = index, searched

    def search(self, text, k=10, document_ids=None):
        hits = self.index.search(text, k=k, document_ids=document_ids)
        self.searched.set()
        return hits


class EmbedsOnceLexicalRan(HybridRetriever):
    """Embeds the query only once the lexical search has run (or after 5 s): whether they overlapped."""

    def __init__(self, kb, searched: threading.Event) -> None:
        super().__init__(kb)
        self.lexical = SignallingSearch(self.lexical, searched)
        self.searched = searched
        self.overlapped: list[bool] = []

    def embed_query(self, text: str):
        self.overlapped.append(self.searched.wait(timeout=5))
        return super().embed_query(text)


def test_the_lexical_search_runs_while_the_query_is_embedded(loaded_kb):
    # Issue #16: at 100k chunks BM25 ran after the query embedding; now it runs beside it.
    retriever = EmbedsOnceLexicalRan(loaded_kb, threading.Event())
    hits = retriever.search("Which certifications like SOC 2 do you hold?", k=3)
    assert retriever.overlapped == [True]
    assert hits[0].chunk.heading == "Certifications"


@pytest.mark.parametrize("candidates", [2, 20])  # 2: fusion keeps hits only the lexical side found
@pytest.mark.parametrize("mode", ["hybrid", "lexical", "dense"])
def test_hits_are_the_same_whether_the_query_vector_is_given_or_computed(
    loaded_kb, embedder, mode, candidates
):
    retriever = HybridRetriever(loaded_kb, candidates=candidates)
    questions = ["Which certifications like SOC 2 do you hold?", "uptime commitment", "free trial", "AES-256"]
    for question in questions:
        computed = retriever.search(question, k=5, mode=mode)
        given = retriever.search(question, k=5, mode=mode, query_vector=embedder.embed([question])[0])
        assert computed, question
        assert [(h.chunk.id, h.score) for h in computed] == [(h.chunk.id, h.score) for h in given]
        assert [h.similarity for h in computed] == pytest.approx([h.similarity for h in given], abs=1e-6)


@pytest.mark.parametrize("mode", ["hybrid", "dense", "lexical"])
def test_an_empty_knowledge_base_returns_no_hits(kb, mode):
    assert HybridRetriever(kb).search("Which certifications do you hold?", mode=mode) == []


def test_cross_encoder_is_built_only_from_a_local_directory(tmp_path):
    assert build_reranker(None) is None
    with pytest.raises(FileNotFoundError, match="reranker model directory not found"):
        CrossEncoderReranker(str(tmp_path / "no-such-model"))


def test_metrics_rank_documents_by_first_chunk():
    hits = [_hit("a1"), _hit("a2"), _hit("b1"), _hit("c1")]
    assert document_ranking(hits) == ["a", "b", "c"]
    scores = score(
        [["a", "b", "c"], ["x", "y", "b"], ["q"]], [frozenset("b"), frozenset("b"), frozenset("z")]
    )
    assert scores.recall == {1: 0.0, 5: pytest.approx(2 / 3), 10: pytest.approx(2 / 3)}
    assert scores.mrr == pytest.approx((1 / 2 + 1 / 3) / 3)


def test_evaluate_retrieval_end_to_end(tmp_path, embedder, docs):
    dataset = tmp_path / "questions.jsonl"
    rows = [
        {"id": "1", "question": "How much does Growth cost per month?", "gold_sources": ["pricing.html"]},
        {"id": "2", "question": "Which ISO certificate do you hold?", "gold_sources": ["security.md"]},
        {"id": "3", "question": "What is the CEO's name?", "answerable": False, "gold_sources": []},
    ]
    dataset.write_text("\n".join(json.dumps(row) for row in rows) + "\n")
    assert [q.id for q in load_questions(dataset)] == ["1", "2"], "unanswerable questions are skipped"
    report = evaluate_retrieval(docs, dataset, settings=Settings(), embedder=embedder, home=tmp_path / "home")
    assert (report.questions, report.documents) == (2, 4)
    assert set(report.scores) == {"dense", "lexical", "hybrid"}
    assert report.scores["hybrid"].recall[1] == 1.0
    assert "| hybrid | 1.00 | 1.00 | 1.00 | 1.000 |" in report.table()
