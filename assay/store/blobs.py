"""Writing large binary values into the metastore without extra copies of them.

SQLite's driver copies a bound value before writing it; for a Dataset of hundreds of MB
that is one copy too many. Instead the row gets a zero-filled blob of the right size and the
bytes are streamed into it in chunks through SQLite's incremental blob I/O.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

CHUNK = 1 << 24


def write_blob(db: Session, table: str, column: str, row_id: int, data: Any) -> None:
    """Store ``data`` (any bytes-like object) in ``table.column`` of row ``row_id``.

    Args:
        db: The session whose transaction the write joins; the row must already exist.
        table: The table name, put into the SQL as it is: never user input.
        column: A binary column of it, also put into the SQL as it is.
        row_id: The row's ``id``.
        data: Any bytes-like object; written in chunks of ``CHUNK`` bytes on SQLite.
    """
    view = memoryview(data).cast("B")
    if db.get_bind().dialect.name != "sqlite":
        db.execute(
            text(f"UPDATE {table} SET {column} = :data WHERE id = :id"),
            {"data": view.tobytes(), "id": row_id},
        )
        return
    db.execute(
        text(f"UPDATE {table} SET {column} = zeroblob(:size) WHERE id = :id"),
        {"size": len(view), "id": row_id},
    )
    raw = db.connection().connection.dbapi_connection
    with raw.blobopen(table, column, row_id) as blob:
        for start in range(0, len(view), CHUNK):
            blob.write(view[start : start + CHUNK])


def read_blob(db: Session, table: str, column: str, row_id: int) -> bytes | None:
    """The bytes in ``table.column`` of row ``row_id``.

    Args:
        db: The session to read through.
        table: The table name, put into the SQL as it is: never user input.
        column: A binary column of it, also put into the SQL as it is.
        row_id: The row's ``id``.

    Returns:
        The bytes, or None when the value is NULL or there is no such row.
    """
    return db.execute(
        text(f"SELECT {column} FROM {table} WHERE id = :id"), {"id": row_id}
    ).scalar_one_or_none()
