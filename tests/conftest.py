"""Every test gets its own metastore; metastore tests run on SQLite and PostgreSQL.

What a test needs from the machine (a PostgreSQL server, a browser to render figures) makes it
skip where it is missing, saying how to enable it, or fail where ASSAY_REQUIRE_* is set (CI).
"""

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


def skip_unless(available: bool, how_to_enable: str, require_variable: str) -> None:
    """Skip a test that needs what is missing, or fail it where ``require_variable`` is set."""
    if available:
        return
    if os.environ.get(require_variable):
        pytest.fail(f"{require_variable} is set, so this test may not skip: {how_to_enable}")
    pytest.skip(how_to_enable)


def chromium_or_skip() -> str:
    """The browser kaleido renders figures with; skip (or fail under ASSAY_REQUIRE_CHROMIUM)."""
    from assay.evaluate import plots

    path = plots.chromium_path()
    how_to_enable = f"{plots.CHROMIUM_ADVICE} to render figures to PNG; .ci/run installs it"
    skip_unless(path is not None, how_to_enable, "ASSAY_REQUIRE_CHROMIUM")
    return path


def browser_or_skip() -> str:
    """Debian's chromium for the Playwright tests; skip (or fail under ASSAY_REQUIRE_CHROMIUM)."""
    import importlib.util
    import shutil

    path = shutil.which("chromium") or (
        "/usr/bin/chromium" if os.path.isfile("/usr/bin/chromium") else None
    )
    has_playwright = importlib.util.find_spec("playwright") is not None
    how_to_enable = (
        "install chromium (apt-get install chromium) and playwright (pip install -e .[dev]) "
        "to run the dashboard in a browser; .ci/run installs both"
    )
    skip_unless(path is not None and has_playwright, how_to_enable, "ASSAY_REQUIRE_CHROMIUM")
    return path


@pytest.fixture
def chromium() -> str:
    """The path of the browser that renders figures to images (see ``chromium_or_skip``)."""
    return chromium_or_skip()


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

    skip_unless(bool(POSTGRES_URL), HOW_TO_ENABLE, "ASSAY_REQUIRE_POSTGRES")
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
