"""Serialising an answer through its ``XRead`` model vs the plain dict it replaced.

FastAPI's own response path, in process (no server, no database): the view dict of
``GET /v1/customers/{id}`` and of ``GET /v1/subscriptions/{id}`` (two pauses) — before, the
route declared ``dict[str, Any]`` and FastAPI validated and dumped that; now the endpoint builds
``XRead.model_validate(view)`` and FastAPI validates the instance (a pass-through) and dumps it
with ``exclude_unset``. Both answers are checked to be the same bytes first. The figures are
microseconds per answer, the baseline the dict path measured in the same run.

    .venv/bin/python bench/bench_read_models.py [--quick] [--rounds N]
"""

from __future__ import annotations

import argparse
import sys
import timeit
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fastapi._compat import ModelField
from fastapi.utils import create_model_field
from pydantic import BaseModel

from bench._common import Figure, print_figures
from service.customers.schemas import CustomerRead
from service.subscriptions.schemas import SubscriptionRead

CUSTOMER: dict[str, Any] = {
    "id": "cus_tok_" + "a" * 24,
    "masked": {
        "name": "J*** S***",
        "email": "j***@example.com",
        "phone": "+1 ***0134",
        "address": {"country": "US"},
        "card": {"brand": "visa", "last4": "4242"},
    },
    "metadata": {"crm": "x1", "tier": "gold"},
    "created_at": "2026-12-01T12:00:00Z",
}


def pause(n: int) -> dict[str, Any]:
    return {
        "id": f"pau_{n:024d}",
        "subscription": "sub_tok_" + "b" * 24,
        "status": "scheduled",
        "starts_at": "2027-01-01T00:00:00Z",
        "ends_at": "2027-01-11T00:00:00Z",
        "resume_mode": "credit",
        "reason": None,
        "credit_amount": 967,
        "bulk": None,
        "created_by": "billing",
        "created_at": "2026-12-01T12:00:00Z",
    }


SUBSCRIPTION: dict[str, Any] = {
    "id": "sub_tok_" + "b" * 24,
    "customer": CUSTOMER["id"],
    "status": "active",
    "plan": "gold",
    "amount": 3000,
    "currency": "USD",
    "interval": "month",
    "interval_count": 1,
    "tags": ["eu", "holiday"],
    "metadata": {},
    "start_at": "2026-12-01T12:00:00Z",
    "current_period_start": "2026-12-01T12:00:00Z",
    "current_period_end": "2027-01-01T12:00:00Z",
    "next_charge_at": "2027-01-01T12:00:00Z",
    "cancel_at": None,
    "canceled_at": None,
    "pauses": [pause(2), pause(1)],
    "created_at": "2026-12-01T12:00:00Z",
}


def field(annotation: Any) -> ModelField:
    return create_model_field(name="Response_bench", type_=annotation, mode="serialization")


def as_fastapi_does(response_field: ModelField, content: Any, *, exclude_unset: bool) -> bytes:
    """fastapi.routing.serialize_response's path for a route with a response model."""
    value, errors = response_field.validate(content, {}, loc=("response",))
    assert not errors, errors
    return response_field.serialize_json(value, exclude_unset=exclude_unset)


def measure(name: str, view: dict[str, Any], model: type[BaseModel], rounds: int) -> Figure:
    plain, typed = field(dict[str, Any]), field(model)

    def before() -> bytes:
        return as_fastapi_does(plain, view, exclude_unset=False)

    def after() -> bytes:
        return as_fastapi_does(typed, model.model_validate(view), exclude_unset=True)

    assert before() == after(), "the typed answer is not the same bytes"
    best: dict[str, float] = {}
    for _ in range(5):  # interleaved, best of five: a busy machine slows both alike
        for label, run in (("before", before), ("after", after)):
            seconds = timeit.timeit(run, number=rounds) / rounds
            best[label] = min(best.get(label, seconds), seconds)
    return Figure(
        f"{name}: XRead model",
        best["after"] * 1e6,
        "us",
        "dict[str, Any] (before)",
        best["before"] * 1e6,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds")
    parser.add_argument("--rounds", type=int, default=None, help="answers per timing")
    args = parser.parse_args()
    rounds = args.rounds or (2_000 if args.quick else 20_000)
    figures = [
        measure("GET /v1/customers/{id}", CUSTOMER, CustomerRead, rounds),
        measure("GET /v1/subscriptions/{id}", SUBSCRIPTION, SubscriptionRead, rounds),
    ]
    print_figures("Response serialisation (per answer, in process)", figures)


if __name__ == "__main__":
    main()
