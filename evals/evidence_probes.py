"""Two probes for the evidence scorer's AUC target (#12), kept so their figures can be reproduced; neither
is shipped (docs/evidence.md, "Tried for the AUC target, token level").

    python -m evals.evidence_probes late-interaction   # token MaxSim features, 5-fold CV (~3 min)
    python -m evals.evidence_probes cross-encoder      # fine-tune a cross-encoder, ePQA dev (~15 min)

Both read ePQA in place and touch only ePQA train + dev and the team dev split; the test splits are not read.

- late-interaction: the frozen all-MiniLM-L6-v2 token vectors of question and sentence, compared token by
  token (ColBERT's MaxSim, no training): each question token's best cosine against the sentence's tokens,
  averaged plainly and IDF-weighted, and four more summaries. They are added to the shipped answer
  features and measured by the same 5-fold cross-validation by product / document as docs/evidence.md.
- cross-encoder: all-MiniLM-L6-v2 fine-tuned as a cross-encoder (question, context: sentence) -> answers,
  on ePQA train only (BCE, AdamW 4e-5, 2 epochs, batch 16, seed 0), scored on ePQA dev alone and blended
  with the shipped scorer's logit. Writes nothing to the repository.
"""

from __future__ import annotations

import argparse
import math
import random
import re
from collections import Counter
from collections.abc import Sequence

import numpy as np

from assistant.evidence_features import SCALAR_NAMES
from assistant.evidence_scorer import EvidenceModel, LinearHead, LogRegEvidenceScorer
from assistant.evidence_training import (
    DEAD_COLUMN_STD,
    LabelledSet,
    TrainParams,
    answer_targets,
    featurise,
    fold_of,
)
from evals import answer_sentences, epqa
from evals.embedding_cache import EmbeddingCache
from evals.evidence_eval import TEAM_WEIGHT, epqa_sets, precision_at_1, roc_auc, score_sets
from knowledge.embedder import SentenceTransformerEmbedder, default_model_path

LATE_NAMES = ("mean", "idf_mean", "share_above_0.8", "min", "sentence_mean", "median")
_FILLER = "the a an is it of to and or in on for with this that does do can i my be will are what how there"


class TokenVectors:
    """Unit-length contextual token vectors of texts under the frozen embedder (no pooling)."""

    def __init__(self, embedder: SentenceTransformerEmbedder, max_length: int = 128) -> None:
        self.tokenizer = embedder.model.tokenizer
        self._model = embedder.model[0].auto_model
        self.max_length = max_length
        self._vectors: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        vocabulary = self.tokenizer.get_vocab()
        self.skip_in_question = set(self.tokenizer.all_special_ids) | {
            i for word, i in vocabulary.items() if re.fullmatch(r"[^\w]+", word)
        }
        self.skip_in_sentence = set(self.skip_in_question)
        self.skip_in_question |= set(self.tokenizer.convert_tokens_to_ids(_FILLER.split()))

    def add(self, texts: Sequence[str], batch: int = 64) -> None:
        import torch

        missing = [t for t in dict.fromkeys(texts) if t not in self._vectors]
        with torch.no_grad():
            for start in range(0, len(missing), batch):
                part = missing[start : start + batch]
                encoded = self.tokenizer(
                    part, padding=True, truncation=True, max_length=self.max_length, return_tensors="pt"
                )
                hidden = self._model(**encoded).last_hidden_state
                for row, text in enumerate(part):
                    mask = encoded["attention_mask"][row].bool()
                    vectors = hidden[row][mask].numpy()
                    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
                    self._vectors[text] = (
                        encoded["input_ids"][row][mask].numpy(),
                        vectors.astype(np.float32),
                    )

    def __getitem__(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        return self._vectors[text]


def late_interaction(
    question: str, sentence: str, tokens: TokenVectors, idf: dict[int, float]
) -> list[float]:
    """MaxSim summaries of question against sentence (LATE_NAMES)."""
    q_ids, q_vectors = tokens[question]
    s_ids, s_vectors = tokens[sentence]
    q_keep = np.array([i not in tokens.skip_in_question for i in q_ids])
    s_keep = np.array([i not in tokens.skip_in_sentence for i in s_ids])
    if not q_keep.any() or not s_keep.any():
        return [0.0] * len(LATE_NAMES)
    similarity = q_vectors[q_keep] @ s_vectors[s_keep].T
    best = similarity.max(axis=1)
    weights = np.array([idf.get(int(i), 0.0) for i in q_ids[q_keep]]) + 1e-9
    return [
        float(best.mean()),
        float((best * weights).sum() / weights.sum()),
        float((best > 0.8).mean()),
        float(best.min()),
        float(similarity.max(axis=0).mean()),
        float(np.median(best)),
    ]


def _cv_figures(rows: np.ndarray, vector_mask: np.ndarray, data, sets: Sequence[LabelledSet]) -> dict:
    """5-fold CV by product / document of the answer head (TrainParams' C and vector scale)."""
    from sklearn.linear_model import LogisticRegression

    params = TrainParams()
    _all_rows, targets, weights = answer_targets(data, params.partly)  # "negative": every row kept
    folds = np.array([fold_of(sets[i].group, params.folds) for i in data.set_index])
    predicted = np.zeros(len(targets))
    for k in range(params.folds):
        fit = folds != k
        mean, scale = rows[fit].mean(axis=0), rows[fit].std(axis=0)
        dead = scale < DEAD_COLUMN_STD
        scale[dead] = 1.0
        scale[vector_mask] /= params.answer_vector_scale
        scaled = np.where(dead, 0.0, (rows - mean) / scale)
        model = LogisticRegression(C=params.answer_C, max_iter=5000)
        model.fit(scaled[fit], targets[fit], sample_weight=weights[fit])
        predicted[~fit] = model.decision_function(scaled[~fit])
    team = np.array([sets[i].weight != 1.0 for i in data.set_index])
    figures = {}
    for name, mask in (("epqa", ~team), ("team", team)):
        indices = np.unique(data.set_index[mask])
        values = [predicted[data.set_index == i] for i in indices]
        labels = [data.labels[data.set_index == i] for i in indices]
        figures[name] = {
            "p_at_1": round(precision_at_1(values, labels)[0], 3),
            "auc": round(roc_auc(values, labels), 4),
        }
    return figures


def late_interaction_probe() -> None:
    embedder = SentenceTransformerEmbedder()
    cache = EmbeddingCache(embedder)
    questions = epqa.load_epqa(epqa.DEFAULT_EPQA)
    sets = epqa_sets(epqa.split(questions, "train") + epqa.split(questions, "dev"), cache.embed)
    sets += answer_sentences.labelled_sets("dev", cache.embed, weight=TEAM_WEIGHT)
    tokens = TokenVectors(embedder)
    tokens.add([s.question for s in sets] + [c.sentence for s in sets for c in s.candidates])
    document_frequency: Counter[int] = Counter()
    for s in sets:
        for c in s.candidates:
            document_frequency.update(set(tokens[c.sentence][0].tolist()))
    total = sum(len(s.candidates) for s in sets)
    idf = {i: math.log((total + 1) / (n + 1)) for i, n in document_frequency.items()}
    params = TrainParams()
    shape = EvidenceModel(
        "probe",
        LinearHead(params.answer_blocks, np.zeros(0), 0.0),
        LinearHead(params.polarity_blocks, np.zeros(0), 0.0),
        1.01,
        -0.01,
        384,
    )
    data = featurise(sets, shape)
    late = np.array(
        [late_interaction(s.question, c.sentence, tokens, idf) for s in sets for c in s.candidates]
    )
    vector_mask = np.arange(data.answer.shape[1]) >= len(SCALAR_NAMES)
    print("shipped features", _cv_figures(data.answer, vector_mask, data, sets))
    for columns in ([0], [1], list(range(len(LATE_NAMES)))):
        rows = np.hstack([late[:, columns], data.answer])
        mask = np.concatenate([np.zeros(len(columns), bool), vector_mask])
        print("+", [LATE_NAMES[c] for c in columns], _cv_figures(rows, mask, data, sets))


def cross_encoder_probe(epochs: int = 2, max_length: int = 96, batch: int = 16) -> None:
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    torch.manual_seed(0)
    shuffle = random.Random(0)
    tokenizer = AutoTokenizer.from_pretrained(default_model_path())
    model = AutoModelForSequenceClassification.from_pretrained(default_model_path(), num_labels=1)
    questions = epqa.load_epqa(epqa.DEFAULT_EPQA)

    def pairs(split: str) -> list[tuple[str, str, float]]:
        return [
            (q.question, f"{c.context}: {c.sentence}" if c.context else c.sentence, float(c.label == 2))
            for q in epqa.split(questions, split)
            for c in q.candidates
        ]

    def logits(rows: list[tuple[str, str, float]]) -> torch.Tensor:
        encoded = tokenizer(
            [r[0] for r in rows], [r[1] for r in rows], padding=True, truncation=True,
            max_length=max_length, return_tensors="pt",
        )  # fmt: skip
        return model(**encoded).logits[:, 0]

    train, dev = pairs("train"), pairs("dev")
    optimiser = torch.optim.AdamW(model.parameters(), lr=4e-5, weight_decay=0.01)
    steps = epochs * math.ceil(len(train) / batch)
    warmup = 0.1 * steps
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda s: s / warmup if s < warmup else max(0.0, (steps - s) / (steps - warmup))
    )
    loss_of = torch.nn.BCEWithLogitsLoss()
    dev_sets = epqa_sets(epqa.split(questions, "dev"), EmbeddingCache(SentenceTransformerEmbedder()).embed)
    shipped = np.concatenate(
        [
            [math.log(s.answers / (1 - s.answers)) for s in row]
            for row in score_sets(LogRegEvidenceScorer.load(), dev_sets)
        ]
    )
    sizes = np.cumsum([len(s.labels) for s in dev_sets])[:-1]
    labels = [s.labels for s in dev_sets]
    for epoch in range(epochs):
        model.train()
        order = list(range(len(train)))
        shuffle.shuffle(order)
        for start in range(0, len(order), batch):
            rows = [train[i] for i in order[start : start + batch]]
            loss = loss_of(logits(rows), torch.tensor([r[2] for r in rows]))
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimiser.step()
            schedule.step()
            optimiser.zero_grad()
        model.eval()
        with torch.no_grad():
            scores = np.concatenate([logits(dev[i : i + 64]).numpy() for i in range(0, len(dev), 64)])
        for weight in (0.0, 0.1, 0.2, 0.3, 0.5, 1.0):
            blend = (1 - weight) * shipped / shipped.std() + weight * scores / scores.std()
            values = np.split(blend, sizes)
            print(
                f"epoch {epoch} cross-encoder weight {weight}: ePQA dev P@1 "
                f"{precision_at_1(values, labels)[0]:.3f} AUC {roc_auc(values, labels):.4f}"
            )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("probe", choices=("late-interaction", "cross-encoder"))
    args = parser.parse_args(argv)
    late_interaction_probe() if args.probe == "late-interaction" else cross_encoder_probe()


if __name__ == "__main__":
    main()
