"""Sessions on the metastore: one call is one transaction, and calls compose.

``transaction()`` commits when its block ends and rolls back on any error, so a call that
fails leaves nothing half-written. Rows loaded in it stay readable after the commit.

Transactions nest: a ``transaction()`` or ``reading()`` opened while another transaction is
open on the same thread joins it (the same session, so it sees the rows written so far), and
only the outermost block commits or rolls back. That is what lets a high-level call such as
``Pipeline(...)`` be one transaction made of many low-level calls, each of which is also a
transaction when called alone.

Files written beside the metastore (artifacts, caches) are not covered by the database's
rollback, so their writers register a clean-up with ``on_rollback``; it runs if the outermost
transaction rolls back, and is forgotten when it commits. Files that rows no longer need once
they are deleted go the other way: ``on_commit`` removes them only after the outermost
transaction commits, so that a rollback finds them in place.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from dataclasses import dataclass, field

from sqlalchemy import text
from sqlalchemy.orm import Session

from assay.store.engine import engine


@dataclass
class _Open:
    """The transaction open on this thread: its session and what to undo if it fails."""

    session: Session
    url: str
    undo: list[Callable[[], None]] = field(default_factory=list)
    done: list[Callable[[], None]] = field(default_factory=list)


_OPEN: ContextVar[_Open | None] = ContextVar("assay_open_transaction", default=None)


def _joinable() -> _Open | None:
    """The open transaction, if it is on the metastore now configured."""
    found = _OPEN.get()
    if found is not None and found.url == str(engine().url):
        return found
    return None


@contextmanager
def transaction() -> Iterator[Session]:
    """A write transaction: commit on success, roll back on error; nested ones join it.

    On SQLite it starts with ``BEGIN IMMEDIATE`` (waiting up to the busy timeout for other
    writers); on PostgreSQL it is an ordinary transaction.
    """
    outer = _joinable()
    if outer is not None:
        yield outer.session
        # What a commit would have done for the caller: ids assigned, constraints checked.
        outer.session.flush()
        return
    built = engine()
    bind = built.execution_options(assay_write=True)
    opened = _Open(Session(bind, expire_on_commit=False), str(built.url))
    token = _OPEN.set(opened)
    try:
        with opened.session as db, db.begin():
            yield db
    except BaseException:
        _run_undo(opened.undo)
        raise
    finally:
        _OPEN.reset(token)
    _run_done(opened.done)


@contextmanager
def reading() -> Iterator[Session]:
    """A read session whose rows stay usable after it closes; inside a transaction, that one."""
    outer = _joinable()
    if outer is not None:
        yield outer.session
        return
    # Closing (not rolling back) ends the transaction without expiring the loaded rows.
    with Session(engine(), expire_on_commit=False) as db:
        yield db


def in_transaction() -> bool:
    """Whether a write transaction is open on this thread (so writes now are not yet final)."""
    return _joinable() is not None


def on_rollback(undo: Callable[[], None]) -> None:
    """Run ``undo`` if the open transaction rolls back.

    Call it right after writing something outside the database that a row of this
    transaction will point to, e.g. a new artifact file. Outside a transaction there is
    nothing to roll back, and ``undo`` is dropped.
    """
    found = _joinable()
    if found is not None:
        found.undo.append(undo)


def on_commit(step: Callable[[], None]) -> None:
    """Run ``step`` once the open transaction has committed (now, outside a transaction).

    Call it to remove files that rows deleted in this transaction pointed to: until the
    outermost transaction commits, a rollback may still bring those rows back. A step that
    fails warns and stops no other; the commit stands.
    """
    found = _joinable()
    if found is None:
        _run_done([step])
        return
    found.done.append(step)


def _run_done(steps: list[Callable[[], None]]) -> None:
    """Run the steps of a committed transaction in order; one failing warns and stops no other."""
    for step in steps:
        try:
            step()
        except Exception as exc:  # the data is committed: a leftover file is the lesser harm
            warnings.warn(
                f"a clean-up after the commit failed ({type(exc).__name__}: {exc}); "
                "the rows are gone but a file they pointed to may remain.",
                stacklevel=3,
            )


def _run_undo(undo: list[Callable[[], None]]) -> None:
    """Run the clean-ups of a failed transaction, newest first; one failing stops no other."""
    for step in reversed(undo):
        with suppress(Exception):  # best effort: the error that rolled back is what matters
            step()


def lock_table(db: Session, table: str) -> None:
    """Serialise writers that compute the next number of something (e.g. a version).

    SQLite's ``BEGIN IMMEDIATE`` already serialises writers; PostgreSQL takes a transaction
    advisory lock keyed by the table name.
    """
    if db.get_bind().dialect.name == "postgresql":
        db.execute(text("SELECT pg_advisory_xact_lock(hashtext(:t))"), {"t": table})
