"""A book of demo subscriptions: customers made through the customer vault, subscriptions
through the subscriptions service, every creation audited (actor ``demo``)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from faker import Faker
from sqlalchemy.orm import Session

from service.access.actions import Action
from service.audit.log import system_record, wall_clock_audit
from service.customers.operations import create_customer
from service.customers.schemas import CustomerCreate
from service.keys.cache import DataKeyCache
from service.keys.port import KeyService
from service.subscriptions.calendar import Interval
from service.subscriptions.operations import create_subscription
from service.subscriptions.schemas import SubscriptionCreate

DEMO_ACTOR = "demo"


@dataclass(frozen=True)
class Plan:
    name: str
    currency: str
    amount: int
    interval: Interval
    interval_count: int = 1


PLANS = (
    Plan("starter", "USD", 990, Interval.MONTH),
    Plan("pro", "USD", 4900, Interval.MONTH),
    Plan("pro-eu", "EUR", 4500, Interval.MONTH),
    Plan("team-uk", "GBP", 14900, Interval.MONTH, 3),
    Plan("family-jp", "JPY", 1980, Interval.MONTH),
    Plan("weekly-ca", "CAD", 700, Interval.WEEK, 2),
    Plan("annual", "USD", 49000, Interval.YEAR),
)


def create_customers(
    session: Session,
    key_service: KeyService,
    cache: DataKeyCache,
    count: int,
    now: datetime,
    seed: int,
) -> list[str]:
    fake = Faker()
    fake.seed_instance(seed)
    tokens = []
    for _ in range(count):
        body = CustomerCreate(name=fake.name(), email=fake.unique.email())
        tokens.append(create_customer(session, key_service, None, cache, body, now)["id"])  # type: ignore[arg-type]
    _audit(session, key_service, Action.CUSTOMER_CREATE, [[t] for t in tokens], now)
    return tokens


def create_subscriptions(
    session: Session,
    key_service: KeyService,
    cache: DataKeyCache,
    customers: list[str],
    per_customer: int,
    tag: str,
    now: datetime,
    rng: random.Random,
) -> list[str]:
    created: list[tuple[str, str]] = []
    for customer in customers:
        for _ in range(rng.randint(1, 2 * per_customer - 1)):
            plan = rng.choice(PLANS)
            body = SubscriptionCreate(
                customer=customer,
                plan=plan.name,
                amount=plan.amount,
                currency=plan.currency,
                interval=plan.interval,
                interval_count=plan.interval_count,
                start_at=now + timedelta(minutes=rng.randint(1, 60 * 24 * 45)),
                tags=[tag, plan.currency.lower()],
            )
            subscription = create_subscription(session, key_service, cache, body, now)
            created.append((customer, subscription.id))
    _audit(session, key_service, Action.SUBSCRIPTION_CREATE, [list(c) for c in created], now)
    return [token for _, token in created]


def _audit(
    session: Session,
    key_service: KeyService,
    action: Action,
    targets: list[list[str]],
    now: datetime,
) -> None:
    wall_clock_audit().records(
        session,
        [system_record(action, names, actor=DEMO_ACTOR, role="admin") for names in targets],
        at=now,
        status=201,
    )
