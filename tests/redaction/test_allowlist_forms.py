"""The default allow-list's fast forms match exactly what their plain forms match.

Some default patterns start with the character they need and look behind only after it, so
that Python's `re` skips to candidate characters; this checks them against the plain forms
(leading `\\b`, `(?i)`) on log lines and on random strings built from the pieces they read.
"""

from __future__ import annotations

import random
import re

import pytest

from service.redaction.policy import load_policy
from tests.redaction.corpus import billing_corpus

PLAIN_FORMS = {
    "strongroom_token": r"\b(?:cus_tok|sub_tok|pau|ch|bulk|evt)_[A-Za-z0-9]{6,}\b",
    "api_key_id": r"\bsrk_[A-Za-z0-9_]{4,}\b",
    "epoch_millis": r"(?<![\d.])1[5-9]\d{11}(?![\d.])",
    "amount": r"(?i)\b(?:amount|total|price|credit|amount_due|credit_applied|recurring_amount)"
    r"[\"']?\s*[=:]\s*[\"']?-?\d+(?:[.,]\d+)?\b",
    "version": r"(?i)(?:\bv\d+(?:\.\d+){1,3}\b|\b(?:version|ver|release|sdk|python|presidio"
    r"|spacy)[/=:\" ]+v?\d+(?:\.\d+){1,3}\b)",
}
_PIECES = [
    "cus_tok_", "sub_tok_", "pau_", "ch_", "bulk_", "evt_", "srk_", "xsrk_", "_", "-", ".",
    " ", "=", ":", '"', "'", "amount", "Amount", "AMOUNT", "amount_due", "total", "TOTAL",
    "price", "credit", "credit_applied", "recurring_amount", "v", "V", "version", "VER", "ver",
    "release", "sdk", "python", "presidio", "spacy", "Spacy", "0", "1", "12", "123", "1234",
    "1700000000000", "1499999999999", "abcdef", "a1b2c3", "x", "é", "1.2", "1.2.3", "9", "/",
]  # fmt: skip


def _texts() -> list[str]:
    rng = random.Random(11)
    texts = [sample.text for sample in billing_corpus(1500)]
    texts += ["".join(rng.choice(_PIECES) for _ in range(rng.randint(1, 12))) for _ in range(20000)]
    return texts


@pytest.mark.parametrize("name", sorted(PLAIN_FORMS))
def test_a_fast_default_pattern_matches_what_its_plain_form_matches(name: str) -> None:
    fast = re.compile(load_policy().allow_list[name])
    plain = re.compile(PLAIN_FORMS[name])
    differing = [
        text
        for text in _texts()
        if [m.span() for m in fast.finditer(text)] != [m.span() for m in plain.finditer(text)]
    ]
    assert not differing, differing[:3]
