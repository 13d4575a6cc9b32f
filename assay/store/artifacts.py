"""Content-addressed files beside a SQLite metastore, for payloads too large to inline.

SQLite writes a large blob page by page through its journal, which costs more than the
Parquet encoding itself. A payload above ``inline_limit()`` bytes is therefore written once,
straight to ``ASSAY_HOME/artifacts/<sha256><suffix>``, and its row keeps the file's name.
Files are named by their content, so they are written once, shared by identical payloads and
never modified. PostgreSQL metastores are shared between machines, so they keep every payload
inline and portable.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from pathlib import Path

from assay.config import assay_home
from assay.data.hashing import sha256_file
from assay.errors import DataChanged

DEFAULT_INLINE_LIMIT_MB = 32


def artifacts_dir() -> Path:
    """The folder of artifact files, created on first use."""
    path = assay_home() / "artifacts"
    path.mkdir(parents=True, exist_ok=True)
    return path


def inline_limit() -> int:
    """Bytes above which a payload becomes a file (``ASSAY_INLINE_LIMIT_MB``, default 32)."""
    return int(float(os.environ.get("ASSAY_INLINE_LIMIT_MB", DEFAULT_INLINE_LIMIT_MB)) * 2**20)


def use_artifact(nbytes: int, dialect: str) -> bool:
    """Whether a payload of about ``nbytes`` goes to a file rather than into the metastore."""
    return dialect == "sqlite" and nbytes > inline_limit()


def write_artifact(write: Callable[[Path], None], suffix: str) -> tuple[str, str]:
    """Let ``write`` fill a temporary file, then file it under its sha256.

    Returns:
        The artifact's file name and the sha256 hex digest of its bytes.
    """
    folder = artifacts_dir()
    staging = folder / f".staging-{uuid.uuid4().hex}{suffix}"
    try:
        write(staging)
        digest = sha256_file(staging)
        final = folder / f"{digest}{suffix}"
        if final.exists():
            staging.unlink()
        else:
            os.replace(staging, final)
    finally:
        staging.unlink(missing_ok=True)
    return final.name, digest


def artifact_path(name: str) -> Path:
    """The path of an artifact file, which must still exist."""
    path = artifacts_dir() / name
    if not path.is_file():
        raise DataChanged(
            f"the artifact file {str(path)!r} is missing; the metastore's folder "
            f"{str(artifacts_dir().parent)!r} must be kept together with its artifacts/ folder."
        )
    return path
