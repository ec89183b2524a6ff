"""The grounding check on hand-built passages: what is supported, what is not, and how citations resolve."""

from __future__ import annotations

from assistant.grounding import ground
from knowledge.types import Chunk, Hit


def hit(chunk_id: str, text: str, source: str = "doc.md") -> Hit:
    return Hit(
        Chunk(id=chunk_id, document_id=source, text=text, title=source.title()), score=1.0, similarity=0.7
    )


HITS = [
    hit(
        "a",
        "Enterprise includes a 99.95% uptime SLA. Support answers Severity 1 issues in 30 minutes.",
        "sla.md",
    ),
    hit("b", "SSO uses SAML 2.0 or OIDC and is available on Growth and Enterprise.", "security.md"),
]


def test_verbatim_quote_is_supported_and_cited_with_its_sentence():
    result = ground(
        "\u201cSSO uses SAML 2.0 or OIDC and is available on Growth and Enterprise.\u201d [2]", HITS
    )
    assert result.unsupported == []
    assert result.groundedness == 1.0
    [citation] = result.citations
    assert citation.source == "security.md"
    assert citation.quote in HITS[1].chunk.text
    assert citation.marker == 1, "markers are renumbered in reading order"
    assert result.text.endswith("[1]")


def test_paraphrase_with_the_documented_number_is_supported():
    result = ground("The Enterprise tier comes with a 99.95% uptime SLA [1].", HITS)
    assert result.groundedness == 1.0
    assert result.citations[0].quote == "Enterprise includes a 99.95% uptime SLA."


def test_invented_number_is_unsupported():
    result = ground("Enterprise includes a 99.99% uptime SLA [1].", HITS)
    assert result.groundedness == 0.0
    assert result.citations == []
    assert "not supported" in result.unsupported[0].reason


def test_citation_to_a_passage_that_was_not_retrieved_is_flagged():
    result = ground("SSO uses SAML 2.0 or OIDC on Growth and Enterprise [7].", HITS)
    assert result.unsupported
    assert "not retrieved" in result.unsupported[0].reason


def test_unrelated_claim_without_marker_is_unsupported():
    result = ground("DataPlane runs natively on mainframes and includes free quantum compute credits.", HITS)
    assert result.groundedness == 0.0


def test_supported_text_drops_only_the_unsupported_sentences():
    text = "SSO uses SAML 2.0 or OIDC [2]. Every tier includes unlimited free storage forever [1]."
    result = ground(text, HITS)
    assert len(result.claims) == 2
    assert result.groundedness == 0.5
    assert "SAML" in result.supported_text
    assert "unlimited" not in result.supported_text


def test_a_lone_marker_is_not_a_claim():
    result = ground("SSO uses SAML 2.0 or OIDC [2].\n[1]", HITS)
    assert len(result.claims) == 1
    assert result.groundedness == 1.0


def test_initials_and_abbreviations_do_not_end_a_sentence():
    from assistant.sentences import split_sentences

    text = "Data stays in US-East (N. Virginia) or EU-West. SSO works with any SAML IdP, e.g. Okta. Done."
    assert split_sentences(text) == [
        "Data stays in US-East (N. Virginia) or EU-West.",
        "SSO works with any SAML IdP, e.g. Okta.",
        "Done.",
    ]
