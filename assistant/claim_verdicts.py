"""The judge: one claim against the sentences of the retrieved passages → a `ClaimVerdict`.

Precision first: a wrong verdict is a false promise (or a lost deal), so a verdict needs evidence that is
about the claim. A sentence counts only when it holds the claim's names and figures and most of its other
content words (its FAQ question, or the section heading it is under, counts with it), unless what it
lacks is the fact itself or is replaced by another word in the same place (assistant/near_misses.py);
its polarity comes from the clause that governs the claim's subject; qualifiers ("Enterprise only",
"since 4.2") become conditions; a figure is compared only with a figure stated for the same unit (or
with a documented maximum). When the sentences about the claim disagree, or none is clearly about it,
the verdict is "abstain" (not settled). A claim naming something no document mentions is
"not_documented".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.claims import Claim
from assistant.near_misses import near_miss
from assistant.qualifiers import (
    BY_TIER,
    PLAN_WORDS,
    clauses_of,
    compares,
    conditions_in,
    figures,
    governing_clause,
    in_base_units,
    negated,
    plans_excluded,
    plans_named,
    ranges,
    stance,
    terms_of,
    upper_bounds,
    without_figures,
)
from assistant.sentences import is_question, split_sentences
from assistant.table_rows import Row, plan_row
from assistant.types import ClaimVerdict, Condition
from knowledge.types import Hit

_FAQ = re.compile(r"^Q:\s*(.+?)\nA:\s*(.+)$", re.DOTALL)
_ANSWER_WORD = re.compile(r"^\s*(yes|no)\b", re.IGNORECASE)
_NAME = re.compile(
    r"(?<![.?!]\s)(?<!^)\b([a-z]+[A-Z][\w.+/-]*|[A-Z][\w.+/-]*[A-Za-z0-9]|[A-Za-z]*\d[\w.+/-]*)"
)
# Words that ask rather than say what a claim is about: no sentence needs to contain them.
_GENERIC = terms_of(
    "can could does do support supports supported use using work works able possible get allow allows "
    "available offer offers provide provides let lets really actually still way option true right correct "
    "compliant compliance"
)
_PLANS = terms_of(" ".join(PLAN_WORDS))
ALIGNMENT = 0.75  # share of a claim's content terms a sentence must hold (tuned on the dev split)


@dataclass(frozen=True)
class Candidate:
    sentence: str
    context: str  # an FAQ answer's question (a community answer's question); empty otherwise
    hit: Hit | None = None  # the retrieved passage it comes from (None: a sentence judged on its own)
    position: int | None = None  # 1-based rank of the hit: the [n] marker
    follow: str = ""  # the next sentence when it restricts this one ("This is only available on ...")

    @property
    def heading(self) -> str:
        """The section the sentence is under ("Customer VPC deployments"): it names what the sentence is
        about when the sentence does not repeat it."""
        if self.hit is None or self.context or "|" in self.sentence:
            return ""  # a table row's own first cell says what it is about
        return self.hit.chunk.heading


def candidates_from(hits: Sequence[Hit]) -> list[Candidate]:
    """Every statement sentence of the retrieved passages (an FAQ row's answer under its question)."""
    out: list[Candidate] = []
    for position, hit in enumerate(hits, start=1):
        faq = _FAQ.match(hit.chunk.text)
        if faq:
            for sentence in split_sentences(faq.group(2)):
                out.append(Candidate(sentence, faq.group(1).strip(), hit, position))
            continue
        sentences = split_sentences(hit.chunk.text)
        for index, sentence in enumerate(sentences):
            if not is_question(sentence) and len(terms_of(sentence)) >= 2:
                after = sentences[index + 1] if index + 1 < len(sentences) else ""
                follow = after if _RESTRICTS_PREVIOUS.match(after) else ""
                out.append(Candidate(sentence, "", hit, position, follow))
    return out


# A sentence about the one before it that restricts it: "This is featured on the Galaxy S10e only.",
# "This feature is not available on the Galaxy S10e.", "This option is only displayed when ...".
_RESTRICTS_PREVIOUS = re.compile(
    r"^(?:NOTE\s+)?This (?:feature|option|setting|mode|function|is|may|can|will)\b"
    r"(?=.*(?:\bonly\b|\bnot (?:available|supported|featured)\b))",
    re.IGNORECASE,
)
_EDITION_NAME = re.compile(r"\b(?:Galaxy )?([A-Z]\d+[a-z]?\+?)(?!\w)")
_KEPT_TO_EDITION = re.compile(
    r"\bonly (?:available |featured )?(?:on|for) (?:the )?(?:Galaxy )?([A-Z]\d+[a-z]?\+?)"
    r"|\b(?:on|for) (?:the )?(?:Galaxy )?([A-Z]\d+[a-z]?\+?) only\b"
)
_NOT_ON_EDITION = re.compile(
    r"\bnot (?:available|supported|featured) (?:on|for) (?:the )?(?:Galaxy )?([A-Z]\d+[a-z]?\+?)"
)


def _restriction(claim: str, follow: str) -> str | list[Condition]:
    """What a restricting next sentence does to the claim: "no" when it withholds the fact from the edition
    the claim names or keeps it to another one; else the conditions it adds (none when the claim already
    names the edition it is kept to)."""
    named = {e.lower() for e in _EDITION_NAME.findall(claim)}
    denied = {e.lower() for e in _NOT_ON_EDITION.findall(follow)}
    kept = {e.lower() for pair in _KEPT_TO_EDITION.findall(follow) for e in pair if e}
    if named and (named & denied or (kept and not named & kept)):
        return "no"
    if denied:
        return [] if named else [Condition("edition", f"not on {' '.join(sorted(denied))}")]
    if kept:
        return [] if named & kept else [Condition("edition", " ".join(sorted(kept)))]
    return [Condition("limit", follow.rstrip("."))]


def claim_names(text: str) -> set[str]:
    """The claim's names and figures (stemmed): products, standards, versions, numbers."""
    return {t for n in _NAME.findall(text) for t in terms_of(n)}


@dataclass(frozen=True)
class _Reading:
    """What one sentence says about the claim."""

    verdict: str  # yes | yes_with_conditions | no | abstain
    conditions: tuple[Condition, ...]
    candidate: Candidate
    alignment: float
    alternative: str = ""
    reason: str = ""


def _read(
    claim: Claim,
    terms: set[str],
    candidate: Candidate,
    alignment: float,
    context: str = "",
    setup: Setup | None = None,
) -> _Reading:
    sentence = candidate.sentence
    claim_negative = negated(claim.text) != (claim.polarity == "denied")

    def reading(verdict: str, conditions=(), alternative="", reason="") -> _Reading:
        return _Reading(verdict, tuple(conditions), candidate, alignment, alternative, reason)

    if sentence.count("|") >= 2:
        return reading("abstain", reason="a table row with a value per column")
    setup = setup or Setup()
    # A claim naming no plan is about the plan the buyer says they are on ("We're on Growth. Do we get SSO?").
    named_plans = plans_named(f"{context} {claim.text}") or set(setup.plans)
    excluded, rest = plans_excluded(sentence)
    if excluded and named_plans:
        if named_plans <= excluded and not claim_negative:
            return reading("no", alternative=rest.strip(), reason=f"not on {', '.join(sorted(excluded))}")
        if not named_plans & excluded:
            sentence = rest  # "...; it is not available on Starter" says nothing of the buyer's plan
    leading = _ANSWER_WORD.match(sentence) if candidate.context else None
    clause = sentence if leading else governing_clause(sentence, terms)
    negative = leading.group(1).lower() == "no" if leading else stance(sentence, terms)
    if negative is None:
        return reading("abstain", reason="the clauses about it disagree")
    # Figures: the claim's figure must be the one stated for the same unit, alone in the clause.
    raw = figures(claim.text)
    # Compared in one unit per quantity: "5 weeks" against "35 days", "1 hour" against "60 minutes".
    wanted, stated = in_base_units(raw), in_base_units(figures(clause))
    bound = _plan_figures(sentence, named_plans, {unit for _, unit in wanted}) if wanted else set()
    if bound:
        # "99.9% for Starter and Growth and 99.95% for Enterprise": the buyer's plan has its own figure.
        if not bound & wanted:
            verdict = "yes" if claim_negative else "no"
            return reading(
                verdict, alternative=sentence, reason="the documents state another figure for the plan"
            )
        wanted = stated = bound
    if wanted:
        units = {unit for _, unit in wanted}
        same_unit = {f for f in stated if f[1] in units}
        bounds = in_base_units(upper_bounds(clause))
        above = {(n, u) for n, u in wanted for m, v in bounds if u == v and float(n) > float(m)}
        if wanted <= stated:
            pass
        elif above and not compares(claim.text) and not negative and not claim_negative:
            # "Can a table have 5,000 columns?" against "Maximum of 4,096 columns per table."
            return reading("no", alternative=sentence, reason="more than the documented maximum")
        elif not same_unit or compares(claim.text) or compares(clause) or len(same_unit) > 1:
            return reading("abstain", reason="a figure the sentence does not state alone")
        elif negative:
            return reading("abstain", reason="a different figure in a negative clause")
        elif any(lo <= float(n) <= hi for n, u in raw for lo, hi, v in ranges(clause) if u == v):
            # "QMA converts 88% of SQL" against "85 to 90%": inside the stated range, not a different figure.
            return reading("abstain", reason="the claim's figure is inside a stated range")
        elif {number for number, _ in raw} & set(_NUMBER.findall(clause)):
            # "S uses 2 credits per hour, M 4, L 8": the claim's number is there, its unit elided.
            return reading("abstain", reason="the claim's figure is in a list of figures")
        else:
            verdict = "yes" if claim_negative else "no"
            return reading(verdict, alternative=sentence, reason="the documents state a different figure")
    if not wanted and stated and compares(clause):
        return reading("abstain", reason="a stated limit the claim does not give a figure for")
    if _VENDOR_DOES.search(claim.text) and not claim_negative and _left_to_customer(sentence, terms):
        # "Quarrymark sets up the cross-region replication for us" against "... configured by the customer".
        return reading("no", alternative=sentence, reason="the documents leave it to the customer")
    conditions = conditions_in(sentence)
    if candidate.follow:
        # "You can lower the screen resolution ..." then "This feature is not available on the Galaxy S10e."
        restriction = _restriction(f"{claim.text} {setup.editions_for(claim.text)}", candidate.follow)
        if restriction == "no":
            if claim_negative:
                return reading("abstain", reason="an edition restriction on a negative claim")
            return reading("no", alternative=candidate.follow, reason="not on the edition the claim names")
        conditions = [*conditions, *restriction]
    stated_plans = _tiers_named(f"{candidate.context} {sentence}")
    if named_plans and len(stated_plans) > 1 and (wanted or stated) and not conditions and not bound:
        return reading("abstain", reason="the sentence states figures for several plans")
    older = _older_version(f"{context} {claim.text} {setup.text}", conditions)
    if older is not None:
        if claim_negative:
            return reading("abstain", reason="a version condition on a negative claim")
        if older:
            return reading("no", alternative=sentence, reason="an earlier version than the documents require")
        conditions = [c for c in conditions if c.kind != "version"]
    tiers = {c.value for c in conditions if c.kind == "tier"}
    if tiers and named_plans and not (tiers & named_plans):
        # "Enterprise only" and the buyer asks about Growth: a closed condition without their plan.
        if claim_negative:
            return reading("abstain", reason="a tier condition on a negative claim")
        return reading("no", alternative=sentence, reason=f"only on {', '.join(sorted(tiers))}")
    if named_plans and stated_plans and not (named_plans & stated_plans):
        return reading("abstain", reason="the sentence is about another plan")
    open_conditions = [
        c
        for c in conditions
        if c.value not in claim.text
        and not (c.kind == "edition" and _EDITION_NAME.findall(c.value) == [setup.editions_for(claim.text)])
        and not (c.kind == "tier" and c.value in named_plans)
        and not (c.value == BY_TIER and named_plans)  # the buyer's tier is the one it depends on
    ]
    if stated_plans and not named_plans and not open_conditions and len(stated_plans) < len(PLAN_WORDS):
        # "free for qualified Growth and Enterprise prospects": bound to the plans it names.
        open_conditions = [Condition("tier", " and ".join(sorted(stated_plans)))]
    if negative == claim_negative:
        return reading("yes_with_conditions" if open_conditions else "yes", open_conditions)
    if open_conditions:
        return reading("abstain", reason="a negative sentence with conditions")
    return reading("no", alternative="", reason="the clause about it says the opposite")


# Who does it: the documents leave it to the customer, the buyer says the vendor does it (for them).
_CUSTOMER_DOES = re.compile(
    r"\bby the customer\b|\b(?:the )?customer'?s'? (?:own )?responsibility\b|\bresponsibility of the customer\b"
    r"|\bthe customer (?:has|must|needs to|has to|is responsible for|configures|sets up)\b",
    re.IGNORECASE,
)


def _left_to_customer(sentence: str, terms: set[str]) -> bool:
    """Whether a clause of `sentence` about the claim (two of its terms) leaves the work to the customer."""
    return any(_CUSTOMER_DOES.search(c) and len(terms_of(c) & terms) >= 2 for c in clauses_of(sentence))


_VENDOR_DOES = re.compile(
    r"\b(?:quarrymark|samsung|you|your (?:team|staff|engineers|support))\s+(?:will\s+|would\s+)?"
    r"(?:sets?|configures?|manages?|handles?|runs?|does|takes? care of|pays?|covers?|provides?)\b"
    r"|\bfor us\b",
    re.IGNORECASE,
)
_PLAN_PART = re.compile(r"[,;]\s*|\s+and\s+(?=[$\u20ac\u00a3]?\d)")


def _plan_figures(sentence: str, plans: set[str], units: set[str]) -> set[tuple[str, str]]:
    """The figures (of `units`) the sentence gives the buyer's `plans`, where it gives each plan its own
    ("$0.55 per credit on Starter, $0.50 on Growth", "90 days on Starter, 1 year on Growth"); empty when
    it does not bind one figure to a plan the claim names."""
    if not plans:
        return set()
    out: set[tuple[str, str]] = set()
    for part in _PLAN_PART.split(sentence):
        found = {f for f in in_base_units(figures(part)) if f[1] in units}
        if len(found) == 1 and plans_named(part) & plans:
            out |= found
    return out


_NUMBER = re.compile(r"(?<![\w.])\d+(?:\.\d+)?(?![\w.])")
_VERSION_NUMBER = re.compile(r"\d+(?:\.\d+)*")
_PRONOUN_SUBJECT = re.compile(
    r"^(?:(?:does|is|can|will|do|are|did|would)\s+)?(?:it|they|that|this|these|those)\b", re.IGNORECASE
)
_PRONOUN_OBJECT = re.compile(r"\b(?:on|with|for|support|use|run)\s+(?:it|them|that)\s*$", re.IGNORECASE)


def points_back(claim: str) -> bool:
    """Whether the claim ends on a pronoun ("Can we use CDC on it?"): what it is, the message says."""
    return bool(_PRONOUN_OBJECT.search(claim))


_EQUATIVE = re.compile(r"\bas \w+ as\b", re.IGNORECASE)


def _older_version(claim: str, conditions: Sequence[Condition]) -> bool | None:
    """Whether the claim's version of a product is older than a "Product N or later" condition (None when
    the claim names no version of it)."""
    for condition in conditions:
        if condition.kind != "version" or " " not in condition.value:
            continue
        product, _, required = condition.value.rpartition(" ")
        found = re.search(rf"\b{re.escape(product)} (\d+(?:\.\d+)*)", claim, re.IGNORECASE)
        if found:
            return _number(found.group(1)) < _number(required)
    return None


def _number(version: str) -> tuple[int, ...]:
    match = _VERSION_NUMBER.search(version)
    return tuple(int(part) for part in match.group().split(".")) if match else ()


# "supported on AWS and Azure only", "can only be applied to the Lock screen": a closed list.
_ONLY = re.compile(r"(?<!\bnot )\bonly\b", re.IGNORECASE)
CLOSED_LIST_VERDICT = "no"


def _outside_closed_list(claim: Claim, names: set[str], candidate: Candidate) -> str:
    """Why a sentence that closes a list ("... on AWS and Azure only") says no to a claim whose name it
    holds only through its FAQ question ("Can Customer VPC run on Google Cloud?"), not the heading:
    the list is the whole set and the claim's name is not in it (empty when that is not the case)."""
    if not _ONLY.search(candidate.sentence) or claim.polarity == "denied" or negated(claim.text):
        return ""
    # "Yes, on the Enterprise tier only.": that only binds a tier, it does not close a list.
    sentence = candidate.sentence
    if negated(sentence) or _ANSWER_WORD.match(sentence) or conditions_in(sentence):
        return ""
    outside = names - terms_of(candidate.sentence) - terms_of(candidate.heading)  # the question's only
    return f"a closed list without {', '.join(sorted(outside))}" if outside else ""


@dataclass(frozen=True)
class Setup:
    """What the buyer says they have (assistant/buyer_setup.py): its text (versions are read from it), the
    plans it names, when safe to assume for every claim."""

    text: str = ""
    plans: frozenset[str] = frozenset()

    def editions_for(self, claim: str) -> str:
        """The edition the buyer has ("S10e"), for a claim that names none; empty otherwise."""
        if _EDITION_NAME.search(claim):
            return ""
        found = set(_EDITION_NAME.findall(self.text))
        return found.pop() if len(found) == 1 else ""


def judge(
    claim: Claim,
    candidates: Sequence[Candidate],
    unseen: set[str],
    context: str = "",
    common: set[str] = frozenset(),
    setup: Setup | None = None,
) -> ClaimVerdict:
    """The verdict on one claim; `unseen` are the claim's words that no document contains. `context` is
    the question an elliptical follow-up continues ("and does that need Enterprise?" after a SCIM
    question): its names must be in the evidence too. `setup` is the plan, edition or version the buyer
    says they have: a claim that names none is about it."""
    setup = setup or Setup()
    # A plan the claim names need not be in the sentence: "Enterprise only" answers a Growth claim.
    # Nor a figure's number: the figure is compared, not required ("90 days" against "30 days").
    numbers = {number for number, _ in figures(claim.text)}
    said = without_figures(claim.text)  # "5,000 columns" is compared, its digits are not words to find
    names = {n for n in claim_names(said) | claim_names(context) if n.replace(",", "") not in numbers}
    # Nor the words most passages contain (the product's name): they do not say what a sentence is about.
    ubiquitous = terms_of(" ".join(common))
    names -= _PLANS | ubiquitous
    terms = {t for t in terms_of(said) | claim_names(context) if t.replace(",", "") not in numbers}
    terms -= _GENERIC | _PLANS | ubiquitous
    missing_names = terms_of(" ".join(unseen)) & names
    if missing_names:
        return ClaimVerdict(
            claim.text,
            claim.polarity,
            "not_documented",
            reason=f"no document mentions {', '.join(sorted(missing_names))}",
        )
    if not terms:
        return ClaimVerdict(claim.text, claim.polarity, "abstain", reason="the claim names nothing to check")
    if _PRONOUN_OBJECT.search(claim.text) and not names:
        return ClaimVerdict(claim.text, claim.polarity, "abstain", reason="what 'it' is is not said")
    if not context and _PRONOUN_SUBJECT.match(claim.text) and not names:
        return ClaimVerdict(claim.text, claim.polarity, "abstain", reason="what 'it' is is not said")
    if _EQUATIVE.search(claim.text):
        return ClaimVerdict(claim.text, claim.polarity, "abstain", reason="a comparison is not checked")
    readings: list[_Reading] = []
    claim_plans = _tiers_named(f"{context} {claim.text}") or set(setup.plans)
    # An edition the claim names ("on my S10+") need not be in a sentence the next one restricts to or
    # from an edition: that restriction is compared with it, as a plan is with "Enterprise only".
    said_editions = _EDITION_NAME.findall(f"{claim.text} {setup.editions_for(claim.text)}")
    editions = {t for e in said_editions for t in terms_of(f"Galaxy {e}")}
    for candidate in candidates:
        row = plan_row(candidate.sentence, candidate.hit.chunk.text) if candidate.hit else None
        table_reading = _read_row(claim, names, terms, row, candidate, claim_plans) if row else None
        if table_reading:
            readings.append(table_reading)
            continue
        held = terms_of(candidate.sentence) | terms_of(candidate.context) | terms_of(candidate.heading)
        if editions and _EDITION_NAME.search(candidate.follow):
            held |= editions
        if not names <= held:
            continue
        if _tier_answers_included(terms - held, candidate, bool(claim_plans)):
            held |= terms - held  # "Is SCIM included?" on Growth against "SCIM ... Enterprise only"
        alignment = len(terms & held) / len(terms)
        if alignment < ALIGNMENT:
            continue
        miss = near_miss(claim.text, terms - held, candidate.sentence)
        if miss:
            readings.append(_Reading("abstain", (), candidate, alignment, reason=miss))
            continue
        outside = _outside_closed_list(claim, names, candidate)
        if outside:
            readings.append(
                _Reading(CLOSED_LIST_VERDICT, (), candidate, alignment, candidate.sentence, outside)
            )
            continue
        readings.append(_read(claim, terms, candidate, alignment, context, setup))
    settled = [r for r in readings if r.verdict != "abstain"]
    if not settled:
        reason = readings[0].reason if readings else "no sentence is clearly about the claim"
        best = readings[0].candidate if readings else None
        return _verdict(claim, "abstain", best, reason=reason)
    families = {"no" if r.verdict == "no" else "yes" for r in settled}
    if len(families) > 1:
        best = max(settled, key=lambda r: r.alignment).candidate
        return _verdict(claim, "abstain", best, reason="the sentences about it disagree")
    best = max(settled, key=lambda r: (r.alignment, bool(r.conditions)))
    conditions = tuple(dict.fromkeys(c for r in settled for c in r.conditions))
    verdict = best.verdict
    if verdict != "no":
        verdict = "yes_with_conditions" if conditions else "yes"
        restricted = _restricted_nearby(terms, best.candidate, candidates)
        if restricted:
            return _verdict(claim, "abstain", restricted, reason="a sentence beside it restricts it")
    return _verdict(claim, verdict, best.candidate, conditions, best.alternative, best.reason)


def _read_row(
    claim: Claim, names: set[str], terms: set[str], row: Row, candidate: Candidate, plans: set[str]
) -> _Reading | None:
    """What a table row under a header of plans says of the claim, when its first cell is what the claim is
    about and the plan's cell is Yes/Included or No/—; None leaves the row to the other rules. `plans`: the
    claim's plans (named in it, else the buyer's own)."""
    held = row.terms  # "SCIM provisioning" under "Included": the row's own values are not what it is about
    if not names <= held or figures(claim.text):
        return None
    alignment = len(terms & held) / len(terms)
    if alignment < ALIGNMENT or negated(claim.text) != (claim.polarity == "denied"):
        return None
    having = row.having()
    if plans:
        if not plans <= row.cells.keys():
            return None
        values = {row.cells[plan] for plan in plans}
        if len(values) != 1 or None in values:
            return None
        if values == {True}:
            return _Reading("yes", (), candidate, alignment)
        alternative = f"{' and '.join(having)} only" if having else ""
        return _Reading(
            "no", (), candidate, alignment, alternative, f"the table says No for {', '.join(sorted(plans))}"
        )
    values = set(row.cells.values())
    if values == {True}:
        return _Reading("yes", (), candidate, alignment)
    if None in values or not having:
        return None
    # "SCIM provisioning | No | No | Yes" and no plan known: yes, on the plans that have it.
    return _Reading(
        "yes_with_conditions", (Condition("tier", " and ".join(sorted(having))),), candidate, alignment
    )


_INCLUDED = terms_of("included")
_PRICED = re.compile(
    r"[$\u20ac\u00a3]|\b(?:cost|costs|fee|fees|charge|charged|price|priced|paid|purchase|quoted?|add-on|extra|per month)\b",
    re.IGNORECASE,
)


def _tier_answers_included(missing: set[str], candidate: Candidate, plans_known: bool) -> bool:
    """Whether "included", the one word of the claim the sentence lacks, asks which plans have it, and the
    sentence answers that: it binds the fact to plans ("on the Enterprise tier only") and the buyer's plan is
    known. Not when the sentence speaks of money ("at extra cost"): then "included" may mean free."""
    if not plans_known or not missing or missing - _INCLUDED:
        return False
    text = f"{candidate.context} {candidate.sentence}"
    return bool(_tiers_named(text)) and not _PRICED.search(text) and "|" not in candidate.sentence


_NAME_AFTER_PLAN = re.compile(rf"\b(?:{'|'.join(PLAN_WORDS)}) (?!(?:Support|Tier|Plan)\b)[A-Z]\w*")


def _tiers_named(text: str) -> set[str]:
    """The plans `text` names, not counting a plan word that starts a name ("Professional Services")."""
    return plans_named(_NAME_AFTER_PLAN.sub(" ", text))


# "Videos and multiple pictures can only be applied to the Lock screen.": a restriction to one place.
_RESTRICTION = re.compile(
    r"\b(?:can|may|will) only be \w+(?: \w+)? (?:to|on|in|for|with|by)\b"
    r"|\bonly (?:available|supported|allowed) (?:on|in|for|with|to)\b",
    re.IGNORECASE,
)
MIN_SHARED = 2  # claim terms a restricting sentence must share to be about the same thing (dev split)


def _restricted_nearby(
    terms: set[str], evidence: Candidate, candidates: Sequence[Candidate]
) -> Candidate | None:
    """A sentence of the evidence's document that restricts what the claim is about to somewhere the claim
    does not name ("Change the look of the Home and Lock screens by choosing a picture, video ..." says
    yes to a video on the Home screen; "Videos ... can only be applied to the Lock screen" says no)."""
    for other in candidates:
        if other.hit is None or evidence.hit is None or other.sentence == evidence.sentence:
            continue
        if other.hit.chunk.document_id != evidence.hit.chunk.document_id:
            continue
        if not _RESTRICTION.search(other.sentence) or negated(other.sentence):
            continue
        held = terms_of(other.sentence)
        if len(held & terms) >= MIN_SHARED and terms - held - terms_of(other.heading):
            return other
    return None


def _verdict(
    claim: Claim,
    verdict: str,
    candidate: Candidate | None,
    conditions: tuple[Condition, ...] = (),
    alternative: str = "",
    reason: str = "",
) -> ClaimVerdict:
    return ClaimVerdict(
        claim=claim.text,
        polarity=claim.polarity,
        verdict=verdict,
        conditions=conditions,
        alternative=alternative,
        evidence=candidate.sentence if candidate else "",
        source=candidate.hit.chunk.document_id if candidate and candidate.hit else "",
        position=candidate.position if candidate else None,
        reason=reason,
    )
