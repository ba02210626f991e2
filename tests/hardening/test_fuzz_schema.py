"""Property-based fuzzing of every operation of the service's own ``/openapi.json``, as every
role, with valid and invalid data: no 500, every error problem+json with a code from API.md's
table, every response true to its own schema (schemathesis' checks).

The operations are walked from the schema at run time, so an endpoint that lands later is
fuzzed without touching this file.
"""

from __future__ import annotations

import random
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.config import SchemathesisConfig
from schemathesis.generation.meta import negated_parameters
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tests.fixtures.app import Api
from tests.hardening.support import ROLES, Book, problem_errors

# Not about storage: SQLite only.
pytestmark = pytest.mark.parametrize("shared_api", ["sqlite"], indirect=True)


EXAMPLES_PER_MODE = 10

# Schema-valid is not always acceptable here, by contract: API.md answers 422 for a token in
# the body that names nothing, a start time in the past, a window over the policy's limit or
# an address that is not an email — rules that depend on stored state, the clock or the policy,
# which no JSON schema can express. Every other check (no 5xx, status codes, content types,
# headers and bodies conforming to the schema, invalid data rejected, auth not ignored) runs.
EXCLUDED_CHECKS = [positive_data_acceptance]

# Invalid input may also meet a resource in a state that refuses everything first: an erased
# customer answers 410 before the request's other faults are looked at (410 is a rejection).
FUZZ_CONFIG = SchemathesisConfig.from_dict(
    {
        "checks": {
            "negative_data_rejection": {
                "expected-statuses": [400, 401, 403, 404, 405, 409, 410, 413, 415, 422, 429, "5xx"]
            }
        }
    }
)


@pytest.fixture(scope="module")
def fuzz_schema(shared_api: Api, book: Book) -> Any:
    # The fuzzer sends thousands of requests with invalid credentials from one address within a
    # minute: the per-address failed-authentication limit (tested on its own) would answer 429.
    policy = shared_api.ctx.policy
    limits = policy.limits.model_copy(update={"failed_auth_per_minute": 1_000_000})
    shared_api.ctx.policy = policy.model_copy(update={"limits": limits})
    return schemathesis.openapi.from_asgi("/openapi.json", shared_api.app, config=FUZZ_CONFIG)


def problem_json_with_a_known_code(ctx: Any, response: Any, case: Any) -> bool | None:
    if response.status_code >= 400:
        errors = problem_errors(response)
        if errors:
            raise AssertionError("; ".join(errors))
    return None


def aim_at_real_resources(case: Any, book: Book) -> None:
    """Half the examples name seeded resources, so the fuzzer gets past the 404s."""
    if case.path_parameters and random.Random(repr(case.path_parameters)).random() < 0.5:
        for name in case.path_parameters:
            if name in book.tokens:
                case.path_parameters[name] = book.tokens[name]


def headers_for(case: Any, role_headers: dict[str, str]) -> dict[str, str]:
    """The role's key, unless this invalid example is "no Authorization header" on purpose."""
    negated = {name.lower() for name, _ in negated_parameters(case.meta)}
    return {} if "authorization" in negated else role_headers


def fuzz_operation(
    operation: Any, mode: GenerationMode, headers: dict[str, str], book: Book
) -> int:
    """Run the examples of one operation in one mode; return how many requests were sent."""
    sent = 0

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES_PER_MODE,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        database=None,
        report_multiple_bugs=False,
        # No shrinking: a failure is reported as found, which keeps a failing run short.
        phases=[Phase.explicit, Phase.generate],
    )
    def run(case: Any) -> None:
        nonlocal sent
        sent += 1
        aim_at_real_resources(case, book)
        case.call_and_validate(
            headers=headers_for(case, headers),
            additional_checks=[problem_json_with_a_known_code],
            excluded_checks=EXCLUDED_CHECKS,
        )

    run()
    return sent


@pytest.mark.parametrize("role", [*ROLES, "anonymous"])
def test_every_operation_answers_within_its_contract_for_valid_and_invalid_input(
    role: str, fuzz_schema: Any, shared_api: Api, book: Book
) -> None:
    headers = {} if role == "anonymous" else {"Authorization": f"Bearer {shared_api.keys[role]}"}
    failures: list[str] = []
    fuzzed = sent = 0
    for result in fuzz_schema.get_all_operations():
        operation = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            try:
                sent += fuzz_operation(operation, mode, headers, book)
            except Unsatisfiable:
                continue  # nothing to make invalid: the operation takes no input
            except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 - gathered so one run shows every failure
                failures.append(f"{operation.label} [{mode.value}]: {str(exc)[:1500]}")
        fuzzed += 1
    assert fuzzed >= len(shared_api.app.openapi()["paths"])
    assert sent >= fuzzed * EXAMPLES_PER_MODE
    assert not failures, "\n\n".join(failures)
