"""sha256 digests of the bytes a Dataset is stored as, to version and verify it."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from assay.errors import InvalidArgument

CHUNK = 1 << 24


def sha256_buffer(buffer: Any) -> str:
    """The hex digest of a bytes-like object, read without copying it."""
    digest = hashlib.sha256()
    view = memoryview(buffer).cast("B")
    for start in range(0, len(view), CHUNK):
        digest.update(view[start : start + CHUNK])
    return digest.hexdigest()


def sha256_file(path: str | Path) -> str:
    """The hex digest of a file's bytes, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def read_hashed(path: Path, argument: str) -> tuple[bytes, str]:
    """A file's bytes and their hex digest, read once.

    Parse these bytes rather than the file: a file that changes between two reads would
    otherwise be recorded with one version's metadata and the other's hash.
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InvalidArgument(f"{argument} {str(path)!r} cannot be read: {exc}") from exc
    return data, sha256_buffer(data)
