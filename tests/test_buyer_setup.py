"""The buyer's own plan, stated outside the claim, is the plan of every claim (issue #11): the whole pipeline
over the sample product."""

from __future__ import annotations


def test_a_plan_stated_before_the_question_settles_sso_and_scim(sample_assistant):
    answer = sample_assistant.ask("We're on Growth. Do we get SSO, and is SCIM included too?")
    verdicts = {v.claim: v for v in answer.claim_verdicts}
    sso = next(v for claim, v in verdicts.items() if "SSO" in claim)
    scim = next(v for claim, v in verdicts.items() if "SCIM" in claim)
    assert (sso.verdict, sso.conditions) == ("yes", ()), "Growth meets 'require Growth or Enterprise'"
    assert scim.verdict == "no", "SCIM is Enterprise only"
    assert "Enterprise" in scim.alternative


def test_a_pricing_table_row_says_no_to_scim_on_growth(sample_assistant):
    answer = sample_assistant.ask("We're on Growth. Is SCIM provisioning included?")
    scim = next(v for v in answer.claim_verdicts if "SCIM" in v.claim)
    assert scim.verdict == "no"
    assert "Enterprise" in f"{scim.evidence} {scim.alternative}"
