"""Alembic environment: runs against the engine handed in through the config attributes."""

from __future__ import annotations

from alembic import context

from service.core.db import Base

# Upgrades need no metadata; autogenerate compares with every table only after
# service.app.wiring is imported (it imports every models module), as the app and tests do.
config = context.config
connection = config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
