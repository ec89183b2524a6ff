"""The claim splitter and the judge on single sentences: qualifiers are conditions, polarity comes from
the clause about the subject, figures are compared with the figure stated for the same unit, and a
sentence not clearly about the claim gives no verdict."""

from __future__ import annotations

import pytest

from assistant.claim_verdicts import Candidate, judge
from assistant.claims import Claim, split_claims
from assistant.confirm import turn_verdict, vet_verdicts
from assistant.qualifiers import conditions_in, figures, stance, terms_of
from assistant.types import ClaimVerdict, Condition


def test_confirmation_splits_into_claims_with_a_denied_need():
    claims = split_claims(
        "I read that we can stream Kafka into DataPlane and don't have to run our own stream processor. "
        "Is that right?"
    )
    assert claims == [
        Claim("we can stream Kafka into DataPlane", "asserted"),
        Claim("run our own stream processor", "denied"),
    ]


def test_without_makes_a_denied_claim_and_and_also_a_second_one():
    assert split_claims("Can we pay monthly on Growth without an annual commitment?") == [
        Claim("Can we pay monthly on Growth"),
        Claim("an annual commitment", "denied"),
    ]
    claims = split_claims("Can DataPlane query Snowflake through federation and also write tables back?")
    assert [c.text for c in claims] == [
        "Can DataPlane query Snowflake through federation",
        "write tables back",
    ]


def test_context_sentence_and_confirmation_tag_are_not_claims():
    assert split_claims("Is DataPlane HIPAA compliant? We're a hospital.") == [
        Claim("Is DataPlane HIPAA compliant")
    ]
    assert split_claims("SSO is on Growth, right? Can you confirm?") == [Claim("SSO is on Growth")]


def test_only_and_since_are_conditions_not_denials():
    assert conditions_in("HIPAA is supported on the Enterprise tier only.") == [
        Condition("tier", "Enterprise")
    ]
    assert conditions_in("Azure Key Vault (since release 4.2).") == [Condition("version", "4.2")]
    sentence = "Yes, on the Enterprise tier only."
    verdict = judge(
        Claim("DataPlane is HIPAA compliant"), [Candidate(sentence, "Is DataPlane HIPAA compliant?")], set()
    )
    assert verdict.verdict == "yes_with_conditions"
    assert verdict.conditions == (Condition("tier", "Enterprise"),)


def test_a_closed_tier_condition_denies_another_tier():
    sentence = "Dashboard embedding is available on the Enterprise tier only."
    verdict = judge(Claim("dashboard embedding is available on Growth"), [Candidate(sentence, "")], set())
    assert verdict.verdict == "no"


def test_polarity_comes_from_the_clause_about_the_subject():
    sentence = "Strata supports SQL and Python UDFs, but not procedural stored procedures."
    assert stance(sentence, terms_of("Python UDFs")) is False
    assert stance(sentence, terms_of("procedural stored procedures")) is True
    assert judge(Claim("Strata supports Python UDFs"), [Candidate(sentence, "")], set()).verdict == "yes"
    assert (
        judge(Claim("Strata supports procedural stored procedures"), [Candidate(sentence, "")], set()).verdict
        == "no"
    )


def test_an_elliptical_negation_leaves_it_unsettled():
    assert stance("it should have a little recline, but it doesn't.", terms_of("recline")) is None


def test_a_different_figure_is_a_no_but_two_figures_of_the_unit_settle_nothing():
    assert figures("30 minutes with Enterprise Support, 4 business hours") == {
        ("30", "minute"),
        ("4", "hour"),
    }
    one = Candidate("Platform backups are retained for 30 days.", "")
    assert judge(Claim("platform backups are retained for 90 days"), [one], set()).verdict == "no"
    both = Candidate("Time travel is 7 days on Starter and 30 days on Growth.", "")
    # Each plan has its figure here ("30 days on Growth"): the buyer's plan's figure is the one compared.
    assert judge(Claim("time travel is 90 days on Growth"), [both], set()).verdict == "no"
    two = Candidate("First response: 30 minutes with Enterprise Support, 4 business hours with Standard.", "")
    assert judge(Claim("the first response is within 2 hours"), [two], set()).verdict == "abstain"


def test_unmentioned_names_are_not_documented_and_off_topic_sentences_abstain():
    claim = Claim("DataPlane integrates with ServiceNow")
    assert judge(claim, [], {"servicenow"}).verdict == "not_documented"
    off_topic = Candidate("DataPlane integrates with Slack for alerts.", "")
    assert judge(claim, [off_topic], set()).verdict == "abstain"


@pytest.mark.parametrize(
    ("labels", "expected"),
    [
        (["yes", "yes_with_conditions"], "supported"),
        (["yes", "no"], "contradicted"),
        (["not_documented"], "not_documented"),
        (["yes", "abstain"], None),
    ],
)
def test_turn_verdict_from_claims(labels, expected):
    assert (
        turn_verdict([ClaimVerdict(f"claim {n}", "asserted", label) for n, label in enumerate(labels)])
        == expected
    )


def test_llm_verdicts_the_check_does_not_back_are_removed():
    verdicts = [
        ClaimVerdict("DataPlane is HIPAA compliant", "asserted", "yes_with_conditions"),
        ClaimVerdict("DataPlane runs on Google Cloud", "asserted", "abstain"),
    ]
    text = (
        "Yes, DataPlane is HIPAA compliant on the Enterprise tier [1].\n"
        "Yes, DataPlane also runs on Google Cloud [2].\nHIPAA needs a BAA [1]."
    )
    kept, removed = vet_verdicts(text, verdicts)
    assert removed == ["Yes, DataPlane also runs on Google Cloud [2]."]
    assert "HIPAA compliant" in kept
    assert "Google Cloud" not in kept
    assert vet_verdicts("No, DataPlane is not HIPAA compliant [1].", verdicts)[1], (
        "a no against a yes is removed"
    )


def test_epqa_polarity_reads_the_answering_sentence():
    from evals.verdict_polarity import polarity_of

    assert (
        polarity_of("Are batteries included with the remote?", "Batteries are not included with the remote.")
        == "no"
    )
    assert polarity_of("Is the lid dishwasher safe?", "The lid is dishwasher safe.") == "yes"
    assert polarity_of("Is the lid dishwasher safe?", "Great color, fast shipping.") is None
