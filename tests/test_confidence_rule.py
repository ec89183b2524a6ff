"""The hand-set confidence formula: a sentence that answers in other words than the buyer's is trusted."""

from __future__ import annotations

from assistant.confidence import confidence_parts
from assistant.pipeline import unknown_entities
from assistant.tuning import DEFAULT_TUNING

# Sample dev question qm-040, "During the dual run we pay for both systems, correct?": the quoted sentence
# ("During dual-run, the customer pays for both platforms ...") answers, in words the question lacks.
DUAL_RUN = dict(top_similarity=0.337, coverage=0.3333, groundedness=1.0, verdict=None, answers=0.8131)


def test_a_sentence_the_scorer_finds_answering_lifts_confidence_over_the_threshold():
    parts = confidence_parts(**DUAL_RUN, answers_cited=0.8131)
    assert parts.score == parts.rule_score == 0.8131
    assert parts.score >= 0.5  # the eval's threshold: answered, no longer handed off


def test_a_sentence_below_the_trusted_level_changes_nothing():
    below = DEFAULT_TUNING.answers_trusted - 0.01
    parts = confidence_parts(**DUAL_RUN, answers_cited=below)
    assert parts.score == round(0.5 * (0.337 - 0.2) / 0.45 + 0.5 * 0.3333, 4)
    assert parts.score < 0.5


def test_the_lift_keeps_groundedness_unknown_names_and_the_undocumented_cap():
    half_grounded = confidence_parts(**{**DUAL_RUN, "groundedness": 0.5}, answers_cited=0.9)
    assert half_grounded.score == 0.45
    named = confidence_parts(**DUAL_RUN, answers_cited=0.9, unknown_entities=1)
    assert named.score == round(0.9 * DEFAULT_TUNING.unknown_name_penalty, 4)
    undocumented = confidence_parts(**{**DUAL_RUN, "verdict": "not_documented"}, answers_cited=0.95)
    assert undocumented.score == DEFAULT_TUNING.not_documented_cap


def test_nothing_composed_is_never_lifted():
    parts = confidence_parts(**{**DUAL_RUN, "groundedness": None}, answers_cited=0.95)
    assert parts.score == DEFAULT_TUNING.nothing_composed_cap


def test_a_name_at_the_end_of_a_sentence_and_again_later_is_one_unknown_name():
    # Sample dev question qm-019 counted "Segment." and "Segment" as two names, and two penalties.
    question = "We collect web events with Segment. Is there a Segment integration?"
    assert unknown_entities(question, {"segment"}) == ["Segment"]
    assert unknown_entities("Does it run on Node.js?", {"node.js"}) == ["Node.js"]
