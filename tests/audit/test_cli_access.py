"""Reading the trail or the inventory from the command line is itself audited (PCI DSS
10.2.1.3), with the operating-system user and host as the actor: `tail` and `verify` too."""

from __future__ import annotations

import os
import pwd
import socket

from tests.audit.test_cli import invoke
from tests.reports.seed import Seed


def test_cli_reads_of_the_trail_and_inventory_are_audited(seeded_cli: Seed) -> None:
    api = seeded_cli.api
    assert invoke("audit", "export", "--format", "jsonl")[0] == 0
    assert invoke("audit", "run", "retention", "--format", "json")[0] == 0
    assert invoke("inventory", "--format", "json")[0] == 0
    assert invoke("audit", "tail", "-n", "3")[0] == 0
    assert invoke("audit", "verify")[0] == 0
    # A CLI process runs no background sequencer: its events are queued until one runs.
    queued = api.call("GET", "/v1/audit/events?queued=true&limit=500").json()["data"]
    assert {e["actor"].split(":")[0] for e in queued} >= {"cli"}
    code, out, _ = invoke("audit", "sequence")
    assert code == 0 and out.startswith("sequenced ")
    events = api.call("GET", "/v1/audit/events?limit=500").json()["data"]
    cli_events = [(e["action"], e["role"]) for e in events if e["actor"].startswith("cli:")]
    assert cli_events == [
        ("audit:event:export", "system"),
        ("audit:report:run", "system"),
        ("inventory:inventory:read", "system"),
        ("audit:event:list", "system"),
        ("audit:tree:verify", "system"),
    ]
    me = f"cli:{pwd.getpwuid(os.geteuid()).pw_name}@{socket.gethostname()}"
    assert {e["actor"] for e in events if e["actor"].startswith("cli:")} == {me}
    assert invoke("audit", "verify")[0] == 0
