"""A plain-text summary of what a metastore holds, for the demo and the ``assay`` command."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import func, select

from assay.config import database_url
from assay.store.session import reading


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
