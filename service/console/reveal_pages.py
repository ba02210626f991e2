"""Revealing a subject's personal data: only the fields the role may reveal, only after an
explicit request with a purpose, recorded in the audit like the API's reveal."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from service.access.actions import Action
from service.app.context import app_context, get_data_key_cache, get_key_service, resolve
from service.console.routing import ConsoleRoute, console_page, current_caller, form, render
from service.core.errors import Forbidden
from service.customers import operations as customers

# The API's own checks: the purpose's length and redaction, the field names.
from service.customers.reveal_request import fields_to_reveal, purpose_for_audit
from service.inventory import operations as inventory_service

router = APIRouter(prefix="/console", route_class=ConsoleRoute, include_in_schema=False)


def revealable(request: Request) -> list[str]:
    caller = current_caller(request)
    if caller is None:
        return []
    return list(app_context(request).policy.reveal_fields(caller.role))


@router.post("/subjects/{customer}/reveal", **console_page(Action.CUSTOMER_REVEAL))
def reveal(request: Request, customer: str) -> Response:
    db = request.state.db
    subject = customers.live_customer(db, customer)
    values = form(request)
    record = request.state.audit
    record.purpose = purpose_for_audit(values.get("purpose"))
    chosen = [name.removeprefix("field:") for name in values if name.startswith("field:")]
    wanted = fields_to_reveal(",".join(chosen))
    record.fields = wanted
    if not set(wanted) <= set(revealable(request)):
        raise Forbidden("Your role may not reveal some of the requested fields.")
    revealed = customers.reveal_fields(
        subject,
        resolve(request, get_key_service),
        resolve(request, get_data_key_cache),
        wanted,
    )
    return render(
        request,
        "subject.html",
        title="Subject report",
        customer=customer,
        report=inventory_service.subject_report(db, customer),
        revealable=revealable(request),
        revealed=revealed,
        purpose=record.purpose,
    )
