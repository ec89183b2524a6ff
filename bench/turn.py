"""Per-turn latency of the offline reply pipeline on a 10k-chunk store, beside a plain LangChain
retrieval chain (retriever + stuff) on the same Chroma collection and the same embedding model.

    .venv/bin/python -m bench.turn [--chunks 10000] [--questions 60]

The baseline is the textbook LCEL chain: a langchain-chroma retriever (k=5, HuggingFaceEmbeddings on the
same all-MiniLM-L6-v2 files) whose documents are stuffed into a prompt. With no LLM offline, the chain
ends at the stuffed prompt: it measures what the baseline does before an LLM, which is all the offline
pipeline does too (plus classification, lexical retrieval, fusion, evidence, grounding and confidence).
Only same-run ratios mean anything: this machine's speed drifts up to 3x within a day.
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
        chain = langchain_chain(settings, kb, default_model_path())

        results = {}
        # Interleave the two so a drift in machine speed hits both alike.
        ours, baseline = [], []
        for _ in range(2):
            ours += timed(assistant.ask, questions)
            baseline += timed(chain.invoke, questions)
        for name, values in (("lastmile offline pipeline", ours), ("langchain retriever+stuff", baseline)):
            results[name] = {"p50_ms": percentile(values, 0.5), "p95_ms": percentile(values, 0.95)}
        print(
            f"store: {kb.dense.count():,} chunks; {len(questions)} questions x 2 rounds; cpu: {os.cpu_count()}"
        )
        for name, figures in results.items():
            print(f"{name:<28} p50 {figures['p50_ms']:7.1f} ms   p95 {figures['p95_ms']:7.1f} ms")
        ratio = (
            results["lastmile offline pipeline"]["p50_ms"] / results["langchain retriever+stuff"]["p50_ms"]
        )
        print(
            f"ratio (lastmile / baseline) p50: {ratio:.2f}x  mean {statistics.mean(ours):.1f} vs {statistics.mean(baseline):.1f} ms"
        )


if __name__ == "__main__":
    main()
