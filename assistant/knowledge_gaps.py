"""Knowledge gaps for product teams: questions handed off for lack of evidence, grouped by meaning.

Grouping is leader clustering on the question embeddings: questions are taken oldest first, and each
joins the group whose first question it is most similar to when that cosine similarity reaches the
threshold, or starts a new group. Simple, deterministic, and good enough for a few thousand questions.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

import numpy as np

from assistant.handoff_states import HandoffState

if TYPE_CHECKING:
    from assistant.storage.handoffs import HandoffView  # SQLAlchemy: only the admin's gap pages need it

# With all-MiniLM-L6-v2, rewordings of one gap scored 0.57-0.89 here ("native connector for Lotus Notes 6?",
# "ingest data from Lotus Notes 6 databases?"), different gaps 0.04-0.35 (mainframes, discounts, roadmap).
SAME_QUESTION = 0.55


@dataclass
class GapGroup:
    questions: list[str] = field(default_factory=list)  # distinct wordings, most recent first
    handoff_ids: list[int] = field(default_factory=list)
    sources: Counter[str] = field(default_factory=Counter)  # top retrieved document of each handoff
    unresolved: int = 0
    last_asked: datetime | None = None

    @property
    def count(self) -> int:
        return len(self.handoff_ids)

    @property
    def example(self) -> str:
        return self.questions[0]

    @property
    def nearest_source(self) -> str:
        """The document retrieval most often ranked first for these questions (closest, still lacking)."""
        return self.sources.most_common(1)[0][0] if self.sources else ""


def group_gaps(
    handoffs: Sequence[HandoffView],
    embed: Callable[[list[str]], np.ndarray],
    *,
    threshold: float = SAME_QUESTION,
) -> list[GapGroup]:
    """Groups of similar gap questions, the most asked first (then the most recently asked)."""
    ordered = sorted(handoffs, key=lambda h: (h.created_at, h.id))
    if not ordered:
        return []
    vectors = np.asarray(embed([h.question for h in ordered]), dtype=np.float32)
    vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    leaders: list[np.ndarray] = []
    groups: list[GapGroup] = []
    for handoff, vector in zip(ordered, vectors, strict=True):
        similarities = [float(leader @ vector) for leader in leaders]
        best = int(np.argmax(similarities)) if similarities else -1
        if best >= 0 and similarities[best] >= threshold:
            group = groups[best]
        else:
            leaders.append(vector)
            group = GapGroup()
            groups.append(group)
        group.handoff_ids.append(handoff.id)
        wording = handoff.question.strip()
        if wording in group.questions:
            group.questions.remove(wording)
        group.questions.insert(0, wording)
        if handoff.sources:
            group.sources[handoff.sources[0]] += 1
        group.unresolved += handoff.state is not HandoffState.RESOLVED
        group.last_asked = handoff.created_at
    return sorted(groups, key=lambda g: (g.count, g.last_asked), reverse=True)
