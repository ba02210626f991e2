"""``strongroom keys``: rotate the data-wrapping key, and show what each version wraps."""

from __future__ import annotations

from datetime import UTC, datetime

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from service.access.actions import Action
from service.app.bootstrap import build_key_service
from service.audit.seal import EventSealer
from service.cli_support import cli_actor, cli_engine, cli_settings, fail, operator_settings
from service.core.db import make_session_factory, transaction
from service.core.errors import ServiceError
from service.keys import keystore
from service.keys.rotation import DEFAULT_CHUNK_SIZE, audited_change, retire, rotate_data_keys

app = typer.Typer(
    help="Rotate the key that wraps customers' data keys, and inspect its versions.",
    no_args_is_help=True,
)


@app.command()
def rotate(
    chunk_size: int = typer.Option(
        DEFAULT_CHUNK_SIZE, "--chunk-size", min=1, help="Data keys rewrapped per transaction."
    ),
    retire_old: bool = typer.Option(
        False,
        "--retire",
        help="Then retire every older version: decryption refused, the versions deleted.",
    ),
) -> None:
    """Rotate the Transit data key and rewrap every stored data key, while the service runs.

    Acts with the operator token in STRONGROOM_VAULT_OPERATOR_TOKEN."""
    settings = operator_settings("strongroom keys rotate")
    key_service = build_key_service(settings)
    factory = make_session_factory(cli_engine(), EventSealer(key_service))
    console = Console()
    try:
        with Progress(
            TextColumn("[bold]rewrapping data keys"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
        ) as progress:
            task = progress.add_task("rewrap", total=None)

            def advance(done: int, total: int) -> None:
                progress.update(task, completed=done, total=total)

            result = rotate_data_keys(
                factory,
                key_service,
                chunk_size=chunk_size,
                on_progress=advance,
                actor=cli_actor(),
            )
            progress.update(task, total=max(result.rewrapped + result.changed_meanwhile, 1))
        console.print(
            f"data key rotated to version {result.new_version}: {result.rewrapped} rewrapped, "
            f"{result.changed_meanwhile} changed meanwhile, {result.rejected} rejected"
        )
        if retire_old:
            retire(factory, key_service, result.new_version, actor=cli_actor())
            console.print(
                f"versions below {result.new_version} retired and trimmed from the key ring"
            )
    except ServiceError as error:
        fail(error.detail)


@app.command()
def status() -> None:
    """Each version of the data key, and how many stored data keys it wraps."""
    settings = cli_settings()
    key_service = build_key_service(settings)
    factory = make_session_factory(cli_engine(), EventSealer(key_service))
    try:
        key = key_service.key_status()
        with transaction(factory) as session:
            counts = keystore.count_by_key_version(session)
    except ServiceError as error:
        fail(error.detail)
    table = Table(title=f"{key.name} ({key.key_type})")
    table.add_column("version", justify="right")
    table.add_column("data keys", justify="right")
    table.add_column("state")
    every_version = set(range(1, key.latest_version + 1)) | set(key.versions) | set(counts)
    for version in sorted(every_version):
        if version < key.min_available_version:
            state = "trimmed"
        elif version < key.min_decryption_version:
            state = "retired"
        elif version == key.latest_version:
            state = "latest"
        else:
            state = "decrypt only"
        table.add_row(str(version), str(counts.get(version, 0)), state)
    Console().print(table)
    typer.echo(
        f"latest version {key.latest_version}, "
        f"minimum decryption version {key.min_decryption_version}"
    )


def _reindex(chunk_size: int) -> None:
    from service.customers.blind_index import reindex
    from service.keys.cache import DataKeyCache

    key_service = build_key_service(cli_settings())
    factory = make_session_factory(cli_engine(), EventSealer(key_service))
    try:
        with audited_change(
            factory, Action.KEYS_REINDEX, cli_actor(), _now, "re-index the email blind index"
        ) as outcome:
            result = reindex(factory, key_service, DataKeyCache(), chunk_size=chunk_size)
            outcome.append(f"index version {result.version}, {result.reindexed} re-indexed")
    except ServiceError as error:
        fail(error.detail)
    typer.echo(
        f"email index at version {result.version}: {result.reindexed} re-indexed, "
        f"{result.changed_meanwhile} changed meanwhile, {result.failed} could not be opened"
    )


@app.command("reindex")
def reindex_command(
    chunk_size: int = typer.Option(200, "--chunk-size", min=1, help="Customers per batch."),
) -> None:
    """Recompute every email blind index below the index key's latest version (after the
    upgrade that added field labels, or an interrupted rotate-index), while the service runs."""
    _reindex(chunk_size)


@app.command("rotate-index")
def rotate_index(
    chunk_size: int = typer.Option(200, "--chunk-size", min=1, help="Customers per batch."),
) -> None:
    """Rotate the blind-index key, then re-index every customer under the new version; search
    keeps finding customers throughout."""
    key_service = build_key_service(operator_settings("strongroom keys rotate-index"))
    factory = make_session_factory(cli_engine(), EventSealer(key_service))
    try:
        with audited_change(
            factory, Action.KEYS_INDEX_ROTATE, cli_actor(), _now, "rotate the blind-index key"
        ) as outcome:
            version = key_service.rotate_index_key()
            outcome.append(f"index key version {version}")
    except ServiceError as error:
        fail(error.detail)
    typer.echo(f"index key rotated to version {version}")
    _reindex(chunk_size)


def _now() -> datetime:
    return datetime.now(UTC)
