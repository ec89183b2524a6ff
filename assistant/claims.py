"""Splitting a confirmation into the claims it makes.

"I read that we can stream Kafka into DataPlane and don't have to run our own stream processor. Is that
right?" makes two claims: Kafka can be streamed in (asserted), and a stream processor is NOT needed (the
buyer denies a need). Each claim gets its own verdict. The splitter is deliberately shallow: it cuts at
clause coordination ("and can ...", ", and ...", "and also", "or do we have to"), at "without ..." and at
"(do) not have to / don't need to ...", and inside a clause at "and" between two predicates of one
subject ("Webhooks are signed with HMAC-SHA256 and retried for 48 hours") or two short objects of
"support / include / offer / get / have" ("Does Strata support MERGE and QUALIFY?"): each gets the shared
subject or verb. Any other noun list stays one claim ("verify row counts and checksums"): precision
first, a claim too broad is judged on all its terms at once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.sentences import content_terms, sentence_spans

_LEAD = re.compile(
    r"^\s*(?:(?:so|ok(?:ay)?|and|also|just to confirm|to confirm|quick question|one more thing)[:,]?\s+)*"
    r"(?:(?:i|we)\s+(?:read|heard|understand|was told|were told|saw|assume|believe|think)\s+(?:that\s+)?"
    r"|is it (?:true|correct|right) that\s+|can you confirm (?:that\s+)?|confirm(?:ing)? that\s+)?",
    re.IGNORECASE,
)
_TAIL = re.compile(
    r"[\s,;:-]*(?:(?:is (?:that|this|it) )?(?:right|correct|true|accurate)|isn't it|aren't they|don't you|"
    r"doesn't it|yes or no|(?:am i|are we) right)?\s*[?.!]*\s*$",
    re.IGNORECASE,
)
_CONFIRM_ONLY = re.compile(
    r"^\s*(?:is (?:that|this|it|all of that|all that) (?:right|correct|true|accurate)|right|correct|"
    r"can you confirm(?: that| this| it)?|please confirm|"
    r"true|(?:all|both) (?:of (?:that|them|these) )?(?:supported|work|correct)|does (?:that|all that) work)"
    r"\s*[?.!]*\s*$",
    re.IGNORECASE,
)
_AUX = r"(?:is|are|can|could|does|do|did|will|would|has|have|was|were|may|should)"
# Where one claim ends and the next begins: a coordinated clause with its own auxiliary or subject.
_CUT = re.compile(
    rf",?\s+(?:and|but)\s+also\s+|,\s+(?:and|but)\s+(?={_AUX}\b|we\b|i\b|you\b|it\b|they\b|there\b)"
    rf"|\s+and\s+(?={_AUX}\s+(?:it|we|i|you|they|there|the|our|a|an)\b)|,?\s+or\s+(?=do we\b|do i\b|must we\b)"
    rf"|\s+(?:and|but)\s+(?=(?:(?:we|i)\s+)?(?:don't|do not|won't|will not|doesn't|does not|can|need|have)\b)"
    rf"|,?\s+so\s+(?=(?:we|i)\s+(?:don't|do not|won't|will not|need|have)\b)|,\s+and\s+(?=\S+\s+\S+\s+\S+)",
    re.IGNORECASE,
)
_WITHOUT = re.compile(r"\s+without\s+(?P<rest>.+)$", re.IGNORECASE)
_NO_NEED = re.compile(
    r"^(?:so\s+)?(?:(?:we|i|you)\s+)?(?:do not|don't|won't|will not|does not|doesn't|wouldn't|would not)\s+"
    r"(?:have to|need to|need|have)\s+(?P<rest>.+)$",
    re.IGNORECASE,
)


# Coordination inside one clause: "Webhooks are signed with HMAC-SHA256 and retried for 48 hours" (two
# predicates of one subject), "Does Strata support MERGE and QUALIFY" (two objects of one verb).
_LIST_VERB = r"(?:support|supports|include|includes|offer|offers|get|gets|have|has)"
_OBJECTS = re.compile(rf"^(?P<head>.*?\b{_LIST_VERB}\s+)(?P<a>[^,]+?)\s+and\s+(?P<b>[^,]+)$", re.IGNORECASE)
_SUBJECT = re.compile(
    r"^(?P<subject>(?!(?:is|are|can|could|does|do|did|will|would|has|have)\b)[^,]+?)\s+"
    r"(?P<verb>is|are|lasts|takes|includes|runs|needs|uses|supports|works|gets|has)\s+(?P<a>[^,]+?)"
    r"\s+and\s+(?P<b>[^,]+)$",
    re.IGNORECASE,
)
_PARTICIPLE = re.compile(r"^(?:\w+ed|kept|built|taken|sold|held|made|paid|sent|run|written)$", re.IGNORECASE)
_FINITE = re.compile(
    r"^(?:(?:take|include|run|need|support|work|use|get|last|cost|require|allow|offer)s?|has|have)$",
    re.IGNORECASE,
)
MAX_ITEM_WORDS = 5  # a list item longer than this is a clause the cut above handles, or prose


def _coordinated(piece: str) -> list[str]:
    """`piece` cut where it coordinates two predicates of one subject or two objects of one verb."""
    found = _SUBJECT.match(piece)
    if found and len(found.group("subject").split()) <= MAX_ITEM_WORDS:
        first = found.group("b").split()[0]
        subject, verb = found.group("subject"), found.group("verb")
        if _PARTICIPLE.match(first) and verb.lower() in ("is", "are"):
            return [f"{subject} {verb} {found.group('a')}", f"{subject} {verb} {found.group('b')}"]
        if _FINITE.match(first):
            return [f"{subject} {verb} {found.group('a')}", f"{subject} {found.group('b')}"]
    found = _OBJECTS.match(piece)
    if found and all(
        len(found.group(k).split()) <= MAX_ITEM_WORDS and not _FINITE.match(found.group(k).split()[0])
        for k in ("a", "b")
    ):
        return [f"{found.group('head')}{found.group('a')}", f"{found.group('head')}{found.group('b')}"]
    return [piece]


@dataclass(frozen=True)
class Claim:
    text: str  # the claim in the buyer's words, without framing ("I read that", "right?")
    polarity: str = "asserted"  # "denied": the buyer says this is NOT so / NOT needed


def _clean(text: str) -> str:
    text = _TAIL.sub("", _LEAD.sub("", text.strip(), count=1))
    return text.strip(" ,;:-")


def _asking_part(message: str) -> str:
    """The sentences that state or ask the claims: a trailing "Is that right?" points back at the one
    before; context sentences before a question ("We're a hospital.") are left out when the message
    asks something itself."""
    sentences = [s.strip() for s in sentence_spans(message) if s.strip()]
    if not sentences:
        return ""
    while len(sentences) > 1 and _CONFIRM_ONLY.match(sentences[-1]):
        sentences.pop()
        if not sentences[-1].endswith("?"):
            return sentences[-1]
    asked = [s for s in sentences if s.endswith("?")]
    return asked[-1] if asked else sentences[-1]


def split_claims(message: str) -> list[Claim]:
    """The claims of a confirmation, in order; at least one when the message says anything."""
    text = _clean(_asking_part(message))
    if not text:
        return []
    claims: list[Claim] = []
    for piece in _CUT.split(text):
        piece = _clean(piece)
        if len(content_terms(piece)) == 0:
            continue
        denied = _NO_NEED.match(piece)
        if denied:
            claims.append(Claim(denied.group("rest").strip(" ,."), "denied"))
            continue
        without = _WITHOUT.search(piece)
        if without and len(content_terms(piece[: without.start()])) >= 1:
            claims.append(Claim(piece[: without.start()].strip(" ,."), "asserted"))
            claims.append(Claim(without.group("rest").strip(" ,."), "denied"))
            continue
        claims.extend(Claim(part, "asserted") for part in _coordinated(piece))
    return claims or [Claim(text)]
