"""A key change is audited as intent before Transit is asked, and as done or failed after: a
rotation that Transit refuses (here: attempted with the serving token, whose policy grants no
rotation — the real OpenBao with the shipped policy) still leaves both in the trail."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from service.audit.models import AuditEvent
from service.audit.seal import EventSealer
from service.core.db import make_engine, make_session_factory, transaction
from service.core.migrate import upgrade
from service.keys.errors import KeyServiceUnavailable
from service.keys.openbao_policies import KeyNames, serving_policy
from service.keys.rotation import rotate_data_keys
from service.keys.transit import TransitKeyService
from tests.keys.test_openbao_policies import token_with


def test_a_refused_rotation_leaves_its_intent_and_its_failure(
    openbao, fresh_key_service: TransitKeyService, audit_anchor_namespace: str, tmp_path
) -> None:
    names = KeyNames(
        data_key=fresh_key_service.data_key,
        audit_key=fresh_key_service.audit_key,
        index_key=fresh_key_service.index_key,
        anchor_path=audit_anchor_namespace,
    )
    serving_client = token_with(openbao, serving_policy(names))
    serving = TransitKeyService(
        serving_client,
        data_key=names.data_key,
        audit_key=names.audit_key,
        index_key=names.index_key,
        anchor_path=names.anchor_path,
    )
    engine = make_engine(f"sqlite:///{tmp_path / 'rotation.db'}")
    upgrade(engine)
    factory = make_session_factory(engine, EventSealer(serving))  # the serving token seals
    try:
        with pytest.raises(KeyServiceUnavailable):
            rotate_data_keys(factory, serving, actor="cli:ops@host-1")
        with transaction(factory) as session:
            events = [
                (e.actor, e.purpose, e.outcome)
                for e in session.scalars(
                    select(AuditEvent)
                    .where(AuditEvent.action == "keys:data_key:rotate")
                    .order_by(AuditEvent.pk)
                )
            ]
    finally:
        engine.dispose()
    assert fresh_key_service.key_status().latest_version == 1  # nothing rotated
    assert [(actor, purpose.split(":")[0], outcome) for actor, purpose, outcome in events] == [
        ("cli:ops@host-1", "intent", "allowed"),
        ("cli:ops@host-1", "failed", "error"),
    ]
