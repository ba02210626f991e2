"""A processor that does not answer holds up only the charge that waits for it."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from service.devstack.localstripe import LocalStripeServer
from service.processors.stripe_adapter import StripeProcessor
from tests.charges.hanging_proxy import HangingProxy
from tests.charges.support import charge, charge_rows, new_customer
from tests.core.test_app import assert_problem
from tests.fixtures.app import Api
from tests.fixtures.localstripe import LOCALSTRIPE_API_KEY


def test_other_requests_are_answered_while_a_charge_waits_for_the_processor(
    make_api: Callable[..., Api], db_url: str, localstripe: LocalStripeServer
) -> None:
    with HangingProxy(localstripe.port, b"POST /v1/payment_intents", forward=False) as proxy:
        processor = StripeProcessor(LOCALSTRIPE_API_KEY, api_base=proxy.url, timeout=60)
        api = make_api(db_url, processor=processor)
        customer = new_customer(api)
        answers: list[Any] = []
        waiting = threading.Thread(target=lambda: answers.append(charge(api, customer=customer)))
        waiting.start()
        assert proxy.holding.wait(30)

        listed = api.call("GET", "/v1/charges", who="service")
        other_customer = new_customer(api, payment_method=None, n=2)

        assert waiting.is_alive()
        assert listed.status_code == 200
        assert [c["status"] for c in listed.json()["data"]] == ["pending"]
        assert other_customer.startswith("cus_tok_")
    waiting.join(60)
    assert not waiting.is_alive()
    # Once the held connection drops, the adapter looks the payment up and tries again: the
    # charge settles or stays pending for the reconciler, but it is never made twice.
    if answers[0].status_code == 201:
        assert answers[0].json()["status"] == "succeeded"
    else:
        assert_problem(answers[0], 502, "processor_error")
    assert len(charge_rows(api)) == 1
