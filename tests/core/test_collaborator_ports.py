"""Collaborators are typed by their ports: the real implementations the app is built with
provide every method of ``KeyService`` and ``PaymentProcessor`` with the port's parameters
(the project runs no static type checker, so this test is what holds them together)."""

from __future__ import annotations

import inspect
from typing import Any

import pytest

from service.app.context import AppContext
from service.keys.port import KeyService
from service.keys.transit import TransitKeyService
from service.processors.port import PaymentProcessor
from service.processors.stripe_adapter import StripeProcessor
from tests.fixtures.app import Api


def _port_methods(port: type) -> dict[str, inspect.Signature]:
    return {
        name: inspect.signature(member)
        for name, member in vars(port).items()
        if callable(member) and not name.startswith("_")
    }


def _parameters(signature: inspect.Signature) -> list[tuple[str, Any, bool]]:
    return [
        (p.name, p.kind, p.default is inspect.Parameter.empty)
        for p in signature.parameters.values()
    ]


@pytest.mark.parametrize(
    ("port", "implementation"),
    [(KeyService, TransitKeyService), (PaymentProcessor, StripeProcessor)],
)
def test_the_implementation_has_every_method_of_its_port_with_the_same_parameters(
    port: type, implementation: type
) -> None:
    methods = _port_methods(port)
    assert methods, "the port lists no methods"
    mismatched = {
        name: (_parameters(expected), _parameters(inspect.signature(getattr(implementation, name))))
        for name, expected in methods.items()
        if not hasattr(implementation, name)
        or _parameters(inspect.signature(getattr(implementation, name))) != _parameters(expected)
    }
    assert mismatched == {}


def test_the_app_is_assembled_from_collaborators_that_satisfy_the_ports(sqlite_api: Api) -> None:
    ctx: AppContext = sqlite_api.ctx
    assert isinstance(ctx.key_service, KeyService)
    assert isinstance(ctx.processor, PaymentProcessor)
    # a bare object is no processor: the check has teeth
    assert not isinstance(object(), PaymentProcessor)
