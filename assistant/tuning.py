"""The tuned numbers of the reply pipeline, in one frozen object, each with the reason it has its value.

Calibration (`lastmile eval --calibrate`) and experiments build a `Tuning` with other values and pass it to
the `Assistant`; nothing else reads these numbers from module globals. Values were measured on the sample
set's questions (evals/data/sample_questions.jsonl) and samsung-s10 unless a comment says otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Tuning:
    # --- confidence ---------------------------------------------------------------------------------
    # all-MiniLM-L6-v2 cosine of a question and an unrelated passage stays below ~0.20 on the sample set.
    similarity_floor: float = 0.20
    # ... and a passage that answers scores 0.20 + 0.45 or more: retrieval counts as fully strong there.
    similarity_span: float = 0.45
    # Retrieval strength and evidence coverage weigh alike: neither predicted correct answers better alone
    # (confidence AUC 0.77 with both, lower with either, docs/answers.md).
    retrieval_weight: float = 0.5
    # With nothing composed, confidence stays under every threshold we have calibrated (0.45 to 0.5).
    nothing_composed_cap: float = 0.15
    # A confirmation the documents do not settle is never answered on confidence alone.
    not_documented_cap: float = 0.3
    # Each name the documents never mention keeps this share of the score; buyers name their own tools
    # too, so it is a soft signal (two names at most count).
    unknown_name_penalty: float = 0.85
    unknown_names_counted: int = 2
    # A quoted-first sentence the evidence scorer finds this likely to answer lifts confidence to its
    # P(answers) (times groundedness and the unknown-name penalty): coverage of the buyer's words misses a
    # sentence that answers in other words ("we pay for both systems, correct?"). Chosen on the sample dev
    # split among 0.5 to 0.9: 0.7 to 0.8 sent three more correct answers and nothing else; 0.6 a wrong one.
    answers_trusted: float = 0.75

    # --- evidence selection ---------------------------------------------------------------------------
    # Coverage of the question's terms and embedding similarity, mixed: 0.45/0.55 gave the best handoff F1
    # of the weights tried on the sample set (0.3 to 0.7 in steps of 0.05).
    coverage_weight: float = 0.45
    semantic_weight: float = 0.55
    # A small prior for the retriever's rank, so ties go to the better passage: 0.1 / rank.
    rank_prior: float = 0.1
    # Sentences later in a passage lose a little: the first sentences of a section usually carry it.
    order_penalty: float = 0.005
    # Only the lexically best sentences are embedded: ~10 ms each on 2 CPU cores.
    semantic_pool: int = 10
    # Sentences come from the best passages only; lower ones added noise quotes on the sample set.
    evidence_hits: int = 5
    # Shorter fragments are headings or table headers, not evidence.
    min_sentence_words: int = 4
    # Evidence below this score was a wrong quote on most sample-set questions where it was used.
    min_evidence_score: float = 0.25

    # --- verdicts -------------------------------------------------------------------------------------
    # A confirmation is "documented" when the evidence covers this share of its focus terms (or the top
    # sentence's cosine reaches it); contradiction needs less, but a polarity or figure mismatch as well.
    supported_coverage: float = 0.6
    contradiction_coverage: float = 0.45

    # --- grounding ------------------------------------------------------------------------------------
    # Share of a sentence's content terms the cited passage must hold: paraphrases an LLM writes from a
    # passage keep over 60% of its terms; sentences it invents keep well under half (tests/test_grounding).
    support_threshold: float = 0.6

    # --- outcome rules --------------------------------------------------------------------------------
    # "hi there", "thanks a lot": at most this many content words is small talk.
    small_talk_terms: int = 1
    # Above this top cosine the message is near the documents: a real question, whatever the label says.
    out_of_scope_similarity: float = 0.30


DEFAULT_TUNING = Tuning()
