"""Concerns by topic, in the buyer's own words: a sentence that names a topic (security, migration,
pricing, ...) and voices a worry, a doubt, a bad experience or a non-negotiable requirement. A worry that names
no topic may sit in the sentence next to it ("Our CISO is skeptical. Is data encrypted at rest?"); the quote
then runs from one to the other, verbatim. Inside a sentence, a worried clause that names its own topic keeps
to it ("we had an outage at quarter end and the regulators asked questions" is about reliability).

A plain question ("how does SSO work?") is not a concern. The intent model's `confidence` tag alone is not
used: on the dev split it added 7 false concerns and no true one. A person's title is not a topic ("our
security officer" says nothing about security), and a reassurance ("security isn't the blocker") no worry.
"""

from __future__ import annotations

import re

from assistant.deals.stakeholders import find_mentions
from assistant.deals.turns import BuyerTurn, sentences
from assistant.deals.types import Concern, Topic


def _words(pattern: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w-])(?:{pattern})(?![\w-])", re.IGNORECASE)


TOPIC_PATTERNS: dict[Topic, re.Pattern[str]] = {
    Topic.SECURITY: _words(
        r"security|secure|sso|single sign-on|saml|oidc|mfa|2fa|encrypt\w*|pen ?tests?|penetration test\w*|"
        r"vulnerabilit\w*|breach\w*|access control|rbac|permissions?|least privilege|tenant isolation|"
        r"air-?gapped|hack\w*|leak\w*|exposed|zero trust|secrets?|access to our data|see (?:\w+ ){0,2}data"
    ),
    Topic.COMPLIANCE: _words(
        r"complian\w*|gdpr|hipaa|baa|soc ?2|iso ?27001|fedramp|pci(?: dss)?|gxp|ferpa|ccpa|"
        r"regulat\w*|data residency|residency|sovereign\w*|dpa|privacy|audit trails?|auditors?|certif\w*|"
        r"tisax|nist|hitrust|cmmc|data cent(?:er|re)s?|legally|required by law|retention|itar|export control\w*|"
        r"validated"
    ),
    Topic.PRICING: _words(
        r"pric\w*|costs?|expensive|cheap\w*|budget|bill|billed|billing|invoice\w*|overages?|"
        # spending money, not time ("someone spends a day fixing it")
        r"spend\w*(?!\s+(?:\w+\s+){0,2}(?:time|hours?|days?|weeks?|months?|years?|nights?|weekends?)\b)|"
        r"fees?|charges?|per seat|licen[cs]e\w*|tco|how much|saving\w*|pay|paying|paid|overpa(?:y|ying|id)"
    ),
    Topic.MIGRATION: _words(
        r"migrat\w*|cut-?over|move off|moving off|switch\w*|re-?platform\w*|legacy|backfill\w*|"
        r"historical data|old (?:system|platform|warehouse)"
    ),
    Topic.INTEGRATION: _words(
        r"integrat\w*|connectors?|apis?|webhooks?|sdks?|plug\w* into|custom work|sync|syncs|syncing|synced"
    ),
    Topic.PERFORMANCE: _words(
        r"performance|latency|slow\w*|fast\w*(?! (?:your|you|their|they) )|throughput|concurren\w*|"
        # "support at our scale": the size of the buyer, not the product's performance
        r"(?<!at our )(?<!at your )(?<!at this )(?<!at that )scal(?:e|es|ing|ability)|"
        r"load test\w*|queries per second|gpus?|compute|speed|to a crawl"
    ),
    Topic.RELIABILITY: _words(
        r"uptime|downtime|outages?|sla|slas|availability|failover|disaster recovery|dr|rpo|rto|"
        r"backups?|data loss|lose data|losing data|fail\w*|broken|"
        r"stopped (?:working|collecting|running|loading|arriving|syncing|updating)|go(?:es)? dark|"
        r"(?:be|is|are|was|were|goes|went|being) down(?! (?:to|from))"
    ),
    Topic.SUPPORT: _words(
        r"support team|support engineers?|tickets?|someone to call|24/7|on-?call|response times?|"
        r"customer success|escalat\w*|what does support look like|(?:impossible|hard|difficult) to reach|"
        r"unreachable|reach a human|(?:your|you|their) (?:people|team|staff|engineers) (?:respond|answer|reply)|"
        r"support (?:line|desk|inbox|contract)s?|(?:premium|included|paid) support"
    ),
    Topic.IMPLEMENTATION: _words(
        r"onboarding|implementation|roll[- ]?out|go live|go-live|live (?:before|by|in)|set-?up|learn\w*|deploy\w*|"
        r"patch(?:es|ed|ing)?|"
        r"training|too complex|time to value|how long (?:does|will) it take|maintain\w*|maintenance|self-?host\w*|"
        r"(?:run|running|operate|operating) (?:our|their) own"
    ),
    Topic.VENDOR: _words(
        r"lock-?in|locked in|proprietary|get (?:all )?(?:our|the) data out|acquired|(?:was|were|got) bought|roadmaps?|"
        r"shut\w* down|"
        r"out of business|vendor risk|viability|stuck with (?:a|an|one|the|that|this) (?:single )?(?:vendor|provider)"
    ),
}

# Words that turn a sentence about a topic into a concern.
WORRY = _words(
    r"worr\w*|concern\w*|afraid|nervous|anxious|terrified|scared|wary|cautious|skeptic\w*|sceptic\w*|"
    r"not convinced|not sure|doubt\w*|risk\w*|fear\w*|burned|burnt|bitten|badly|nightmare|painful|"
    r"problem\w*|the catch|surprise\w*|pushing back|push back|"
    r"can'?t (?:lose|risk|afford|move forward)|cannot (?:lose|risk|afford)|deal[- ]?breakers?|non-?negotiable|"
    r"must-haves?|(?:we|i)(?: simply| just| really)? (?:cannot|can'?t) (?:store|put|use|accept|allow|share|host|"
    r"send|keep|have|go back)|"
    r"hard (?:requirement|rule)|mandatory|must|rules you out|won'?t|will not|reject\w*|"
    r"what happens if|what happens to|too expensive|over budget|hidden|"
    # doubting a figure ("is that realistic?"), not asking for one ("what's the realistic recovery time?")
    r"(?:is|was|sounds?|are) (?:that |this |it |those |these )?(?:\w+ )?realistic|unrealistic|realistic\?|"
    r"can only (?:look at|consider|use|buy|work with)|end(?:ed|s)? up|don'?t want (?:us )?to|keeps? me up at night|"
    r"not comfortable|uncomfortable|make or break|missed (?:a|the|our) deadline|to a crawl|disaster\w*|"
    r"frustrat\w*|unacceptable|red flag|uneasy|hesitant|risk averse|subject to|"
    r"(?:had|have|having|with) (?:\w+ )?(?:issues|problems|trouble)|"
    # A bad experience told as one: "we had a serious outage", "it broke", "we lost a week of reporting".
    r"(?:we|i|they)(?:'ve| have)? (?:had|suffered|experienced) (?:\w+ ){0,2}(?:outages?|incidents?|breach(?:es)?|"
    r"failures?|downtime)|broke(?! (?:down|out|even))|lost (?:a|an|two|three|several|\w+) (?:days?|weeks?|months?)|stuck|"
    r"drag(?:s|ged|ging)? on|(?:don'?t|do not) have the (?:staff|people|headcount|time|resources|budget|skills)|"
    r"bother\w*|(?:were|was|is|are) impossible|"
    # Told in other words: a fine, a tool that falls over or that people gave up on, a failure nobody saw,
    # something they cannot be without, a regulator's requirement.
    r"fined|penalt(?:y|ies)|falls? over|fell over|falling over|unnoticed|nobody noticed|no one noticed|"
    r"(?:have|has|had) stopped (?:using|filing|trusting|opening|reading)|(?:can'?t|cannot) (?:be|do|go) without|"
    r"for (?:the|our) regulators?|required by (?:the |our )?regulators?|regulators? (?:require|expect|demand)s?|"
    # Told as feeling or consequence: fed up, let down, caught out, a non-starter, an outage that costs money,
    # "would be the end of", a finding an inspector cited, what killed an earlier attempt.
    r"fed up|let (?:us |me )?down|caught out|non-?starter|waiting to happen|"
    r"(?:can'?t|cannot) (?:go dark|be down)|los(?:e|ing) (?:real )?money|(?:be|mean) the end of|"
    r"(?:were|was|got) cited|(?:what|that|which) killed|"
    r"(?:isn'?t|is not) (?:a \w+ |something )?(?:we|i) can afford|overpa(?:y|ying|id)|(?:already |quite )?a stretch|"
    # a past project told by how long it dragged: "took 18 months to roll out", "took nine months to answer"
    r"took (?:\w+ ){1,2}(?:days|weeks|months|years) to"
)
# A reassurance: the sentence says the worry is gone.
REASSURED = _words(r"isn'?t (?:the|a) blocker|is not (?:the|a) blocker|not worried|no concerns|not a concern")
# Worry words that are not a worry here: a person's temperament ("risk averse" says how they decide, not
# what worries them; their stance carries it) and "risk" naming a business function ("risk analytics").
NOT_A_WORRY = _words(
    r"(?:very |quite |extremely |pretty )?risk[- ]averse|"
    r"risk (?:analytics|team|management|models?|department|officers?|function|scoring|engine|register|"
    r"assessments?|matrix|log)"
)
# A reassuring word negated just before it: "no problems", "never had issues", "don't worry", "no doubt",
# "isn't really a worry" (a second word only if it is a filler: "can't take that risk" stays a worry).
# Only these: a negated surprise or hidden fee is a demand ("no usage surprises"), still a concern.
_NEGATED = re.compile(
    r"(?:\b(?:no|not|never|without|nor)|n't)\s+(?:\w+\s+)?(?:(?:a|an|any|much|of|real|big|major)\s+)?$",
    re.IGNORECASE,
)
_REASSURING = re.compile(r"(?:had|have|having|with|problem|issue|trouble|worr|concern|doubt|risk)", re.I)
# "won't" / "will not" with a thing as its subject states what the product does ("that won't affect the
# price, right?"): a confirmation request, unlike a person's refusal ("our CISO won't approve ...").
_THING_SUBJECT = re.compile(r"\b(?:it|that|this|there|which)\s+$", re.IGNORECASE)
_REFUSAL = re.compile(r"won'?t|will not", re.IGNORECASE)


def worried(sentence: str) -> bool:
    """Does the sentence voice a worry (a doubt, a bad experience, a hard requirement)?"""
    if REASSURED.search(sentence):
        return False
    text = NOT_A_WORRY.sub(lambda match: " " * len(match.group(0)), sentence)
    for match in WORRY.finditer(text):
        before = text[: match.start()]
        if _NEGATED.search(before) and _REASSURING.match(match.group(0)):
            continue
        if _REFUSAL.fullmatch(match.group(0)) and _THING_SUBJECT.search(before):
            continue
        return True
    return False


# A page or section of a site named after a topic is a place to look, not the topic: "where is the Pricing page?"
SITE_PLACE = re.compile(r"\b\w+ (?:and \w+ )?(?:page|pages|section|tab|menu|link)\b", re.IGNORECASE)


def sentence_topics(sentence: str) -> list[Topic]:
    text = sentence
    for mention in find_mentions(sentence):  # "our security officer" is a person, not a topic
        text = text[: mention.start] + " " * (mention.end - mention.start) + text[mention.end :]
    text = SITE_PLACE.sub(lambda match: " " * len(match.group(0)), text)
    return [topic for topic, pattern in TOPIC_PATTERNS.items() if pattern.search(text)]


# Clause boundaries inside a sentence: punctuation, or a conjunction that starts a new clause with its own subject
# ("... an outage at quarter end and the regulators asked questions").
_CLAUSE = re.compile(
    r"[,;:]\s+|\s+[-\u2013\u2014]\s+|\s+(?:and|but|so|because)\s+(?=(?:the|our|we|i|they|it|my|their|that)\b)",
    re.IGNORECASE,
)


def worry_topics(sentence: str) -> list[Topic]:
    """The topics a worried sentence is about: those of its worried clauses when they name any (the
    neighbouring clause's topic is context, not the worry), else the whole sentence's."""
    clauses = [c for c in _CLAUSE.split(sentence) if c.strip()]
    own = {topic for clause in clauses if worried(clause) for topic in sentence_topics(clause)}
    whole = sentence_topics(sentence)
    return [topic for topic in whole if topic in own] or whole


def turn_concerns(turn: BuyerTurn) -> list[Concern]:
    parts = sentences(turn.text)
    worry = [worried(p) for p in parts]
    topics = [
        [] if REASSURED.search(p) else worry_topics(p) if worry[i] else sentence_topics(p)
        for i, p in enumerate(parts)
    ]
    found: dict[Topic, Concern] = {}
    for index, sentence_topic_list in enumerate(topics):
        if worry[index]:
            source = index  # the worry is about the topics of its own sentence
        else:
            # A worry that names no topic is about the sentence next to it: "Our CISO is skeptical. Is data
            # encrypted at rest?" A worry that names its own topic says nothing about its neighbours.
            neighbours = [
                i for i in (index - 1, index + 1) if 0 <= i < len(parts) and worry[i] and not topics[i]
            ]
            if not neighbours:
                continue
            source = neighbours[0]
        first, last = sorted((index, source))
        for topic in sentence_topic_list:
            if topic not in found:  # one concern per topic per message
                found[topic] = Concern(topic, _span(turn.text, parts[first], parts[last]), turn.message_id)
    return list(found.values())


def _span(text: str, first: str, last: str) -> str:
    """The verbatim slice of `text` from sentence `first` to sentence `last`."""
    start = text.find(first)
    end = text.find(last, start) + len(last)
    return text[start:end] if start >= 0 and end >= start else first


def concerns_of(turns: list[BuyerTurn]) -> list[Concern]:
    return [concern for turn in turns for concern in turn_concerns(turn)]
