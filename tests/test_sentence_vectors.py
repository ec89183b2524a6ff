"""Sentence vectors are embedded at ingest, reused on re-ingest, deleted with their chunk, and spare a turn
from embedding anything but the buyer's message."""

from __future__ import annotations

import numpy as np

from assistant.settings import Settings
from assistant.wiring import build_assistant
from knowledge.sentence_vectors import chunk_sentences
from knowledge.types import Chunk
from tests.conftest import make_kb


class CountingEmbedder:
    """The real embedder, recording every batch of texts it is asked to embed."""

    def __init__(self, real) -> None:
        self.real = real
        self.name, self.dimension, self.batch_size = real.name, real.dimension, real.batch_size
        self.calls: list[list[str]] = []

    def token_lengths(self, texts):
        return self.real.token_lengths(texts)

    def embed(self, texts):
        self.calls.append(list(texts))
        return self.real.embed(texts)


def _chunk(document_id: str, ordinal: int, text: str) -> Chunk:
    return Chunk(
        id=f"{document_id}-{ordinal}-{abs(hash(text)) % 10**8}",
        document_id=document_id,
        text=text,
        title="Exports",
        heading="Data > Exports",
        ordinal=ordinal,
    )


FIRST = "Exports run nightly at 02:00 UTC. Each export is a CSV file per table."
SECOND = "Exports are kept for 30 days. Older files are deleted automatically."
CHANGED = "Exports are kept for 90 days on the Enterprise plan. Older files are archived."


def _stored(kb, chunk_id: str) -> dict[str, np.ndarray]:
    rows = kb.db.query("SELECT text, vector FROM sentence_vectors WHERE chunk_id = ?", (chunk_id,))
    return {row[0]: np.frombuffer(row[1], dtype=np.float32) for row in rows}


def test_sentence_vectors_are_stored_reused_and_deleted_with_their_chunk(tmp_path, embedder):
    counting = CountingEmbedder(embedder)
    kb = make_kb(tmp_path / "home", counting)
    first, second = _chunk("exports.md", 0, FIRST), _chunk("exports.md", 1, SECOND)
    kb.apply_document(
        document_id="exports.md", content_hash="v1", title="Exports", type="md", chunks=[first, second]
    )

    stored = _stored(kb, first.id)
    assert set(stored) == set(chunk_sentences(first))
    assert "Data > Exports" in stored  # the heading: the evidence scorer's context
    sentence = "Exports run nightly at 02:00 UTC."
    assert float(stored[sentence] @ embedder.embed([sentence])[0]) > 0.999

    counting.calls.clear()
    again = kb.apply_document(
        document_id="exports.md", content_hash="v1", title="Exports", type="md", chunks=[first, second]
    )
    assert counting.calls == []  # nothing embedded: chunk and sentence vectors both reused
    assert again.sentences == 0

    changed = _chunk("exports.md", 1, CHANGED)
    kb.apply_document(
        document_id="exports.md", content_hash="v2", title="Exports", type="md", chunks=[first, changed]
    )
    embedded = [text for call in counting.calls for text in call]
    assert "Exports run nightly at 02:00 UTC." not in embedded  # the unchanged chunk's sentences reused
    assert "Exports are kept for 90 days on the Enterprise plan." in embedded
    assert _stored(kb, second.id) == {}  # gone with its chunk
    assert set(_stored(kb, changed.id)) == set(chunk_sentences(changed))

    assert kb.delete_document("exports.md")
    assert kb.sentences.count() == 0


def test_a_turn_embeds_only_the_message_when_sentence_vectors_are_stored(sample_home, embedder):
    counting = CountingEmbedder(embedder)
    kb = make_kb(sample_home, counting)
    settings = Settings(home=sample_home, answer_first=True)
    question = "Does Relay support single sign-on with Okta?"

    assistant = build_assistant(settings, kb=kb)
    answer = assistant.ask(question)
    assert answer.trace.evidence  # evidence was selected (and scored) ...
    assert counting.calls == [[question]]  # ... with the message the only text embedded

    counting.calls.clear()
    assistant.sentence_vectors = None  # as before sentence vectors were stored
    again = assistant.ask(question)
    assert len(counting.calls) > 1  # the evidence sentences were embedded during the turn
    assert again.text == answer.text
