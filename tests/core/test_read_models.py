"""Responses typed as ``XRead`` models publish their schema in the OpenAPI document, and the
JSON they answer is the one API.md describes (the same keys as before the models)."""

from __future__ import annotations

from service.audit.schemas import SthRead
from tests.fixtures.app import Api

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
