"""The claims a buyer asked to have confirmed, and what the documents said: confirmed, contradicted or
undocumented. Read from the per-claim verdicts an answer stores (`claims`: [{text, verdict}]) and, for
answers stored before those, from the answer's single `verdict` on the buyer's question."""

from __future__ import annotations

from assistant.deals.turns import BuyerTurn
from assistant.deals.types import ClaimItem, ClaimVerdict
from assistant.sentences import question_focus

# The pipeline's verdict names (assistant.types.Answer.verdict) mapped to the brief's.
VERDICTS = {
    "supported": ClaimVerdict.CONFIRMED,
    "confirmed": ClaimVerdict.CONFIRMED,
    "contradicted": ClaimVerdict.CONTRADICTED,
    "not_documented": ClaimVerdict.UNDOCUMENTED,
    "undocumented": ClaimVerdict.UNDOCUMENTED,
}


def turn_claims(turn: BuyerTurn) -> list[ClaimItem]:
    listed = turn.answer.get("claims")
    if isinstance(listed, list) and listed:
        items = []
        for claim in listed:
            if not isinstance(claim, dict):
                continue
            verdict = VERDICTS.get(str(claim.get("verdict")))
            text = str(claim.get("text") or "").strip()
            if verdict is not None and text:
                items.append(ClaimItem(text, verdict, turn.message_id))
        return items
    verdict = VERDICTS.get(str(turn.answer.get("verdict")))
    if verdict is None:
        return []
    return [ClaimItem(question_focus(turn.text).strip(), verdict, turn.message_id)]


def claims_of(turns: list[BuyerTurn]) -> list[ClaimItem]:
    """Every claim, in conversation order; a claim checked twice keeps its latest verdict only."""
    latest: dict[str, ClaimItem] = {}
    for turn in turns:
        for item in turn_claims(turn):
            key = " ".join(item.text.casefold().split())
            latest.pop(key, None)
            latest[key] = item
    return list(latest.values())
