"""Small file helpers the formats share: write a file whole or not at all, and name it in errors."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from assay.errors import InvalidArgument


@contextmanager
def written_whole(path: Path) -> Iterator[Path]:
    """A temporary path beside ``path`` that becomes ``path`` only if the block succeeds.

    An export that is refused (a parity check failed, a converter raised) leaves nothing at
    ``path``, and a reader never sees half a file.
    """
    path = Path(path)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(handle)
    try:
        yield Path(temporary)
        os.chmod(temporary, 0o644)  # mkstemp's 0600 would keep the file from its readers
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def existing_file(path: Path, format_id: str) -> Path:
    """``path`` as a Path, checked to be a non-empty regular file.

    Raises:
        InvalidArgument: There is no file at ``path``, or it is a folder, or empty.
    """
    path = Path(path)
    if not path.exists():
        raise InvalidArgument(f"format {format_id!r}: there is no file at {str(path)!r}.")
    if not path.is_file():
        raise InvalidArgument(f"format {format_id!r}: {str(path)!r} is not a file.")
    if path.stat().st_size == 0:
        raise InvalidArgument(f"format {format_id!r}: {path.name!r} is empty (0 bytes).")
    return path
