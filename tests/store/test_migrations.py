import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

import assay.orm  # noqa: F401 - every table on the metadata
from assay.orm.base import Base
from assay.store import engine
from assay.store.migrate import head_revision

pytestmark = pytest.mark.usefixtures("backend")


def test_upgrading_an_empty_database_gives_the_models_schema():
    built = engine()  # first use upgrades the empty database to head
    with built.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert context.get_current_revision() == head_revision()
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_every_model_table_exists():
    tables = set(inspect(engine()).get_table_names())
    assert set(Base.metadata.tables) <= tables
    assert "alembic_version" in tables
