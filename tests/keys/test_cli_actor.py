"""Key commands run from the shell are audited with the operator as the actor
(``cli:<user>@<host>``, PCI DSS 10.2.2), like every other command, through the one writer."""

from __future__ import annotations

import os
import pwd
import socket

import pytest
from sqlalchemy import select

from service.access.actions import Action
from service.audit.models import AuditEvent
from service.devstack import free_port
from tests.audit.test_cli import invoke
from tests.fixtures.app import Api
from tests.fixtures.openbao import OpenBaoDevServer
from tests.reports.seed import cli_pointed_at


def test_a_reindex_from_the_shell_names_the_operator_not_the_system(
    sqlite_api: Api, sqlite_url: str, openbao: OpenBaoDevServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    with cli_pointed_at(sqlite_url, openbao, monkeypatch):
        code, out, err = invoke("keys", "reindex")
    assert code == 0, out + err
    with sqlite_api.ctx.session_factory() as session:
        events = list(
            session.scalars(select(AuditEvent).where(AuditEvent.action == Action.KEYS_REINDEX))
        )
    me = f"cli:{pwd.getpwuid(os.geteuid()).pw_name}@{socket.gethostname()}"
    # the intent is committed before the work, then done: a crash between leaves the intent
    assert [(e.actor, e.role, (e.purpose or "").split(":")[0]) for e in events] == [
        (me, "system", "intent"),
        (me, "system", "done"),
    ]


def test_an_index_rotation_that_cannot_reach_the_key_service_changes_and_records_nothing(
    sqlite_api: Api, sqlite_url: str, openbao: OpenBaoDevServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    with cli_pointed_at(sqlite_url, openbao, monkeypatch):
        # nothing listens there: the key service really is unreachable
        monkeypatch.setenv("STRONGROOM_VAULT_ADDR", f"http://127.0.0.1:{free_port()}")
        monkeypatch.setenv("STRONGROOM_VAULT_OPERATOR_TOKEN", openbao.token)
        code, out, err = invoke("keys", "rotate-index")
    # Its intent would need the service's seal, which only the key service can make: the
    # command fails before it changes anything, rather than write an event the sequencer
    # would refuse as anyone's (and verify report as tampering).
    assert code != 0, out + err
    assert "key service" in (out + err).lower(), out + err
    with sqlite_api.ctx.session_factory() as session:
        events = list(
            session.scalars(
                select(AuditEvent)
                .where(AuditEvent.action == Action.KEYS_INDEX_ROTATE)
                .order_by(AuditEvent.pk)
            )
        )
    assert events == []


def test_the_cli_actor_cannot_be_renamed_through_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """$LOGNAME and $USER are the caller's to set: naming someone else as the actor of a key
    change must take more than an environment variable."""
    from service.cli_support import cli_actor

    real = pwd.getpwuid(os.geteuid()).pw_name
    for variable in ("LOGNAME", "USER", "LNAME", "USERNAME"):
        monkeypatch.setenv(variable, "alice-not-me")
    assert cli_actor() == f"cli:{real}@{socket.gethostname()}"
