"""Canary customers and small helpers shared by the customer tests."""

from __future__ import annotations

import copy
import subprocess
from pathlib import Path
from typing import Any

from sqlalchemy import select

from service.core.db import transaction
from service.customers.models import Customer
from tests.fixtures.app import Api

# Values that must never be found anywhere but in a reveal: distinctive enough that finding
# one by chance in a file, a dump or a log is impossible.
CANARY_BODY: dict[str, Any] = {
    "name": "Zebulon Quixotefield",
    "email": "Zebulon.Canary7f3a@Example.com",
    "phone": "+1 415 555 0134",
    "address": {
        "line1": "742 Canaryvale Terrace",
        "line2": "Flat Quokka9",
        "city": "Springfieldcanary",
        "postal_code": "CN-90210",
        "country": "us",
    },
    "metadata": {"crm_note": "canary-metadata-value-91d2"},
    "payment_method": "pm_card_visa",
}
CANARY_STRINGS = (
    "Zebulon",
    "Quixotefield",
    "Canary7f3a",
    "canary7f3a",
    "4155550134",
    "Canaryvale",
    "Quokka9",
    "Springfieldcanary",
    "CN-90210",
    "canary-metadata-value-91d2",
)


def canary_body(**overrides: Any) -> dict[str, Any]:
    body = copy.deepcopy(CANARY_BODY)
    body.update(overrides)
    return body


def create(api: Api, who: str = "service", **overrides: Any) -> dict[str, Any]:
    response = api.call("POST", "/v1/customers", who=who, json=canary_body(**overrides))
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def reveal(api: Api, token: str, fields: str, who: str = "compliance", **headers: str) -> Any:
    headers = {"X-Purpose": "support ticket 4711", **headers}
    return api.call(
        "GET", f"/v1/customers/{token}/reveal?fields={fields}", who=who, headers=headers
    )


def customer_row(api: Api, token: str) -> Customer | None:
    with transaction(api.ctx.session_factory) as session:
        return session.execute(select(Customer).where(Customer.id == token)).scalar_one_or_none()


def customer_count(api: Api) -> int:
    with transaction(api.ctx.session_factory) as session:
        return len(session.execute(select(Customer.id)).all())


def raw_database_bytes(db_url: str) -> bytes:
    """Everything an attacker with the database gets: the SQLite files, or a pg_dump."""
    if db_url.startswith("sqlite"):
        path = Path(db_url.split("///", 1)[1])
        files = [path, path.with_name(path.name + "-wal")]
        return b"".join(f.read_bytes() for f in files if f.exists())
    dbname = db_url.rsplit("/", 1)[1]
    dump = subprocess.run(
        ["pg_dump", "-h", "127.0.0.1", "-U", "postgres", dbname],
        capture_output=True,
        check=True,
        timeout=60,
    )
    return dump.stdout


def holds(raw: bytes, value: str) -> bool:
    """Whether ``raw`` (lower-cased) holds ``value`` as text or hex-encoded (bytea in a dump)."""
    forms = {
        value.lower().encode(),
        value.encode().hex().encode(),
        value.lower().encode().hex().encode(),
    }
    return any(form in raw for form in forms)
