"""Count the SQL statements (and the connections checked out) of a block of code.

``count_statements()`` listens on the engine of the metastore now configured::

    with count_statements() as counted:
        execute_run(run_id)
    assert counted.count <= 12, counted.summary()

``statements`` are every statement sent through a cursor, in order, transaction control
(``BEGIN``, ``BEGIN IMMEDIATE``) left out: SQLite's ``BEGIN`` is one per session, which
``sessions`` counts instead (each session checks a connection out of the pool once).
"""

from __future__ import annotations

import re
import traceback
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import event

import assay
from assay.store.engine import engine

_PACKAGE = Path(assay.__file__).resolve().parent
_TRANSACTION_CONTROL = re.compile(r"^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)\b", re.I)
_VERB_TABLE = (
    re.compile(r"^\s*SELECT\b.*?\bFROM\s+\"?(\w+)\"?", re.I | re.S),
    re.compile(r"^\s*INSERT\s+INTO\s+\"?(\w+)\"?", re.I),
    re.compile(r"^\s*UPDATE\s+\"?(\w+)\"?", re.I),
    re.compile(r"^\s*DELETE\s+FROM\s+\"?(\w+)\"?", re.I),
)


@dataclass
class Counted:
    """What a ``count_statements()`` block sent to the database."""

    statements: list[str] = field(default_factory=list)
    sessions: int = 0
    origins: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        """The number of statements (transaction control left out)."""
        return len(self.statements)

    def by_table(self) -> Counter[str]:
        """Statements grouped as ``'SELECT fold'``, ``'UPDATE run'``, ...: repeats stand out."""
        return Counter(describe(statement) for statement in self.statements)

    def summary(self) -> str:
        """A readable breakdown, most frequent first, for assertion messages and benchmarks."""
        lines = [f"{self.count} statements in {self.sessions} sessions"]
        lines += [f"  {key}: {n}" for key, n in self.by_table().most_common()]
        return "\n".join(lines)

    def by_origin(self) -> Counter[str]:
        """Statements grouped by ``'<VERB> <table> <- file:line function'`` (``trace=True``)."""
        return Counter(
            f"{describe(statement)} <- {origin}"
            for statement, origin in zip(self.statements, self.origins, strict=True)
        )


def describe(statement: str) -> str:
    """``'<VERB> <table>'`` of a statement (the first table a SELECT reads from)."""
    for pattern in _VERB_TABLE:
        match = pattern.match(statement)
        if match:
            return f"{statement.split(None, 1)[0].upper()} {match.group(1)}"
    return statement.split(None, 1)[0].upper() if statement.strip() else "?"


def _origin() -> str:
    """``path:line function`` of the innermost assay frame that is not plumbing."""
    for frame in reversed(traceback.extract_stack()):
        path = Path(frame.filename)
        if not path.is_relative_to(_PACKAGE):
            continue
        inside = path.relative_to(_PACKAGE).as_posix()
        if inside.startswith("store/") or inside == "orm/base.py":
            continue
        return f"{inside}:{frame.lineno} {frame.name}"
    return "?"


@contextmanager
def count_statements(trace: bool = False) -> Iterator[Counted]:
    """Record the statements and connection checkouts of the configured metastore's engine.

    Args:
        trace: Also record, for each statement, the assay code that issued it (the innermost
            frame of ``assay/`` outside ``assay/store/`` and ``assay/orm/base.py``).
    """
    built = engine()
    counted = Counted()

    def on_execute(
        _conn: Any, _cursor: Any, statement: str, _params: Any, _context: Any, _many: bool
    ) -> None:
        if not _TRANSACTION_CONTROL.match(statement):
            counted.statements.append(statement)
            if trace:
                counted.origins.append(_origin())

    def on_checkout(_dbapi: Any, _record: Any, _proxy: Any) -> None:
        counted.sessions += 1

    event.listen(built, "before_cursor_execute", on_execute)
    event.listen(built, "checkout", on_checkout)
    try:
        yield counted
    finally:
        event.remove(built, "before_cursor_execute", on_execute)
        event.remove(built, "checkout", on_checkout)
