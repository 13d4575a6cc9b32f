"""Alembic environment: runs assay's migrations on the connection that assay hands over."""

from __future__ import annotations

from alembic import context

import assay.orm  # noqa: F401 - registers every table on the metadata
from assay.orm.base import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    """Run the migrations on ``config.attributes['connection']`` (or a URL's engine)."""
    connection = config.attributes.get("connection")
    if connection is None:
        from assay.store.engine import _build

        with _build(config.get_main_option("sqlalchemy.url")).connect() as fresh:
            _run(fresh)
            fresh.commit()
        return
    _run(connection)


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
