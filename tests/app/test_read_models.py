"""Responses typed as ``XRead`` models publish their schema in the OpenAPI document, and the
JSON they answer is the one API.md describes (the same keys as before the models)."""

from __future__ import annotations

import json
from types import UnionType
from typing import Any, Union, get_args, get_origin

from fastapi import APIRouter, FastAPI
from fastapi.datastructures import DefaultPlaceholder
from fastapi.routing import APIRoute
from pydantic import BaseModel

from service.access.actions import Action
from service.app import wiring
from service.app.routing import AuditedRoute, operation
from service.audit.schemas import SthRead
from service.customers import operations as customers
from service.subscriptions.models import Subscription
from service.subscriptions.views import subscription_views
from tests.customers.support import canary_body
from tests.fixtures.app import Api
from tests.subscriptions.support import new_customer, new_subscription, pause

TYPED = {
    ("/v1/audit/sth", "get"): "SthRead",
    ("/v1/audit/events/{event_id}/proof", "get"): "InclusionProofRead",
    ("/v1/audit/consistency", "get"): "ConsistencyProofRead",
    ("/v1/redact", "post"): "RedactTextRead",
}


def test_typed_responses_publish_their_model_in_the_openapi_document(sqlite_api: Api) -> None:
    schema = sqlite_api.call("GET", "/openapi.json", who=None).json()
    for (path, method), model in TYPED.items():
        ok = schema["paths"][path][method]["responses"]["200"]["content"]["application/json"]
        assert model in str(ok["schema"]), (path, ok)
        assert model in schema["components"]["schemas"]


def test_the_tree_head_answers_exactly_the_keys_api_md_lists(sqlite_api: Api) -> None:
    sqlite_api.call("GET", "/v1/customers?limit=1")  # something in the trail
    body = sqlite_api.call("GET", "/v1/audit/sth", who="compliance").json()
    assert (
        set(body)
        == set(SthRead.model_fields)
        == {
            "tree_size",
            "root_hash",
            "timestamp",
            "previous",
            "key_version",
            "signature",
        }
    )


# -- every JSON route of the API answers with a declared model ------------------------------


def json_api_routes() -> list[APIRoute]:
    """The routes that answer JSON: every API route but the console's and the subscriber's
    pages (HTML, left out of the schema), the docs, and the text or streamed answers
    (``/metrics``, ``/v1/metrics``, ``/v1/audit/export``), which name their response class."""
    app = FastAPI()
    wiring.include_routes(app)
    found = []
    for route in flatten(list(app.routes)):
        if not isinstance(route, APIRoute) or not route.include_in_schema:
            continue
        if not isinstance(route.response_class, DefaultPlaceholder):
            continue  # an explicit Response, StreamingResponse…: not JSON
        found.append(route)
    return found


def flatten(routes: list[Any]) -> list[Any]:
    flat = []
    for route in routes:
        original = getattr(route, "original_router", None)
        flat += flatten(list(original.routes)) if original is not None else [route]
    return flat


def models_of(annotation: Any) -> list[Any]:
    """The classes a response model names: itself, or each member of a union."""
    members = get_args(annotation) if get_origin(annotation) in (Union, UnionType) else ()
    return list(members) or [annotation]


def test_every_json_route_of_the_api_declares_a_pydantic_read_model() -> None:
    routes = json_api_routes()
    assert len(routes) >= 40, "the walk no longer sees the API's routes"
    untyped = [
        f"{sorted(route.methods)} {route.path}: {route.response_model}"
        for route in routes
        if not all(
            isinstance(model, type) and issubclass(model, BaseModel)
            for model in models_of(route.response_model)
        )
    ]
    assert untyped == [], "routes answering a plain dict (declare an XRead model)"


def test_the_walk_catches_a_route_that_returns_a_dict() -> None:
    router = APIRouter(route_class=AuditedRoute)

    @router.get("/v1/untyped", **operation(Action.CUSTOMER_READ))
    def untyped() -> dict[str, Any]:
        return {}

    route = router.routes[0]
    assert isinstance(route, APIRoute) and isinstance(route.response_class, DefaultPlaceholder)
    assert not issubclass(models_of(route.response_model)[0], BaseModel)  # type: ignore[arg-type]


def test_the_openapi_document_has_a_schema_for_every_json_route(sqlite_api: Api) -> None:
    document = sqlite_api.call("GET", "/openapi.json", who=None).json()
    components = document["components"]["schemas"]
    missing = []
    for route in json_api_routes():
        for method in route.methods - {"HEAD"}:
            status = str(route.status_code or 200)
            responses = document["paths"][route.path][method.lower()]["responses"]
            schema = responses[status]["content"]["application/json"]["schema"]
            refs = [schema.get("$ref")] + [s.get("$ref") for s in schema.get("anyOf", [])]
            names = [ref.rpartition("/")[2] for ref in refs if ref]
            expected = {model.__name__ for model in models_of(route.response_model)}
            if not names or set(names) != expected or not set(names) <= set(components):
                missing.append(f"{method} {route.path}: {schema}")
    assert missing == []


# -- the JSON on the wire is the view's JSON, byte for byte ---------------------------------


def compact(view: Any) -> bytes:
    """What the answer was before the models: the view, as compact JSON in its key order."""
    return json.dumps(view, separators=(",", ":"), ensure_ascii=False).encode()


def test_a_customer_answers_its_masked_view_byte_for_byte_keys_it_lacks_left_out(
    sqlite_api: Api,
) -> None:
    full = sqlite_api.call("POST", "/v1/customers", who="service", json=canary_body())
    bare = sqlite_api.call(
        "POST",
        "/v1/customers",
        who="service",
        json={"name": "Holly Day", "email": "holly@example.com"},
    )
    assert full.status_code == bare.status_code == 201
    assert set(full.json()["masked"]) == {"name", "email", "phone", "address", "card"}
    assert set(bare.json()["masked"]) == {"name", "email"}  # omitted, never null
    ctx = sqlite_api.ctx
    for created in (full, bare):
        token = created.json()["id"]
        read = sqlite_api.call("GET", f"/v1/customers/{token}", who="service")
        with ctx.session_factory() as session:
            view = customers.read_customer(session, ctx.key_service, ctx.data_keys, token)
        assert read.content == created.content == compact(view)


def test_a_subscription_and_its_pauses_answer_their_views_byte_for_byte(
    sqlite_api: Api,
) -> None:
    customer = new_customer(sqlite_api)
    subscription = new_subscription(sqlite_api, customer, tags=["eu"], metadata={"k": "v"})
    token = subscription["id"]
    paused = pause(sqlite_api, token, start="period_end", days=10, resume_mode="credit")
    assert paused.status_code == 201, paused.text
    read = sqlite_api.call("GET", f"/v1/subscriptions/{token}", who="service")
    ctx = sqlite_api.ctx
    with ctx.session_factory() as session:
        row = session.get(Subscription, token)
        assert row is not None
        view = subscription_views(session, [row], ctx.key_service, ctx.data_keys, ctx.clock.now())
    assert read.content == compact(view[0])
    assert read.json()["pauses"][0]["ends_at"] is not None and b'"bulk":null' in read.content
    assert paused.content == compact(view[0]["pauses"][0])


def test_a_bulk_dry_run_answers_200_and_the_real_run_201_with_the_same_keys(
    sqlite_api: Api,
) -> None:
    new_subscription(sqlite_api, new_customer(sqlite_api), plan="holiday")
    body = {"selector": {"plan": "holiday"}, "start": "period_end", "days": 5}
    body["resume_mode"] = "shift"
    dry = sqlite_api.call("POST", "/v1/pauses/bulk", json={**body, "dry_run": True})
    real = sqlite_api.call("POST", "/v1/pauses/bulk", json={**body, "dry_run": False})
    assert (dry.status_code, real.status_code) == (200, 201), real.text
    assert dry.json()["id"] is None and real.json()["id"].startswith("bulk_")
    assert (
        list(dry.json())
        == list(real.json())
        == [
            "id",
            "dry_run",
            "matched",
            "paused",
            "skipped",
            "affected",
        ]
    )
    assert dry.content == compact(dry.json())
