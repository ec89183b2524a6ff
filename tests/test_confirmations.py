"""Confirmations on the sample knowledge base: a verdict per claim, never a wrong one (issue #11).

The four failures a new user met: a tier qualifier read as a denial, a negation about another noun read
as support, a region list read as a denial, and a pronoun for the product glued to the previous question.
"""

from __future__ import annotations

import pytest

from assistant.types import Condition


def test_hipaa_enterprise_only_is_a_yes_with_a_tier_condition(sample_assistant):
    answer = sample_assistant.ask("Is DataPlane HIPAA compliant? We're a hospital.")
    assert answer.verdict != "contradicted", "'Enterprise only' is a condition, not a denial"
    assert answer.text.startswith("Yes, on the Enterprise tier only [1]"), answer.text
    (claim,) = answer.claim_verdicts
    assert claim.verdict == "yes_with_conditions"
    assert Condition("tier", "Enterprise") in claim.conditions
    assert "Enterprise" in claim.evidence
    assert any(c.quote == claim.evidence for c in answer.citations), "the claim's evidence is cited"


def test_r_notebooks_are_not_confirmed(sample_assistant):
    answer = sample_assistant.ask("Do you support R notebooks?")
    assert answer.verdict != "supported", answer.text
    assert not answer.text.startswith("Yes"), answer.text
    assert all(v.verdict not in ("yes", "yes_with_conditions") for v in answer.claim_verdicts)


@pytest.mark.xfail(
    strict=True,
    reason="not yet: the region list holds 'Frankfurt' but not 'keep data', so the judge abstains (no wrong "
    "'no' any more: the old answer was 'Not as described')",
)
def test_frankfurt_in_the_region_list_is_a_yes(sample_assistant):
    answer = sample_assistant.ask("Can I keep data in Frankfurt only?")
    assert answer.verdict == "supported", answer.text
    assert answer.text.startswith("Yes"), answer.text
    (claim,) = answer.claim_verdicts
    assert claim.verdict == "yes"
    assert "Frankfurt" in claim.evidence


def test_product_pronoun_after_a_pricing_question_is_not_glued_to_it(sample_assistant):
    pricing = "How much does the Growth tier cost per month?"
    answer = sample_assistant.ask("Does it run on-premises, air-gapped?", history=[pricing])
    assert answer.retrieval_query == "Does it run on-premises, air-gapped?"
    assert "pricing.html" not in {c.source for c in answer.citations}, answer.text
    for claim in answer.claim_verdicts:
        assert claim.source != "pricing.html", claim
