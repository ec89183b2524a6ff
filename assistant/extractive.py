"""The offline composer: quotes the retrieved sentences that best answer the question, with citations."""

from __future__ import annotations

from assistant.sentences import content_terms, is_question, split_sentences
from assistant.types import Citation, Intents
from knowledge.types import Hit

MAX_QUOTES = 3


def best_sentences(question: str, hits: list[Hit], limit: int = MAX_QUOTES) -> list[tuple[Hit, str, float]]:
    """The sentences sharing most content terms with the question, favouring higher-ranked passages."""
    wanted = content_terms(question)
    scored: list[tuple[float, int, Hit, str]] = []
    for rank, hit in enumerate(hits):
        for position, sentence in enumerate(split_sentences(hit.chunk.text)):
            terms = content_terms(sentence)
            if not terms or is_question(sentence):  # an FAQ's question is not evidence
                continue
            overlap = len(wanted & terms) / (len(wanted) or 1)
            score = overlap + 0.15 / (1 + rank) - 0.01 * position
            scored.append((score, -rank, hit, sentence))
    scored.sort(key=lambda item: (item[0], item[1]), reverse=True)
    picked: list[tuple[Hit, str, float]] = []
    for score, _, hit, sentence in scored:
        if score <= 0.05 or any(sentence == s for _, s, _ in picked):
            continue
        picked.append((hit, sentence, score))
        if len(picked) == limit:
            break
    return picked


class ExtractiveComposer:
    name = "extractive"

    def compose(self, question: str, intents: Intents, hits: list[Hit]) -> tuple[str, list[Citation]]:
        picked = best_sentences(question, hits)
        if not picked:
            return "", []
        citations: list[Citation] = []
        markers: dict[str, int] = {}
        lines = []
        for hit, sentence, _ in picked:
            if hit.chunk.id not in markers:
                markers[hit.chunk.id] = len(markers) + 1
            marker = markers[hit.chunk.id]
            citations.append(
                Citation(
                    marker=marker,
                    source=hit.chunk.document_id,
                    title=hit.chunk.title,
                    quote=sentence,
                    chunk_id=hit.chunk.id,
                    heading=hit.chunk.heading,
                    page=hit.chunk.page,
                )
            )
            lines.append(f"\u201c{sentence}\u201d [{marker}]")
        intro = "From the documentation:"
        return intro + "\n\n" + "\n\n".join(lines), citations
