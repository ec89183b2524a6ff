"""The handoff lifecycle's vocabulary: its states (`HandoffState`) and the error of a refused transition.

Kept apart from the store (assistant/storage/handoffs.py) so that the CLI can declare its options with
these names without importing SQLAlchemy: `lastmile --help` must stay well under a second (issue #16).
"""

from __future__ import annotations

from enum import StrEnum


class HandoffState(StrEnum):
    """Where a handoff stands. A `StrEnum`: stored, printed and serialised as its plain value."""

    OPEN = "open"  # waiting for a rep to claim it
    CLAIMED = "claimed"  # one rep holds it
    REPLIED = "replied"  # the holder answered; they may reply again or resolve it
    RESOLVED = "resolved"  # closed


STATES = tuple(HandoffState)  # lifecycle order
# A rep has yet to answer: a new question of the buyer joins this handoff instead of opening another.
ACTIVE = frozenset({HandoffState.OPEN, HandoffState.CLAIMED})
# Held by a rep, who may reply or resolve.
HELD = frozenset({HandoffState.CLAIMED, HandoffState.REPLIED})


class HandoffError(Exception):
    """A transition that is not allowed (wrong state, wrong rep, unknown id)."""
