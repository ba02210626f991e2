"""Key commands run from the shell are audited with the operator as the actor
(``cli:<user>@<host>``, PCI DSS 10.2.2), like every other command, through the one writer."""

from __future__ import annotations

import getpass
import socket

import pytest
from sqlalchemy import select

from service.access.actions import Action
from service.audit.models import AuditEvent
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
    assert [(e.actor, e.role) for e in events] == [
        (f"cli:{getpass.getuser()}@{socket.gethostname()}", "system")
    ]
