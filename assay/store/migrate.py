"""Schema migrations with Alembic: a user's metastore upgrades with the package.

The newest revision is applied the first time a process opens a metastore. Concurrent first
opens are serialised with a lock file (SQLite) or an advisory lock (PostgreSQL).
"""

from __future__ import annotations

import contextlib
import fcntl
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import Connection, Engine, text

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(connection: Connection | None = None):  # -> alembic.config.Config
    """An Alembic config pointing at assay's migration scripts (and at ``connection``)."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str:
    """The newest revision shipped with this version of assay."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(connection: Connection) -> str | None:
    """The revision a database is at; ``None`` for an empty one."""
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()


def upgrade(built: Engine) -> None:
    """Bring the database behind ``built`` to the newest revision, if it is not there yet."""
    with built.connect() as connection:
        if current_revision(connection) == head_revision():
            return
    with _migration_lock(built), built.begin() as connection:
        if current_revision(connection) == head_revision():
            return
        from alembic import command

        command.upgrade(alembic_config(connection), "head")


@contextlib.contextmanager
def _migration_lock(built: Engine) -> Iterator[None]:
    if built.dialect.name == "postgresql":
        with built.connect() as connection:
            connection.execute(text("SELECT pg_advisory_lock(hashtext('assay_migrate'))"))
            try:
                yield
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(hashtext('assay_migrate'))"))
                connection.commit()
        return
    database = built.url.database
    if not database or database == ":memory:":
        yield
        return
    lock_path = Path(database).parent / f".{Path(database).name}.migrate.lock"
    with open(lock_path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
