"""POST /v1/charges, GET /v1/charges/{id} and GET /v1/charges as API.md states them."""

from __future__ import annotations

import stripe
from sqlalchemy import select

from service.audit.models import AuditEvent
from service.charges.models import Charge
from service.core.db import transaction
from tests.charges.support import (
    charge,
    charge_rows,
    new_customer,
    payment_intents_of,
    processor_customer_of,
)
from tests.core.test_app import assert_problem
from tests.fixtures.app import Api
from tests.subscriptions.support import new_subscription


def charge_events(api: Api) -> list[AuditEvent]:
    with transaction(api.ctx.session_factory) as session:
        query = select(AuditEvent).where(AuditEvent.action == "charges:charge:create")
        return list(session.execute(query.order_by(AuditEvent.seq)).scalars())


def test_a_charge_of_a_good_card_succeeds_with_one_payment_at_the_processor(
    api: Api, localstripe_client: stripe.StripeClient
) -> None:
    customer = new_customer(api)

    response = charge(api, customer=customer, amount=2500, currency="eur")

    assert response.status_code == 201, response.text
    body = response.json()
    assert body["id"].startswith("ch_")
    assert body["status"] == "succeeded"
    assert (body["amount"], body["currency"]) == (2500, "EUR")
    assert (body["customer"], body["subscription"]) == (customer, None)
    assert (body["failure_code"], body["processor"]) == (None, "stripe")
    assert body["created_at"].endswith("Z")
    intents = payment_intents_of(localstripe_client, processor_customer_of(api, customer))
    assert [(i.amount, i.currency, i.status) for i in intents] == [(2500, "eur", "succeeded")]
    events = charge_events(api)
    assert events[-1].status == 201
    assert body["id"] in events[-1].targets and customer in events[-1].targets


def test_a_declined_card_is_a_201_charge_with_status_failed_and_a_failure_code(
    api: Api,
) -> None:
    customer = new_customer(api, payment_method="pm_card_chargeCustomerFail")

    response = charge(api, customer=customer)

    assert response.status_code == 201, response.text
    assert response.json()["status"] == "failed"
    assert response.json()["failure_code"] == "card_declined"
    assert [row.status for row in charge_rows(api)] == ["failed"]


def test_a_charge_on_a_subscription_charges_its_customer_and_names_both(sqlite_api: Api) -> None:
    customer = new_customer(sqlite_api)
    subscription = new_subscription(sqlite_api, customer)["id"]

    response = charge(sqlite_api, subscription=subscription, amount=500)

    assert response.status_code == 201, response.text
    assert response.json()["status"] == "succeeded"
    assert (response.json()["customer"], response.json()["subscription"]) == (
        customer,
        subscription,
    )
    targets = charge_events(sqlite_api)[-1].targets
    assert customer in targets and subscription in targets


def test_the_same_idempotency_key_and_body_replays_the_first_response_and_pays_once(
    api: Api, localstripe_client: stripe.StripeClient
) -> None:
    customer = new_customer(api)

    first = charge(api, key="order-7731", customer=customer)
    again = charge(api, key="order-7731", customer=customer)

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert len(payment_intents_of(localstripe_client, processor_customer_of(api, customer))) == 1


def test_the_same_idempotency_key_with_another_body_is_an_idempotency_mismatch(
    sqlite_api: Api,
) -> None:
    customer = new_customer(sqlite_api)
    assert charge(sqlite_api, key="order-1", customer=customer).status_code == 201

    response = charge(sqlite_api, key="order-1", customer=customer, amount=2000)

    assert_problem(response, 409, "idempotency_mismatch")
    assert len(charge_rows(sqlite_api)) == 1


def test_the_idempotency_key_is_required(sqlite_api: Api) -> None:
    customer = new_customer(sqlite_api)
    response = sqlite_api.call(
        "POST",
        "/v1/charges",
        who="service",
        json={"customer": customer, "amount": 1, "currency": "usd"},
    )
    assert_problem(response, 400, "invalid_request")
    assert charge_rows(sqlite_api) == []


def test_invalid_bodies_are_422_and_charge_nothing(sqlite_api: Api) -> None:
    customer = new_customer(sqlite_api)
    subscription = new_subscription(sqlite_api, customer)["id"]
    bad_bodies = [
        {},
        {"customer": customer, "subscription": subscription},
        {"customer": customer, "amount": 0},
        {"customer": customer, "amount": -5},
        {"customer": customer, "amount": 10**12 + 1},
        {"customer": customer, "amount": "100"},
        {"customer": customer, "currency": "XTS"},
        {"customer": customer, "currency": "XAU"},
        {"customer": customer, "currency": "usdollar"},
        {"customer": customer, "surprise": True},
        {"customer": customer, "description": "x" * 1001},
    ]
    for body in bad_bodies:
        assert_problem(charge(sqlite_api, **body), 422, "invalid_request")
    assert charge_rows(sqlite_api) == []


def test_an_amount_over_the_policy_cap_is_a_policy_violation(sqlite_api: Api) -> None:
    customer = new_customer(sqlite_api)
    cap = sqlite_api.ctx.policy.limits.max_charge_for("USD")

    over = charge(sqlite_api, customer=customer, amount=cap + 1)
    at_cap = charge(sqlite_api, customer=customer, amount=cap)

    assert_problem(over, 422, "policy_violation")
    assert at_cap.status_code == 201
    assert len(charge_rows(sqlite_api)) == 1


def test_tokens_that_name_nothing_and_customers_without_a_card_are_422(sqlite_api: Api) -> None:
    no_card = new_customer(sqlite_api, payment_method=None)

    assert_problem(charge(sqlite_api, customer=no_card), 422, "invalid_request")
    assert_problem(
        charge(sqlite_api, customer="cus_tok_0123456789abcdef01234567"), 422, "invalid_request"
    )
    assert_problem(charge(sqlite_api, customer="jane@example.com"), 422, "invalid_request")
    assert "jane@example.com" not in charge_events(sqlite_api)[-1].targets
    assert_problem(
        charge(sqlite_api, subscription="sub_tok_0123456789abcdef01234567"), 422, "invalid_request"
    )
    assert charge_rows(sqlite_api) == []


def test_an_erased_customer_and_its_subscriptions_answer_410(api: Api) -> None:
    customer = new_customer(api)
    subscription = new_subscription(api, customer)["id"]
    assert api.call("DELETE", f"/v1/customers/{customer}", who="admin").status_code == 200

    assert_problem(charge(api, customer=customer), 410, "gone")
    assert_problem(charge(api, subscription=subscription), 410, "gone")
    assert charge_rows(api) == []
    refused = charge_events(api)[-2:]
    assert [event.status for event in refused] == [410, 410]
    assert customer in refused[0].targets and subscription in refused[1].targets


def test_a_canceled_subscription_cannot_be_charged(sqlite_api: Api) -> None:
    customer = new_customer(sqlite_api)
    subscription = new_subscription(sqlite_api, customer)["id"]
    canceled = sqlite_api.call(
        "POST", f"/v1/subscriptions/{subscription}/cancel", who="service", json={"at": "now"}
    )
    assert canceled.status_code == 200, canceled.text

    assert_problem(charge(sqlite_api, subscription=subscription), 409, "conflict")
    assert charge_rows(sqlite_api) == []


def test_a_description_is_kept_and_audited_only_redacted_and_never_sent_in_clear(
    sqlite_api: Api, localstripe_client: stripe.StripeClient
) -> None:
    customer = new_customer(sqlite_api)
    text = "refund for Maximilian Oberhuber, maximilian.oberhuber@example.org"

    response = charge(sqlite_api, customer=customer, description=text)

    assert response.status_code == 201, response.text
    kept = charge_rows(sqlite_api)[0].description or ""
    assert "Oberhuber" not in kept and "example.org" not in kept
    assert "Oberhuber" not in (charge_events(sqlite_api)[-1].purpose or "")
    assert "Oberhuber" not in response.text
    (intent,) = payment_intents_of(localstripe_client, processor_customer_of(sqlite_api, customer))
    assert "Oberhuber" not in str(intent.metadata.to_dict())


def test_a_charge_is_read_by_its_token_and_an_unknown_token_is_404(sqlite_api: Api) -> None:
    customer = new_customer(sqlite_api)
    created = charge(sqlite_api, customer=customer).json()

    read = sqlite_api.call("GET", f"/v1/charges/{created['id']}", who="service")

    assert read.status_code == 200
    assert read.json() == created
    assert_problem(
        sqlite_api.call("GET", "/v1/charges/ch_0123456789abcdef01234567", who="service"),
        404,
        "not_found",
    )


def test_charges_are_listed_oldest_first_by_filter_and_in_pages(api: Api) -> None:
    good = new_customer(api, n=1)
    bad = new_customer(api, payment_method="pm_card_chargeCustomerFail", n=2)
    subscription = new_subscription(api, good)["id"]
    made = [
        charge(api, customer=good).json(),
        charge(api, customer=bad).json(),
        charge(api, subscription=subscription).json(),
        charge(api, customer=good).json(),
    ]

    def ids(query: str) -> list[str]:
        response = api.call("GET", f"/v1/charges{query}", who="service")
        assert response.status_code == 200, response.text
        return [item["id"] for item in response.json()["data"]]

    assert ids("") == [c["id"] for c in made]
    assert ids(f"?customer={good}") == [made[0]["id"], made[2]["id"], made[3]["id"]]
    assert ids(f"?subscription={subscription}") == [made[2]["id"]]
    assert ids("?status=failed") == [made[1]["id"]]
    pages: list[str] = []
    cursor = ""
    while True:
        response = api.call("GET", f"/v1/charges?limit=3{cursor}", who="service").json()
        pages.extend(item["id"] for item in response["data"])
        if response["next_cursor"] is None:
            break
        cursor = f"&cursor={response['next_cursor']}"
    assert pages == [c["id"] for c in made]
    assert_problem(
        api.call("GET", "/v1/charges?status=lost", who="service"), 422, "invalid_request"
    )
    assert_problem(api.call("GET", "/v1/charges?limit=501", who="service"), 422, "invalid_request")


def test_the_compliance_role_may_not_charge(sqlite_api: Api) -> None:
    customer = new_customer(sqlite_api)
    response = sqlite_api.call(
        "POST",
        "/v1/charges",
        who="compliance",
        json={"customer": customer, "amount": 100, "currency": "usd"},
        headers={"Idempotency-Key": "k-1"},
    )
    assert_problem(response, 403, "forbidden")
    with transaction(sqlite_api.ctx.session_factory) as session:
        assert session.execute(select(Charge)).first() is None


def test_each_outcome_emits_one_event_with_tokens_and_amounts_only(sqlite_api: Api) -> None:
    import json

    from service.events.models import Event

    good = new_customer(sqlite_api, n=1)
    bad = new_customer(sqlite_api, payment_method="pm_card_chargeCustomerFail", n=2)
    paid = charge(sqlite_api, customer=good, amount=1234).json()
    declined = charge(sqlite_api, customer=bad, amount=99).json()

    with transaction(sqlite_api.ctx.session_factory) as session:
        events = list(
            session.execute(
                select(Event).where(Event.type.like("charge.%")).order_by(Event.seq)
            ).scalars()
        )
    assert [(e.type, json.loads(e.data)) for e in events] == [
        (
            "charge.succeeded",
            {
                "charge": paid["id"],
                "subscription": None,
                "customer": good,
                "amount": 1234,
                "currency": "USD",
                "failure_code": None,
            },
        ),
        (
            "charge.failed",
            {
                "charge": declined["id"],
                "subscription": None,
                "customer": bad,
                "amount": 99,
                "currency": "USD",
                "failure_code": "card_declined",
            },
        ),
    ]
