"""``strongroom vault setup``: OpenBao/Vault made ready for Strongroom by one command."""

from __future__ import annotations

from pathlib import Path

import typer

from service.cli_support import fail, operator_settings
from service.core.errors import ServiceError
from service.keys.approle import write_approle_file
from service.keys.openbao_policies import KeyNames
from service.keys.vault_client import build_vault_client
from service.keys.vault_setup import set_up

app = typer.Typer(help="Set up OpenBao/Vault for Strongroom.", no_args_is_help=True)


@app.command()
def setup(
    approle_file: Path | None = typer.Option(
        None,
        "--approle-file",
        help="Write the AppRole's role id and secret id to this file (0600) instead of "
        "printing the secret id; serve reads it from STRONGROOM_VAULT_APPROLE_FILE.",
    ),
    new_secret_id: bool = typer.Option(
        False, "--new-secret-id", help="Issue a new secret id even if the role exists."
    ),
) -> None:
    """Mount Transit and KV v2, create the keys, write the policies of policies/openbao/,
    create the AppRole 'strongroom' (serving policy only). Safe to run again.

    Acts with STRONGROOM_VAULT_OPERATOR_TOKEN: a token allowed to mount engines, write
    policies and manage AppRole (the root token right after `bao operator init`)."""
    settings = operator_settings("strongroom vault setup")
    assert settings.vault_token is not None  # operator_settings made sure of it
    names = KeyNames(
        mount_point=settings.vault_transit_mount, anchor_path=settings.audit_anchor_path
    )
    try:
        client = build_vault_client(
            settings.vault_addr,
            token=settings.vault_token.get_secret_value(),
            timeout=settings.vault_timeout_seconds,
            ca_cert=str(settings.vault_ca_cert) if settings.vault_ca_cert else None,
        )
        missing_file = approle_file is not None and not approle_file.exists()
        report = set_up(client, names, issue_secret_id=new_secret_id or missing_file)
    except ServiceError as error:
        fail(error.detail)
    for what, outcome in report.steps:
        typer.echo(f"{what}: {outcome}")
    typer.echo(f"STRONGROOM_VAULT_ROLE_ID={report.role_id}")
    if report.secret_id is None:
        typer.echo("secret id: not issued again (the role exists; --new-secret-id issues one)")
        return
    if approle_file is not None:
        write_approle_file(approle_file, report.role_id, report.secret_id)
        typer.echo(f"secret id written to {approle_file} (0600)")
        return
    typer.echo(f"STRONGROOM_VAULT_SECRET_ID={report.secret_id}")
    typer.secho("The secret id is shown this once: store it now.", fg="yellow", err=True)
