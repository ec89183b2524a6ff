"""Query latency p50/p95 and recall@5 at 10k and 100k chunks: the lexical engines side by side, the dense
side, hybrid retrieval with each engine, and a LangChain retriever baseline, all in one run.

The store holds the real samsung-s10 manual (ingested for real, so recall@5 against the 50 annotated
questions' gold sections means something), grown with synthetic chunks (random unit vectors, text drawn
from the manual's vocabulary by `bench.synthetic.vocabulary`; written straight into Chroma, the registry
and FTS5, no embedding) as distractors. Queries are the 50 questions, embedded once with the real model.
Lexical options (issue #16: at 100k chunks the BM25 side must cost no more than the dense side):
- fts5: `LexicalIndex.search` as it is (a join on every matching row, then ORDER BY bm25 LIMIT k);
- fts5 shaped: the top k picked inside FTS5 before the join, and terms in over half the rows (whose IDF
  FTS5 clamps to ~0, so they only break ties) left out of the query;
- memory: `SparseIndex.search`, the in-memory BM25 (knowledge/sparse_index.py), the default engine;
- bm25s: the `bm25s` package (dev dependency) over title + heading + body with the same stemmer; no column
  weights and no incremental update (its build time is printed).
Then: dense alone, hybrid with the memory and the fts5 engine (all `HybridRetriever.search` with the query
vector given), and end to end (query embedding included) next to a plain LangChain retriever
(`langchain_chroma.Chroma(...).as_retriever()` over the same collection, `HuggingFaceEmbeddings` of the
same model: dense only, no fusion, no registry check).

    nice -n 5 .venv/bin/python bench/query.py [--sizes 10000 100000] [--rounds 4]

`--store DIR` keeps the store in DIR and reuses it on the next run (the ingest finds the manual unchanged
and the store is grown only to sizes it has not reached: a 100k store takes ~5 min to build); `--quick`
times only dense, hybrid and the end-to-end rows (no lexical engines side by side).

With `--backends embedded shared` it compares the stores instead, in one run on the same data: the
samsung-s10 manual ingested for real (embedded once; the shared store gets the same vectors by
`knowledge.copy`), then grown with the same synthetic chunks on both; at each size, recall@5 (documents,
as evals/retrieval.py scores it) and p50/p95 per mode: embedded = embedded Chroma + the SQLite rows searched
by the in-memory BM25 (the default) and by FTS5 itself, shared = the in-memory BM25 over PostgreSQL's rows
(the default) and PostgreSQL full-text + a Chroma server started here (`chroma run`) + the machine's PostgreSQL
(`LASTMILE_BENCH_POSTGRES_URL`, default postgresql+psycopg://postgres@127.0.0.1:5432/test, in a schema of
its own, dropped afterwards).

    .venv/bin/python bench/query.py --backends embedded shared --sizes 1000 10000 [--rounds 2]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path[0] = str(REPO)  # not bench/: its ingest.py would shadow the ingest package

from knowledge.embedder import hub_offline  # noqa: E402

hub_offline()

# On a 2-core machine shared with other work, torch's two intra-op threads stall whenever another
# process holds a core (measured here: one query 18 ms with 1 thread, 110-470 ms with 2; the same
# ingest 12 s or 8-30 s). One thread gives repeatable figures; 0 keeps torch's default.
THREADS_HELP = "torch CPU threads (default 1, see above; 0: torch's default)"

# The shared data folder beside the checkout; LASTMILE_EVALDATA points elsewhere (a git worktree).
EVALDATA = Path(os.environ.get("LASTMILE_EVALDATA", REPO.parent / "shared" / "evaldata")) / "samsung-s10"


def grow(kb, total: int, words: list[str], rng: np.random.Generator) -> None:
    """Add synthetic 10-chunk documents until the store holds `total` chunks (5,000 per Chroma write:
    small writes make building the 100k point several times slower)."""
    from knowledge.lexical_index import LexicalIndex
    from knowledge.registry import DocumentRegistry
    from knowledge.types import Chunk

    while (have := kb.dense.count()) < total:
        count = min(5000, total - have)
        chunks = [
            Chunk(
                id=f"syn-{i:07d}",
                document_id=f"synthetic/doc-{i // 10:06d}.md",
                text=" ".join(rng.choice(words, size=120)) + ".",
                title=f"Synthetic document {i // 10}",
                ordinal=i % 10,
            )
            for i in range(have, have + count)
        ]
        vectors = rng.standard_normal((count, kb.embedder.dimension)).astype(np.float32)
        kb.dense.add(chunks, vectors / np.linalg.norm(vectors, axis=1, keepdims=True))
        with kb.db.transaction() as conn:
            for start in range(0, count, 10):
                part = chunks[start : start + 10]
                doc = part[0].document_id
                DocumentRegistry.write(
                    conn, document_id=doc, content_hash=doc, title=part[0].title, type="markdown",
                    owner="bench", size_bytes=0, chunks=part,
                )  # fmt: skip
                LexicalIndex.write(conn, doc, part)
            kb.writer.bump(conn)


class ShapedFTS5:
    """FTS5 queried in a cheaper shape: top k chosen inside FTS5, then joined; near-universal terms out."""

    def __init__(self, db, tokenizer) -> None:
        self.db, self.tokenizer = db, tokenizer
        with db.transaction() as conn:
            conn.execute(
                "CREATE VIRTUAL TABLE IF NOT EXISTS temp.bench_vocab USING fts5vocab(main, chunks_fts, 'row')"
            )
        rows = int(db.query("SELECT COUNT(*) FROM chunks_fts")[0][0])
        self.common = {
            r[0] for r in db.query("SELECT term FROM temp.bench_vocab WHERE doc > ?", (rows // 2,))
        }

    def search(self, text: str, k: int) -> list[str]:
        from knowledge.lexical_index import fts_query

        terms = [t.strip('"') for t in fts_query(text).split(" OR ") if t]
        kept = [t for t in terms if not set(self.tokenizer.stems(self.tokenizer.words(t))) <= self.common]
        if not kept:
            return []
        rows = self.db.query(
            "SELECT f.document_id FROM (SELECT rowid, bm25(chunks_fts, 0, 0, 2.0, 1.5, 1.0) AS score "
            "FROM chunks_fts WHERE chunks_fts MATCH ? ORDER BY score LIMIT ?) r "
            "JOIN chunks c ON c.seq = r.rowid JOIN chunks_fts f ON f.rowid = r.rowid ORDER BY r.score",
            (" OR ".join(f'"{t}"' for t in kept), k),
        )
        return [row[0] for row in rows]


class Bm25s:
    """The bm25s package over the same rows (rebuilt from scratch: it has no incremental update)."""

    def __init__(self, db) -> None:
        import bm25s
        import Stemmer

        self.bm25s, self.stemmer = bm25s, Stemmer.Stemmer("porter")
        rows = db.query("SELECT document_id, title, heading, body FROM chunks_fts")
        self.documents = [row[0] for row in rows]
        started = time.perf_counter()
        tokens = bm25s.tokenize(
            [f"{row[1]} {row[2]} {row[3]}" for row in rows],
            stopwords="en",
            stemmer=self.stemmer,
            show_progress=False,
        )
        self.retriever = bm25s.BM25()
        self.retriever.index(tokens, show_progress=False)
        self.build_s = time.perf_counter() - started

    def search(self, text: str, k: int) -> list[str]:
        tokens = self.bm25s.tokenize([text], stopwords="en", stemmer=self.stemmer, show_progress=False)
        found, _ = self.retriever.retrieve(tokens, k=k, show_progress=False)
        return [self.documents[i] for i in found[0]]


def percentiles(samples: list[float]) -> str:
    p50, p95 = np.percentile(np.array(samples) * 1000, [50, 95])
    return f"p50 {p50:6.1f} ms  p95 {p95:6.1f} ms"


def timed(call, items) -> list[float]:
    for item in items[:5]:  # warm-up: caches, first HNSW load
        call(item)
    samples = []
    for item in items:
        started = time.perf_counter()
        call(item)
        samples.append(time.perf_counter() - started)
    return samples


BENCH_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def compare_backends(args, embedder) -> None:
    import uuid
    from urllib.parse import quote

    import psycopg

    from assistant.settings import Settings
    from assistant.wiring import build_knowledge, build_syncer
    from bench.synthetic import vocabulary
    from evals.retrieval import CANDIDATE_CHUNKS, document_ranking, load_questions, score
    from knowledge.chroma_server import ChromaServer
    from knowledge.copy import copy_knowledge
    from knowledge.pg_lock import libpq_url
    from knowledge.retriever import HybridRetriever

    questions = load_questions(args.evaldata / "questions.jsonl")
    vectors = embedder.embed([q.text for q in questions])
    words = vocabulary(args.evaldata / "kb")
    postgres = os.environ.get("LASTMILE_BENCH_POSTGRES_URL", BENCH_POSTGRES)
    schema = f"lastmile_bench_{uuid.uuid4().hex[:10]}"
    with tempfile.TemporaryDirectory(prefix="lastmile-bench-backends-") as scratch:
        with psycopg.connect(libpq_url(postgres), autocommit=True) as admin:
            admin.execute(f'CREATE SCHEMA "{schema}"')
        server = ChromaServer(Path(scratch) / "chroma-server")
        try:
            embedded = build_knowledge(Settings(home=Path(scratch) / "embedded"), embedder=embedder)
            started = time.perf_counter()
            report = build_syncer(Settings(home=Path(scratch) / "embedded"), embedded).sync(
                [args.evaldata / "kb"]
            )
            print(f"samsung-s10 ingested: {report.chunks} chunks in {time.perf_counter() - started:.0f} s")
            shared_settings = Settings(
                home=Path(scratch) / "shared",
                chroma_url=server.url,
                database_url=f"{postgres}?options={quote(f'-csearch_path={schema}')}",
            )
            shared = build_knowledge(shared_settings, embedder=embedder)
            started = time.perf_counter()
            copy_knowledge(embedded, shared)
            print(f"copied to the shared stores in {time.perf_counter() - started:.0f} s (no embedding)")
            stores = {"embedded": embedded, "shared": shared}
            print("\n| chunks | backend | mode | recall@5 | p50 ms | p95 ms |\n|---|---|---|---|---|---|")
            for size in sorted(args.sizes):
                for name in args.backends:
                    kb = stores[name]
                    started = time.perf_counter()
                    grow(kb, size, words, np.random.default_rng(size))  # the same chunks on both
                    grown_s = time.perf_counter() - started
                    print(f"| {kb.dense.count():,} | {name} | grown in {grown_s:.0f} s | | | |")
                    # the default in-memory BM25 over the store's rows, then the store of record's own
                    # search: FTS5 (embedded) or PostgreSQL full text with ts_rank (shared)
                    engines = ("memory", "fts5") if name == "embedded" else ("memory", "postgres")
                    pairs = list(zip(questions, vectors, strict=True))
                    for engine, mode in [(engines[0], "dense")] + [
                        (e, m) for e in engines for m in ("lexical", "hybrid")
                    ]:
                        retriever = HybridRetriever(
                            kb, lexical_engine="memory" if engine == "memory" else "fts5"
                        )
                        label = mode if mode == "dense" else f"{mode} ({engine})"
                        rankings = [
                            document_ranking(
                                retriever.search(q.text, k=CANDIDATE_CHUNKS, mode=mode, query_vector=v)
                            )
                            for q, v in pairs
                        ]
                        recall = score(rankings, [q.gold for q in questions]).recall[5]
                        samples = timed(
                            lambda p, m=mode, r=retriever: r.search(
                                p[0].text, k=5, mode=m, query_vector=p[1]
                            ),
                            pairs * args.rounds,
                        )
                        p50, p95 = np.percentile(np.array(samples) * 1000, [50, 95])
                        print(
                            f"| {kb.dense.count():,} | {name} | {label} | {recall:.2f} | {p50:.1f} | {p95:.1f} |"
                        )
            for kb in stores.values():
                kb.close()
        finally:
            server.stop()
            with psycopg.connect(libpq_url(postgres), autocommit=True) as admin:
                admin.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def recall_at_5(search, questions) -> float:
    """Share of questions with a gold section among the top 5 results' documents."""
    found = 0
    for question in questions:
        documents = search(question.text)
        found += any(gold in documents for gold in question.gold)
    return found / len(questions)


def lexical_engines(kb, pairs, labelled, questions, documents) -> None:
    """Each lexical engine's latency and recall@5, and whether the in-memory index ranks as FTS5 does."""
    shaped, other = ShapedFTS5(kb.db, kb.sparse.tokenizer), Bm25s(kb.db)
    print(f"  bm25s index build {other.build_s:.1f} s")
    lexical = {
        "fts5": lambda q: documents(kb.lexical.search(q, k=5)),
        "fts5 shaped": lambda q, s=shaped: s.search(q, 5),
        "memory": lambda q: documents(kb.sparse.search(q, k=5)),
        "bm25s": lambda q, o=other: o.search(q, 5),
    }
    for name, search in lexical.items():
        samples = timed(lambda p, s=search: s(p[0]), pairs)
        print(f"  lexical {name:<12} {percentiles(samples)}  recall@5 {recall_at_5(search, labelled):.2f}")
    same = sum(
        [h.chunk.id for h in kb.sparse.search(q, k=5)] == [h.chunk.id for h in kb.lexical.search(q, k=5)]
        for q in questions
    )
    print(
        f"  memory and fts5 return the same top 5 chunks, in order, for {same} of {len(questions)} questions"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--rounds", type=int, default=4, help="times each question is asked per option")
    parser.add_argument("--threads", type=int, default=1, help=THREADS_HELP)
    parser.add_argument(
        "--backends",
        nargs="+",
        choices=["embedded", "shared"],
        help="compare the stores on the same data (recall@5 and latency) instead of the LangChain baseline",
    )
    parser.add_argument("--evaldata", type=Path, default=EVALDATA, help="the samsung-s10 folder")
    parser.add_argument("--store", type=Path, help="keep the store here and reuse it (see above)")
    parser.add_argument("--quick", action="store_true", help="dense, hybrid and end to end only")
    args = parser.parse_args()
    if args.threads:
        import torch

        torch.set_num_threads(args.threads)
    if args.backends:
        from knowledge.embedder import SentenceTransformerEmbedder

        compare_backends(args, SentenceTransformerEmbedder())
        return

    from langchain_chroma import Chroma
    from langchain_huggingface import HuggingFaceEmbeddings

    from assistant.settings import Settings
    from assistant.wiring import build_syncer
    from bench.synthetic import vocabulary
    from evals.retrieval import load_questions
    from knowledge.base import open_knowledge
    from knowledge.embedder import SentenceTransformerEmbedder, default_model_path
    from knowledge.retriever import HybridRetriever

    embedder = SentenceTransformerEmbedder()
    baseline_embeddings = HuggingFaceEmbeddings(
        model_name=default_model_path(),
        model_kwargs={"device": "cpu", "local_files_only": True},
        encode_kwargs={"normalize_embeddings": True},
    )
    words = vocabulary(args.evaldata / "kb")  # 120-word chunks drawn from the manual's 5,000 commonest words
    rng = np.random.default_rng(7)
    labelled = load_questions(args.evaldata / "questions.jsonl")
    questions = [q.text for q in labelled]
    vectors = dict(zip(questions, embedder.embed(questions), strict=True))
    pairs = [(q, vectors[q]) for q in questions] * args.rounds
    with tempfile.TemporaryDirectory(prefix="lastmile-bench-query-") as scratch:
        home = args.store or Path(scratch) / "home"
        kb = open_knowledge(home, embedder)
        started = time.perf_counter()
        build_syncer(Settings(home=home), kb).sync([args.evaldata / "kb"])
        print(f"samsung-s10 ingested: {kb.dense.count():,} chunks in {time.perf_counter() - started:.0f} s")
        for size in sorted(args.sizes):
            started = time.perf_counter()
            grow(kb, size, words, rng)  # one store grows: 10k, then 100k
            print(
                f"\n{kb.dense.count():,} chunks (grown in {time.perf_counter() - started:.0f} s, no embedding)"
            )
            started = time.perf_counter()
            kb.sparse.refresh()
            print(
                f"  in-memory index (re)load {time.perf_counter() - started:.1f} s, {len(kb.sparse):,} rows"
            )

            def documents(hits):
                return [hit.chunk.document_id for hit in hits]

            if not args.quick:
                lexical_engines(kb, pairs, labelled, questions, documents)
            memory, fts5 = HybridRetriever(kb), HybridRetriever(kb, lexical_engine="fts5")
            options = {
                "dense": lambda p, r=memory: r.search(p[0], k=5, mode="dense", query_vector=p[1]),
                "hybrid (memory)": lambda p, r=memory: r.search(p[0], k=5, query_vector=p[1]),
                "hybrid (fts5)": lambda p, r=fts5: r.search(p[0], k=5, query_vector=p[1]),
            }
            if args.quick:
                del options["hybrid (fts5)"]
            for name, search in options.items():
                samples = timed(search, pairs)
                recall = recall_at_5(lambda q, s=search: documents(s((q, vectors[q]))), labelled)
                print(f"  {name:<20} {percentiles(samples)}  recall@5 {recall:.2f}")
            baseline = Chroma(
                client=kb.dense.client,
                collection_name="lastmile_chunks",
                embedding_function=baseline_embeddings,
            ).as_retriever(search_kwargs={"k": 5})
            # Each round times the three in turn, so a drift in machine speed hits them alike.
            embedding, ours, theirs = [], [], []
            for _ in range(args.rounds):
                embedding += timed(lambda q: embedder.embed([q]), questions)
                ours += timed(lambda q, r=memory: r.search(q, k=5), questions)
                theirs += timed(baseline.invoke, questions)
            print(f"  query embedding alone                  {percentiles(embedding)}")
            recall = recall_at_5(lambda q, r=memory: documents(r.search(q, k=5)), labelled)
            print(f"  end to end, hybrid + query embedding   {percentiles(ours)}  recall@5 {recall:.2f}")
            recall = recall_at_5(
                lambda q, b=baseline: [d.metadata["document_id"] for d in b.invoke(q)], labelled
            )
            print(f"  baseline: LangChain Chroma retriever   {percentiles(theirs)}  recall@5 {recall:.2f}")
        kb.close()


if __name__ == "__main__":
    main()
