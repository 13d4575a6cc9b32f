"""Where the metastore and the artifacts live.

``ASSAY_HOME`` (default ``~/.assay``) holds the SQLite metastore and the samples cache;
``ASSAY_DATABASE_URL`` points the metastore elsewhere, e.g. at a shared PostgreSQL server;
``ASSAY_ARTIFACT_URL`` (any fsspec URL) puts the model registry's files in a shared store.
All are read on every call, so tests and notebooks can switch them at run time.
"""

from __future__ import annotations

import os
from pathlib import Path


def assay_home() -> Path:
    """The folder for everything assay writes locally, created on first use."""
    home = Path(os.environ.get("ASSAY_HOME") or Path.home() / ".assay").expanduser()
    home.mkdir(parents=True, exist_ok=True)
    return home


def database_url() -> str:
    """The SQLAlchemy URL of the metastore: ``ASSAY_DATABASE_URL`` or SQLite in ``ASSAY_HOME``."""
    url = os.environ.get("ASSAY_DATABASE_URL")
    if url:
        if url.startswith("postgresql://") or url.startswith("postgres://"):
            # psycopg 3 is the driver we ship; plain URLs would ask for psycopg2.
            url = "postgresql+psycopg://" + url.split("://", 1)[1]
        return url
    return f"sqlite:///{assay_home() / 'assay.sqlite3'}"


def cache_dir() -> Path:
    """The root of the samples cache (``ASSAY_HOME/cache/samples``)."""
    path = assay_home() / "cache" / "samples"
    path.mkdir(parents=True, exist_ok=True)
    return path


def artifact_url() -> str | None:
    """The fsspec URL of a shared store for the model registry's files (``ASSAY_ARTIFACT_URL``).

    Unset, the files go to ``ASSAY_HOME/registry``, or into a PostgreSQL metastore itself.
    """
    return os.environ.get("ASSAY_ARTIFACT_URL") or None
