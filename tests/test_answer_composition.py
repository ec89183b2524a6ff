"""Answer composition with answer_first, on evidence built by hand: the direct sentence first, at most two
supporting quotes in all, and one quote (every source cited) for what two passages say alike."""

from __future__ import annotations

from assistant.composition import CompositionRequest
from assistant.evidence import Evidence
from assistant.extractive import FRAMING, MAX_QUOTES, ExtractiveComposer
from assistant.grounding import ground
from assistant.types import Intents
from knowledge.types import Chunk, Hit

FAQ = "DataPlane is SOC 2 Type II certified; the report is available under NDA."
PAGE = "DataPlane is SOC 2 Type II certified, and the report is available under NDA on request."
OTHERS = [
    "Data at rest is encrypted with AES-256 and keys rotate every 90 days.",
    "Penetration tests by an outside firm run twice a year.",
    "Customer data stays in the region the workspace was created in.",
]


def evidence(texts_and_scores: list[tuple[str, float]]) -> tuple[list[Hit], list[Evidence]]:
    hits = [
        Hit(Chunk(id=f"c{i}", document_id=f"doc{i}.md", text=text, title=f"Doc {i}"), score=1.0 / i)
        for i, (text, _) in enumerate(texts_and_scores, start=1)
    ]
    found = [
        Evidence(hit, position, text, score=0.9 - position / 100, coverage=0.5, answers=answers)
        for position, (hit, (text, answers)) in enumerate(zip(hits, texts_and_scores, strict=True), start=1)
    ]
    return hits, found


def compose(question: str, labels: tuple[str, ...], hits: list[Hit], found: list[Evidence]):
    intents = Intents(
        clarification=float("clarification" in labels),
        confirmation=float("confirmation" in labels),
        confidence=float("confidence" in labels),
        labels=labels,
    )
    composer = ExtractiveComposer(collapse_repeats=True, lead_with_best=True)
    return composer.compose(CompositionRequest(question=question, intents=intents, hits=hits, evidence=found))


def quotes_of(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("\u201c")]


def test_the_best_scored_sentence_leads_and_at_most_two_follow():
    hits, found = evidence([(OTHERS[0], 0.2), (OTHERS[1], 0.3), (FAQ, 0.9), (OTHERS[2], 0.1)])
    for labels in [("clarification",), ("confirmation", "clarification", "confidence")]:
        text = compose("Is DataPlane SOC 2 certified?", labels, hits, found).text
        quotes = quotes_of(text)
        assert quotes[0].startswith(f"\u201c{FAQ}\u201d"), text
        assert len(quotes) <= MAX_QUOTES == 3, text


def test_the_top_passage_leads_unless_another_sentence_clearly_answers_better():
    hits, found = evidence([(OTHERS[0], 0.5), (OTHERS[1], 0.6), (OTHERS[2], 0.1)])
    text = compose("How is data encrypted?", ("clarification",), hits, found).text
    assert quotes_of(text)[0].startswith(f"\u201c{OTHERS[0]}\u201d"), "0.6 is not clearly above the top's 0.5"
    hits, found = evidence([(OTHERS[0], 0.2), (OTHERS[1], 0.6), (OTHERS[2], 0.1)])
    text = compose("How is data encrypted?", ("clarification",), hits, found).text
    assert quotes_of(text)[0].startswith(f"\u201c{OTHERS[1]}\u201d"), text


def test_a_repeat_is_one_quote_citing_both_passages():
    hits, found = evidence([(FAQ, 0.9), (OTHERS[0], 0.2), (PAGE, 0.8)])
    composition = compose("Is DataPlane SOC 2 certified?", ("clarification",), hits, found)
    quotes = quotes_of(composition.text)
    assert quotes[0] == f"\u201c{FAQ}\u201d [1][3]"
    assert not any(PAGE in q for q in quotes), "the page repeats the FAQ row: not quoted again"
    # Grounding keeps both sources: the buyer sees one quote with two citations.
    grounding = ground(composition.text, hits, framing=FRAMING)
    assert [c.source for c in grounding.citations][:2] == ["doc1.md", "doc3.md"]
    assert grounding.unsupported == []


def test_without_answer_first_nothing_is_collapsed_or_capped():
    hits, found = evidence([(FAQ, 0.9), (PAGE, 0.8), *[(t, 0.1) for t in OTHERS]])
    intents = Intents(
        clarification=1.0, confirmation=0.0, confidence=1.0, labels=("clarification", "confidence")
    )
    text = (
        ExtractiveComposer()
        .compose(CompositionRequest(question="Is it certified?", intents=intents, hits=hits, evidence=found))
        .text
    )
    assert len(quotes_of(text)) == 4, "two per part when two intents share the answer"
    assert any(PAGE in q for q in quotes_of(text))
