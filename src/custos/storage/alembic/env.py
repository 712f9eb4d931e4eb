"""Alembic environment: migrations run on the engine that `custos init` hands over."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine

from custos.storage.tables import metadata

config = context.config


def run_online() -> None:
    engine: Engine = config.attributes["engine"]
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=metadata,
            render_as_batch=connection.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


run_online()
