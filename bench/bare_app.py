"""The load benchmark's baseline: the same operations as a user would write them with FastAPI
and SQLAlchemy on the same database — no authentication, audit, encryption, idempotency
store or redaction; the charge calls the processor through the bare ``stripe`` SDK.

    python -m bench.bare_app --port P --workers N   (BARE_DATABASE_URL, BARE_STRIPE_*)

It is served as the service is: uvicorn with N workers and Nagle's algorithm off on every
connection (``service/app/http_protocol.py``). Plain ``uvicorn --workers N`` leaves Nagle on and
answers each kept-alive request 40 ms late, which would make the baseline, not the service,
the slow one.
"""

from __future__ import annotations

import argparse
import os
import uuid
from datetime import UTC, datetime
from typing import Any

import stripe
import uvicorn
from fastapi import FastAPI, Header, HTTPException
from pydantic import BaseModel
from sqlalchemy import Engine, String, create_engine, delete, insert, select, update
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

from service.app.http_protocol import ServiceHttpProtocol


class Base(DeclarativeBase):
    pass


class Customer(Base):
    __tablename__ = "bare_customers"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str]
    email: Mapped[str]
    processor_customer: Mapped[str | None]
    created_at: Mapped[datetime]


class Subscription(Base):
    __tablename__ = "bare_subscriptions"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    customer: Mapped[str] = mapped_column(String(40), index=True)
    plan: Mapped[str]
    amount: Mapped[int]
    currency: Mapped[str]
    created_at: Mapped[datetime]


class Pause(Base):
    __tablename__ = "bare_pauses"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    subscription: Mapped[str] = mapped_column(String(40), index=True)
    days: Mapped[int]
    resume_mode: Mapped[str]


class Charge(Base):
    __tablename__ = "bare_charges"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(100), unique=True)
    customer: Mapped[str]
    amount: Mapped[int]
    currency: Mapped[str]
    status: Mapped[str]
    processor_id: Mapped[str | None]


class NewCustomer(BaseModel):
    name: str
    email: str
    payment_method: str | None = None


class NewSubscription(BaseModel):
    customer: str
    plan: str
    amount: int
    currency: str


class NewPause(BaseModel):
    start: str
    days: int
    resume_mode: str


class NewCharge(BaseModel):
    customer: str
    amount: int
    currency: str


def make_engine(url: str) -> Engine:
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return create_engine(url, pool_size=10, max_overflow=20)


def create_tables(url: str) -> None:
    engine = make_engine(url)
    Base.metadata.create_all(engine)
    engine.dispose()


def create_app() -> FastAPI:
    engine = make_engine(os.environ["BARE_DATABASE_URL"])
    sessions = sessionmaker(engine, expire_on_commit=False)
    processor = stripe.StripeClient(
        os.environ["BARE_STRIPE_API_KEY"],
        base_addresses={"api": os.environ["BARE_STRIPE_API_BASE"]},
    )
    app = FastAPI()

    def now() -> datetime:
        return datetime.now(UTC)

    @app.post("/v1/customers", status_code=201)
    def create_customer(body: NewCustomer) -> dict[str, Any]:
        processor_customer = None
        if body.payment_method:
            processor_customer = processor.v1.customers.create(
                params={"payment_method": body.payment_method}
            ).id
        row = {
            "id": f"cus_{uuid.uuid4().hex}",
            "name": body.name,
            "email": body.email,
            "processor_customer": processor_customer,
            "created_at": now(),
        }
        with sessions.begin() as session:
            session.execute(insert(Customer).values(**row))
        return {"id": row["id"], "name": body.name, "email": body.email}

    def read_customer(session: Session, customer_id: str) -> Customer:
        customer = session.get(Customer, customer_id)
        if customer is None:
            raise HTTPException(404)
        return customer

    @app.get("/v1/customers/{customer_id}")
    def get_customer(customer_id: str) -> dict[str, Any]:
        with sessions() as session:
            customer = read_customer(session, customer_id)
            return {"id": customer.id, "name": customer.name, "email": customer.email}

    @app.get("/v1/customers/{customer_id}/reveal")
    def reveal(customer_id: str, fields: str) -> dict[str, Any]:
        with sessions() as session:
            customer = read_customer(session, customer_id)
            return {
                "id": customer.id,
                "fields": {f: getattr(customer, f) for f in fields.split(",")},
            }

    @app.post("/v1/subscriptions", status_code=201)
    def create_subscription(body: NewSubscription) -> dict[str, Any]:
        row = {"id": f"sub_{uuid.uuid4().hex}", **body.model_dump(), "created_at": now()}
        with sessions.begin() as session:
            session.execute(insert(Subscription).values(**row))
        return {"id": row["id"]}

    @app.get("/v1/subscriptions")
    def list_subscriptions(customer: str, limit: int = 20) -> dict[str, Any]:
        with sessions() as session:
            rows = session.scalars(
                select(Subscription).where(Subscription.customer == customer).limit(limit)
            )
            return {"data": [{"id": s.id, "plan": s.plan, "amount": s.amount} for s in rows]}

    @app.post("/v1/subscriptions/{subscription_id}/pauses", status_code=201)
    def pause(subscription_id: str, body: NewPause) -> dict[str, Any]:
        pause_id = f"pau_{uuid.uuid4().hex}"
        with sessions.begin() as session:
            if session.get(Subscription, subscription_id) is None:
                raise HTTPException(404)
            session.execute(
                insert(Pause).values(
                    id=pause_id,
                    subscription=subscription_id,
                    days=body.days,
                    resume_mode=body.resume_mode,
                )
            )
        return {"id": pause_id}

    @app.delete("/v1/subscriptions/{subscription_id}/pauses/{pause_id}")
    def cancel_pause(subscription_id: str, pause_id: str) -> dict[str, Any]:
        with sessions.begin() as session:
            session.execute(
                delete(Pause).where(Pause.id == pause_id, Pause.subscription == subscription_id)
            )
        return {"id": pause_id, "canceled": True}

    @app.post("/v1/charges", status_code=201)
    def charge(body: NewCharge, idempotency_key: str = Header()) -> dict[str, Any]:
        with sessions.begin() as session:
            existing = session.scalar(
                select(Charge).where(Charge.idempotency_key == idempotency_key)
            )
            if existing is not None:
                return {"id": existing.id, "status": existing.status}
            customer = read_customer(session, body.customer)
            charge_id = f"ch_{uuid.uuid4().hex}"
            session.execute(
                insert(Charge).values(
                    id=charge_id,
                    idempotency_key=idempotency_key,
                    customer=body.customer,
                    amount=body.amount,
                    currency=body.currency,
                    status="pending",
                )
            )
        intent = processor.v1.payment_intents.create(
            params={
                "amount": body.amount,
                "currency": body.currency,
                "customer": customer.processor_customer,
                "payment_method": "pm_card_visa",
                "confirm": True,
            },
            options={"idempotency_key": idempotency_key},
        )
        status = "succeeded" if intent.status == "succeeded" else "failed"
        with sessions.begin() as session:
            session.execute(
                update(Charge)
                .where(Charge.id == charge_id)
                .values(status=status, processor_id=intent.id)
            )
        return {"id": charge_id, "status": status}

    @app.get("/v1/audit/events")
    def recent(limit: int = 50) -> dict[str, Any]:
        with sessions() as session:
            rows = session.scalars(
                select(Customer).order_by(Customer.created_at.desc()).limit(limit)
            )
            return {"data": [{"id": c.id, "at": c.created_at.isoformat()} for c in rows]}

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=1)
    arguments = parser.parse_args()
    uvicorn.run(
        "bench.bare_app:create_app",
        factory=True,
        host=arguments.host,
        port=arguments.port,
        workers=arguments.workers,
        http=ServiceHttpProtocol,
        loop="uvloop",
        access_log=False,
        log_level="warning",
    )


if __name__ == "__main__":
    main()
