"""The grounding check: every claim in a composed answer must be supported by a retrieved passage.

Answers refer to passages by markers `[n]` (n = 1-based position in the retrieved hits). Each sentence is
checked against the passages it cites (or, without a marker, against all of them); a supported sentence
yields a citation whose quote is a verbatim sentence of the passage. Markers are renumbered 1..m in order
of first use, so the citations a buyer sees are numbered as they read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.sentences import content_terms, sentence_spans, split_sentences
from assistant.tuning import DEFAULT_TUNING, Tuning
from assistant.types import Citation
from knowledge.types import Hit

MARKER = re.compile(r"\s*\[(\d{1,3})\]")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_QUOTES = "\u201c\u201d\"'\u2018\u2019"


@dataclass
class SentenceCheck:
    text: str
    supported: bool
    claim: bool  # framing sentences ("Here is what the documentation says:") are not claims
    score: float = 0.0
    reason: str = ""


@dataclass
class Grounding:
    text: str  # the answer with markers renumbered (unsupported sentences kept: the caller decides)
    supported_text: str = ""  # the same without unsupported sentences
    citations: list[Citation] = field(default_factory=list)
    sentences: list[SentenceCheck] = field(default_factory=list)

    @property
    def claims(self) -> list[SentenceCheck]:
        return [s for s in self.sentences if s.claim]

    @property
    def unsupported(self) -> list[SentenceCheck]:
        return [s for s in self.claims if not s.supported]

    @property
    def groundedness(self) -> float | None:
        claims = self.claims
        return sum(s.supported for s in claims) / len(claims) if claims else None


def _numbers(text: str) -> set[str]:
    return {n.replace(",", "") for n in _NUMBER.findall(text)}


def support(claim: str, passage: str) -> tuple[float, str]:
    """How well `passage` supports `claim` (0..1), and the passage sentence that supports it best."""
    if claim and claim in passage:
        best = next((s for s in split_sentences(passage) if claim in s), claim)
        return 1.0, best
    missing_numbers = _numbers(claim) - _numbers(passage)
    wanted = content_terms(claim)
    if not wanted or missing_numbers:
        return 0.0, ""
    score = len(wanted & content_terms(passage)) / len(wanted)
    best = max(split_sentences(passage) or [passage], key=lambda s: len(wanted & content_terms(s)))
    return score, best


def _answer_sentences(text: str) -> list[tuple[int, str]]:
    """(paragraph number, sentence): line breaks separate parts of the answer, sentence ends split a line;
    a “quoted passage” stays one claim."""
    return [
        (number, piece)
        for number, line in enumerate(text.splitlines())
        for piece in sentence_spans(line, keep_quotes=True)
    ]


def _join(parts: list[tuple[int, str]]) -> str:
    paragraphs: dict[int, list[str]] = {}
    for number, sentence in parts:
        paragraphs.setdefault(number, []).append(sentence)
    return "\n\n".join(" ".join(sentences) for sentences in paragraphs.values())


def _with_markers(line: str, markers: list[int], hits: list[Hit], renumber: dict[int, int]) -> str:
    """A vouched-for framing line (a checked verdict) keeps its markers, renumbered like citations; the
    quote it points at follows it and carries the citation."""
    valid = [m for m in markers if 1 <= m <= len(hits)]
    if not valid:
        return line
    tail = "".join(f" [{renumber.setdefault(m, len(renumber) + 1)}]" for m in valid)
    return f"{line[:-1]}{tail}." if line.endswith(".") else f"{line}{tail}"


def ground(
    text: str, hits: list[Hit], *, framing: frozenset[str] = frozenset(), tuning: Tuning = DEFAULT_TUNING
) -> Grounding:
    renumber: dict[int, int] = {}
    citations: list[Citation] = []
    checks: list[SentenceCheck] = []
    output: list[tuple[int, str]] = []
    dropped: set[int] = set()
    for paragraph, sentence in _answer_sentences(text):
        markers = [int(m) for m in MARKER.findall(sentence)]
        bare = MARKER.sub("", sentence).strip()
        claim_text = bare.strip(_QUOTES + " ").rstrip(_QUOTES + " ")
        if not claim_text.strip(" .,;:-"):
            continue  # a marker or punctuation on its own claims nothing
        if bare in framing or (
            not markers and len(content_terms(claim_text)) < 3 and not _numbers(claim_text)
        ):
            checks.append(SentenceCheck(bare, supported=True, claim=False))
            output.append(
                (paragraph, _with_markers(bare, markers, hits, renumber) if bare in framing else bare)
            )
            continue
        invalid = [m for m in markers if not 1 <= m <= len(hits)]
        candidates = [hits[m - 1] for m in markers if 1 <= m <= len(hits)] or ([] if markers else hits)
        scored = [(support(claim_text, hit.chunk.text), hit) for hit in candidates]
        (score, quote), hit = max(scored, key=lambda item: item[0][0]) if scored else ((0.0, ""), None)
        supported = hit is not None and score >= tuning.support_threshold and not invalid
        reason = ""
        if invalid:
            reason = f"cites a passage that was not retrieved: {invalid}"
        elif not supported:
            reason = f"not supported by the cited passages (support {score:.2f})"
        checks.append(SentenceCheck(bare, supported=supported, claim=True, score=score, reason=reason))
        if not supported or hit is None:
            output.append((paragraph, bare))
            dropped.add(len(output) - 1)
            continue
        # The best passage first, then every other cited passage that supports the claim as well (one
        # quote for what two documents say alike: each source is cited).
        also = [
            (found, other)
            for (found_score, found), other in sorted(scored, key=lambda item: -item[0][0])
            if other is not hit and found_score >= tuning.support_threshold
        ]
        numbers = []
        for cited_quote, cited in [(quote, hit), *also]:
            number = renumber.setdefault(hits.index(cited) + 1, len(renumber) + 1)
            if number in numbers:
                continue
            numbers.append(number)
            citations.append(
                Citation(
                    marker=number,
                    source=cited.chunk.document_id,
                    title=cited.chunk.title,
                    quote=cited_quote,
                    chunk_id=cited.chunk.id,
                    heading=cited.chunk.heading,
                    page=cited.chunk.page,
                )
            )
        output.append((paragraph, f"{bare} {''.join(f'[{n}]' for n in numbers)}"))
    kept = [part for index, part in enumerate(output) if index not in dropped]
    return Grounding(text=_join(output), supported_text=_join(kept), citations=citations, sentences=checks)
