"""The answer as the API sends it: the final SSE event of a turn, and assistant messages in a transcript
(both built from the answer's stored JSON, so a reloaded widget shows exactly what it streamed)."""

from __future__ import annotations

import re
from typing import Any

from assistant.sentences import split_sentences
from ui.api.schemas import AnswerEvent, ClaimOut, ClaimVerdictOut, HandoffOut, IntentsOut

MARKERS = re.compile(r"(?:\s*\[\d{1,3}\])+")  # a run of citation markers after a sentence: " [1] [2]"
MARKER = re.compile(r"\[(\d{1,3})\]")


def claims(text: str) -> list[ClaimOut]:
    """The answer's sentences, each with the markers that follow it (grounding puts a supported sentence's
    markers right after it; a sentence without markers is framing or a fixed reply)."""
    result: list[ClaimOut] = []
    position = 0
    for run in [*MARKERS.finditer(text), None]:
        end = run.start() if run else len(text)
        sentences = split_sentences(text[position:end])
        markers = [int(n) for n in MARKER.findall(run.group())] if run else []
        for index, sentence in enumerate(sentences):
            cited = markers if index == len(sentences) - 1 else []
            result.append(ClaimOut(text=sentence.strip(), citations=cited))
        position = run.end() if run else len(text)
    return result


def answer_event(
    message_id: int, text: str, payload: dict[str, Any], *, handoff_id: int | None = None
) -> AnswerEvent:
    """From `Answer.as_dict()` as stored with the assistant message."""
    probabilities = payload.get("intents") or {}
    return AnswerEvent(
        message_id=message_id,
        text=text,
        verdict=payload.get("verdict"),
        claims=claims(text),
        claim_verdicts=[
            {key: item.get(key) for key in ClaimVerdictOut.model_fields if key in item}
            for item in payload.get("claim_verdicts") or []
        ],
        citations=payload.get("citations") or [],
        intents=IntentsOut(
            probabilities=probabilities,
            labels=payload.get("intent_labels") or [],
            wants_human=bool(payload.get("wants_human")),
            out_of_scope=bool(payload.get("out_of_scope")),
        ),
        confidence=min(1.0, max(0.0, float(payload.get("confidence") or 0.0))),
        groundedness=payload.get("groundedness"),
        handoff=HandoffOut(
            handed_off=bool(payload.get("handoff")),
            handoff_id=handoff_id,
            reasons=payload.get("handoff_reasons") or [],
            knowledge_gap=bool(payload.get("knowledge_gap")),
        ),
        composer=str(payload.get("composer") or ""),
    )
