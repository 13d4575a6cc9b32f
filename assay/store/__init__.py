"""The only code that builds engines and opens transactions on the metastore."""

from assay.store.engine import engine, reset_engines
from assay.store.session import reading, transaction

__all__ = ["engine", "reading", "reset_engines", "transaction"]
