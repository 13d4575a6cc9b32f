"""Every test gets its own metastore; metastore tests run on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from assay.store import reset_engines

POSTGRES_URL = os.environ.get("ASSAY_TEST_POSTGRES_URL")
HOW_TO_ENABLE = (
    "set ASSAY_TEST_POSTGRES_URL=postgresql://user@host:port/db (a server where the user may "
    "CREATE DATABASE) to run the metastore tests on PostgreSQL too; .ci/run starts one"
)


@pytest.fixture(autouse=True)
def metastore(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh SQLite metastore and ASSAY_HOME in the test's temporary folder."""
    home = tmp_path / "assay_home"
    monkeypatch.setenv("ASSAY_HOME", str(home))
    monkeypatch.setenv("ASSAY_DATABASE_URL", f"sqlite:///{tmp_path / 'assay.sqlite3'}")
    yield home
    reset_engines()


def postgres_database() -> Iterator[str]:
    """Create an empty PostgreSQL database for one test and drop it afterwards."""
    from sqlalchemy import create_engine, text

    if not POSTGRES_URL:
        if os.environ.get("ASSAY_REQUIRE_POSTGRES"):
            pytest.fail("ASSAY_REQUIRE_POSTGRES is set but ASSAY_TEST_POSTGRES_URL is not")
        pytest.skip(HOW_TO_ENABLE)
    admin_url = "postgresql+psycopg://" + POSTGRES_URL.split("://", 1)[1]
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    name = f"assay_test_{uuid.uuid4().hex[:12]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin_url.rsplit("/", 1)[0] + "/" + name
    finally:
        reset_engines()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Run a test on the SQLite metastore and, where one is configured, on PostgreSQL."""
    if request.param == "sqlite":
        yield os.environ["ASSAY_DATABASE_URL"]
        return
    for url in postgres_database():
        monkeypatch.setenv("ASSAY_DATABASE_URL", url)
        yield url
