"""Per-turn latency of the offline reply pipeline on a 10k-chunk store, beside a plain LangChain
retrieval chain (retriever + stuff) on the same Chroma collection and the same embedding model.

    .venv/bin/python -m bench.turn [--chunks 10000] [--questions 60]

The baseline is the textbook LCEL chain: a langchain-chroma retriever (k=5, HuggingFaceEmbeddings on the
same all-MiniLM-L6-v2 files) whose documents are stuffed into a prompt. With no LLM offline, the chain
ends at the stuffed prompt: it measures what the baseline does before an LLM, which is all the offline
pipeline does too (plus classification, lexical retrieval, fusion, evidence, grounding and confidence).
Only same-run ratios mean anything: this machine's speed drifts up to 3x within a day.

Issue #16's budget: per-turn p95 within 1.5x the plain chain's, and everything after the query embedding
and the two searches (classification, fusion, evidence, composition, grounding, confidence, decision)
at most 10 ms p50. So each question is also timed in its parts, in the same loop: the message's embedding
and `HybridRetriever.search` (dense + lexical + fusion + trust filter) alone; the overhead is the turn
minus those two, per question. The evidence scorer (answer_first) is timed beside it, on and off.

    nice -n 5 .venv/bin/python -m bench.turn [--chunks 10000] [--questions 60]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "knowledge" / "samples"
QUESTIONS = REPO / "evals" / "data" / "sample_questions.jsonl"
SAMSUNG = REPO.parent / "shared" / "evaldata" / "samsung-s10" / "kb"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def overheads(assistant, questions: list[str]) -> tuple[list[float], list[float], list[float]]:
    """Per question: the turn, its embedding + searches, and the rest (turn minus the two), in ms."""
    retriever, embedder = assistant.retriever, assistant.embedder
    turns, parts, rest = [], [], []
    for question in questions:
        started = time.perf_counter()
        vector = embedder.embed([question])[0]
        retriever.search(question, k=assistant.top_k, query_vector=vector)
        middle = time.perf_counter()
        assistant.ask(question)
        ended = time.perf_counter()
        turns.append((ended - middle) * 1000)
        parts.append((middle - started) * 1000)
        rest.append(turns[-1] - parts[-1])
    return turns, parts, rest


def timed(function, questions: list[str]) -> list[float]:
    for question in questions[:3]:  # warm caches and lazy imports
        function(question)
    latencies = []
    for question in questions:
        start = time.perf_counter()
        function(question)
        latencies.append((time.perf_counter() - start) * 1000)
    return latencies


def langchain_chain(settings, kb, model_path: str):
    from langchain_chroma import Chroma
    from langchain_core.prompts import ChatPromptTemplate
    from langchain_core.runnables import RunnableLambda, RunnablePassthrough
    from langchain_huggingface import HuggingFaceEmbeddings

    embeddings = HuggingFaceEmbeddings(
        model_name=model_path, model_kwargs={"device": "cpu"}, encode_kwargs={"normalize_embeddings": True}
    )
    # The same collection through the same client (Chroma allows one client per directory and settings).
    store = Chroma(collection_name=settings.collection, embedding_function=embeddings, client=kb.dense.client)
    prompt = ChatPromptTemplate.from_messages(
        [("system", "Answer from the context only.\n\n{context}"), ("human", "{question}")]
    )

    def stuff(documents) -> str:
        return "\n\n".join(document.page_content for document in documents)

    chain = {"context": store.as_retriever(search_kwargs={"k": 5}) | stuff, "question": RunnablePassthrough()}
    return chain | prompt | RunnableLambda(lambda value: value.to_string())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chunks", type=int, default=10_000)
    parser.add_argument("--questions", type=int, default=60)
    args = parser.parse_args()

    from assistant.settings import Settings
    from assistant.wiring import build_assistant, build_knowledge, build_syncer
    from bench.synthetic import fill, vocabulary
    from knowledge.embedder import default_model_path

    questions = [json.loads(line)["question"] for line in QUESTIONS.read_text().splitlines() if line.strip()]
    questions = questions[: args.questions]
    with tempfile.TemporaryDirectory() as home:
        settings = Settings(home=Path(home))
        kb = build_knowledge(settings)
        build_syncer(settings, kb).sync([SAMPLES])
        words = vocabulary(SAMSUNG) if SAMSUNG.exists() else vocabulary(SAMPLES)
        fill(kb, total_chunks=args.chunks, words=words)
        assistant = build_assistant(settings, kb=kb)
        scored = build_assistant(settings.model_copy(update={"answer_first": True}), kb=kb)
        chain = langchain_chain(settings, kb, default_model_path())

        results = {}
        # Interleave them so a drift in machine speed hits all alike.
        ours, baseline, with_scorer, rest, searches, rest_scored = [], [], [], [], [], []
        for _ in range(2):
            ours += timed(assistant.ask, questions)
            baseline += timed(chain.invoke, questions)
            with_scorer += timed(scored.ask, questions)
            _, parts, others = overheads(assistant, questions)
            searches += parts
            rest += others
            rest_scored += overheads(scored, questions)[2]
        for name, values in (
            ("lastmile offline pipeline", ours),
            ("langchain retriever+stuff", baseline),
            ("lastmile + evidence scorer", with_scorer),
            ("  embedding + 2 searches", searches),
            ("  the rest of the turn", rest),
            ("  the rest, with scorer", rest_scored),
        ):
            results[name] = {"p50_ms": percentile(values, 0.5), "p95_ms": percentile(values, 0.95)}
        print(
            f"store: {kb.dense.count():,} chunks; {len(questions)} questions x 2 rounds; cpu: {os.cpu_count()}"
        )
        for name, figures in results.items():
            print(f"{name:<28} p50 {figures['p50_ms']:7.1f} ms   p95 {figures['p95_ms']:7.1f} ms")
        ours_p, theirs_p = results["lastmile offline pipeline"], results["langchain retriever+stuff"]
        print(
            f"ratio (lastmile / baseline) p50: {ours_p['p50_ms'] / theirs_p['p50_ms']:.2f}x, "
            f"p95: {ours_p['p95_ms'] / theirs_p['p95_ms']:.2f}x (target <= 1.5x); "
            f"mean {statistics.mean(ours):.1f} vs {statistics.mean(baseline):.1f} ms"
        )
        print(
            f"overhead beyond embedding + searches p50: {results['  the rest of the turn']['p50_ms']:.1f} ms "
            f"(target <= 10 ms); with the evidence scorer "
            f"{results['  the rest, with scorer']['p50_ms']:.1f} ms"
        )


if __name__ == "__main__":
    main()
