"""A pause asked for while the customer's erasure is being committed answers 410, not 409.

The pause reads its subscription, locked, and whether the customer is live in one statement.
On PostgreSQL a statement that waits for a row lock re-reads the locked row when the lock is
released, but not the rows it joined: the customer still looks live while the subscription
already reads canceled. The interleaving is forced with the real erasure holding its locks
in an open transaction (PostgreSQL, where two transactions can interleave)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from service.core.clock import FrozenClock
from service.customers.operations import erase_customer
from tests.charges.support import new_customer
from tests.fixtures.app import Api
from tests.subscriptions.support import new_subscription

T0 = datetime(2027, 5, 3, 8, 0, tzinfo=UTC)


def test_a_pause_waiting_for_an_erasure_answers_gone(
    make_api: Callable[..., Api], pg_url: str
) -> None:
    api = make_api(pg_url, clock=FrozenClock(T0))
    customer = new_customer(api)
    subscription = new_subscription(api, customer)["id"]
    erasing = api.ctx.session_factory()  # the erasure request, not committed yet
    erase_customer(erasing, api.ctx.data_keys, customer, T0)
    erasing.flush()

    answers: list[Any] = []

    def pause() -> None:
        body = {"start": "now", "days": 3, "resume_mode": "shift"}
        path = f"/v1/subscriptions/{subscription}/pauses"
        answers.append(api.call("POST", path, who="service", json=body))

    pausing = threading.Thread(target=pause)
    pausing.start()
    pausing.join(1.0)
    assert pausing.is_alive(), "the pause did not wait for the erasure's lock"
    erasing.commit()
    erasing.close()
    pausing.join(10)
    assert not pausing.is_alive()

    [answer] = answers
    assert answer.status_code == 410, answer.text
    assert answer.json()["code"] == "gone"
