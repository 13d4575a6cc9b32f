"""Where the registry's files live, by sha256: a local folder, an fsspec URL, or the metastore.

- By default, a folder under ``ASSAY_HOME`` (``registry/<sha256>``).
- ``ASSAY_ARTIFACT_URL`` (any fsspec URL: ``s3://bucket/assay``, ``file:///mnt/team``...)
  points every process of a team at one shared store.
- A PostgreSQL metastore without that setting holds the files itself, as rows of
  ``registrychunk``, so that every machine that reaches the database reaches the files.

Each store writes, reads and removes whole files in chunks of ``CHUNK`` bytes: a file is
never held whole in memory. A ``StoredFile`` row records which store holds each file, so a
file stays readable after the setting changes.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from assay.config import artifact_url, assay_home
from assay.errors import require
from assay.registry.tables import FileChunk

CHUNK = 1 << 22
LOCAL = "local"
DATABASE = "db"


class FileStore(Protocol):
    """Content-addressed files: put once under their sha256, read in chunks, removed."""

    #: What ``StoredFile.store`` records for files this store holds.
    key: str

    def exists(self, db: Session, sha256: str) -> bool:
        """Whether the file is there."""
        ...

    def put(self, db: Session, staged: Path, sha256: str) -> None:
        """File the staged (verified) file under ``sha256``; the staged file is consumed."""
        ...

    def read(self, db: Session, sha256: str) -> Iterator[bytes]:
        """The file's bytes, chunk by chunk."""
        ...

    def remove(self, db: Session, sha256: str) -> None:
        """Delete the file (the caller has checked that nothing refers to it)."""
        ...


def registry_dir() -> Path:
    """The local folder of registry files, ``ASSAY_HOME/registry``, created on first use."""
    path = assay_home() / "registry"
    path.mkdir(parents=True, exist_ok=True)
    return path


class LocalStore:
    """Files in a folder of this machine, renamed into place from a staging file beside them."""

    key = LOCAL

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def exists(self, db: Session, sha256: str) -> bool:
        """Whether the file is there."""
        return (self.folder / sha256).is_file()

    def put(self, db: Session, staged: Path, sha256: str) -> None:
        """Rename the staged file into place (a copy when it lies on another file system)."""
        if self.exists(db, sha256):
            staged.unlink(missing_ok=True)
            return
        try:
            os.replace(staged, self.folder / sha256)
        except OSError:
            shutil.move(staged, self.folder / sha256)

    def read(self, db: Session, sha256: str) -> Iterator[bytes]:
        """The file's bytes, chunk by chunk."""
        with open(self.folder / sha256, "rb") as handle:
            while chunk := handle.read(CHUNK):
                yield chunk

    def remove(self, db: Session, sha256: str) -> None:
        """Delete the file."""
        (self.folder / sha256).unlink(missing_ok=True)


class UrlStore:
    """Files under an fsspec URL that several machines share."""

    def __init__(self, url: str) -> None:
        fsspec = require("fsspec", extra="storage", caller="ASSAY_ARTIFACT_URL")
        self.key = url
        self.fs, root = fsspec.core.url_to_fs(url)
        self.root = root.rstrip("/")

    def _path(self, sha256: str) -> str:
        return f"{self.root}/{sha256}"

    def exists(self, db: Session, sha256: str) -> bool:
        """Whether the file is there."""
        return bool(self.fs.exists(self._path(sha256)))

    def put(self, db: Session, staged: Path, sha256: str) -> None:
        """Upload under a temporary name, then move into place, so no reader sees half a file."""
        try:
            if not self.exists(db, sha256):
                self.fs.makedirs(self.root, exist_ok=True)
                partial = f"{self.root}/.partial-{staged.name}"
                self.fs.put_file(str(staged), partial)
                self.fs.mv(partial, self._path(sha256))
        finally:
            staged.unlink(missing_ok=True)

    def read(self, db: Session, sha256: str) -> Iterator[bytes]:
        """The file's bytes, chunk by chunk."""
        with self.fs.open(self._path(sha256), "rb") as handle:
            while chunk := handle.read(CHUNK):
                yield chunk

    def remove(self, db: Session, sha256: str) -> None:
        """Delete the file."""
        if self.exists(db, sha256):
            self.fs.rm(self._path(sha256))


class DatabaseStore:
    """Files as numbered chunks in the metastore, written and read one chunk at a time."""

    key = DATABASE

    def exists(self, db: Session, sha256: str) -> bool:
        """Whether any chunk of the file is there."""
        statement = select(FileChunk.idx).where(FileChunk.sha256 == sha256).limit(1)
        return db.scalar(statement) is not None

    def put(self, db: Session, staged: Path, sha256: str) -> None:
        """Insert the file's chunks, one statement per chunk."""
        try:
            if self.exists(db, sha256):
                return
            table = FileChunk.__table__
            with open(staged, "rb") as handle:
                idx = 0
                while chunk := handle.read(CHUNK):
                    db.execute(table.insert().values(sha256=sha256, idx=idx, data=chunk))
                    idx += 1
        finally:
            staged.unlink(missing_ok=True)

    def read(self, db: Session, sha256: str) -> Iterator[bytes]:
        """The chunks in order, one statement each, so only one is in memory at a time."""
        idx = 0
        while True:
            statement = select(FileChunk.data).where(
                FileChunk.sha256 == sha256, FileChunk.idx == idx
            )
            chunk = db.scalar(statement)
            if chunk is None:
                return
            yield bytes(chunk)
            idx += 1

    def remove(self, db: Session, sha256: str) -> None:
        """Delete the file's chunks."""
        db.execute(delete(FileChunk).where(FileChunk.sha256 == sha256))


def current_store(db: Session) -> FileStore:
    """The store new uploads go to: the artifact URL, else the metastore or the local folder."""
    url = artifact_url()
    if url:
        return UrlStore(url)
    if db.get_bind().dialect.name == "postgresql":
        return DatabaseStore()
    return LocalStore(registry_dir())


def store_for(key: str) -> FileStore:
    """The store that ``StoredFile.store`` names."""
    if key == LOCAL:
        return LocalStore(registry_dir())
    if key == DATABASE:
        return DatabaseStore()
    return UrlStore(key)


def staging_dir() -> Path:
    """Where uploads are written and checked before they are filed.

    Beside the local store, so that filing a file there is a rename, not a copy.
    """
    return registry_dir()
