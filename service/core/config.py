"""Settings from the environment (prefix ``STRONGROOM_``), with sane embedded defaults."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from service.core.shipped import SOURCE_ROOT, shipped_path

PROJECT_ROOT = SOURCE_ROOT


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="STRONGROOM_", extra="ignore")

    data_dir: Path = Field(default=Path(".strongroom"))
    database_url: str | None = None

    vault_addr: str = "http://127.0.0.1:8200"
    vault_token: SecretStr | None = None
    vault_role_id: str | None = None
    vault_secret_id: SecretStr | None = None
    # Only for `strongroom keys rotate` and `strongroom vault setup`; `serve` never reads it.
    vault_operator_token: SecretStr | None = None
    # The AppRole credentials in a file written by `strongroom vault setup --approle-file`
    # (used when STRONGROOM_VAULT_ROLE_ID/SECRET_ID are not set).
    vault_approle_file: Path | None = None
    # The CA that signed OpenBao's certificate (https addresses); the system's CAs otherwise.
    vault_ca_cert: Path | None = None
    vault_timeout_seconds: float = 5.0
    vault_transit_mount: str = "transit"

    # None: ``serve`` refuses to start; elsewhere (dev, tests) a sandbox key is used
    stripe_api_key: SecretStr | None = None
    stripe_api_base: str | None = None
    stripe_timeout_seconds: float = 10.0

    test_clock: bool = False
    # Set by ``strongroom dev`` only (``serve`` refuses it): plain-http loopback webhook receivers.
    dev_mode: bool = False

    policy_file: Path = shipped_path("policies", "default.yaml")
    audits_dir: Path = shipped_path("audits")
    max_body_bytes: int = 1024 * 1024
    # The sequencer integrates queued events within this many ms of their commit; 0 sequences
    # right after each commit, in the committing thread (tests, demos).
    audit_sequence_delay_ms: int = 1000
    # At most one signed tree head (and one anchor) per this many events: at 5,000 appends/s
    # the one-second sequencer makes one head per run, not five, and a backlog is integrated
    # at the sequencer's best rate (bench_audit: ≈ 22,000/s at 10,000, ≈ 19,000/s at 1,000).
    audit_sequence_batch: int = 10_000
    audit_anchor_file: Path | None = None
    # KV v2 path (under the mount "secret") where tree heads are anchored, one key per size.
    audit_anchor_path: str = "strongroom/audit/sth"
    data_key_cache_size: int = 256
    data_key_cache_seconds: float = 60.0
    scheduler_interval_seconds: float = 30.0
    scheduler_enabled: bool = True
    webhook_timeout_seconds: float = 5.0
    # Proxies whose X-Forwarded-For is believed (comma-separated addresses/CIDRs); empty: none.
    trusted_proxies: str = ""
    log_level: str = "INFO"
    # Where subscribers reach the service (pause links' URLs); the request's own base if unset.
    public_base_url: str | None = None

    @field_validator("trusted_proxies")
    @classmethod
    def _trusted_proxies_parse(cls, value: str) -> str:
        from service.core.client_address import trusted_networks

        trusted_networks(value)  # a bad entry fails at start, not on the first request
        return value

    @cached_property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'strongroom.db').resolve()}"

    @property
    def is_sqlite(self) -> bool:
        return self.resolved_database_url.startswith("sqlite")
