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
import re
import socket
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

from assay.config import assay_home
from assay.data.hashing import sha256_file
from assay.errors import DataChanged

DEFAULT_INLINE_LIMIT_MB = 32
#: Staging files are ``.staging-<host>-<pid>-<uuid><suffix>`` until filed under their hash.
STAGING = ".staging-"
STAGING_NAME = re.compile(r"^\.staging-(?P<host>.+)-(?P<pid>\d+)-[0-9a-f]{32}")
LEGACY_STAGING_NAME = re.compile(r"^\.staging-[0-9a-f]{32}(\.|$)")
LEGACY_STAGING_AGE_S = 24 * 3600


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


class Written(NamedTuple):
    """An artifact file just filed, and whether this call created it."""

    name: str
    digest: str
    #: False when an identical file was there already (it may be another row's).
    created: bool


def write_artifact(write: Callable[[Path], None], suffix: str) -> Written:
    """Let ``write`` fill a staging file, then file it under its sha256.

    The staging file is named after its writer (host and process), so that one left by a
    process that has died can be recognised and removed by the next writer.
    """
    folder = artifacts_dir()
    remove_abandoned_staging(folder)
    staging = folder / f"{STAGING}{host_name()}-{os.getpid()}-{uuid.uuid4().hex}{suffix}"
    try:
        write(staging)
        digest = sha256_file(staging)
        final = folder / f"{digest}{suffix}"
        created = not final.exists()
        if created:
            os.replace(staging, final)
    finally:
        staging.unlink(missing_ok=True)
    return Written(final.name, digest, created)


def remove_artifact(name: str) -> None:
    """Delete an artifact file (the caller has checked that no row refers to it)."""
    (artifacts_dir() / name).unlink(missing_ok=True)


def host_name() -> str:
    """This machine's name as it appears in staging file names."""
    return re.sub(r"[^A-Za-z0-9.-]", "_", socket.gethostname()) or "localhost"


def remove_abandoned_staging(folder: Path) -> None:
    """Delete the staging files whose writer, a process on this host, has ended.

    Files of other hosts and of live processes are kept. Files named before writers were
    recorded (``.staging-<uuid>``) are removed once they have not changed for a day.
    """
    for path in folder.glob(f"{STAGING}*"):
        match = STAGING_NAME.match(path.name)
        if match is None:
            abandoned = LEGACY_STAGING_NAME.match(path.name) is not None and unchanged_for(
                path, LEGACY_STAGING_AGE_S
            )
        else:
            abandoned = match["host"] == host_name() and not process_alive(int(match["pid"]))
        if abandoned:
            path.unlink(missing_ok=True)


def unchanged_for(path: Path, seconds: float) -> bool:
    """Whether a file has not been modified for ``seconds`` (False if it is gone)."""
    try:
        return time.time() - path.stat().st_mtime > seconds
    except OSError:
        return False


def process_alive(pid: int) -> bool:
    """Whether a process with this id is running on this host; a zombie has ended.

    A zombie still answers ``os.kill(pid, 0)``, so ``/proc/<pid>/stat`` decides where it
    exists. Without procfs, ``os.kill(pid, 0)`` does; on Windows, where that would end the
    process, every process counts as alive.
    """
    if pid == os.getpid():
        return True
    if Path("/proc/self/stat").exists():
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            return False
        return stat.rsplit(")", 1)[-1].split()[0] not in ("Z", "X", "x")
    if os.name == "nt":
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # PermissionError: it exists, as another user's process
        return True
    return True


def artifact_path(name: str) -> Path:
    """The path of an artifact file, which must still exist."""
    path = artifacts_dir() / name
    if not path.is_file():
        raise DataChanged(
            f"the artifact file {str(path)!r} is missing; the metastore's folder "
            f"{str(artifacts_dir().parent)!r} must be kept together with its artifacts/ folder."
        )
    return path
