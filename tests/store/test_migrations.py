"""A new metastore is created at the newest schema directly; an old one is migrated there.

Both routes must give the same schema, triggers included, on SQLite and PostgreSQL: the
models' metadata (``create_all``) and the migrations are two descriptions of one schema.
"""

import subprocess
import sys

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

import assay.orm  # noqa: F401 - every table on the metadata
from assay.orm.base import Base
from assay.store import engine
from assay.store.engine import _build
from assay.store.migrate import alembic_config, current_revision, head_revision, upgrade
from tests.conftest import postgres_database

pytestmark = pytest.mark.usefixtures("backend")


@pytest.fixture
def other_database(backend, tmp_path):
    """A second empty database on the same backend."""
    if backend.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'other.sqlite3'}"
        return
    yield from postgres_database()


def migrate_step_by_step(url: str) -> None:
    """Run every migration from the empty database to head, as an old metastore does."""
    built = _build(url)
    with built.begin() as connection:
        command.upgrade(alembic_config(connection), "head")
    built.dispose()


def schema(url: str) -> dict:
    """Tables, columns, keys, indexes and triggers, in an order both routes share."""
    built = _build(url)
    with built.connect() as connection:
        found = inspect(connection)
        tables = {}
        for name in found.get_table_names():
            tables[name] = {
                "columns": sorted(
                    (c["name"], str(c["type"]), c["nullable"], str(c.get("default")))
                    for c in found.get_columns(name)
                ),
                "primary key": found.get_pk_constraint(name)["constrained_columns"],
                "foreign keys": sorted(
                    (
                        tuple(k["constrained_columns"]),
                        k["referred_table"],
                        tuple(k["referred_columns"]),
                        str(k.get("options", {}).get("ondelete")),
                    )
                    for k in found.get_foreign_keys(name)
                ),
                "indexes": sorted(
                    (i["name"], tuple(i["column_names"]), bool(i["unique"]))
                    for i in found.get_indexes(name)
                ),
                "unique": sorted(
                    tuple(u["column_names"]) for u in found.get_unique_constraints(name)
                ),
            }
        triggers = sorted(
            tuple(row) for row in connection.execute(text(TRIGGERS[built.dialect.name]))
        )
    built.dispose()
    return {"tables": tables, "triggers": triggers}


TRIGGERS = {
    "sqlite": "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger'",
    "postgresql": (
        "SELECT t.tgname, c.relname, pg_get_triggerdef(t.oid) FROM pg_trigger t "
        "JOIN pg_class c ON c.oid = t.tgrelid WHERE NOT t.tgisinternal "
        "UNION ALL SELECT p.proname, 'function', pg_get_functiondef(p.oid) FROM pg_proc p "
        "JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public'"
    ),
}


def test_a_new_database_is_created_at_head_with_the_models_schema():
    built = engine()  # first use creates the empty database at head
    with built.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert context.get_current_revision() == head_revision()
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_the_head_read_from_the_scripts_is_alembics():
    from assay.store.migrate import _alembic_head

    assert head_revision() == _alembic_head()


def test_opening_a_metastore_at_head_does_not_import_alembic():
    # Alembic takes about half a second to import; only a migration needs it.
    code = (
        "import sys; from assay.store import engine; engine(); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'alembic'))"
    )
    for _ in ("created", "opened"):  # the backend's database is new the first time
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr[-2000:]
        assert done.stdout.strip().splitlines()[-1] == "[]"


def test_every_model_table_exists():
    tables = set(inspect(engine()).get_table_names())
    assert set(Base.metadata.tables) <= tables
    assert "alembic_version" in tables


def test_creating_at_head_and_migrating_step_by_step_give_the_same_schema(backend, other_database):
    engine()  # the new database, created at head
    migrate_step_by_step(other_database)
    created, migrated = schema(backend), schema(other_database)
    assert created["triggers"], "the registry's triggers are part of the schema"
    assert created["tables"].keys() == migrated["tables"].keys()
    for name, table in created["tables"].items():
        assert table == migrated["tables"][name], name
    assert created["triggers"] == migrated["triggers"]


def test_a_database_with_assay_tables_is_migrated_from_its_revision(other_database):
    # An old metastore: migrated to the first revision only, with a row in it.
    built = _build(other_database)
    with built.begin() as connection:
        command.upgrade(alembic_config(connection), "0001")
        connection.execute(
            text(
                "INSERT INTO dataset (typ, source_format, columns, dtypes, shape, "
                'sha256_hexdigest, "memory_MB", contains_nan, is_ingested, name, '
                "time_created, time_updated, is_starred) VALUES ('tabular', 'dataframe', '[]', '{}', "
                "'[]', 'x', 0, false, true, 'kept', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, false)"
            )
        )
    upgrade(built)
    with built.connect() as connection:
        assert current_revision(connection) == head_revision()
        assert connection.execute(text("SELECT name FROM dataset")).scalar_one() == "kept"
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []
    built.dispose()
