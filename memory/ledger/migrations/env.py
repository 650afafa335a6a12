"""Alembic environment: always handed an open connection by `indexdesk.memory.ledger.schema.migrate`."""

from alembic import context

from indexdesk.memory.ledger.models import Base

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
