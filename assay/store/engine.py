"""Engines for the metastore: SQLite by default, PostgreSQL when ``ASSAY_DATABASE_URL`` says so.

SQLite is tuned so that several processes can write at once: WAL journal, foreign keys on,
a busy timeout, and ``BEGIN IMMEDIATE`` for write transactions so that a reader never has to
upgrade its lock mid-transaction (the cause of "database is locked" despite a busy timeout).
The schema is brought up to date with Alembic the first time a URL is used in a process.
"""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy import Engine, create_engine, event

from assay import config

_ENGINES: dict[str, Engine] = {}
_LOCK = threading.Lock()
BUSY_TIMEOUT_MS = 60_000


def engine(url: str | None = None) -> Engine:
    """The engine for ``url`` (default: the configured metastore), migrated to the newest schema.

    Args:
        url: A SQLAlchemy URL; ``None`` reads :func:`assay.config.database_url`.

    Returns:
        A process-wide engine, created and migrated on first use.
    """
    url = url or config.database_url()
    found = _ENGINES.get(url)
    if found is not None:
        return found
    with _LOCK:
        if url not in _ENGINES:
            built = _build(url)
            from assay.store.migrate import upgrade

            upgrade(built)
            _ENGINES[url] = built
        return _ENGINES[url]


def reset_engines() -> None:
    """Dispose of every engine (tests switch metastores; forked workers must not share pools)."""
    with _LOCK:
        for built in _ENGINES.values():
            built.dispose()
        _ENGINES.clear()


def _build(url: str) -> Engine:
    if url.startswith("sqlite"):
        built = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
        _tune_sqlite(built)
        return built
    return create_engine(url, pool_pre_ping=True)


def _tune_sqlite(built: Engine) -> None:
    @event.listens_for(built, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control away from the sqlite3 module so that BEGIN is ours.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(built, "begin")
    def _on_begin(connection: Any) -> None:
        immediate = connection.get_execution_options().get("assay_write", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def is_sqlite(built: Engine) -> bool:
    """Whether ``built`` talks to SQLite (the embedded default)."""
    return built.dialect.name == "sqlite"
