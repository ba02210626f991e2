"""HTTP endpoints of the data inventory (API.md, "Inventory"); compliance and admin only."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from sqlalchemy.orm import Session

from service.access.actions import Action
from service.app.context import get_clock, get_db, get_key_service
from service.app.routing import AuditedRoute, operation
from service.core.clock import Clock
from service.inventory import service
from service.inventory.schemas import (
    BreachReportCreate,
    BreachReportRead,
    InventoryRead,
    SubjectRead,
)
from service.keys.vault_client import DATA_KEY_NAME

router = APIRouter(prefix="/v1/inventory", route_class=AuditedRoute, tags=["inventory"])

Db = Annotated[Session, Depends(get_db)]


def key_name_of(key_service: Any) -> str:
    return str(getattr(key_service, "data_key", DATA_KEY_NAME))


async def data_key_name(key_service: Annotated[Any, Depends(get_key_service)]) -> str:
    return key_name_of(key_service)


@router.get("", response_model=InventoryRead, **operation(Action.INVENTORY_READ))
def read_inventory(
    db: Db,
    key_name: Annotated[str, Depends(data_key_name)],
    clock: Annotated[Clock, Depends(get_clock)],
) -> dict[str, Any]:
    return service.inventory(db, key_name, clock.now())


@router.get(
    "/subjects/{customer}", response_model=SubjectRead, **operation(Action.INVENTORY_SUBJECT)
)
def read_subject(customer: str, db: Db) -> dict[str, Any]:
    return service.subject_report(db, customer)


@router.post(
    "/breach-report", response_model=BreachReportRead, **operation(Action.INVENTORY_BREACH)
)
def breach_report(body: BreachReportCreate, db: Db) -> dict[str, Any]:
    query = service.BreachQuery(
        start=body.from_, end=body.to, actors=body.actors, key_versions=body.key_versions
    )
    return service.breach_report(db, query)
