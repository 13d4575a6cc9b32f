"""A plain-text summary of what a metastore holds, for the demo and the ``assay`` command."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd
from sqlalchemy import func, select

from assay.config import database_url
from assay.store.session import reading

if TYPE_CHECKING:
    from assay.orm import Queue, Run


def datasets_frame() -> pd.DataFrame:
    """One row per registered Dataset: id, name, version, type, shape and whether it is stored."""
    from assay.orm import Dataset

    with reading() as db:
        rows = db.scalars(select(Dataset).order_by(Dataset.id)).all()
    return pd.DataFrame(
        [
            {
                "id": row.id,
                "name": row.name,
                "version": row.version,
                "type": row.typ,
                "shape": "x".join(str(size) for size in row.shape.values()),
                "MB": round(row.memory_MB, 3),
                "ingested": row.is_ingested,
                "created": row.created_at(),
            }
            for row in rows
        ],
        columns=["id", "name", "version", "type", "shape", "MB", "ingested", "created"],
    )


def run_status(run: Run) -> tuple[str, str | None]:
    """A run's status as a reader should see it, and why when it differs from the row's.

    A run recorded as running whose process on this host has ended trains nothing: it
    shows as ``stopped``. Only the display changes; the row is left as it is (the next
    worker to claim the run takes it over).
    """
    if run.status == "running" and not run.is_live():
        if run.pid is None:
            return "stopped", "no process recorded"
        return "stopped", f"process {run.pid} ended"
    return run.status, None


def queue_status_counts(queue: Queue) -> dict[str, int]:
    """How many of a Queue's runs are in each status, as ``run_status`` shows them."""
    from assay.orm import Run

    counts = queue.status_counts()
    if counts["running"]:
        running = Run.select_where(Run.queue_id == queue.id, Run.status == "running")
        ended = sum(run_status(run)[0] == "stopped" for run in running)
        counts["running"] -= ended
        counts["stopped"] += ended
    return counts


def table_counts() -> dict[str, int]:
    """How many rows each table of the metastore holds, by table name."""
    from assay.orm.base import Base

    counts = {}
    with reading() as db:
        for mapper in Base.registry.mappers:
            model = mapper.class_
            if mapper.inherits is not None:
                continue
            counts[model.__tablename__] = db.scalar(select(func.count()).select_from(model))
    return dict(sorted(counts.items()))


def metastore_summary() -> str:
    """Where the metastore is and how many rows each table holds, as printable text."""
    counts = table_counts()
    lines = [f"metastore: {database_url()}"]
    lines += [f"  {table:<20} {count:>6} rows" for table, count in counts.items()]
    return "\n".join(lines)
