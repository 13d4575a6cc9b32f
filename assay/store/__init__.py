"""The only code that builds engines and opens transactions on the metastore."""

from assay.store.engine import engine, reset_engines
from assay.store.session import in_transaction, on_commit, on_rollback, reading, transaction

__all__ = [
    "engine",
    "in_transaction",
    "on_commit",
    "on_rollback",
    "reading",
    "reset_engines",
    "transaction",
]
