"""The redactor is a dependency of ``POST /v1/redact`` (``get_redactor``), replaced in tests
with ``app.dependency_overrides``; every free text goes through one helper, ``redact_text``."""

from __future__ import annotations

from service.app.context import get_redactor
from service.customers import free_text
from service.redaction.policy import RedactionPolicy
from service.redaction.redactor import Redactor, redact_text
from tests.fixtures.app import Api

TEXT = "refund for jane.doe@example.com\ncard 4111 1111 1111 1111 order cus_tok_abc123def456"


def test_the_endpoint_redacts_with_the_redactor_its_dependency_gives(
    sqlite_api: Api, redactor: Redactor, policy: RedactionPolicy
) -> None:
    # the real detector under a policy that keeps no card digits
    strict = Redactor(
        policy.model_copy(
            update={"replacement": policy.replacement.model_copy(update={"card_keep_last": 0})}
        ),
        detector=redactor.detector,
    )
    sqlite_api.app.dependency_overrides[get_redactor] = lambda: strict
    try:
        overridden = sqlite_api.call("POST", "/v1/redact", who="service", json={"text": TEXT})
    finally:
        del sqlite_api.app.dependency_overrides[get_redactor]
    default = sqlite_api.call("POST", "/v1/redact", who="service", json={"text": TEXT})

    assert overridden.json()["redacted"].endswith("card <CREDIT_CARD> order cus_tok_abc123def456")
    assert default.json()["redacted"].endswith("card <CREDIT_CARD>1111 order cus_tok_abc123def456")


def test_a_free_text_redacts_as_the_endpoint_redacts_it(
    sqlite_api: Api, redactor: Redactor
) -> None:
    line = TEXT.split("\n")[1]
    answered = sqlite_api.call("POST", "/v1/redact", who="service", json={"text": line}).json()
    assert free_text.redacted(line) == answered["redacted"] == redact_text(redactor, line).text
    # a multi-line text keeps its lines and offsets into the original
    result = redact_text(redactor, TEXT)
    assert result.text.count("\n") == 1
    assert {TEXT[f.start : f.end] for f in result.findings} == {
        "jane.doe@example.com",
        "4111 1111 1111 1111",
    }
