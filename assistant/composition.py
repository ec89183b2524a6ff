"""Composers: what turns a question and its evidence into answer text with [n] markers.

`Composer` is the protocol; the extractive composer (offline default) and the LLM composer implement it,
and `FallbackComposer` tries the LLM first and the extractive composer when the LLM is unavailable (or when
the buyer's message looks like a prompt injection: then no generative model sees it). assistant/wiring.py
chooses which; every composer gets the same `CompositionRequest`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from assistant.evidence import Evidence
from assistant.outcomes import Reason, ReasonCode
from assistant.types import ClaimVerdict, Intents
from assistant.verdict import Verdict
from knowledge.types import Hit

TokenSink = Callable[[str], None]


@dataclass(frozen=True)
class CompositionRequest:
    question: str  # resolved: a follow-up carries the question it follows
    intents: Intents
    hits: list[Hit]  # [n] in the answer is the 1-based position here
    evidence: list[Evidence]  # the retrieved sentences that best answer, best first
    injection_suspected: bool = False
    claims: list[ClaimVerdict] = field(default_factory=list)  # a confirmation's claims, checked


@dataclass(frozen=True)
class Composition:
    text: str  # with [n] markers; empty when there is nothing documented to say
    composer: str  # which composer wrote it
    verdict: Verdict | None = None
    notes: list[Reason] = field(default_factory=list)  # remarks that decide nothing (an LLM fallback)
    # Lines the composer vouches for that are not document claims (checked verdict lines): grounding
    # keeps them with their [n] markers.
    framing: frozenset[str] = frozenset()


class Composer(Protocol):
    name: str

    def compose(self, request: CompositionRequest, *, on_token: TokenSink | None = None) -> Composition: ...


class ComposerUnavailable(RuntimeError):
    """A composer could not answer this turn (an LLM endpoint down or erroring)."""


class FallbackComposer:
    """The primary composer (an LLM), then the fallback (extractive) when it is unavailable or must not see
    the message."""

    def __init__(self, primary: Composer, fallback: Composer) -> None:
        self.primary = primary
        self.fallback = fallback
        self.name = primary.name

    def compose(self, request: CompositionRequest, *, on_token: TokenSink | None = None) -> Composition:
        if request.injection_suspected:
            return self.fallback.compose(request)
        try:
            return self.primary.compose(request, on_token=on_token)
        except ComposerUnavailable as error:
            composition = self.fallback.compose(request)
            note = Reason(ReasonCode.LLM_FALLBACK, f"LLM unavailable, answered extractively: {error}")
            return Composition(
                text=composition.text,
                composer=composition.composer,
                verdict=composition.verdict,
                notes=[*composition.notes, note],
                framing=composition.framing,
            )
