"""``strongroom inventory``: the inventory, a subject and a breach report on the command line."""

from __future__ import annotations

import csv
import io
import json

from typer.testing import CliRunner

from service.cli import app
from tests.reports.seed import Seed


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "200"})
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def test_inventory_with_no_subcommand_prints_the_inventory(seeded_cli: Seed) -> None:
    code, out, _ = invoke("inventory", "--format", "json")
    assert code == 0
    figures = {c["category"]: c["subjects"] for c in json.loads(out)["categories"]}
    assert figures["contact.email"] == 2 and figures["payment.card"] == 1  # one erased

    code, out, _ = invoke("inventory", "--format", "table")
    assert code == 0 and "contact.email" in out and "customers.email_ciphertext" in out

    code, out, _ = invoke("inventory", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert {r["category"]: r["subjects"] for r in rows}["contact.name"] == "2"


def test_inventory_subject_shows_holdings_and_accesses(seeded_cli: Seed) -> None:
    first = seeded_cli.customers[0]
    code, out, _ = invoke("inventory", "subject", first, "--format", "json")
    assert code == 0
    body = json.loads(out)
    assert body["subscriptions"] == [seeded_cli.subscription]
    reveals = [a for a in body["accesses"] if a["action"] == "customers:customer:reveal"]
    assert [(a["outcome"], a["purpose"]) for a in reveals] == [
        ("allowed", "support ticket 4711"),
        ("allowed", "chargeback dispute"),
        ("denied", None),
    ]
    code, out, _ = invoke("inventory", "subject", first, "--format", "table")
    assert code == 0 and "chargeback dispute" in out


def test_inventory_subject_of_an_erased_customer_fails_clearly(seeded_cli: Seed) -> None:
    code, _, err = invoke("inventory", "subject", seeded_cli.erased)
    assert code == 1 and "erased" in err


def test_inventory_breach_by_actor_and_key_version(seeded_cli: Seed) -> None:
    window = ["--from", "2026-03-01", "--to", "2026-03-08"]
    code, out, _ = invoke("inventory", "breach", *window, "--actor", "analyst", "--format", "csv")
    assert code == 0
    third = seeded_cli.customers[2]
    assert list(csv.reader(io.StringIO(out))) == [
        ["customer", "categories"],
        [third, "contact.name"],
    ]
    version = seeded_cli.api.ctx.key_service.key_status().latest_version
    code, out, _ = invoke(
        "inventory",
        "breach",
        "--from",
        "2026-01-01",
        "--to",
        "2026-01-02",
        "--key-version",
        str(version),
        "--format",
        "json",
    )
    live = sorted(set(seeded_cli.customers) - {seeded_cli.erased})
    assert [s["customer"] for s in json.loads(out)["subjects"]] == live
    code, out, _ = invoke("inventory", "breach", *window, "--format", "table")
    assert code == 0 and "3 subjects exposed" in out


def test_inventory_breach_rejects_a_reversed_window(seeded_cli: Seed) -> None:
    code, _, err = invoke("inventory", "breach", "--from", "2026-03-08", "--to", "2026-03-01")
    assert code == 1 and "--from must not be after --to" in err
