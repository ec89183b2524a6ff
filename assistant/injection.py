"""Spotting prompt-injection attempts in buyer text. Buyer text is data, never instructions: a flagged
message is answered only by the extractive composer (which cannot follow instructions) or declined."""

from __future__ import annotations

import re

_PATTERNS = [
    r"\b(ignore|disregard|forget|override|bypass)\b.{0,40}\b(instructions?|rules?|prompt|guidelines|polic(y|ies)|above|previous)\b",
    r"\b(system|hidden|initial|original|developer)\s+(prompt|message|instructions?)\b",
    r"\b(print|reveal|show|repeat|output|leak|tell me)\b.{0,30}\b(prompt|instructions?|configuration|api key|secret)",
    r"\byou are (now|no longer)\b|\bfrom now on\b|\bact as\b|\bpretend (to be|you)\b|\broleplay\b",
    r"\b(jailbreak|dan mode|developer mode|sudo mode|god mode)\b",
    r"\b(say|write|respond|reply|answer)\b.{0,20}\b(exactly|only|verbatim)\b",
    r"<\s*(script|iframe|img|svg|object|style)\b|javascript:|on(error|load)\s*=",
    r"\[(system|assistant|inst)\]|<\|?(im_start|system|endoftext)\|?>|###\s*(system|instruction)",
]
_COMPILED = [re.compile(pattern, re.IGNORECASE | re.DOTALL) for pattern in _PATTERNS]


def injection_signals(text: str) -> list[str]:
    """The patterns this text matches (empty when it looks like an ordinary question)."""
    return [pattern.pattern for pattern in _COMPILED if pattern.search(text)]


def looks_like_injection(text: str) -> bool:
    return bool(injection_signals(text))
