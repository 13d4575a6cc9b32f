"""Schema migrations with Alembic: a user's metastore upgrades with the package.

The newest revision is applied the first time a process opens a metastore. A new, empty
metastore is created at the newest schema directly (``create_all``, then stamped with the
head revision) rather than by replaying every migration; one with assay's tables is brought
up to date by its migrations. Both routes give the same schema (tests/store). Concurrent
first opens are serialised with a lock file (SQLite) or an advisory lock (PostgreSQL).

Alembic itself (half a second to import) is loaded only to migrate: the head revision is
read from the scripts' ``revision``/``down_revision`` lines, and the revision a database is
at, or is stamped with, is one row of ``alembic_version``, as Alembic keeps it.
"""

from __future__ import annotations

import ast
import contextlib
import fcntl
import functools
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import (
    Column,
    Connection,
    Engine,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    insert,
    inspect,
    select,
    text,
)

MIGRATIONS = Path(__file__).parent / "migrations"
#: Alembic's table of the revision a database is at, declared as Alembic creates it.
VERSION_TABLE = Table(
    "alembic_version",
    MetaData(),
    Column("version_num", String(32), nullable=False),
    PrimaryKeyConstraint("version_num", name="alembic_version_pkc"),
)


def alembic_config(connection: Connection | None = None):  # -> alembic.config.Config
    """An Alembic config pointing at assay's migration scripts (and at ``connection``)."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


@functools.cache
def _scripts():  # -> alembic.script.ScriptDirectory, read once per process
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config())


@functools.cache
def head_revision() -> str:
    """The newest revision shipped with this version of assay.

    Read from the scripts' ``revision = ...`` and ``down_revision = ...`` lines; Alembic
    reads them only where they are not one plain chain (branches, merges).
    """
    revisions: dict[str, str | None] = {}
    for path in (MIGRATIONS / "versions").glob("*.py"):
        found = _assignments(path, ("revision", "down_revision"))
        if not isinstance(found.get("revision"), str):
            return _alembic_head()
        down = found.get("down_revision")
        if down is not None and not isinstance(down, str):
            return _alembic_head()  # a merge: several parents
        revisions[found["revision"]] = down
    heads = set(revisions) - set(revisions.values())
    return heads.pop() if len(heads) == 1 else _alembic_head()


def _assignments(path: Path, names: tuple[str, ...]) -> dict[str, object]:
    """The literal values assigned to ``names`` at the top level of a Python file."""
    found: dict[str, object] = {}
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name) and target.id in names:
                try:
                    found[target.id] = ast.literal_eval(node.value)
                except (ValueError, TypeError):
                    found[target.id] = node  # not a literal: left to Alembic
    return found


def _alembic_head() -> str:
    head = _scripts().get_current_head()
    assert head is not None
    return head


def current_revision(connection: Connection) -> str | None:
    """The revision a database is at; ``None`` for an empty one."""
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()


def stamped_revision(connection: Connection) -> str | None:
    """The revision in ``alembic_version``: None when there is none (or several, a branch)."""
    if not inspect(connection).has_table(VERSION_TABLE.name):
        return None
    rows = connection.execute(select(VERSION_TABLE.c.version_num)).scalars().all()
    return rows[0] if len(rows) == 1 else None


def upgrade(built: Engine) -> None:
    """Bring the database behind ``built`` to the newest revision, if it is not there yet.

    A database without assay's tables is created at the newest schema in one step; any
    other is migrated from the revision it is at.
    """
    head = head_revision()
    with built.connect() as connection:
        if stamped_revision(connection) == head:
            return
    with _migration_lock(built), built.begin() as connection:
        stamped = stamped_revision(connection)
        if stamped == head:
            return
        if stamped is None and not has_assay_tables(connection):
            create_at_head(connection)
            return
        from alembic import command

        command.upgrade(alembic_config(connection), "head")


def has_assay_tables(connection: Connection) -> bool:
    """Whether any table of assay's models exists in the database."""
    from assay.orm.base import Base

    _import_models()
    return bool(set(inspect(connection).get_table_names()) & set(Base.metadata.tables))


def create_at_head(connection: Connection) -> None:
    """Create every table (with its triggers) as the models declare it, stamped at head.

    What the migrations build step by step, made at once: the models' metadata is the
    newest schema, and the tests check that the two routes agree.
    """
    from assay.orm.base import Base

    _import_models()
    Base.metadata.create_all(connection)
    VERSION_TABLE.create(connection, checkfirst=True)
    connection.execute(insert(VERSION_TABLE).values(version_num=head_revision()))


def _import_models() -> None:
    import assay.orm  # noqa: F401 - every table (and the registry's triggers) on the metadata


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
