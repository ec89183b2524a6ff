"""Stakeholders a buyer mentions ("our CISO", "my CFO wants...", "the data team"), with their stance where
the sentence states one. Rules only: a role from a fixed lexicon, introduced by "our/my/the" (or "I'm the",
"I lead the": the buyer themselves, or a clause-opening "procurement will..."), and stance cues in the part
of the sentence that belongs to that mention. The vendor's people ("your support team") and roles inside the
product ("the analyst role") are not stakeholders.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.deals.turns import BuyerTurn, sentences
from assistant.deals.types import Mention, Stakeholder, Stance

# role_key -> how buyers name that kind of person or group (lower case; longest alternatives win).
ROLES: dict[str, str] = {
    "executive": r"ceo|chief executive(?: officer)?|coo|chief operating officer|president|co-?founders?|"
    r"founders?|managing director|general manager|superintendent|vp (?:of )?operations|head of operations|"
    r"operations director|director of operations|ops director|managing partner|senior partner|director",
    "finance_leader": r"cfo|chief financial officer|finance director|director of finance|vp (?:of )?finance|"
    r"head of finance|financial controller|controller|treasurer",
    "finance_team": r"finance team|finance department|finance|fp&a|accounting team|accounting|accountants",
    "tech_leader": r"cto|chief technology officer|vp (?:of )?engineering|head of engineering|"
    r"engineering director|director of engineering|vp (?:of )?technology",
    "it_leader": r"cio|chief information officer|it director|head of it|director of it|vp (?:of )?it",
    "it_team": r"it team|it department|it ops|it|helpdesk|service desk",
    "security_leader": r"ciso|chief (?:information )?security officer|head of (?:information )?security|"
    r"head of infosec|security lead|security director|director of security|vp (?:of )?security|"
    r"information security officer",
    "security_team": r"security team|security people|security folks|security guys|security department|"
    r"infosec team|infosec|secops|soc team|security group|it security team|it security group|it security",
    "compliance": r"compliance team|compliance officer|compliance department|compliance|dpo|"
    r"data protection officer|privacy officer|privacy lead|privacy team|risk team|grc team|regulatory reporting team|"
    r"chief risk officer|risk officer|export control officer|ethics officer",
    "legal": r"legal team|legal department|legal|general counsel|counsel|lawyers?|attorneys?",
    "procurement": r"procurement team|procurement office|procurement department|procurement|"
    r"purchasing team|purchasing department|purchasing|vendor management|sourcing team",
    "data_leader": r"head of data|chief data officer|cdo|vp (?:of )?data|data director|director of data|"
    r"head of analytics|head of ml|head of machine learning|head of ai",
    "data_team": r"data team|data engineers?|data engineering team|data engineering|analysts?|analytics team|"
    r"bi team|data scientists?|data science team|ml team|machine learning team|analytics engineers?",
    "platform_team": r"platform team|devops team|devops folks|devops people|devops engineers|devops|sres?|"
    r"sre team|infrastructure team|infra team|ops team|cloud team",
    "engineering_team": r"engineers|engineering team|dev team|developers|devs",
    "architect": r"(?:enterprise |solutions? |data |cloud |chief )?architects?|architecture (?:review )?board|"
    r"architecture team",
    "manager": r"boss|manager|team lead|line manager",
    "board": r"board of directors|board|investors|trustees",
    "dba": r"dbas?|database administrators?|database team",
    "qa_team": r"qa team|qa department|qa|quality assurance(?: team)?|validation team|quality team",
    "end_users": r"end users|users|researchers|clinicians|doctors|nurses|physicians|pharmacists|store managers|"
    r"site managers|plant managers|employees|staff|teachers|field teams?|operators|actuaries|underwriters|"
    r"traders|planners|dispatchers|technicians|statisticians|economists|agents|sales reps|recruiters|agronomists|"
    r"hotel managers|branch managers|shop managers",
    "marketing_team": r"marketing ops team|marketing ops|marketing operations|marketing team|marketing|"
    r"growth team|demand gen team",
    "sales_team": r"sales ops|sales team|sales|revops|revenue operations",
    "product_team": r"product team|product managers?|head of product",
    "hr": r"hr team|hr|people team|human resources",
}


def _top_level(pattern: str) -> list[str]:
    """Split a regex at its top-level "|" only."""
    parts, depth, current = [], 0, ""
    for char in pattern:
        depth += (char == "(") - (char == ")")
        if char == "|" and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    return [*parts, current]


_ALTERNATIVES = sorted(
    ((alt, key) for key, pattern in ROLES.items() for alt in _top_level(pattern)),
    key=lambda pair: -len(pair[0]),
)
_ROLE = "|".join(alt for alt, _key in _ALTERNATIVES)
_KEYED = [(re.compile(alt, re.IGNORECASE), key) for alt, key in _ALTERNATIVES]


def role_key(role: str) -> str:
    """ "Chief Information Security Officer" -> "security_leader"."""
    text = " ".join(role.split())
    return next((key for pattern, key in _KEYED if pattern.fullmatch(text)), "")


# Up to two words between the determiner and the role: "our new CISO", "the client's security people".
_MODIFIERS = r"(?:[\w'&-]+\s+){0,2}?"
_SELF = r"(?:i'?m|i am|i run|i lead|i manage|i head|i'?m on|i am on|i'?m part of|i work (?:in|on)|as)"
MENTION = re.compile(
    rf"(?<![\w-])(?P<self>{_SELF}\s+)?(?P<det>our|my|the|their)\s+{_MODIFIERS}(?P<role>{_ROLE})(?![\w&-])"
    rf"|(?<![\w-])(?P<selfa>{_SELF})\s+(?:an?\s+)?{_MODIFIERS}(?P<role2>{_ROLE})(?![\w&-])",
    re.IGNORECASE,
)
# A group named bare as the subject of a clause: "procurement will need...", "legal can start reviewing".
_BARE_VERB = (
    r"(?:will|wants?|needs?|requires?|insists?|is|are|has|have|asked|says|said|must|won'?t|would|can|keeps)"
)
BARE = re.compile(
    rf"(?:^|[,;:]\s*|\b(?:and|so|but|then)\s+)(?P<bare>(?i:procurement|legal|finance|compliance)|IT|QA)"
    rf"\s+(?=(?i:{_BARE_VERB})\b)"
)
# Nouns after a role word that make it a thing in the product or a document, not a person.
NOT_A_PERSON = re.compile(
    r"\s*(?:role|roles|account|accounts|user|permission|permissions|view|dashboard|group|persona|seat|"
    r"seats|license|licenses|plan|report|reports|portal|mode|workspace|template|page|pages|center|centre|"
    r"guide|documentation|docs|section|questionnaire|version|versions|cloud|site|website|copy|materials?|"
    r"collateral|speak)\b",
    re.IGNORECASE,
)
NOT_OURS = re.compile(r"\b(?:your|you guys'?|vendor'?s)\s+$", re.IGNORECASE)


def _cues(pattern: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w-])(?:{pattern})(?![\w-])", re.IGNORECASE)


# Checked in this order; the first that matches the mention's part of the sentence sets the stance.
STANCE_CUES: tuple[tuple[Stance, re.Pattern[str]], ...] = (
    (Stance.SUPPORTIVE, _cues(r"not worried|no concerns|isn'?t (?:the|a) blocker|is not (?:the|a) blocker")),
    (
        Stance.BLOCKING,
        _cues(
            r"won'?t (?:approve|sign|accept|allow|let|use|go ahead|move forward|buy|agree)|"
            r"will not (?:approve|sign|accept|allow|let|use|go ahead|move forward|buy|agree)|"
            r"can'?t approve|refus\w+|veto\w*|block\w*|non-?starter|deal ?breaker|reject\w*|said no|"
            r"hard no|insists? (?:that )?(?:nothing|no)\b|can only (?:look at|consider|use|buy|work with)|"
            r"rules? (?:you|it|this) out|not allowed"
        ),
    ),
    (
        Stance.SKEPTICAL,
        _cues(
            r"skeptic\w*|sceptic\w*|worried|worries|concerned|nervous|anxious|terrified|scared|wary|"
            r"cautious|doubt\w*|unconvinced|not convinced|not sold|pushing back|push back|pushback|hesitant|"
            r"reluctant|resistant|not keen|not a fan|has concerns|reservations|uneasy|afraid|frustrated|unhappy|"
            r"fed up|against|not comfortable|uncomfortable|risk averse|risk-averse"
        ),
    ),
    (
        Stance.CONDITIONAL,
        _cues(
            r"as long as|provided(?: that)?|only if|on condition|unless|(?<!asked )(?<!ask )(?<!wondering )if"
        ),
    ),
    (
        Stance.SUPPORTIVE,
        _cues(
            r"lov\w+|keen|excited|enthusiastic|pushing (?:hard )?for|champion\w*|sold on|on board|onboard|big fan|"
            r"(?:is |are )?(?:fine|ok|okay|comfortable) with|no objections?|"
            r"fan of|supportive|in favou?r|likes?|backs?|back it|behind (?:it|this|us)|sponsor\w*|"
            r"signed off|approved|bought in|happy|pleased|glad|impressed|delighted"
        ),
    ),
    (
        Stance.UNSTATED,
        _cues(r"wants? to know|asked (?:me )?(?:to check|whether|if|about)|wondering|curious|ask about"),
    ),
    (
        Stance.CONDITIONAL,
        _cues(
            r"wants?|needs?|requires?|insists?|will want|will need|would need|expects?|demands?|hard rule|"
            r"mandatory|must|asks? for|asked for|(?:will|would) only (?:consider|look at|accept|work with|use|buy)"
        ),
    ),
)


@dataclass(frozen=True)
class RoleMention:
    role_key: str
    role: str  # as written
    is_buyer: bool
    start: int
    end: int


def find_mentions(sentence: str) -> list[RoleMention]:
    found: list[RoleMention] = []
    for match in MENTION.finditer(sentence):
        role_span = match.span("role") if match.group("role") else match.span("role2")
        if NOT_A_PERSON.match(sentence, role_span[1]) or NOT_OURS.search(sentence[: match.start()]):
            continue
        is_buyer = bool(match.group("self") or match.group("selfa"))
        role = sentence[role_span[0] : role_span[1]]
        # A lower-case "it" after other words is the pronoun: "our auditors renewed it" (dev split, batch 5).
        if role == "it" and match.group("det") and sentence[match.end("det") : role_span[0]].strip():
            continue
        found.append(RoleMention(role_key(role), role, is_buyer, *match.span()))
    for match in BARE.finditer(sentence):
        start, end = match.span("bare")
        if any(m.start <= start < m.end for m in found):
            continue
        word = match.group("bare").lower()
        key = {"it": "it_team", "qa": "qa_team"}.get(word, word)
        found.append(RoleMention(key, match.group("bare"), False, start, end))
    return sorted(found, key=lambda m: m.start)


def stance_of(text: str) -> Stance:
    for stance, pattern in STANCE_CUES:
        if pattern.search(text):
            return stance
    return Stance.UNSTATED


def _wants(text: str) -> str:
    match = re.search(
        r"\b(?:wants?|needs?|requires?|insists? on|will want|will need|would need|expects?|asked for)\s+"
        r"(?P<what>[^.;!?]+)",
        text,
        re.IGNORECASE,
    )
    return match.group("what").strip(" ,") if match else ""


def sentence_mentions(sentence: str, message_id: int) -> list[tuple[RoleMention, Mention]]:
    """Each mention's stance comes from its own part of the sentence: the whole sentence when it names one
    person, else from its mention up to the next one (the first also keeps what comes before it)."""
    mentions = find_mentions(sentence)
    result = []
    for index, mention in enumerate(mentions):
        begin = 0 if index == 0 else mention.start
        end = mentions[index + 1].start if index + 1 < len(mentions) else len(sentence)
        part = sentence[begin:end]
        result.append((mention, Mention(message_id, sentence, stance_of(part), _wants(part))))
    return result


def stakeholders_of(turns: list[BuyerTurn], conversation_id: str = "") -> list[Stakeholder]:
    """One stakeholder per role, in order of first mention; the stance is the latest one stated."""
    by_role: dict[str, list[tuple[RoleMention, Mention]]] = {}
    for turn in turns:
        for sentence in sentences(turn.text):
            for role_mention, mention in sentence_mentions(sentence, turn.message_id):
                by_role.setdefault(role_mention.role_key, []).append((role_mention, mention))
    people = []
    for role_key, mentions in by_role.items():
        stated = [m.stance for _r, m in mentions if m.stance != Stance.UNSTATED]
        people.append(
            Stakeholder(
                role_key=role_key,
                role=mentions[0][0].role,
                stance=stated[-1] if stated else Stance.UNSTATED,
                is_buyer=any(r.is_buyer for r, _m in mentions),
                mentions=tuple(m for _r, m in mentions),
                conversation_id=conversation_id,
            )
        )
    return people
