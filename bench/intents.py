"""What intent classification adds to a turn, next to the embedding it reuses, measured in one run.

    .venv/bin/python -m bench.intents [--messages 1000] [--embeds 200] [--json]

The pipeline embeds the query once for retrieval and hands the vector to the classifier, so a turn's
extra cost is `classify(text, vector)`: the word features plus five dot products and a sigmoid. The
baseline is the embedding of one message (the cost the classifier does not repeat), timed in the same
process on the same messages, since this machine's speed varies over a day.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from collections.abc import Callable

import numpy as np

from knowledge.embedder import hub_offline


def percentiles_ms(seconds: list[float]) -> dict[str, float]:
    values = np.asarray(seconds) * 1000
    return {
        "p50_ms": round(float(np.percentile(values, 50)), 4),
        "p95_ms": round(float(np.percentile(values, 95)), 4),
        "mean_ms": round(float(values.mean()), 4),
    }


def timed(call: Callable[[], object]) -> float:
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def run(messages: int, embeds: int) -> dict:
    hub_offline()
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    from assistant.intent_model import LogRegIntentClassifier
    from evals.intents import SPLITS, load_split
    from knowledge.embedder import SentenceTransformerEmbedder

    embedder = SentenceTransformerEmbedder()
    classifier = LogRegIntentClassifier.load(embedder=embedder)
    pool = [example.text for split in SPLITS for example in load_split(split)]
    texts = [pool[i % len(pool)] for i in range(messages)]
    vectors = embedder.embed(texts)  # precomputed, as the pipeline's query vector is

    for text, vector in zip(texts[:50], vectors[:50], strict=True):  # warm-up
        classifier.classify(text, vector)
    classify = [
        timed(lambda t=t, v=v: classifier.classify(t, v)) for t, v in zip(texts, vectors, strict=True)
    ]
    words = [timed(lambda t=t: classifier.model.words.transform(t)) for t in texts]

    for text in texts[:5]:  # warm-up
        embedder.embed([text])
    embed = [timed(lambda t=t: embedder.embed([t])) for t in texts[:embeds]]

    result = {
        "classifier": classifier.name,
        "messages": messages,
        "classify_given_vector": percentiles_ms(classify),
        "of_which_word_features": percentiles_ms(words),
        "embed_one_message": percentiles_ms(embed) | {"messages": embeds},
    }
    result["ratio_p50_classify_to_embed"] = round(
        result["classify_given_vector"]["p50_ms"] / result["embed_one_message"]["p50_ms"], 4
    )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.intents", description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=1000, help="messages classified (default 1000)")
    parser.add_argument("--embeds", type=int, default=200, help="single-message embeddings timed")
    parser.add_argument("--json", action="store_true", help="print JSON")
    args = parser.parse_args()
    result = run(args.messages, args.embeds)
    if args.json:
        print(json.dumps(result, indent=2))
        return
    c, w, e = result["classify_given_vector"], result["of_which_word_features"], result["embed_one_message"]
    print(f"{result['classifier']}, {result['messages']} messages")
    print(f"classify(text, vector)   p50 {c['p50_ms']:.3f} ms   p95 {c['p95_ms']:.3f} ms")
    print(f"  of which word features p50 {w['p50_ms']:.3f} ms   p95 {w['p95_ms']:.3f} ms")
    print(
        f"embed one message        p50 {e['p50_ms']:.3f} ms   p95 {e['p95_ms']:.3f} ms  ({e['messages']} messages)"
    )
    print(f"classify / embed (p50)   {result['ratio_p50_classify_to_embed']:.4f}")


if __name__ == "__main__":
    main()
