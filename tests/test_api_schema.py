"""Schemathesis against the API's own OpenAPI schema (/v1/openapi.json): generated requests to every
operation, on the real app (real assistant, real SQLite), never get a 5xx, and every response (status,
content type, headers, body) matches the schema. Bounded: a dozen examples per operation.

One schemathesis check is left out, by design: `ignored_auth` expects 401 or 403 for a wrong token, and this
API answers a token that is not the conversation's token with 404, exactly as for an unknown conversation,
so a token never tells whether a conversation exists (a missing token gets 401; tests/test_api.py).

Every other example runs on a fresh real conversation with its real token (so answers, transcripts,
handoffs and ends are exercised, not only the 401/404 a made-up token gets); the rest are sent as generated.
"""

from __future__ import annotations

import itertools

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.config import SchemathesisConfig
from schemathesis.config._checks import NegativeDataRejectionConfig

from tests.api_support import bearer, chat_stack
from tests.api_support import settings as api_settings
from ui.api.app import create_app

pytestmark = pytest.mark.slow

EXAMPLES_PER_OPERATION = (
    12  # enough to reach every documented status; the whole file runs in well under a minute
)
CONFIG = SchemathesisConfig.from_dict(
    {
        "checks": {
            "ignored_auth": {"enabled": False},  # a wrong token gets 404 by design (see above)
            # An over-long generated message can also be refused for its size: 413 is a rejection too.
            "negative_data_rejection": {
                "expected-statuses": [*NegativeDataRejectionConfig._DEFAULT_EXPECTED_STATUSES, "413"]
            },
        }
    }
)
ROOMY = {"api_rate_limit_ip": "1000000/minute", "api_rate_limit_conversation": "1000000/minute"}


@pytest.fixture(scope="module")
def stack(sample_assistant, tmp_path_factory):
    built = chat_stack(sample_assistant, tmp_path_factory.mktemp("schema-db"))
    yield built
    built.database.dispose()


@pytest.fixture(scope="module")
def api_schema(stack, tmp_path_factory):
    app = create_app(stack.chat, api_settings(tmp_path_factory.mktemp("schema-home"), **ROOMY))
    return schemathesis.openapi.from_asgi("/v1/openapi.json", app, config=CONFIG)


def operations(api_schema) -> list:
    return [result.ok() for result in api_schema.get_all_operations()]


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=["valid", "invalid"])
def test_every_response_matches_the_schema_and_none_is_a_server_error(api_schema, stack, mode):
    # Hypothesis is driven per operation here: schemathesis' lazy pytest loader does not run on pytest 9.
    checked = operations(api_schema)
    assert {f"{op.method.upper()} {op.path}" for op in checked} >= {
        "POST /v1/conversations",
        "POST /v1/conversations/{conversation_id}/messages",
        "GET /v1/conversations/{conversation_id}/messages",
        "POST /v1/conversations/{conversation_id}/handoff",
        "POST /v1/conversations/{conversation_id}/end",
    }
    turns = itertools.count()
    statuses: dict[str, set[int]] = {}
    for operation in checked:
        if mode == GenerationMode.NEGATIVE and not takes_input(operation):
            continue  # nothing to make invalid: no parameter, no body
        explore(
            operation,
            mode,
            stack,
            turns,
            statuses.setdefault(f"{operation.method.upper()} {operation.path}", set()),
        )
    assert all(code < 500 for codes in statuses.values() for code in codes), statuses
    print(f"\n{mode.value}: status codes seen per operation: {statuses}")


def takes_input(operation) -> bool:
    raw = operation.definition.raw
    return bool(raw.get("parameters") or raw.get("requestBody"))


def explore(operation, mode: GenerationMode, stack, turns: itertools.count, seen: set[int]) -> None:
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def check(case) -> None:
        if "conversation_id" in (case.path_parameters or {}) and next(turns) % 2 == 0:
            conversation_id, token = stack.chat.start_with_token()
            case.path_parameters["conversation_id"] = conversation_id
            case.headers = {**(case.headers or {}), **bearer(token)}
        seen.add(case.call_and_validate().status_code)

    check()
