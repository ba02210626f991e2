"""The real presidio-backed redactor, built once per test session (loading spaCy is slow)."""

from __future__ import annotations

import pytest

from service.redaction.policy import RedactionPolicy, load_policy
from service.redaction.redactor import Redactor, get_redactor


@pytest.fixture(scope="session")
def policy() -> RedactionPolicy:
    return load_policy()


@pytest.fixture(scope="session")
def redactor() -> Redactor:
    return get_redactor()
