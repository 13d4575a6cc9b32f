"""Sessions on the metastore: one write call is one transaction.

``transaction()`` commits when its block ends and rolls back on any error, so a call that
fails leaves nothing half-written. Rows loaded in it stay readable after the commit.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import text
from sqlalchemy.orm import Session

from assay.store.engine import engine


@contextmanager
def transaction() -> Iterator[Session]:
    """A write transaction: commit on success, roll back on error.

    On SQLite it starts with ``BEGIN IMMEDIATE`` (waiting up to the busy timeout for other
    writers); on PostgreSQL it is an ordinary transaction.
    """
    bind = engine().execution_options(assay_write=True)
    with Session(bind, expire_on_commit=False) as db, db.begin():
        yield db


@contextmanager
def reading() -> Iterator[Session]:
    """A read-only session whose rows stay usable after it closes."""
    # Closing (not rolling back) ends the transaction without expiring the loaded rows.
    with Session(engine(), expire_on_commit=False) as db:
        yield db


def lock_table(db: Session, table: str) -> None:
    """Serialise writers that compute the next number of something (e.g. a version).

    SQLite's ``BEGIN IMMEDIATE`` already serialises writers; PostgreSQL takes a transaction
    advisory lock keyed by the table name.
    """
    if db.get_bind().dialect.name == "postgresql":
        db.execute(text("SELECT pg_advisory_xact_lock(hashtext(:t))"), {"t": table})
