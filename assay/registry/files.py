"""The files of versions: upload (add or replace), download with verification, delete, load.

An upload is streamed to a staging file beside the local store and hashed on the way, in
chunks; its format validates it; then one transaction files it under its sha256 (once: an
identical file is shared), writes the format row and its audit entry. Nothing is written
when any step refuses. A file that no format references any longer is removed from its
store after the commit (``collect``), under a lock that uploads of the same file also take,
so that a removal never races an upload of the same content.
"""

from __future__ import annotations

import functools
import hashlib
import os
import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from assay.errors import DataChanged, InvalidArgument
from assay.registry.access import (
    describe,
    existing_format,
    format_row,
    touch,
    version_row,
    writable_version,
)
from assay.registry.audit import current_user, record
from assay.registry.formats import get_format
from assay.registry.storage import CHUNK, current_store, staging_dir, store_for
from assay.registry.tables import (
    ModelVersion,
    RegisteredModel,
    Source,
    StoredFile,
    VersionFormat,
)
from assay.store import on_commit, on_rollback, reading, transaction
from assay.store.artifacts import STAGING, host_name, remove_abandoned_staging
from assay.store.engine import engine
from assay.store.session import lock_table


@dataclass(frozen=True)
class Staged:
    """An upload written to a local staging file, with its digest and size."""

    path: Path
    sha256: str
    size: int
    filename: str | None


def upload(version_id: int, format_id: str, source: Source, replace: bool) -> VersionFormat:
    """Add (or, with ``replace``, replace) the file of ``format_id`` of a version.

    Args:
        version_id: The version's row id.
        format_id: A registered format id (``pkl``, ``onnx``...).
        source: Bytes, a path, or a file object open in binary mode.
        replace: Replace the existing file; without it an existing file is an error.

    Raises:
        InvalidArgument: An unknown format id, an empty or invalid file, or (without
            ``replace``) a format the version has already.
        NotFound: The version does not exist, or (with ``replace``) has no such file.
        Frozen: The version is published.
    """
    get_format(format_id)
    with reading() as db:  # fail fast, before streaming a large file
        check_slot(db, writable_version(db, version_id), format_id, replace)
    with staged_upload(format_id, source) as staged, transaction() as db:
        version = writable_version(db, version_id)
        existing = check_slot(db, version, format_id, replace)
        return file_upload(db, version, staged, format_id, existing)


@contextmanager
def staged_upload(format_id: str, source: Source) -> Iterator[Staged]:
    """The upload streamed to a staging file and validated by its format; removed on exit.

    Staging and validating happen outside any transaction, so that a large file never holds
    the metastore's write lock while it is copied and checked.

    Raises:
        InvalidArgument: An unknown format id, or an empty or invalid file.
    """
    model_format = get_format(format_id)
    staged = stage(source, f"the {format_id!r} file", model_format.suffix)
    try:
        model_format.validate(staged.path)
        yield staged
    finally:
        staged.path.unlink(missing_ok=True)


def file_upload(
    db: Session,
    version: ModelVersion,
    staged: Staged,
    format_id: str,
    existing: VersionFormat | None,
) -> VersionFormat:
    """In ``db``'s transaction: store a staged file as a version's format, and record it.

    Args:
        db: The session of the transaction that holds ``version`` locked (``writable_version``).
        version: The unpublished version that gets the file.
        staged: The validated upload (``staged_upload``).
        format_id: Its format id.
        existing: The format row it replaces (``check_slot``), or None to add one.
    """
    store_file(db, staged)
    if existing is None:
        row = VersionFormat(version_id=version.id, format_id=format_id)
        row.created_by = current_user()
        db.add(row)
        before = None
    else:
        row, before = existing, existing.info()
        release(existing.sha256)
    row.sha256, row.size, row.filename = staged.sha256, staged.size, staged.filename
    touch(row)
    touch(version)
    db.flush()
    model = db.get(RegisteredModel, version.model_id)
    action = "upload" if existing is None else "replace"
    record(db, action, model, version, format_id=format_id, before=before, after=row.info())
    return row


def check_slot(
    db: Session, version: ModelVersion, format_id: str, replace: bool
) -> VersionFormat | None:
    """The file that an upload replaces; an error if adding would make two, or replacing none."""
    if replace:
        return existing_format(db, version, format_id)
    if format_row(db, version, format_id) is not None:
        raise InvalidArgument(
            f"{describe(db, version)} has a {format_id!r} file already, and holds one per "
            f"format; replace it with replace_format({format_id!r}, ...)."
        )
    return None


def stage(source: Source, argument: str, suffix: str = "") -> Staged:
    """Copy ``source`` to a staging file in chunks, hashing it on the way.

    Raises:
        InvalidArgument: A source of another type, one that cannot be read, or an empty one.
    """
    folder = staging_dir()
    remove_abandoned_staging(folder)
    path = folder / f"{STAGING}{host_name()}-{os.getpid()}-{uuid.uuid4().hex}{suffix}"
    digest, size = hashlib.sha256(), 0
    try:
        with open(path, "wb") as out:
            for chunk in chunks_of(source, argument):
                digest.update(chunk)
                out.write(chunk)
                size += len(chunk)
        if size == 0:
            raise InvalidArgument(f"{argument} is empty (0 bytes); upload the model's file.")
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return Staged(path, digest.hexdigest(), size, filename_of(source))


def chunks_of(source: Source, argument: str) -> Iterator[bytes]:
    """The bytes of an upload, ``CHUNK`` at a time, never all at once."""
    if isinstance(source, bytes | bytearray | memoryview):
        view = memoryview(source).cast("B")
        for start in range(0, len(view), CHUNK):
            yield view[start : start + CHUNK]
        return
    if isinstance(source, str | Path):
        path = Path(source)
        if not path.is_file():
            raise InvalidArgument(f"{argument} {str(path)!r} is not a file (a path was given).")
        with open(path, "rb") as handle:
            yield from chunks_of(handle, argument)
        return
    if not callable(getattr(source, "read", None)):
        raise InvalidArgument(
            f"{argument} must be bytes, a path, or a file object open in binary mode; "
            f"got {type(source).__name__}."
        )
    while chunk := source.read(CHUNK):
        if not isinstance(chunk, bytes | bytearray | memoryview):
            raise InvalidArgument(
                f"{argument} must be read as bytes; got {type(chunk).__name__} from its "
                "file object: open the file in binary mode ('rb')."
            )
        yield chunk


def filename_of(source: Source) -> str | None:
    """The base name of an upload that came from a path or a named file object."""
    if isinstance(source, str | Path):
        return Path(source).name
    name = getattr(source, "name", None)
    return Path(name).name if isinstance(name, str) else None


def store_file(db: Session, staged: Staged) -> StoredFile:
    """File a staged upload under its sha256, once; the file is shared by identical uploads.

    Holds the file's lock (see ``collect``), and removes the file again if the transaction
    rolls back while no other row references it.
    """
    lock_table(db, f"registryfile:{staged.sha256}")
    row = db.get(StoredFile, staged.sha256)
    store = current_store(db) if row is None else store_for(row.store)
    if row is None:
        row = StoredFile(sha256=staged.sha256, size=staged.size, store=store.key)
        db.add(row)
        db.flush()
    if not store.exists(db, staged.sha256):
        store.put(db, staged.path, staged.sha256)
        on_rollback(functools.partial(collect, [staged.sha256], store.key))
    return row


def release(sha256: str) -> None:
    """Remove a file after the commit if no format references it any longer."""
    on_commit(functools.partial(collect, [sha256]))


def collect(hashes: list[str], store_key: str | None = None) -> None:
    """Remove the files of ``hashes`` that no format references, and their rows.

    Runs in its own transaction on the engine (after a commit, or after a rollback, when no
    assay transaction is open), holding each file's lock, as ``store_file`` does.

    Args:
        hashes: The files to check.
        store_key: Where a file without a ``StoredFile`` row was put (after a rollback).
    """
    with Session(engine().execution_options(assay_write=True)) as db, db.begin():
        for sha256 in hashes:
            lock_table(db, f"registryfile:{sha256}")
            used = select(VersionFormat.id).where(VersionFormat.sha256 == sha256).limit(1)
            if db.scalar(used) is not None:
                continue
            row = db.get(StoredFile, sha256)
            key = row.store if row is not None else store_key
            if key is not None:
                store_for(key).remove(db, sha256)
            if row is not None:
                db.delete(row)


def get_file(version_id: int, format_id: str) -> VersionFormat:
    """The file of ``format_id`` of a version."""
    with reading() as db:
        return existing_format(db, version_row(db, version_id), format_id)


def delete_file(version_id: int, format_id: str) -> None:
    """Remove the file of ``format_id`` from an unpublished version (and from the store)."""
    with transaction() as db:
        version = writable_version(db, version_id)
        row = existing_format(db, version, format_id)
        model = db.get(RegisteredModel, version.model_id)
        record(db, "delete", model, version, format_id=format_id, before=row.info())
        db.delete(row)
        touch(version)
        release(row.sha256)


def download(version_id: int, format_id: str, path: str | Path | None) -> bytes | Path:
    """The verified file of ``format_id``: its bytes, or the path it was written to.

    A folder as ``path`` gets ``<model>-v<version><suffix>`` inside it. The file is written
    to a temporary name and renamed once its sha256 matches, so a corrupt download never
    lands under the name asked for.

    Raises:
        DataChanged: The stored bytes are missing or do not match the recorded sha256.
    """
    with reading() as db:
        version = version_row(db, version_id)
        row = existing_format(db, version, format_id)

        def what() -> str:  # for errors only: it costs a query
            return f"the {format_id!r} file of {describe(db, version)}"

        def send(write: Callable[[bytes], object]) -> None:
            verify(read_file(db, row, what), row.sha256, what, write)

        def file_name() -> str:
            model = db.get(RegisteredModel, version.model_id)
            return f"{model.name}-v{version.version}{suffix_of(format_id)}"

        return deliver(path, file_name, send)


def deliver(
    path: str | Path | None,
    file_name: Callable[[], str],
    send: Callable[[Callable[[bytes], object]], None],
) -> bytes | Path:
    """What ``send`` writes, as bytes, or in a file at ``path`` (the local and remote download).

    The file is written to a temporary name and renamed once ``send`` returns (it raises on
    a sha256 mismatch), so a corrupt download never lands under the name asked for.

    Args:
        path: None for the bytes, a file in an existing folder, or a folder (the file is
            then ``file_name()`` inside it).
        file_name: The name of the file in a folder, asked for only then.
        send: Calls its argument with each chunk, in order.
    """
    if path is None:
        buffer = bytearray()
        send(buffer.extend)
        return bytes(buffer)
    target = Path(path)
    if not target.parent.is_dir():
        raise InvalidArgument(
            f"path must be a file in an existing folder, or a folder; got {str(target)!r}."
        )
    if target.is_dir():
        target = target / file_name()
    partial = target.with_name(f".{target.name}.{uuid.uuid4().hex}.partial")
    try:
        with open(partial, "wb") as out:
            send(out.write)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return target


def read_file(db: Session, row: VersionFormat, what: Callable[[], str]) -> Iterator[bytes]:
    """The stored bytes of a format's file, chunk by chunk; ``what()`` names it in errors."""
    stored = db.get(StoredFile, row.sha256)
    store = store_for(stored.store)
    if not store.exists(db, row.sha256):
        raise DataChanged(
            f"{what()} is missing from its store ({stored.store}); the store was changed "
            "outside assay. Upload the file again."
        )
    return store.read(db, row.sha256)


def verify(chunks: Iterator[bytes], expected: str, what: Callable[[], str], write: Any) -> None:
    """Pass each chunk to ``write`` while hashing; refuse at the end on a mismatch.

    Args:
        chunks: The stored bytes.
        expected: The sha256 recorded at upload.
        what: Names the file in the error (called only then).
        write: Receives each chunk.
    """
    for chunk in verified(chunks, expected, what):
        write(chunk)


def stream(version_id: int, format_id: str) -> tuple[VersionFormat, Iterator[bytes]]:
    """The file of ``format_id`` of a version as a row and its bytes, chunk by chunk.

    For a server that sends the file as it reads it: the chunks are hashed on the way and
    the last one is followed by ``DataChanged`` if the sha256 differs from the recorded one.

    Raises:
        NotFound: No such version or file.
        DataChanged: The file is missing from its store (before any byte is read).
    """
    with reading() as db:
        version = version_row(db, version_id)
        row = existing_format(db, version, format_id)
        what = f"the {format_id!r} file of {describe(db, version)}"
        read_file(db, row, lambda: what)  # checks that the store has it

    def chunks() -> Iterator[bytes]:
        with reading() as db:
            yield from verified(read_file(db, row, lambda: what), row.sha256, lambda: what)

    return row, chunks()


#: What a mismatch means for a file read from the store.
STORE_CHANGED = "recorded at upload; the store was changed outside assay. Upload the file again."


def verified(
    chunks: Iterator[bytes], expected: str, what: Callable[[], str], why: str = STORE_CHANGED
) -> Iterator[bytes]:
    """The chunks, hashed on the way; ``DataChanged`` after the last one on a mismatch.

    Args:
        chunks: The file's bytes, in order.
        expected: The sha256 the bytes must have.
        what: Names the file in the error (called only on a mismatch).
        why: Where ``expected`` came from and what to do, ending the error's sentence.
    """
    digest = hashlib.sha256()
    for chunk in chunks:
        digest.update(chunk)
        yield chunk
    if digest.hexdigest() != expected:
        raise DataChanged(
            f"{what()} is corrupt: its sha256 is {digest.hexdigest()[:16]}..., not the "
            f"{expected[:16]}... {why}"
        )


def suffix_of(format_id: str) -> str:
    """The file suffix of a format, or none when the format is no longer registered."""
    try:
        return get_format(format_id).suffix
    except InvalidArgument:
        return ""


def load(version_id: int, format_id: str) -> Any:
    """The model in ``format_id``, downloaded (verified) and read by its format."""
    model_format = get_format(format_id)
    with tempfile.TemporaryDirectory(prefix="assay-load-") as folder:
        path = download(version_id, format_id, Path(folder) / f"model{model_format.suffix}")
        return model_format.load(path)
