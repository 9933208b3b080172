"""Alembic environment: migrations run on the connection that bot.storage.migrate hands over."""

from alembic import context

connection = context.config.attributes["connection"]
# Batch mode lets later migrations alter SQLite tables (it copies them, as SQLite's ALTER TABLE is limited).
context.configure(connection=connection, render_as_batch=connection.dialect.name == "sqlite")
with context.begin_transaction():
    context.run_migrations()
