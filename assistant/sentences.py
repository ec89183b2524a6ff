"""Term matching shared by evidence selection, verdicts, confidence and the grounding check.

Sentences are cut by the project's one splitter, knowledge/sentences.py (re-exported here).
"""

from __future__ import annotations

import re
from functools import lru_cache

from knowledge.sentences import sentence_spans, split_sentences
from knowledge.text import STOPWORDS

__all__ = ["content_terms", "is_question", "question_focus", "sentence_spans", "split_sentences", "stem"]

_TERM = re.compile(r"[a-z0-9][a-z0-9.+-]*[a-z0-9]|[a-z0-9]")


def is_question(sentence: str) -> bool:
    return sentence.rstrip().endswith("?")


@lru_cache(maxsize=1 << 16)  # a turn stems ~1k words, nearly all seen before: ~5 ms a turn uncached
def stem(term: str) -> str:
    # A light suffix strip so "integrations"/"integrate" meet; good enough for overlap scoring.
    for suffix in ("ations", "ation", "ings", "ing", "ies", "ied", "es", "ed", "s"):
        if len(term) > len(suffix) + 3 and term.endswith(suffix):
            return term[: -len(suffix)]
    return term


# Words that say what the buyer needs, not what the answer is about: no evidence can "cover" them.
NEED_WORDS = frozenset(
    """worried worry worries concern concerned concerns afraid nervous scared seeing missing miss confirm
    correct right sure true explain understand tell know need want please thanks hello hi question
    wondering curious help am not im seeing""".split()
)


def content_terms(text: str) -> set[str]:
    return {stem(t) for t in _TERM.findall(text.lower()) if t not in STOPWORDS and t not in NEED_WORDS}


def question_focus(text: str) -> str:
    """The asking part of a message: its sentences ending in '?' when it has both questions and context.

    "Our data science team uses R a lot. Do notebooks support R?" is about notebooks and R; measuring how
    well evidence covers the whole message would punish buyers for explaining their situation.
    """
    sentences = sentence_spans(text)
    asked = " ".join(s for s in sentences if s.endswith("?"))
    # "What am I not seeing?" asks nothing specific: then the context is the question.
    return asked if asked and len(content_terms(asked)) >= 2 else text
