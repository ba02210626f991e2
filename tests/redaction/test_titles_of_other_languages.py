"""Names after the forms of address of German, French, Spanish, Italian and Dutch, in text
and in export rows: each redacted line below left the name (or part of it) readable before.
What merely looks like such a title stays. Lines written for these tests."""

from __future__ import annotations

import pytest

from service.redaction.redactor import Redactor


@pytest.mark.parametrize(
    ("line", "redacted"),
    [
        ("betaling ontvangen van dhr. De Vries", "betaling ontvangen van dhr. <PERSON>"),
        ("betaling ontvangen van mevr. Jansen", "betaling ontvangen van mevr. <PERSON>"),
        ("betaling ontvangen van Mw. Sanne Visser", "betaling ontvangen van Mw. <PERSON>"),
        (
            "pagamento ricevuto dalla Sig.ra Giulia Conti",
            "pagamento ricevuto dalla Sig.ra <PERSON>",
        ),
        ("pratica assegnata a Dott.ssa Chiara Esposito", "pratica assegnata a Dott.ssa <PERSON>"),
        ("pago de Dña. Lucía Romero", "pago de Dña. <PERSON>"),
        ("4474,Dhr.,Bakker,Sem,NL", "4474,Dhr.,<PERSON>,<PERSON>,NL"),
        ("4475;M.;Girard;Laurent;FR", "4475;M.;<PERSON>;<PERSON>;FR"),
    ],
)
def test_a_name_after_a_title_is_redacted(redactor: Redactor, line: str, redacted: str) -> None:
    assert redactor.redact(line).text == redacted


@pytest.mark.parametrize(
    ("line", "gone"),
    [
        ("4471;HERR;WEBER;JÜRGEN;+49 30 1234567", ["WEBER", "JÜRGEN"]),
        ("4472,MME,DUPONT,CLAIRE,PAID", ["DUPONT", "CLAIRE"]),
        ("4473;FRAU;KLEIN;ANNA;DE", ["KLEIN", "ANNA"]),
        ("4478;SR.;ORTEGA;JAVIER;ES", ["ORTEGA", "JAVIER"]),
        ("4479,HERR,MAIER,42", ["MAIER"]),
    ],
)
def test_a_name_in_capitals_after_a_title_cell_is_redacted(
    redactor: Redactor, line: str, gone: list[str]
) -> None:
    redacted = redactor.redact(line).text
    assert not any(word in redacted for word in gone), redacted


@pytest.mark.parametrize(
    "line",
    [
        "mw AuthCheck failed for request 42",  # middleware, not mevrouw
        "Sig Verify step passed",
        "Step 2: M. Select the plan",  # `M.` in text opens list items and sizes
        "size M. Blue Cotton shirt",
        "4480,SR,QUEUE,DRAINED",  # bare SR in capitals is no title
    ],
)
def test_what_only_looks_like_a_title_stays(redactor: Redactor, line: str) -> None:
    assert redactor.redact(line).text == line
